"""A plan's scoreboard kept day by day: the daily tracking flow writes one snapshot per plan and
day (a rerun replaces it); the overview's trend line and anything else reads them from here,
never with its own SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from kehoach_flow.db.tables import PLAN, SNAPSHOT
from kehoach_flow.tracking.history import bump_plan_revision


@dataclass(frozen=True)
class Snapshot:
    """One stored day of a plan: the scoreboard (as `kehoach status --json` has it) and the
    keys of the tasks to chase."""

    plan_key: str
    day: date
    counts: dict[str, Any]
    overdue: tuple[str, ...]
    at_risk: tuple[str, ...]
    blocked: tuple[str, ...]
    taken_at: datetime

    @property
    def completion_percent(self) -> float:
        """The plan's overall completion that day; 0 when the scoreboard lacks it."""
        return float((self.counts.get("overall") or {}).get("completion_percent", 0))


def write_snapshot(
    engine: Engine,
    plan_key: str,
    day: date,
    counts: dict[str, Any],
    overdue: Sequence[str] = (),
    at_risk: Sequence[str] = (),
    blocked: Sequence[str] = (),
    taken_at: datetime | None = None,
) -> None:
    """Store the plan's scoreboard for `day`, replacing one stored earlier that day, and tell
    the pages' caches (the overview's trend line changed)."""
    row = {
        "plan_key": plan_key,
        "day": day,
        "counts": counts,
        "overdue": list(overdue),
        "at_risk": list(at_risk),
        "blocked": list(blocked),
        "taken_at": taken_at or datetime.now(UTC),
    }
    with engine.begin() as conn:
        conn.execute(delete(SNAPSHOT).where(SNAPSHOT.c.plan_key == plan_key, SNAPSHOT.c.day == day))
        conn.execute(insert(SNAPSHOT), [row])
        plan_id = conn.execute(select(PLAN.c.id).where(PLAN.c.key == plan_key)).scalar_one()
        bump_plan_revision(conn, plan_id)


def snapshot_on(engine: Engine, plan_key: str, day: date) -> Snapshot | None:
    """The plan's latest snapshot taken on or before `day`, or None when there is none."""
    query = (
        select(SNAPSHOT)
        .where(SNAPSHOT.c.plan_key == plan_key, SNAPSHOT.c.day <= day)
        .order_by(SNAPSHOT.c.day.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _snapshot(row)


def snapshots_since(engine: Engine, plan_key: str, since: date) -> list[Snapshot]:
    """The plan's snapshots from `since` on, oldest first."""
    query = (
        select(SNAPSHOT)
        .where(SNAPSHOT.c.plan_key == plan_key, SNAPSHOT.c.day >= since)
        .order_by(SNAPSHOT.c.day)
    )
    with engine.connect() as conn:
        return [_snapshot(row) for row in conn.execute(query)]


def completion_trend(engine: Engine, plan_key: str, since: date) -> list[tuple[date, float]]:
    """(day, completion %) for each snapshot from `since` on, oldest first: the overview's
    trend line, read without the task lists."""
    query = (
        select(SNAPSHOT.c.day, SNAPSHOT.c.counts)
        .where(SNAPSHOT.c.plan_key == plan_key, SNAPSHOT.c.day >= since)
        .order_by(SNAPSHOT.c.day)
    )
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    return [
        (row.day, float(((row.counts or {}).get("overall") or {}).get("completion_percent", 0)))
        for row in rows
    ]


def _snapshot(row: Any) -> Snapshot:
    return Snapshot(
        plan_key=row.plan_key,
        day=row.day,
        counts=row.counts or {},
        overdue=tuple(row.overdue or ()),
        at_risk=tuple(row.at_risk or ()),
        blocked=tuple(row.blocked or ()),
        taken_at=row.taken_at,
    )
