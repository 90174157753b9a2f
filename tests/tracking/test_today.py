"""The "hôm nay" view in one call: changes, the units' ranking and the trends together."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.tracking.day_changes import day_changes
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.ranking import unit_ranking
from kehoach_flow.tracking.snapshots import write_snapshot
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.tracking.today import today_view
from kehoach_flow.workdays import vietnam_calendar
from tests.tracking.helpers import LATENESS_PLAN, write_lateness_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPTIONS = BoardOptions(vietnam_calendar([2024]))
MONDAY = date(2024, 7, 15)


def test_the_view_holds_the_same_numbers_as_each_part_alone(
    engine: Engine, definitions_copy: Path
) -> None:
    load_path(engine, write_lateness_plan(definitions_copy))
    at = datetime.combine(date(2024, 7, 12), time(9), tzinfo=TZ)
    task_id = int(find_task(engine, f"{LATENESS_PLAN}/b2")["id"])
    record_update(engine, task_id, UpdateIn(status=Status.DONE), Author("kh-tc", "web", at), now=at)
    overall = {"overall": {"done": 1, "total": 8, "completion_percent": 12.5}}
    write_snapshot(engine, LATENESS_PLAN, date(2024, 7, 12), overall, overdue=["a1", "b1", "s1"])
    write_snapshot(engine, LATENESS_PLAN, date(2023, 12, 31), overall)  # before the year

    view = today_view(engine, [LATENESS_PLAN], MONDAY, OPTIONS)

    assert view.changes == day_changes(engine, [LATENESS_PLAN], MONDAY, OPTIONS)
    assert list(view.ranking) == unit_ranking(engine, [LATENESS_PLAN], MONDAY, OPTIONS)
    assert [t.task for t in view.changes.newly_overdue] == ["a2"]  # B2 was done on time
    assert [(u.task, u.author.text) for u in view.changes.updates] == [
        ("b2", "Phòng KH-TC qua trang web")
    ]
    # B3 (due 3/6, not cancelled here) 30 working days late and B1 11; A1 11 and A2 1
    assert [(u.unit, u.overdue, u.days_late) for u in view.ranking[:2]] == [
        ("kh-tc", 2, 41),
        ("qltcdlcl", 2, 12),
    ]
    trend = view.trends[LATENESS_PLAN]
    assert (trend.since, trend.until) == (date(2024, 1, 1), MONDAY)
    assert [(p.day, p.overdue) for p in trend.points] == [(date(2024, 7, 12), 3)]
    assert view.as_dict()["trends"][LATENESS_PLAN]["points"][0]["completion_percent"] == 12.5
