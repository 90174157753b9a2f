"""Which task a history entry belongs to: the API decides an extension request by its id
(POST /api/extensions/{id}/decision) and must know the request's plan first, to keep to the
account's scope before anything is decided or told."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Engine, select

from kehoach_flow.db.tables import PLAN, TASK, UPDATE
from kehoach_flow.tracking.state import EntryKind


class EntryTask(NamedTuple):
    plan: str
    task: str
    task_id: int


def extension_request_task(engine: Engine, request_id: int) -> EntryTask | None:
    """The plan and task of extension request `request_id`; None when no request has it."""
    query = (
        select(PLAN.c.key, TASK.c.key, TASK.c.id)
        .select_from(UPDATE.join(TASK, TASK.c.id == UPDATE.c.task_id))
        .join(PLAN, PLAN.c.id == TASK.c.plan_id)
        .where(UPDATE.c.id == request_id, UPDATE.c.kind == EntryKind.EXTENSION_REQUEST.value)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else EntryTask(row[0], row[1], row[2])
