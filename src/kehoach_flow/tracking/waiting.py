"""What waits for a coordinator's decision: extension requests not yet decided and tasks
reported done awaiting confirmation, each with how many working days it has waited. For the
overview, `/qua-han` and the coordinators' digest (issue 22, point 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, exists, func, select

from kehoach_flow.db.tables import PLAN, TASK, UNIT, UPDATE
from kehoach_flow.tracking.state import EntryKind
from kehoach_flow.tracking.status import Status
from kehoach_flow.workdays import WorkCalendar


@dataclass(frozen=True)
class Waiting:
    """One decision a coordinator owes: an extension request (`request_id`, the date asked)
    or a completion to confirm (the date the unit reported)."""

    kind: Literal["extension", "review"]
    plan: str
    task: str
    title: str
    lead: str  # unit key
    lead_name: str
    since: date  # the day the request or the done report arrived, where the plan runs
    days: int  # working days waited since then (0 on that day)
    request_id: int | None = None
    requested_due: date | None = None
    reason: str | None = None
    completed_on: date | None = None

    @property
    def label(self) -> str:
        return "Đề nghị gia hạn" if self.kind == "extension" else "Chờ xác nhận hoàn thành"


def waiting_decisions(
    engine: Engine,
    today: date,
    calendar: WorkCalendar,
    plan_keys: list[str] | None = None,
    timezone: str = "Asia/Ho_Chi_Minh",
) -> list[Waiting]:
    """Everything waiting in these plans (None: every live plan), longest waiting first."""
    zone = ZoneInfo(timezone)
    decision = UPDATE.alias("decision")
    in_plans = PLAN.c.archived_at.is_(None) & TASK.c.archived_at.is_(None)
    if plan_keys is not None:
        in_plans &= PLAN.c.key.in_(plan_keys)
    columns = (
        PLAN.c.key.label("plan"),
        TASK.c.key.label("task"),
        TASK.c.title,
        UNIT.c.key.label("lead"),
        func.coalesce(UNIT.c.short, UNIT.c.name).label("lead_name"),
    )
    joined = TASK.join(PLAN, PLAN.c.id == TASK.c.plan_id).join(UNIT, UNIT.c.id == TASK.c.lead_id)
    requests = (
        select(*columns, UPDATE.c.id, UPDATE.c.at, UPDATE.c.requested_due, UPDATE.c.note)
        .select_from(joined.join(UPDATE, UPDATE.c.task_id == TASK.c.id))
        .where(in_plans, UPDATE.c.kind == EntryKind.EXTENSION_REQUEST.value)
        .where(~exists().where(decision.c.request_id == UPDATE.c.id))
    )
    reported = (
        select(*columns, func.max(UPDATE.c.at).label("at"), TASK.c.completed_on)
        .select_from(joined.join(UPDATE, UPDATE.c.task_id == TASK.c.id))
        .where(
            in_plans,
            TASK.c.status == Status.AWAITING_REVIEW.value,
            and_(
                UPDATE.c.new_status == Status.AWAITING_REVIEW.value,
                UPDATE.c.old_status != Status.AWAITING_REVIEW.value,
            ),
        )
        .group_by(*columns, TASK.c.completed_on)
    )

    def waited(row: Any) -> dict[str, Any]:
        """The row's task and unit, the day it arrived, the working days since."""
        since = _day(row.at, zone)
        days = max(0, calendar.working_days_between(since, today))
        return _names(row) | {"since": since, "days": days}

    with engine.connect() as conn:
        found = [
            Waiting(
                "extension",
                **waited(row),
                request_id=row.id,
                requested_due=row.requested_due,
                reason=row.note,
            )
            for row in conn.execute(requests)
        ]
        found += [
            Waiting("review", **waited(row), completed_on=row.completed_on)
            for row in conn.execute(reported)
        ]
    return sorted(found, key=lambda w: (-w.days, w.plan, w.task, w.kind))


def _names(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) for k in ("plan", "task", "title", "lead", "lead_name")}


def _day(at: Any, zone: ZoneInfo) -> date:
    from kehoach_flow.timefmt import parse

    moment = parse(at)
    return moment.astimezone(zone).date() if isinstance(moment, datetime) else moment
