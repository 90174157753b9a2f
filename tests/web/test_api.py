"""The JSON API: token auth, roles, filters, versioned updates, reports, and a schemathesis run
over the whole OpenAPI schema that must find no server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user, issue_token
from tests.conftest import SEED_PLAN
from tests.web.conftest import sign_in
from tests.web.helpers import PASSWORD

TASK = f"/api/tasks/{SEED_PLAN}/khao-sat-30-dn"


@pytest.fixture
def tokens(web: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    return {
        role: {"Authorization": f"Bearer {issue_token(engine, user, 'test')}"}
        for role, user in (("coordinator", "phongkh"), ("viewer", "lanhdao"))
    }


def test_reads_need_a_token_or_a_session(
    web: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    assert web.get("/api/health").json() == {"status": "ok"}
    assert web.get("/api/plans").status_code == 401
    plans = web.get("/api/plans", headers=tokens["viewer"]).json()
    assert [p["key"] for p in plans] == [SEED_PLAN]
    assert web.get("/api/plans", headers={"Authorization": "Bearer kh_forged"}).status_code == 401
    sign_in(web)
    assert web.get("/api/plans").status_code == 200  # a signed-in browser may read


def test_tasks_filter_and_carry_their_derived_state(
    web: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    every = web.get(f"/api/plans/{SEED_PLAN}/tasks", headers=tokens["viewer"]).json()
    assert len(every) == 7 and {"derived", "category", "version"} <= set(every[0])
    led = web.get(
        f"/api/plans/{SEED_PLAN}/tasks", params={"unit": "ttkt-tcdlcl"}, headers=tokens["viewer"]
    ).json()
    # the unit leads two tasks and partners on a third (led by kh-tc)
    assert [t["key"] for t in led] == ["chuan-do-luong", "to-chuc-kiem-dinh", "dau-tu-thiet-bi-gd2"]
    assert [t["lead"]["key"] for t in led] == ["ttkt-tcdlcl", "ttkt-tcdlcl", "kh-tc"]
    assert web.get("/api/plans/khong-co/tasks", headers=tokens["viewer"]).status_code == 404


def test_updates_are_versioned_and_need_a_coordinator_token(
    web: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    body = {"version": 1, "status": "in_progress", "progress": 30, "note": "Đã gửi phiếu"}
    assert web.post(f"{TASK}/updates", json=body, headers=tokens["viewer"]).status_code == 403
    sign_in(web)
    assert web.post(f"{TASK}/updates", json=body).status_code == 401  # a cookie cannot write
    created = web.post(f"{TASK}/updates", json=body, headers=tokens["coordinator"])
    assert created.status_code == 201, created.text
    assert created.json() == {"version": 2, "status": "in_progress", "progress": 30}
    stale = web.post(f"{TASK}/updates", json=body, headers=tokens["coordinator"])
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    bad = web.post(
        f"{TASK}/updates",
        json={**body, "version": 2, "progress": 140},
        headers=tokens["coordinator"],
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "progress"
    history = web.get(TASK, headers=tokens["viewer"]).json()["history"]
    assert [h["actor"] for h in history] == ["phongkh"]


def test_reports_are_generated_listed_and_downloaded(
    web: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    made = web.post(
        "/api/reports",
        json={"plan": SEED_PLAN, "period": "q2", "year": 2024, "formats": ["md"]},
        headers=tokens["coordinator"],
    )
    assert made.status_code == 201, made.text
    runs = web.get("/api/reports", headers=tokens["viewer"]).json()
    assert runs[0]["period"] == "q2" and runs[0]["links"][0].endswith(".md")
    text = web.get(runs[0]["links"][0], headers=tokens["viewer"])
    assert text.status_code == 200 and "quý II năm 2024" in text.text
    both = web.post(
        "/api/reports", json={"period": "q2", "year": 2024}, headers=tokens["coordinator"]
    )
    assert both.status_code == 422


@pytest.mark.parametrize("unit", [None, "kh-tc"], ids=["whole", "narrowed"])
def test_schemathesis_finds_no_server_error(
    web: TestClient, engine: Engine, unit: str | None
) -> None:
    """Every operation of /api/openapi.json, called with generated data and a coordinator's
    token (of the whole installation, or of a unit that leads a task of the seed plan: it
    sees the plan, edits none): any 5xx is a failure."""
    username = "phongkh"
    if unit is not None:
        username = "donvi"
        add_user(engine, username, "Phòng Kế hoạch - Tài chính", "coordinator", PASSWORD, unit)
    headers = {"Authorization": f"Bearer {issue_token(engine, username, 'schemathesis')}"}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web.app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        call()
    assert failures == []


def test_nul_characters_are_client_errors_not_500s(
    web: TestClient, engine: Engine, tokens: dict[str, dict[str, str]]
) -> None:
    refused = {"detail": "đường dẫn chứa ký tự không hợp lệ (NUL)"}
    in_path = web.get("/api/plans/x%00/tasks", headers=tokens["viewer"])
    assert (in_path.status_code, in_path.json()) == (400, refused)
    in_query = web.get(
        f"/api/plans/{SEED_PLAN}/tasks", params={"unit": "a\x00b"}, headers=tokens["viewer"]
    )
    assert (in_query.status_code, in_query.json()) == (400, refused)
    body = {"version": 1, "note": "ghi chú\x00"}
    posted = web.post(f"{TASK}/updates", json=body, headers=tokens["coordinator"])
    history = web.get(TASK, headers=tokens["viewer"]).json()["history"]
    if engine.dialect.name == "sqlite":  # SQLite stores the NUL as it came
        assert (posted.status_code, posted.json()) == (
            201,
            {"version": 2, "status": "not_started", "progress": 0},
        )
        assert [h["note"] for h in history] == ["ghi chú\x00"]
    else:  # Postgres refuses it: the client's error, never a 500, and nothing stored
        assert (posted.status_code, posted.json()) == (
            422,
            {
                "detail": "dữ liệu gửi lên có giá trị cơ sở dữ liệu không nhận "
                "(ký tự NUL, số quá lớn...)"
            },
        )
        assert history == []
