"""Scheduled slots claimed in the database before they run: each (job, fire time) runs once,
whether it fires on time, is caught up at start, or two services share a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from kehoach_flow.db.tables import ScheduleRun

RUN = ScheduleRun.__table__  # type: ignore[attr-defined]


def _utc(moment: datetime) -> datetime:
    """Stored in UTC, so SQLite and Postgres compare the same instants."""
    return moment.astimezone(UTC)


def claim(engine: Engine, job: str, slot: datetime) -> bool:
    """True if this process now owns the slot; False if someone already ran or runs it."""
    row = {
        "job": job,
        "slot": _utc(slot),
        "started_at": _utc(datetime.now(UTC)),
        "state": "running",
    }
    try:
        with engine.begin() as conn:
            conn.execute(insert(RUN), [row])
    except IntegrityError:
        return False
    return True


def settle(
    engine: Engine, job: str, slot: datetime, state: str, message: str | None = None
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(RUN)
            .where(RUN.c.job == job, RUN.c.slot == _utc(slot))
            .values(state=state, message=message, finished_at=_utc(datetime.now(UTC)))
        )


def recent_runs(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    query = select(RUN).order_by(RUN.c.slot.desc(), RUN.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
