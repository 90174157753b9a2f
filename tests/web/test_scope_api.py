"""The JSON API and its tokens obey the scope rule (issue 21): a ministry and two provinces on
one database (tests/web/scope_world.py), on SQLite and Postgres."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.accounts.audit import recent
from kehoach_flow.settings import Settings
from tests.web.scope_world import DON_VI_B, PLAN_A, PLAN_B, PROGRAMME, World, build_world

UPDATE = {"version": 1, "status": "in_progress", "progress": 30, "note": "Đã triển khai"}


@pytest.fixture
def world(tmp_path: Path, settings: Settings, engine: Engine) -> World:
    return build_world(tmp_path, settings, engine)


def _unknown_as(detail: str, real: str, unknown: str) -> str:
    """The detail an unknown key gets, as it reads for the real one."""
    return detail.replace(unknown, real)


def test_plan_lists_hold_only_what_the_token_sees(world: World) -> None:
    def listed(username: str) -> list[str]:
        found = world.client.get("/api/plans", headers=world.tokens[username])
        assert found.status_code == 200, found.text
        return [p["key"] for p in found.json()]

    assert listed("tinh-a") == [PLAN_A]
    assert listed(DON_VI_B) == [PLAN_B]  # it leads a task of B
    assert listed("bo-xem") == [PLAN_A, PLAN_B]
    assert listed("toanquoc") == [PLAN_A, PLAN_B]


def test_a_plan_or_task_outside_the_scope_is_a_404_like_an_unknown_one(world: World) -> None:
    a, client = world.tokens["tinh-a"], world.client
    assert client.get(f"/api/plans/{PLAN_A}/tasks", headers=a).status_code == 200
    hidden = client.get(f"/api/plans/{PLAN_B}/tasks", headers=a)
    unknown = client.get("/api/plans/khong-co-2024/tasks", headers=a)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == {
        "detail": _unknown_as(unknown.json()["detail"], PLAN_B, "khong-co-2024")
    }
    assert "không tìm thấy kế hoạch" in hidden.json()["detail"]

    assert client.get(f"/api/tasks/{PLAN_A}/{world.task_a}", headers=a).status_code == 200
    hidden = client.get(f"/api/tasks/{PLAN_B}/{world.task_b}", headers=a)
    unknown = client.get(f"/api/tasks/khong-co-2024/{world.task_b}", headers=a)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == {
        "detail": _unknown_as(unknown.json()["detail"], PLAN_B, "khong-co-2024")
    }
    assert "không tìm thấy nhiệm vụ" in hidden.json()["detail"]
    # the ministry's viewer and a unit leading a task of B read B
    for username in ("bo-xem", DON_VI_B, "toanquoc"):
        headers = world.tokens[username]
        assert client.get(f"/api/plans/{PLAN_B}/tasks", headers=headers).status_code == 200
        assert client.get(f"/api/tasks/{PLAN_B}/{world.task_b}", headers=headers).status_code == 200


def test_an_update_outside_the_scope_is_refused_and_stores_nothing(world: World) -> None:
    client, tokens = world.client, world.tokens
    url_b = f"/api/tasks/{PLAN_B}/{world.task_b}"
    hidden = client.post(f"{url_b}/updates", json=UPDATE, headers=tokens["tinh-a"])
    assert hidden.status_code == 404 and "không tìm thấy nhiệm vụ" in hidden.json()["detail"]
    seen = client.post(f"{url_b}/updates", json=UPDATE, headers=tokens[DON_VI_B])
    assert seen.status_code == 403
    assert seen.json() == {
        "detail": "kế hoạch này do đơn vị ngoài phạm vi của tài khoản chủ trì; "
        "tài khoản chỉ được xem"
    }
    viewer = client.post(f"{url_b}/updates", json=UPDATE, headers=tokens["bo-xem"])
    assert viewer.status_code == 403
    assert client.get(url_b, headers=tokens["toanquoc"]).json()["history"] == []

    own = client.post(
        f"/api/tasks/{PLAN_A}/{world.task_a}/updates", json=UPDATE, headers=tokens["tinh-a"]
    )
    assert own.status_code == 201, own.text
    whole = client.post(f"{url_b}/updates", json=UPDATE, headers=tokens["toanquoc"])
    assert whole.status_code == 201, whole.text
    history = client.get(url_b, headers=tokens["bo-xem"]).json()["history"]
    assert [h["actor"] for h in history] == ["toanquoc"]


def _report(world: World, username: str, **subject: str) -> tuple[int, str]:
    made = world.client.post(
        "/api/reports",
        json={**subject, "period": "q2", "year": 2024, "formats": ["md"]},
        headers=world.tokens[username],
    )
    return made.status_code, made.json().get("detail", "")


def test_reports_are_generated_listed_and_downloaded_within_the_scope(world: World) -> None:
    client, tokens = world.client, world.tokens
    # the whole installation's coordinator makes every report, as before
    assert _report(world, "toanquoc", plan=PLAN_B)[0] == 201
    assert _report(world, "toanquoc", programme=PROGRAMME)[0] == 201
    # province A: its own plan only
    assert _report(world, "tinh-a", plan=PLAN_A)[0] == 201
    status, detail = _report(world, "tinh-a", plan=PLAN_B)
    assert status == 404 and detail.startswith(f'không tìm thấy kế hoạch "{PLAN_B}"')
    status, detail = _report(world, "tinh-a", programme=PROGRAMME)  # sees only A's plan of it
    assert status == 403 and "mọi kế hoạch" in detail
    status, detail = _report(world, "tinh-a", programme="khong-co")
    assert status == 404 and detail.startswith('không tìm thấy chương trình "khong-co"')
    # sees B's plan, does not edit it; a viewer writes nothing
    status, detail = _report(world, DON_VI_B, plan=PLAN_B)
    assert status == 403 and "ngoài phạm vi" in detail
    assert _report(world, "bo-xem", plan=PLAN_A)[0] == 403
    assert _report(world, "bo-xem", programme=PROGRAMME)[0] == 403

    generated = recent(world.engine, None, actions=["report_generated"])
    assert [(e.actor, e.target, e.detail, e.unit_key) for e in reversed(generated)] == [
        ("toanquoc", PLAN_B, "Quý II/2024", "p02-u01"),  # under the plan's coordinator
        ("toanquoc", f"programme:{PROGRAMME}", "Quý II/2024", None),  # under the account's
        ("tinh-a", PLAN_A, "Quý II/2024", "p01-u01"),
    ]

    def runs(username: str, **params: str) -> dict[str, list[str]]:
        found = client.get("/api/reports", params=params, headers=tokens[username])
        assert found.status_code == 200, found.text
        return {r["subject"]: r["links"] for r in found.json()}

    every = runs("toanquoc")
    assert set(every) == {PLAN_A, PLAN_B, f"programme:{PROGRAMME}"}
    assert set(runs("bo-xem")) == set(every)
    assert set(runs("tinh-a")) == {PLAN_A}
    assert set(runs(DON_VI_B)) == {PLAN_B}
    assert runs("tinh-a", subject=PLAN_B) == {}
    assert runs("tinh-a", subject=f"programme:{PROGRAMME}") == {}

    own = client.get(every[PLAN_A][0], headers=tokens["tinh-a"])
    assert own.status_code == 200 and "quý II năm 2024" in own.text
    for link in (every[PLAN_B][0], every[f"programme:{PROGRAMME}"][0]):
        hidden = client.get(link, headers=tokens["tinh-a"])
        gone = client.get(
            link.replace(link.rsplit("/", 1)[1], "khong-co.md"), headers=tokens["tinh-a"]
        )
        assert hidden.status_code == gone.status_code == 404
        assert hidden.json()["detail"].startswith("không tìm thấy tệp báo cáo")
        assert client.get(link, headers=tokens["bo-xem"]).status_code == 200
    assert client.get(every[PLAN_B][0], headers=tokens[DON_VI_B]).status_code == 200
