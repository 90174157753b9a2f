"""A plan's trend from its daily snapshots: after a simulated month, and with days missing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine

from kehoach_flow.db.engine import create_db_engine
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.snapshots import write_snapshot
from kehoach_flow.tracking.trend import plan_trend
from tests.conftest import DEFINITIONS, SEED_PLAN, run_cli

# A month of the seed plan between two report cut-offs (14/11 is none, 14/12 the next one):
# the days run tracking, reminders and updates; with seed 3 two tasks get done in it.
MONTH = (date(2024, 11, 15), date(2024, 12, 14))


def test_the_trend_after_a_simulated_month_follows_the_days_run(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    work = tmp_path / "sim"
    args = ("--plan", SEED_PLAN, "--from", "2024-11-15", "--to", "2024-12-14", "--seed", "3")
    result = run_cli(sqlite_settings, "simulate", *args, "--out", str(work), "--json")
    assert result.exit_code == 0, result.stderr
    categories = json.loads(result.stdout)["categories"]
    done = categories["Hoàn thành đúng hạn"] + categories["Hoàn thành quá hạn"]

    engine = create_db_engine(f"sqlite:///{work / 'kehoach.db'}")
    try:
        trend = plan_trend(engine, SEED_PLAN, *MONTH)
    finally:
        engine.dispose()

    assert [p.day for p in trend.points] == [
        MONTH[0] + timedelta(days=n) for n in range(30)
    ]  # one snapshot a day, every day of the month
    assert trend.missing_days == ()
    assert {p.total for p in trend.points} == {7}
    first, last = trend.points[0], trend.points[-1]
    assert (first.done, last.done) == (0, done) and done > 0
    assert last.completion_percent == round(100 * done / 7, 1)
    dones = [p.done for p in trend.points]
    assert dones == sorted(dones)  # the simulated units never reopen a task
    assert trend.completion_change == last.completion_percent
    points = trend.polyline().split()
    assert len(points) == 30 and points[0] == "0.0,30.0" and points[-1].startswith("100.0,")


def _counts(done: int, total: int) -> dict[str, object]:
    percent = round(100 * done / total, 1)
    return {"overall": {"done": done, "total": total, "completion_percent": percent}}


def test_days_without_a_snapshot_are_named_and_the_changes_counted(engine: Engine) -> None:
    load_path(engine, DEFINITIONS)
    write_snapshot(engine, SEED_PLAN, date(2024, 3, 1), _counts(1, 7), overdue=["a"])
    write_snapshot(engine, SEED_PLAN, date(2024, 3, 4), _counts(3, 7), overdue=["a", "b", "c"])
    write_snapshot(engine, SEED_PLAN, date(2024, 3, 9), _counts(7, 7))  # after the window
    trend = plan_trend(engine, SEED_PLAN, date(2024, 3, 1), date(2024, 3, 5))

    assert [(p.day.day, p.done, p.overdue) for p in trend.points] == [(1, 1, 1), (4, 3, 3)]
    assert trend.missing_days == (date(2024, 3, 2), date(2024, 3, 3), date(2024, 3, 5))
    assert (trend.completion_change, trend.overdue_change) == (28.6, 2)
    assert trend.polyline() == "0.0,25.7 75.0,17.1"
    assert trend.as_dict()["missing_days"] == ["2024-03-02", "2024-03-03", "2024-03-05"]
    empty = plan_trend(engine, SEED_PLAN, date(2024, 5, 1), date(2024, 5, 2))
    assert (empty.points, empty.completion_change, len(empty.missing_days)) == ((), None, 2)
