"""The lead units ranked by overdue tasks and working days late, on both databases."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.ranking import unit_ranking
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar
from tests.tracking.helpers import LATENESS_PLAN, write_lateness_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPTIONS = BoardOptions(vietnam_calendar([2024]))


def record(engine: Engine, key: str, day: date, change: UpdateIn) -> None:
    task_id = int(find_task(engine, f"{LATENESS_PLAN}/{key}")["id"])
    at = datetime.combine(day, time(9), tzinfo=TZ)
    record_update(engine, task_id, change, Author("qltcdlcl", "cli", at), now=at)


@pytest.fixture
def late(engine: Engine, definitions_copy: Path) -> Engine:
    """B1 done five days late (3 working days), B3 cancelled, the rest as planned."""
    load_path(engine, write_lateness_plan(definitions_copy))
    record(engine, "b1", date(2024, 7, 3), UpdateIn(status=Status.DONE))
    record(engine, "b3", date(2024, 5, 2), UpdateIn(status=Status.CANCELLED))
    return engine


def test_units_rank_by_overdue_tasks_then_working_days_late(late: Engine) -> None:
    ranking = unit_ranking(late, [LATENESS_PLAN], date(2024, 7, 15), OPTIONS)
    rows = [(u.unit, u.tasks, u.overdue, u.done_late, u.days_late) for u in ranking]
    assert rows == [
        # A1 due Fri 28/6: 11 working days to Mon 15/7; A2 due Fri 12/7: 1
        ("qltcdlcl", 2, 2, 0, 12),
        # B2: 1; B1 done Wed 3/7, 3 working days after 28/6; B3 cancelled, not counted
        ("kh-tc", 2, 1, 1, 4),
        # S1 due Wed 10/7: 3 working days; its parent P is counted through S1 and S2
        ("tt-ncgdmst", 2, 1, 0, 3),
        ("ttkt-tcdlcl", 1, 0, 0, 0),
    ]
    assert ranking[0].name == "Phòng Quản lý TCĐLCL"
    assert [(t.key, t.days_late, t.done) for t in ranking[1].late_tasks] == [
        ("b1", 3, True),
        ("b2", 1, False),
    ]
    assert ranking[1].as_dict()["late_tasks"][0] == {
        "plan": LATENESS_PLAN,
        "key": "b1",
        "title": "Việc B1",
        "due": "2024-06-28",
        "days_late": 3,
        "done": True,
    }


def test_before_anything_is_due_no_unit_is_late(late: Engine) -> None:
    ranking = unit_ranking(late, [LATENESS_PLAN], date(2024, 6, 20), OPTIONS)
    assert all(u.overdue == 0 and u.done_late == 0 and u.days_late == 0 for u in ranking)
    # all level: by name ("Phòng KH-TC" before "Phòng Quản lý TCĐLCL", ...)
    assert [(u.unit, u.tasks) for u in ranking] == [
        ("kh-tc", 2),
        ("qltcdlcl", 2),
        ("tt-ncgdmst", 2),
        ("ttkt-tcdlcl", 1),
    ]
