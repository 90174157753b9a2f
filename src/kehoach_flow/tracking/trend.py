"""A plan's trend from its daily snapshots (tracking/snapshots.py): completion, tasks done,
overdue and at risk day by day, what changed over the window, and the days no snapshot was
taken (the line is only as good as the daily tracking run that writes them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from kehoach_flow.tracking.snapshots import Snapshot, snapshots_since


@dataclass(frozen=True)
class TrendPoint:
    day: date
    completion_percent: float
    done: int
    total: int
    overdue: int
    at_risk: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "completion_percent": self.completion_percent,
            "done": self.done,
            "total": self.total,
            "overdue": self.overdue,
            "at_risk": self.at_risk,
        }


@dataclass(frozen=True)
class Trend:
    plan: str
    since: date
    until: date
    points: tuple[TrendPoint, ...]  # oldest first, one per day with a snapshot

    @property
    def missing_days(self) -> tuple[date, ...]:
        """Days of the window without a snapshot (the daily tracking run did not store one)."""
        taken = {p.day for p in self.points}
        span = (self.until - self.since).days + 1
        days = (self.since + timedelta(days=n) for n in range(max(span, 0)))
        return tuple(d for d in days if d not in taken)

    @property
    def completion_change(self) -> float | None:
        """Percentage points gained (or lost) from the first snapshot to the last."""
        if not self.points:
            return None
        return round(self.points[-1].completion_percent - self.points[0].completion_percent, 1)

    @property
    def overdue_change(self) -> int | None:
        """Overdue tasks at the last snapshot less those at the first."""
        if not self.points:
            return None
        return self.points[-1].overdue - self.points[0].overdue

    def polyline(self, width: float = 100.0, height: float = 30.0) -> str:
        """Completion as SVG polyline points ("x,y x,y ..."): x from `since` to `until`
        across `width`, y from 0% at the bottom to 100% at the top of `height`."""
        span = max((self.until - self.since).days, 1)
        return " ".join(
            f"{width * (p.day - self.since).days / span:.1f},"
            f"{height - height * p.completion_percent / 100:.1f}"
            for p in self.points
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "points": [p.as_dict() for p in self.points],
            "completion_change": self.completion_change,
            "overdue_change": self.overdue_change,
            "missing_days": [d.isoformat() for d in self.missing_days],
        }


def trend_point(snapshot: Snapshot) -> TrendPoint:
    """One day of the trend from a stored snapshot (the scoreboard as `kehoach status --json`
    has it; the task lists give the overdue and at-risk counts)."""
    overall = snapshot.counts.get("overall") or {}
    return TrendPoint(
        day=snapshot.day,
        completion_percent=snapshot.completion_percent,
        done=int(overall.get("done", 0)),
        total=int(overall.get("total", 0)),
        overdue=len(snapshot.overdue),
        at_risk=len(snapshot.at_risk),
    )


def trend_of(plan: str, since: date, until: date, snapshots: Iterable[Snapshot]) -> Trend:
    """The trend over [since, until] from these snapshots (others are left out)."""
    points = sorted(
        (trend_point(s) for s in snapshots if since <= s.day <= until), key=lambda p: p.day
    )
    return Trend(plan, since, until, tuple(points))


def plan_trend(engine: Engine, plan_key: str, since: date, until: date) -> Trend:
    """The plan's trend from its snapshots of `since` to `until` (`until`: the caller's today,
    from the one clock)."""
    return trend_of(plan_key, since, until, snapshots_since(engine, plan_key, since))
