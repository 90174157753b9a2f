"""Which lead units are late most often: a ranking by overdue tasks and working days late,
judged on the same task views (derived states) as the board.

A task counts for its lead unit (đơn vị chủ trì). A task with subtasks is counted through its
subtasks, as the reports count it, so nothing is counted twice. Days late are working days:
for an overdue task from its due date to the reference day, for a task done late from its due
date to the day it was done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine

from kehoach_flow.tracking.state import Derived
from kehoach_flow.tracking.task_views import BoardOptions, TaskView, plan_board
from kehoach_flow.workdays import WorkCalendar


@dataclass(frozen=True)
class LateTask:
    plan: str
    key: str
    title: str
    due: date
    days_late: int  # working days
    done: bool  # done late (else still overdue)


@dataclass
class UnitLateness:
    """One lead unit's lateness at the reference day."""

    unit: str  # key
    name: str  # short name, else full name
    tasks: int = 0  # its live tasks (cancelled ones left out)
    overdue: int = 0  # past due and not done
    done_late: int = 0
    days_late: int = 0  # working days, over its overdue and done-late tasks
    late_tasks: list[LateTask] = field(default_factory=list)  # most days late first

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "name": self.name,
            "tasks": self.tasks,
            "overdue": self.overdue,
            "done_late": self.done_late,
            "days_late": self.days_late,
            "late_tasks": [
                {
                    "plan": t.plan,
                    "key": t.key,
                    "title": t.title,
                    "due": t.due.isoformat(),
                    "days_late": t.days_late,
                    "done": t.done,
                }
                for t in self.late_tasks
            ],
        }


def rank_units(views: Iterable[TaskView], ref: date, calendar: WorkCalendar) -> list[UnitLateness]:
    """Lead units ranked: most overdue tasks first, then most working days late, then most
    tasks done late, then by name. Every unit leading a live task is listed."""
    views = list(views)
    units: dict[str, UnitLateness] = {}
    for view in _counted(views):
        row = units.setdefault(view.lead, UnitLateness(view.lead, view.lead_name))
        row.tasks += 1
        late = _late(view, ref, calendar)
        if late is None:
            continue
        row.late_tasks.append(late)
        row.days_late += late.days_late
        if late.done:
            row.done_late += 1
        else:
            row.overdue += 1
    for row in units.values():
        row.late_tasks.sort(key=lambda t: (-t.days_late, t.due, t.plan, t.key))
    return sorted(
        units.values(), key=lambda u: (-u.overdue, -u.days_late, -u.done_late, u.name, u.unit)
    )


def _counted(views: Sequence[TaskView]) -> list[TaskView]:
    """Live leaf tasks: a parent is counted through its subtasks (per plan: keys are a plan's)."""
    parents = {(v.plan, v.parent) for v in views if v.parent}
    return [v for v in views if (v.plan, v.key) not in parents and v.derived != Derived.CANCELLED]


def _late(view: TaskView, ref: date, calendar: WorkCalendar) -> LateTask | None:
    due = view.window.due
    if view.derived == Derived.OVERDUE:
        days, done = calendar.working_days_between(due, ref), False
    elif view.derived == Derived.DONE_LATE and view.state.completed_on is not None:
        days, done = calendar.working_days_between(due, view.state.completed_on), True
    else:
        return None
    return LateTask(view.plan, view.key, view.title, due, max(days, 0), done)


def unit_ranking(
    engine: Engine, plans: Iterable[str], ref: date, options: BoardOptions
) -> list[UnitLateness]:
    """The lead units of these plans ranked by lateness at the end of `ref` (see `rank_units`)."""
    views = [view for plan in plans for view in plan_board(engine, plan, ref, options)]
    return rank_units(views, ref, options.calendar)
