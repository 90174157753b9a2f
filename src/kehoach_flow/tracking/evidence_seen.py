"""An evidence file as one account may download it: stored once by content, the same file may
be carried by updates of several plans, under several names; an account gets it, under the
name an update of a plan it sees gave it, only when it sees such a plan."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Engine, select

from kehoach_flow.db.tables import EVIDENCE, PLAN, TASK, UPDATE


def evidence_in_plans(engine: Engine, sha256: str, plans: Collection[str]) -> dict[str, Any] | None:
    """The record (name, size, type) of the evidence file of this hash carried by an update
    of one of `plans`, the earliest such; None when none of them carries it."""
    if not plans:
        return None
    query = (
        select(EVIDENCE)
        .select_from(
            EVIDENCE.join(UPDATE, UPDATE.c.id == EVIDENCE.c.update_id)
            .join(TASK, TASK.c.id == UPDATE.c.task_id)
            .join(PLAN, PLAN.c.id == TASK.c.plan_id)
        )
        .where(EVIDENCE.c.sha256 == sha256, PLAN.c.key.in_(sorted(plans)))
        .order_by(EVIDENCE.c.id)
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else dict(row._mapping)
