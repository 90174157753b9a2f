"""The four flows called as functions, against the session's Prefect server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from kehoach_flow.db.tables import ReportRun, StatusSnapshot
from kehoach_flow.reminders.outbox import outbox_rows
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN
from tests.orchestration.helpers import flow


def artifact(key: str) -> str | None:
    from prefect.client.orchestration import get_client

    async def read() -> str | None:
        async with get_client() as client:
            found = await client.read_latest_artifacts()
            return next((str(a.data) for a in found if a.key == key), None)

    return asyncio.run(read())


def test_track_status_stores_the_days_snapshot_and_publishes_what_to_chase(
    env: Settings, engine: Engine
) -> None:
    summary = flow("track_status")(day="2025-01-10")
    (plan,) = summary["plans"]
    assert plan["plan"] == SEED_PLAN and plan["total"] == 7
    assert len(plan["overdue"]) == 6  # nothing recorded; all but the 2024-2025 task were due
    with engine.connect() as conn:
        rows = list(conn.execute(select(StatusSnapshot.__table__)))  # type: ignore[attr-defined]
    assert [(r.plan_key, r.day.isoformat()) for r in rows] == [(SEED_PLAN, "2025-01-10")]
    assert sorted(rows[0].overdue) == sorted(plan["overdue"])
    flow("track_status")(day="2025-01-10")  # a rerun replaces the day's snapshot
    with engine.connect() as conn:
        assert len(list(conn.execute(select(StatusSnapshot.__table__)))) == 1  # type: ignore[attr-defined]
    text = artifact("tinh-hinh-2025-01-10")
    assert text is not None and "| Quá hạn |" in text and "khao-sat-30-dn" in text


def test_a_broken_plan_file_fails_its_own_task_and_the_others_load(
    env: Settings, engine: Engine, definitions_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = (definitions_copy / "plans" / "quang-tri-2024.yaml").read_text(encoding="utf-8")
    (definitions_copy / "plans" / "b-good.yaml").write_text(
        seed.replace(f"key: {SEED_PLAN}", "key: tinh-b-2024"), encoding="utf-8"
    )
    (definitions_copy / "plans" / "c-broken.yaml").write_text(
        seed.replace(f"key: {SEED_PLAN}", "key: tinh-c-2024").replace(
            "coordinator: qltcdlcl", "coordinator: khong-co-don-vi"
        ),
        encoding="utf-8",
    )
    from prefect.states import State

    state: State = flow("load_definitions")(path=str(definitions_copy), return_state=True)
    assert state.is_failed()
    assert "c-broken.yaml" in str(state.message) and "khong-co-don-vi" in str(state.message)
    from kehoach_flow.db.queries import list_plans

    assert {p["key"] for p in list_plans(engine)} == {SEED_PLAN, "tinh-b-2024"}


def test_send_reminders_queues_and_delivers_on_a_working_day_only(
    env: Settings, engine: Engine
) -> None:
    send = flow("send_reminders")
    summary = send(day="2024-12-20")
    assert summary["queued"] == 4 and summary["sent"] == 4
    assert len(list((env.data_dir / "outbox").rglob("*.eml"))) == 4
    again = send(day="2024-12-20")
    assert (again["queued"], again["sent"]) == (0, 0)  # nothing twice
    holiday = send(day="2024-09-02")
    assert holiday["day_off"] == "Quốc khánh" or "Quốc" in holiday["day_off"]
    assert len(outbox_rows(engine)) == 4


def test_build_report_picks_the_period_from_the_day(env: Settings, engine: Engine) -> None:
    build = flow("build_report")
    made = build(day="2024-06-15")
    (report,) = made["reports"]
    assert (report["period"], report["cutoff"]) == ("6m", "2024-06-14")
    assert all(Path(f).is_file() for f in report["files"])
    assert build(day="2024-06-20")["reports"] == []  # not the day after a cut-off
    given = build(period="q1", year=2024, day="2024-06-20")
    assert given["reports"][0]["period"] == "q1"
    with engine.connect() as conn:
        periods = [r.period for r in conn.execute(select(ReportRun.__table__))]  # type: ignore[attr-defined]
    assert sorted(periods) == ["6m", "q1"]
    assert artifact("bao-cao-2024-06-15") is not None
