"""The "hôm nay" view a manager opens every morning, in one call: what changed since the last
working day (day_changes.py), the lead units with the most overdue work (ranking.py) and each
plan's trend from its daily snapshots (trend.py). Each plan's board at today is derived once
and shared by the first two."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine

from kehoach_flow.tracking.day_changes import DayChanges, day_changes
from kehoach_flow.tracking.ranking import UnitLateness, rank_units
from kehoach_flow.tracking.task_views import BoardOptions, plan_board
from kehoach_flow.tracking.trend import Trend, plan_trend


@dataclass(frozen=True)
class TodayView:
    today: date
    changes: DayChanges
    ranking: tuple[UnitLateness, ...]  # most overdue first
    trends: dict[str, Trend]  # by plan key, in the order asked

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "changes": self.changes.as_dict(),
            "ranking": [u.as_dict() for u in self.ranking],
            "trends": {plan: t.as_dict() for plan, t in self.trends.items()},
        }


def today_view(
    engine: Engine,
    plans: Sequence[str],
    today: date,
    options: BoardOptions,
    trend_since: date | None = None,
) -> TodayView:
    """The view for `plans` at `today` (the caller's clock); the trends run from
    `trend_since`, by default the first of January of today's year."""
    boards = {plan: plan_board(engine, plan, today, options) for plan in plans}
    changes = day_changes(engine, plans, today, options, boards)
    views = [view for board in boards.values() for view in board]
    since = trend_since or date(today.year, 1, 1)
    return TodayView(
        today,
        changes,
        tuple(rank_units(views, today, options.calendar)),
        {plan: plan_trend(engine, plan, since, today) for plan in plans},
    )
