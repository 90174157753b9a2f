"""Task views: every task of a plan with its state at a date (TaskView), the plan's "board"
that status, scoreboard.py (which counts these views) and reports read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from kehoach_flow.db.queries import dependency_keys
from kehoach_flow.db.tables import LINE, PLAN, SECTION, TASK, UNIT
from kehoach_flow.errors import NotFoundError
from kehoach_flow.schedule import Window
from kehoach_flow.tracking.graph import roll_up_mean, roll_up_sum
from kehoach_flow.tracking.history import load_history
from kehoach_flow.tracking.state import (
    Category,
    Derived,
    HistoryEntry,
    TaskState,
    category,
    derive,
    end_of_day,
    in_force,
    on_time_by_extension,
    open_dependencies,
    rolled_up,
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
    depends_on: tuple[str, ...] = ()
    parent: str | None = None
    planned: int | None = None  # đồng, from the funding lines (rolled up for parents)
    spent: int | None = None  # đồng spent to date (rolled up for parents)
    # `window` holds the due date in force; when an approved extension moved it, this is the
    # plan's own due date (None: not extended)
    original_due: date | None = None

    @property
    def extended_on_time(self) -> bool:
        """Done after the plan's due date, within an approved extension: "(có gia hạn)"."""
        return (
            on_time_by_extension(Window(self.window.start, self.original_due), self.state)
            if (self.original_due is not None)
            else False
        )


@dataclass(frozen=True)
class BoardOptions:
    calendar: WorkCalendar
    timezone: str = "Asia/Ho_Chi_Minh"
    at_risk_days: int = 5


def plan_board(engine: Engine, plan_key: str, ref: date, options: BoardOptions) -> list[TaskView]:
    """The plan's live tasks as they stood at the end of `ref`, in plan order.

    A task with subtasks shows the status rolled up from its subtasks (see `rolled_up`), the
    mean progress and the summed amounts of its subtasks.
    """
    facts = _read_plan(engine, plan_key)
    moment = end_of_day(ref, options.timezone)
    own = {t.key: state_at(facts.history.get(t.id, ()), moment) for t in facts.tasks}
    parents = {t.key: facts.keys.get(t.parent_id) for t in facts.tasks}
    states = rolled_up_states(own, parents)
    progress = roll_up_mean({k: s.progress for k, s in states.items()}, parents)
    planned = roll_up_sum({t.key: facts.planned.get(t.id) for t in facts.tasks}, parents)
    spent = roll_up_sum({t.key: _spent(states[t.key]) for t in facts.tasks}, parents)
    views = []
    for t in facts.tasks:
        planned_window = Window(t.start, t.due)
        state = replace(states[t.key], progress=round(progress[t.key] or 0))
        window = in_force(planned_window, state)
        depends = tuple(facts.depends[t.id])
        blocking = open_dependencies(depends, states)
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
                depends_on=depends,
                parent=parents[t.key],
                planned=_whole(planned[t.key]),
                spent=_whole(spent[t.key]),
                original_due=t.due if window != planned_window else None,
            )
        )
    return views


def rolled_up_states(
    own: dict[str, TaskState], parents: dict[str, str | None]
) -> dict[str, TaskState]:
    """Each task's state with its subtasks' rolled into it (a cycle in `parents` is cut)."""
    children: dict[str, list[str]] = defaultdict(list)
    for key, parent in parents.items():
        if parent is not None and parent in own and parent != key:
            children[parent].append(key)
    states: dict[str, TaskState] = {}

    def visit(key: str, trail: frozenset[str]) -> TaskState:
        if key not in states:
            kids = [visit(kid, trail | {kid}) for kid in children[key] if kid not in trail]
            states[key] = rolled_up(own[key], kids)
        return states[key]

    for key in own:
        visit(key, frozenset({key}))
    return states


def _spent(state: TaskState) -> int | None:
    return sum(state.spending.values()) if state.spending else None


def _whole(value: float | int | None) -> int | None:
    return None if value is None else int(value)


@dataclass
class _PlanFacts:
    tasks: list[Any]
    keys: dict[int, str]
    history: dict[int, list[HistoryEntry]]
    depends: dict[int, list[str]]
    planned: dict[int, int]


def _read_plan(engine: Engine, plan_key: str) -> _PlanFacts:
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
        ids = select(TASK.c.id).where(in_plan)
        depends = dependency_keys(conn, ids)
        planned: dict[int, int] = defaultdict(int)
        lines = select(LINE.c.task_id, LINE.c.amount).where(
            LINE.c.task_id.in_(ids), LINE.c.amount.is_not(None)
        )
        for row in conn.execute(lines):
            planned[row.task_id] += row.amount
        return _PlanFacts(
            tasks, {t.id: t.key for t in tasks}, load_history(conn, in_plan), depends, dict(planned)
        )
