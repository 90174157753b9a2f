"""Daily snapshots: one per plan and day, a rerun replaces it, read back oldest first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from kehoach_flow.db.tables import PLAN
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.snapshots import (
    completion_trend,
    snapshot_on,
    snapshots_since,
    write_snapshot,
)
from tests.conftest import SEED_PLAN


def _scoreboard(percent: float) -> dict[str, object]:
    return {"overall": {"completion_percent": percent, "total": 7}}


def _revision(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(PLAN.c.revision).where(PLAN.c.key == SEED_PLAN)).scalar_one()
        )


def test_a_rerun_replaces_the_days_snapshot_and_bumps_the_plan_revision(
    settings: Settings, engine: Engine
) -> None:
    load_path(engine, settings.definitions)
    before = _revision(engine)
    write_snapshot(engine, SEED_PLAN, date(2025, 1, 10), _scoreboard(10), ["a", "b"], ["c"])
    write_snapshot(engine, SEED_PLAN, date(2025, 1, 10), _scoreboard(20), ["a"], [], ["d"])
    assert _revision(engine) == before + 2
    (only,) = snapshots_since(engine, SEED_PLAN, date(2025, 1, 1))
    assert (only.day, only.overdue, only.at_risk, only.blocked) == (
        date(2025, 1, 10),
        ("a",),
        (),
        ("d",),
    )
    assert only.completion_percent == 20


def test_snapshots_read_back_oldest_first_and_the_latest_on_a_day(
    settings: Settings, engine: Engine
) -> None:
    load_path(engine, settings.definitions)
    for day, percent in (
        (date(2025, 1, 12), 30.0),
        (date(2024, 12, 31), 5.0),
        (date(2025, 1, 10), 25.5),
    ):
        write_snapshot(engine, SEED_PLAN, day, _scoreboard(percent))
    assert completion_trend(engine, SEED_PLAN, date(2025, 1, 1)) == [
        (date(2025, 1, 10), 25.5),
        (date(2025, 1, 12), 30.0),
    ]
    latest = snapshot_on(engine, SEED_PLAN, date(2025, 1, 11))
    assert latest is not None and latest.day == date(2025, 1, 10)
    assert snapshot_on(engine, SEED_PLAN, date(2024, 12, 30)) is None
    assert snapshot_on(engine, "khong-co", date(2025, 1, 11)) is None
