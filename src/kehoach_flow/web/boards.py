"""The plans' task views as the pages and the API show them, derived once per state of a plan
and day (web/cache.py) and shared by every page: the boards, the overview's cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine

from kehoach_flow.db.queries import PlanStamp, list_plans
from kehoach_flow.errors import NotFoundError
from kehoach_flow.reports.rollup import RollupRow, rollup_row
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.snapshots import completion_trend
from kehoach_flow.tracking.spending import Budget, plan_budget
from kehoach_flow.tracking.state import Category, Derived
from kehoach_flow.tracking.task_views import BoardOptions, TaskView, plan_board
from kehoach_flow.tracking.workcalendar import work_calendar
from kehoach_flow.web.cache import cache_for
from kehoach_flow.web.rendering import CATEGORY_CLASS


@dataclass(frozen=True)
class PlanCard:
    key: str
    title: str
    row: RollupRow
    overdue: int
    at_risk: int
    trend: str  # SVG polyline points, completion % over the year's snapshots
    budget: Budget  # planned None: the plan gives no amounts (no bar, not "0 đ")
    late_not_started: int = (
        0  # of `overdue`, tasks never started (the government's "Chưa thực hiện")
    )

    @property
    def shares(self) -> list[tuple[str, str, int, float]]:
        total = self.row.total or 1
        return [
            (c.label, css, n, 100 * n / total)
            for c, css, n in zip(Category, CATEGORY_CLASS, self.row.counts, strict=True)
        ]


def board_options(settings: Settings) -> BoardOptions:
    """How a board judges tasks; the calendar builds each year its dates fall in, so a plan
    of any year can be judged on any day (the calendar file is read again at each build)."""
    return BoardOptions(work_calendar(settings), settings.timezone, settings.at_risk_days)


def cached_board(
    settings: Settings, engine: Engine, plan_key: str, day: date, stamp: PlanStamp | None
) -> dict[str, TaskView]:
    """A plan's task views at `day` by task key, derived once per state of the plan
    (`stamp`, from `PlanCache.stamps`) and day, shared by every page that shows them."""
    views: dict[str, TaskView] = cache_for(engine).get(
        "board",
        plan_key,
        day,
        stamp,
        lambda: {v.key: v for v in plan_board(engine, plan_key, day, board_options(settings))},
    )
    return views


def plan_board_now(
    settings: Settings, engine: Engine, plan_key: str, day: date
) -> dict[str, TaskView]:
    """`cached_board` with the plan's stamp read now (for a page about one task)."""
    return cached_board(settings, engine, plan_key, day, cache_for(engine).stamps().get(plan_key))


def plan_summary(engine: Engine, plan_key: str) -> dict[str, Any]:
    """The plan as `list_plans` gives it (archived ones too); NotFoundError for no plan."""
    plan = next(
        (p for p in list_plans(engine, include_archived=True) if p["key"] == plan_key), None
    )
    if plan is None:
        raise NotFoundError("kế hoạch", plan_key, "xem danh sách ở trang tổng quan")
    return plan


def plan_card(engine: Engine, key: str, title: str, day: date, options: BoardOptions) -> PlanCard:
    """The overview's card of a plan: its counts by category, what to chase, its trend."""
    views = plan_board(engine, key, day, options)
    derived = [v.derived for v in views]
    return PlanCard(
        key,
        title,
        rollup_row(key, title, views),
        derived.count(Derived.OVERDUE),
        derived.count(Derived.AT_RISK),
        _trend(engine, key, day.year),
        plan_budget(views),
        sum(v.derived is Derived.OVERDUE and v.category is Category.NOT_STARTED for v in views),
    )


def _trend(engine: Engine, plan_key: str, year: int) -> str:
    """Completion % from the daily snapshots, as points in a 100x30 box (x: day of year)."""
    points = []
    for day, percent in completion_trend(engine, plan_key, date(year, 1, 1)):
        x = 100 * (day.timetuple().tm_yday - 1) / 365
        points.append(f"{x:.1f},{30 - 30 * percent / 100:.1f}")
    return " ".join(points)
