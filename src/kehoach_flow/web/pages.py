"""Dashboard pages for signed-in managers and coordinators. The overview so far; the plan,
task, unit, overdue, timeline, mail, reports and flows pages come next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine, select

from kehoach_flow.db.queries import list_plans
from kehoach_flow.db.tables import StatusSnapshot
from kehoach_flow.reports.rollup import RollupRow, rollup_row
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.board import BoardOptions, plan_board
from kehoach_flow.tracking.state import Category, Derived
from kehoach_flow.tracking.workcalendar import work_calendar
from kehoach_flow.web import csrf
from kehoach_flow.web.auth import require_account
from kehoach_flow.web.templating import TEMPLATES

SNAPSHOT = StatusSnapshot.__table__  # type: ignore[attr-defined]
CATEGORY_CLASS = ("c-done", "c-late-done", "c-open", "c-late-open", "c-todo")


@dataclass(frozen=True)
class PlanCard:
    key: str
    title: str
    row: RollupRow
    overdue: int
    at_risk: int
    trend: str  # SVG polyline points, completion % over the year's snapshots

    @property
    def shares(self) -> list[tuple[str, str, int, float]]:
        total = self.row.total or 1
        return [
            (c.label, css, n, 100 * n / total)
            for c, css, n in zip(Category, CATEGORY_CLASS, self.row.counts, strict=True)
        ]


def router(settings: Settings, engine: Engine) -> APIRouter:
    routes = APIRouter()
    secret = settings.resolved_secret_key()

    @routes.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> Response:
        user = require_account(request, settings, engine)
        today = datetime.now(ZoneInfo(settings.timezone)).date()
        options = BoardOptions(
            work_calendar(settings, range(today.year - 1, today.year + 2)),
            settings.timezone,
            settings.at_risk_days,
        )
        cards = [_card(engine, p, today, options) for p in list_plans(engine)]
        nonce, token = csrf.issue(request, secret)
        context = {
            "user": user,
            "cards": cards,
            "today": today,
            "csrf_token": token,
            "categories": list(zip(Category, CATEGORY_CLASS, strict=True)),
        }
        response = TEMPLATES.TemplateResponse(request, "overview.html", context)
        csrf.set_cookie(response, nonce, settings.cookie_secure)
        return response

    return routes


def _card(engine: Engine, plan: dict[str, Any], today: date, options: BoardOptions) -> PlanCard:
    views = plan_board(engine, plan["key"], today, options)
    derived = [v.derived for v in views]
    return PlanCard(
        plan["key"],
        plan["title"],
        rollup_row(plan["key"], plan["title"], views),
        derived.count(Derived.OVERDUE),
        derived.count(Derived.AT_RISK),
        _trend(engine, plan["key"], today.year),
    )


def _trend(engine: Engine, plan_key: str, year: int) -> str:
    """Completion % from the daily snapshots, as points in a 100x30 box (x: day of year)."""
    query = (
        select(SNAPSHOT.c.day, SNAPSHOT.c.counts)
        .where(SNAPSHOT.c.plan_key == plan_key, SNAPSHOT.c.day >= date(year, 1, 1))
        .order_by(SNAPSHOT.c.day)
    )
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    points = []
    for row in rows:
        percent = ((row.counts or {}).get("overall") or {}).get("completion_percent", 0)
        x = 100 * (row.day.timetuple().tm_yday - 1) / 365
        points.append(f"{x:.1f},{30 - 30 * float(percent) / 100:.1f}")
    return " ".join(points)
