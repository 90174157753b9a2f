"""Scheduled slots claimed in the database before they run: each (job, fire time) runs once,
whether it fires on time, is caught up at start, or two services share a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Integer, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from kehoach_flow.db.tables import SCHEDULE_RUN


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
            conn.execute(insert(SCHEDULE_RUN), [row])
    except IntegrityError:
        return False
    return True


def settle(
    engine: Engine, job: str, slot: datetime, state: str, message: str | None = None
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(SCHEDULE_RUN)
            .where(SCHEDULE_RUN.c.job == job, SCHEDULE_RUN.c.slot == _utc(slot))
            .values(state=state, message=message, finished_at=_utc(datetime.now(UTC)))
        )


def release(engine: Engine, job: str, slot: datetime) -> None:
    """Give a claimed slot back (the service stopped while it waited to try again): the next
    start catches it up."""
    with engine.begin() as conn:
        conn.execute(
            delete(SCHEDULE_RUN).where(SCHEDULE_RUN.c.job == job, SCHEDULE_RUN.c.slot == _utc(slot))
        )


def given_up(engine: Engine, within: int = 200) -> list[dict[str, Any]]:
    """Each job whose latest run failed for good (a later run that completed clears it):
    what the red line on / and /luong says."""
    latest: dict[str, dict[str, Any]] = {}
    for run in recent_runs(engine, within):
        if run["state"] != "running":
            latest.setdefault(run["job"], run)
    return sorted(
        (r for r in latest.values() if r["state"] == "failed"),
        key=lambda r: r["slot"],
        reverse=True,
    )


def recent_runs(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    query = (
        select(SCHEDULE_RUN)
        .order_by(SCHEDULE_RUN.c.slot.desc(), SCHEDULE_RUN.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


# Any failed run among the `within` latest that `given_up` reads: most requests of the
# overview find none, so it asks this first, one small query, and reads the runs only then.
_ANY_RECENT_FAILURE = (
    select(SCHEDULE_RUN.c.id)
    .where(
        SCHEDULE_RUN.c.state == "failed",
        SCHEDULE_RUN.c.id.in_(
            select(SCHEDULE_RUN.c.id)
            .order_by(SCHEDULE_RUN.c.slot.desc(), SCHEDULE_RUN.c.id.desc())
            .limit(bindparam("within", type_=Integer))
            .scalar_subquery()
        ),
    )
    .limit(1)
)


def job_failures(engine: Engine, within: int = 200) -> list[dict[str, Any]]:
    """`given_up(engine, within)`, without reading the latest runs when none of them failed
    (the overview asks on every request)."""
    with engine.connect() as conn:
        if conn.execute(_ANY_RECENT_FAILURE, {"within": within}).first() is None:
            return []
    return given_up(engine, within)
