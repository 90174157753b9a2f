"""Reads what the planner needs from the database: open tasks with their people and rules."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import Engine, select

from kehoach_flow.db.sync import PARTNER, PLAN, TASK, UNIT
from kehoach_flow.reminders.planner import Contact, ReminderTask
from kehoach_flow.reminders.rules import ReminderRules
from kehoach_flow.tracking.board import BoardOptions, plan_board
from kehoach_flow.tracking.status import Status


def reminder_tasks(
    engine: Engine, plan_key: str, day: date, options: BoardOptions
) -> list[ReminderTask]:
    """The plan's tasks still open at `day`, each with its lead, head, coordinator, partners."""
    views = [
        v
        for v in plan_board(engine, plan_key, day, options)
        if v.state.status not in (Status.DONE, Status.CANCELLED)
    ]
    with engine.connect() as conn:
        plan = conn.execute(select(PLAN).where(PLAN.c.key == plan_key)).one()
        people = (
            UNIT.c.id,
            UNIT.c.key,
            UNIT.c.name,
            UNIT.c.short,
            UNIT.c.email,
            UNIT.c.head_name,
            UNIT.c.head_email,
        )
        units = {u.key: u for u in conn.execute(select(*people))}
        by_id = {u.id: u.key for u in units.values()}
        tasks = {
            t.key: t
            for t in conn.execute(
                select(TASK.c.id, TASK.c.key, TASK.c.reminders).where(TASK.c.plan_id == plan.id)
            )
        }
        partners: dict[int, list[str]] = defaultdict(list)
        query = (
            select(PARTNER.c.task_id, PARTNER.c.unit_id)
            .join(TASK, TASK.c.id == PARTNER.c.task_id)
            .where(TASK.c.plan_id == plan.id)
            .order_by(PARTNER.c.task_id, PARTNER.c.position)
        )
        for row in conn.execute(query):
            partners[row.task_id].append(by_id[row.unit_id])
    plan_rules = ReminderRules().merged((plan.header or {}).get("reminders"))
    coordinator = _contact(units[by_id[plan.coordinator_id]])
    found = []
    for view in views:
        task = tasks[view.key]
        lead = units[view.lead]
        found.append(
            ReminderTask(
                plan=plan_key,
                key=view.key,
                title=view.title,
                section=view.section,
                start=view.window.start,
                due=view.window.due,
                progress=view.state.progress,
                lead=_contact(lead),
                lead_head=Contact(lead.key, lead.head_name, lead.head_email)
                if lead.head_email
                else None,
                coordinator=coordinator,
                partners=tuple(_contact(units[k]) for k in partners[task.id] if k != view.lead),
                rules=plan_rules.merged(task.reminders),
                plan_title=plan.title,
            )
        )
    return found


def _contact(unit: object) -> Contact:
    return Contact(unit.key, unit.short or unit.name, unit.email)  # type: ignore[attr-defined]
