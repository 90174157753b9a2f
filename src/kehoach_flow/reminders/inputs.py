"""Reads what the planner needs from the database: open tasks with their people and rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select

from kehoach_flow.db.tables import PARTNER, PLAN, SECTION, TASK, UNIT
from kehoach_flow.definitions.reminder_rules import ReminderRules
from kehoach_flow.errors import NotFoundError
from kehoach_flow.reminders.planner import Contact, ReminderTask
from kehoach_flow.tracking.graph import roll_up_mean
from kehoach_flow.tracking.history import load_history
from kehoach_flow.tracking.state import HistoryEntry, TaskState, end_of_day, state_at
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import BoardOptions, rolled_up_states


@dataclass
class ReminderInputs:
    """What planning reminders reads, for many plans at once in a few queries: the plans,
    every unit (once, as contacts), the live tasks with their rules, partners and history."""

    plans: dict[str, Any]  # by key
    contacts: dict[str, Contact]  # by unit key
    heads: dict[str, Contact | None]  # a unit's head, by unit key
    tasks: dict[int, list[Any]]  # plan id -> its live tasks, in plan order
    history: dict[int, list[HistoryEntry]]  # task id -> its updates
    partners: dict[int, list[str]]  # task id -> partner unit keys, in order
    coordinators: dict[int, str]  # unit id -> unit key


def read_inputs(engine: Engine, plan_keys: list[str]) -> ReminderInputs:
    """The plans named (in that order) with their units, task rules and partners."""
    with engine.connect() as conn:
        query = select(PLAN).where(PLAN.c.key.in_(plan_keys))
        found = {p.key: p for p in conn.execute(query)}
        for key in plan_keys:
            if key not in found:
                raise NotFoundError("kế hoạch", key, "xem danh sách bằng `kehoach plans`")
        people = (
            UNIT.c.id,
            UNIT.c.key,
            UNIT.c.name,
            UNIT.c.short,
            UNIT.c.email,
            UNIT.c.head_name,
            UNIT.c.head_email,
        )
        units = list(conn.execute(select(*people)))
        plan_ids = [p.id for p in found.values()]
        in_plans = TASK.c.plan_id.in_(plan_ids) & TASK.c.archived_at.is_(None)
        query = (
            select(
                *(TASK.c.id, TASK.c.plan_id, TASK.c.key, TASK.c.title, TASK.c.parent_id),
                *(TASK.c.start, TASK.c.due, TASK.c.lead_id, TASK.c.reminders),
                SECTION.c.key.label("section_key"),
            )
            .join(SECTION, SECTION.c.id == TASK.c.section_id)
            .where(in_plans)
            .order_by(TASK.c.id)
        )
        tasks: dict[int, list[Any]] = defaultdict(list)
        for row in conn.execute(query):
            tasks[row.plan_id].append(row)
        history = load_history(conn, in_plans)
        by_id = {u.id: u.key for u in units}
        partners: dict[int, list[str]] = defaultdict(list)
        query = (
            select(PARTNER.c.task_id, PARTNER.c.unit_id)
            .join(TASK, TASK.c.id == PARTNER.c.task_id)
            .where(in_plans)
            .order_by(PARTNER.c.task_id, PARTNER.c.position)
        )
        for row in conn.execute(query):
            partners[row.task_id].append(by_id[row.unit_id])
    return ReminderInputs(
        plans={key: found[key] for key in plan_keys},
        contacts={u.key: _contact(u) for u in units},
        heads={
            u.key: Contact(u.key, u.head_name, u.head_email) if u.head_email else None
            for u in units
        },
        tasks=tasks,
        history=history,
        partners=partners,
        coordinators=by_id,
    )


def reminder_tasks(
    engine: Engine,
    plan_key: str,
    day: date,
    options: BoardOptions,
    inputs: ReminderInputs | None = None,
) -> list[ReminderTask]:
    """The plan's tasks still open at `day`, each with its lead, head, coordinator, partners;
    `inputs` read once for many plans spares reading the units again for each."""
    if inputs is None or plan_key not in inputs.plans:
        inputs = read_inputs(engine, [plan_key])
    plan = inputs.plans[plan_key]
    plan_rules = ReminderRules().merged((plan.header or {}).get("reminders"))
    tasks = inputs.tasks[plan.id]
    states, progress = _states(tasks, inputs.history, end_of_day(day, options.timezone))
    found = []
    for task in tasks:
        state = states[task.key]
        if state.status in (Status.DONE, Status.CANCELLED, Status.AWAITING_REVIEW):
            continue  # awaiting: the unit reported done, the coordinator decides
        found.append(
            reminder_task(inputs, plan_key, plan_rules, task, state.due, progress[task.key])
        )
    return found


def reminder_task(
    inputs: ReminderInputs,
    plan_key: str,
    plan_rules: ReminderRules,
    task: Any,
    due: date | None,
    progress: float | int | None,
) -> ReminderTask:
    """One task of `read_inputs` as the planner takes it; `due` an approved extension's date
    (None: the plan's)."""
    plan = inputs.plans[plan_key]
    contacts = inputs.contacts
    lead = inputs.coordinators[task.lead_id]
    return ReminderTask(
        plan=plan_key,
        key=task.key,
        title=task.title,
        section=task.section_key,
        start=task.start,
        due=due or task.due,
        progress=round(progress or 0),
        lead=contacts[lead],
        lead_head=inputs.heads[lead],
        coordinator=contacts[inputs.coordinators[plan.coordinator_id]],
        partners=tuple(contacts[k] for k in inputs.partners[task.id] if k != lead),
        rules=plan_rules.merged(task.reminders),
        plan_title=plan.title,
    )


def _states(
    tasks: list[Any], history: dict[int, list[HistoryEntry]], moment: datetime
) -> tuple[dict[str, TaskState], dict[str, float | int | None]]:
    """Each task's state at `moment` and its progress, rolled up from its subtasks as the
    plan board does (tracking.task_views.plan_board)."""
    never = state_at((), moment)  # most tasks have no update yet: one state for them all
    own = {t.key: state_at(h, moment) if (h := history.get(t.id)) else never for t in tasks}
    keys = {t.id: t.key for t in tasks}
    parents = {t.key: keys.get(t.parent_id) for t in tasks}
    states = rolled_up_states(own, parents)
    progress = roll_up_mean({k: s.progress for k, s in states.items()}, parents)
    return states, progress


def _contact(unit: Any) -> Contact:
    return Contact(unit.key, unit.short or unit.name, unit.email)
