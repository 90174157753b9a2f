"""Issues 21 and 22, acceptance: the decisions on a task (an extension request, a done
awaiting confirmation) with organisations, on SQLite and Postgres. In province B's plan
(tests/web/waiting_world.py: review on) t4-1-01 has a request waiting and t1-2-01 a done
awaiting confirmation.

1. Every account of province A (coordinator, viewer, admin) posting a decision on B's task,
   through the task page's forms (with a CSRF token of A's own task page) or the API (with
   its token), gets the answer it gets for a task that does not exist: B's decisions do not
   leak; and nothing changes (the request still waits, the task still awaits).
2. The coordinator of the plan's scope approves: an account of the Sở (tinh-02), the unit
   above plan B's coordinating office p02-u01, decides B's request and confirms B's done
   through the API; a viewer of that same Sở gets a 403.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.db.queries import list_plans
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.extensions import due_story
from kehoach_flow.tracking.status import Status
from tests.web.conftest import csrf_of
from tests.web.orgs import PLAN_A, PLAN_B, PROVINCE_B, Orgs, add_accounts
from tests.web.waiting_world import ASKED, REPORTED, build_waiting, task_of

MISSING = "khong-co"  # a plan key and a task key that do not exist
LEADERS = {"lanhdao-b": ("coordinator", PROVINCE_B), "xem-b": ("viewer", PROVINCE_B)}


@pytest.fixture
def world(tmp_path: Path, settings: Settings, engine: Engine) -> Orgs:
    orgs = build_waiting(tmp_path, settings, engine)
    orgs.tokens |= add_accounts(engine, LEADERS, "kiểm thử")
    return orgs


def _state(engine: Engine) -> dict[str, Any]:
    """What a decision on B's two tasks would change."""
    asked, reported = task_of(engine, PLAN_B, ASKED), task_of(engine, PLAN_B, REPORTED)
    story = due_story(engine, int(asked["id"]))
    return {
        "pending": story["pending"],
        "due": story["current"],
        "asked": (asked["status"], asked["version"]),
        "reported": (reported["status"], reported["version"]),
    }


def _pending(engine: Engine) -> int:
    found = due_story(engine, int(task_of(engine, PLAN_B, ASKED)["id"]))["pending"]
    assert found is not None
    return int(found)


def _page_posts(
    browser: TestClient, csrf: str, request_id: int, task: str, plan: str = PLAN_B
) -> list[int]:
    """The task page's three decision forms posted on `plan`'s `task`: their statuses."""
    base = f"/nhiem-vu/{plan}"
    forms = {
        f"{base}/{task}/gia-han/{request_id}": {"decision": "approve", "due": "31/07/2024"},
        f"{base}/{task}/gia-han": {"due": "31/08/2024", "reason": "Thiếu kinh phí"},
        f"{base}/{task}/xac-nhan": {"decision": "confirm", "comment": "Đạt"},
    }
    return [
        browser.post(url, data={"csrf_token": csrf, **f}).status_code for url, f in forms.items()
    ]


def _api_posts(api: TestClient, request_id: int, task: str, plan: str = PLAN_B) -> list[int]:
    """The API's three decision routes on `plan`'s `task` (and request `request_id`)."""
    posts = {
        f"/api/extensions/{request_id}/decision": {"decision": "approve"},
        f"/api/tasks/{plan}/{task}/review": {"decision": "confirm"},
        f"/api/tasks/{plan}/{task}/extensions": {
            "due": "2024-08-31",
            "reason": "Thiếu kinh phí",
            "record_late": True,
        },
    }
    return [api.post(url, json=body).status_code for url, body in posts.items()]


@pytest.mark.parametrize("username", ["chutri-a", "xem-a", "quantri-a"])
def test_province_a_cannot_decide_nor_see_province_b_decisions(world: Orgs, username: str) -> None:
    engine = world.engine
    before = _state(engine)
    request_id = _pending(engine)
    browser = world.browser(username)
    csrf = csrf_of(browser, f"/nhiem-vu/{PLAN_A}/{world.tasks[PLAN_A]}")

    pages = {task: _page_posts(browser, csrf, request_id, task) for task in (ASKED, REPORTED)}
    missing = _page_posts(browser, csrf, 10**6, MISSING, MISSING)
    assert missing == [404, 404, 404]
    assert pages == {ASKED: missing, REPORTED: missing}

    api = world.api(username)
    # B's request and tasks are answered as a request and a task that do not exist.
    calls = {task: _api_posts(api, request_id, task) for task in (ASKED, REPORTED)}
    none = _api_posts(api, 10**6, MISSING, MISSING)
    expected = 403 if username == "xem-a" else 404  # a viewer's token writes nowhere
    assert none == [expected] * 3
    assert calls == {ASKED: none, REPORTED: none}

    assert _state(engine) == before
    assert before["pending"] == request_id
    assert before["reported"][0] == Status.AWAITING_REVIEW.value


def test_coordinator_above_plan_office_decides_viewer_of_it_cannot(world: Orgs) -> None:
    engine = world.engine
    [plan] = [p for p in list_plans(engine) if p["key"] == PLAN_B]
    assert plan["coordinator"] == "p02-u01"  # the Sở's office, a unit below tinh-02
    request_id = _pending(engine)
    before = _state(engine)

    viewer = world.api("xem-b")
    assert _api_posts(viewer, request_id, REPORTED) == [403] * 3
    assert _api_posts(viewer, request_id, ASKED) == [403] * 3
    browser = world.browser("xem-b")
    csrf = csrf_of(browser, f"/nhiem-vu/{PLAN_B}/{ASKED}")  # the viewer reads B's task
    for task in (ASKED, REPORTED):
        assert _page_posts(browser, csrf, request_id, task) == [403] * 3
    refused = browser.post(
        f"/nhiem-vu/{PLAN_B}/{REPORTED}/xac-nhan", data={"csrf_token": csrf, "decision": "confirm"}
    )
    assert "chỉ được xem" in refused.text  # the viewer's refusal, not a CSRF one
    assert _state(engine) == before

    leader = world.api("lanhdao-b")
    decided = leader.post(f"/api/extensions/{request_id}/decision", json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["due"] == "2024-07-31"
    confirmed = leader.post(f"/api/tasks/{PLAN_B}/{REPORTED}/review", json={"decision": "confirm"})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == Status.DONE.value
    asked = leader.post(
        f"/api/tasks/{PLAN_B}/{ASKED}/extensions",
        json={"due": "2024-08-30", "reason": "Chờ nghiệm thu", "record_late": True},
    )
    assert asked.status_code == 201, asked.text

    after = _state(engine)
    assert after["due"] == date(2024, 7, 31)
    assert after["pending"] == asked.json()["request_id"]
    assert after["reported"][0] == Status.DONE.value
