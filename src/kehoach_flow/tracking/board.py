"""Every task of a plan with its state at a date: what status, scoreboard and reports read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select

from kehoach_flow.db.sync import DEPENDENCY, PLAN, SECTION, TASK, UNIT
from kehoach_flow.errors import NotFoundError
from kehoach_flow.tracking.history import load_history
from kehoach_flow.tracking.state import (
    Category,
    Derived,
    TaskState,
    Window,
    category,
    derive,
    end_of_day,
    open_dependencies,
    state_at,
)
from kehoach_flow.workdays import WorkCalendar


@dataclass(frozen=True)
class TaskView:
    plan: str
    key: str
    title: str
    section: str
    group: str | None
    lead: str
    lead_name: str
    window: Window
    state: TaskState
    derived: Derived
    category: Category | None
    open_dependencies: tuple[str, ...]


@dataclass(frozen=True)
class BoardOptions:
    calendar: WorkCalendar
    timezone: str = "Asia/Ho_Chi_Minh"
    at_risk_days: int = 5


def plan_board(engine: Engine, plan_key: str, ref: date, options: BoardOptions) -> list[TaskView]:
    """The plan's live tasks as they stood at the end of `ref`, in plan order."""
    with engine.connect() as conn:
        plan_id = conn.execute(select(PLAN.c.id).where(PLAN.c.key == plan_key)).scalar_one_or_none()
        if plan_id is None:
            raise NotFoundError("kế hoạch", plan_key, "xem danh sách bằng `kehoach plans`")
        in_plan = (TASK.c.plan_id == plan_id) & TASK.c.archived_at.is_(None)
        query = (
            select(
                TASK,
                SECTION.c.key.label("section_key"),
                UNIT.c.key.label("lead_key"),
                func.coalesce(UNIT.c.short, UNIT.c.name).label("lead_name"),
            )
            .join(SECTION, SECTION.c.id == TASK.c.section_id)
            .join(UNIT, UNIT.c.id == TASK.c.lead_id)
            .where(in_plan)
            .order_by(TASK.c.id)
        )
        tasks = list(conn.execute(query))
        history = load_history(conn, in_plan)
        depends: dict[int, list[str]] = defaultdict(list)
        other = TASK.alias("other")
        deps = (
            select(DEPENDENCY.c.task_id, other.c.key)
            .join(other, other.c.id == DEPENDENCY.c.depends_on_id)
            .where(DEPENDENCY.c.task_id.in_(select(TASK.c.id).where(in_plan)))
        )
        for row in conn.execute(deps):
            depends[row.task_id].append(row.key)
    moment = end_of_day(ref, options.timezone)
    states = {t.key: state_at(history.get(t.id, ()), moment) for t in tasks}
    views = []
    for t in tasks:
        window = Window(t.start, t.due)
        state = states[t.key]
        blocking = open_dependencies(depends[t.id], states)
        views.append(
            TaskView(
                plan=plan_key,
                key=t.key,
                title=t.title,
                section=t.section_key,
                group=t.group_code,
                lead=t.lead_key,
                lead_name=t.lead_name,
                window=window,
                state=state,
                derived=derive(
                    window, state, ref, options.calendar, bool(blocking), options.at_risk_days
                ),
                category=category(window, state, ref),
                open_dependencies=tuple(blocking),
            )
        )
    return views
