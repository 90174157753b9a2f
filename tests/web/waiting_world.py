"""Two provinces (tests/web/orgs.py) at the bench's busy day, Friday 7/6/2024, with completion
review on and decisions waiting, for the tests of /qua-han's "Chờ quyết định".

In each province's plan a lead unit asked on Monday 3/6 to move t4-1-01's due date to 31/7
and no one has decided yet (4 working days waited), and t1-2-01 was reported done on
Wednesday 5/6 (2 days waiting for confirmation). In A, t3-1-01 and t3-3-01 (due 31/5) had
extensions approved in May, to 28/6 and to 5/6."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.extensions import ExtensionRule, decide_extension, request_extension
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from kehoach_flow.web.boards import board_options
from tests.web.orgs import BOTH, PLAN_A, Orgs, build_orgs

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ASKED, REPORTED = "t4-1-01", "t1-2-01"  # in both plans: a request waiting, a done to confirm


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def author(actor: str, day: date) -> Author:
    return Author(actor, "web", at(day))


def task_of(engine: Engine, plan: str, key: str) -> dict[str, Any]:
    return find_task(engine, f"{plan}/{key}")


def build_waiting(work: Path, settings: Settings, engine: Engine) -> Orgs:
    """The two provinces of tests/web/orgs.py with review on and the decisions above."""
    world = build_orgs(work, settings, engine)
    for path in (world.settings.definitions / "plans").glob("province-*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "\n  review: false\n" in text  # the bench's plans count a done at once
        text = text.replace("\n  review: false\n", "\n  review: true\n", 1)
        path.write_text(text, encoding="utf-8")
    load_path(engine, world.settings.definitions)
    rule = ExtensionRule(board_options(world.settings).calendar)
    for plan in sorted(BOTH):
        asked = task_of(engine, plan, ASKED)
        request_extension(
            engine,
            int(asked["id"]),
            date(2024, 7, 31),
            f"Chờ kinh phí bổ sung ({plan})",
            author(asked["lead"]["key"], date(2024, 6, 3)),
            rule,
            by_coordinator=True,  # B's date is not A's: no notice rule in the way
            now=at(date(2024, 6, 3), 18),
        )
        reported = task_of(engine, plan, REPORTED)
        record_update(
            engine,
            int(reported["id"]),
            UpdateIn(status=Status.DONE),
            author(reported["lead"]["key"], date(2024, 6, 5)),
            now=at(date(2024, 6, 5), 18),
        )
    for key, to in (("t3-1-01", date(2024, 6, 28)), ("t3-3-01", date(2024, 6, 5))):
        task = task_of(engine, PLAN_A, key)
        assert str(task["due"]) == "2024-05-31"
        request = request_extension(
            engine,
            int(task["id"]),
            to,
            "Chờ số liệu",
            author(task["lead"]["key"], date(2024, 5, 10)),
            rule,
            now=at(date(2024, 5, 10), 18),
        )
        decide_extension(
            engine,
            request.update_id,
            True,
            author("chutri-a", date(2024, 5, 13)),
            now=at(date(2024, 5, 13), 18),
        )
    return world
