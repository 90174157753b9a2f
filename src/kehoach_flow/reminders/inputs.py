"""Reads what the planner needs from the database: open tasks with their people and rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from kehoach_flow.db.sync import PARTNER, PLAN, TASK, UNIT
from kehoach_flow.errors import NotFoundError
from kehoach_flow.reminders.planner import Contact, ReminderTask
from kehoach_flow.reminders.rules import ReminderRules
from kehoach_flow.tracking.board import BoardOptions, plan_board
from kehoach_flow.tracking.status import Status


@dataclass
class ReminderInputs:
    """What planning reminders reads besides each plan's board, for many plans at once in
    four queries: the plans, every unit (once, as contacts), the tasks' own rules and
    their partners."""

    plans: dict[str, Any]  # by key
    contacts: dict[str, Contact]  # by unit key
    heads: dict[str, Contact | None]  # a unit's head, by unit key
    tasks: dict[tuple[int, str], Any]  # (plan id, task key) -> task id and rules
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
        in_plans = TASK.c.plan_id.in_(plan_ids)
        tasks = {
            (t.plan_id, t.key): t
            for t in conn.execute(
                select(TASK.c.id, TASK.c.plan_id, TASK.c.key, TASK.c.reminders).where(in_plans)
            )
        }
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
    views = [
        v
        for v in plan_board(engine, plan_key, day, options)
        if v.state.status not in (Status.DONE, Status.CANCELLED)
    ]
    plan = inputs.plans[plan_key]
    contacts = inputs.contacts
    plan_rules = ReminderRules().merged((plan.header or {}).get("reminders"))
    coordinator = contacts[inputs.coordinators[plan.coordinator_id]]
    found = []
    for view in views:
        task = inputs.tasks[(plan.id, view.key)]
        found.append(
            ReminderTask(
                plan=plan_key,
                key=view.key,
                title=view.title,
                section=view.section,
                start=view.window.start,
                due=view.window.due,
                progress=view.state.progress,
                lead=contacts[view.lead],
                lead_head=inputs.heads[view.lead],
                coordinator=coordinator,
                partners=tuple(contacts[k] for k in inputs.partners[task.id] if k != view.lead),
                rules=plan_rules.merged(task.reminders),
                plan_title=plan.title,
            )
        )
    return found


def _contact(unit: Any) -> Contact:
    return Contact(unit.key, unit.short or unit.name, unit.email)
