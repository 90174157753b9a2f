"""The "hôm nay" view a manager opens every morning: what changed since the last working day
(updates received, tasks newly overdue, reminders sent), the lead units with the most overdue
work, and each plan's trend from its daily snapshots (tracking/today.py). The overview `/`
shows it in brief; /hom-nay in full. Both over the plans the account sees, and the reminder
mail it may see, only."""

from __future__ import annotations

from datetime import date
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from kehoach_flow.accounts.scope import Scope
from kehoach_flow.reminders.outbox import status_counts
from kehoach_flow.reminders.seen_mail import reminders_sent_seen
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.day_changes import DayChanges
from kehoach_flow.tracking.ranking import rank_units
from kehoach_flow.tracking.today import TodayView, today_view
from kehoach_flow.web.boards import board_options, cached_board
from kehoach_flow.web.cache import PlanCache, scope_key
from kehoach_flow.web.deps import DB, AppSettings, Cache, SignedIn, Today, UserScope
from kehoach_flow.web.rendering import render

RANKED = 10  # the units the ranking lists
BRIEF_UNITS = 5  # on the overview
BRIEF_ITEMS = 5  # updates, newly overdue tasks and messages listed on the overview
BRIEF_PLANS = 5  # trends on the overview

router = APIRouter()


def scoped_today(
    settings: Settings, engine: Engine, cache: PlanCache, day: date, scope: Scope
) -> TodayView:
    """`tracking.today.today_view` over the live plans `scope` sees, its reminders only those
    the account may see. Each plan's share (its updates, newly overdue tasks and trend) is
    built once per state of the plan and day, and shared by every account that sees it: an
    update to one plan of 34 rebuilds that plan's share, not the others'. The whole is kept
    per set of plans while their states, the day and the count of messages sent (a
    reminder sent changes no plan) are unchanged."""
    live = cache.live_in(scope.visible)
    sent = status_counts(engine).get("sent", 0)
    options = board_options(settings)

    def build() -> TodayView:
        shares: list[TodayView] = [
            cache.get("today", key, day, stamp, partial(today_view, engine, [key], day, options))
            for key, stamp in live
        ]
        since = shares[0].changes.since if shares else options.calendar.add_working_days(day, -1)
        updates = sorted(
            (u for share in shares for u in share.changes.updates),
            key=lambda u: u.recorded_at,
            reverse=True,
        )
        keep = None if scope.units is None else scope.sees_message
        changes = DayChanges(
            since,
            day,
            tuple(updates),
            tuple(t for share in shares for t in share.changes.newly_overdue),
            reminders_sent_seen(engine, since, day, keep),
        )
        views = [
            view
            for key, stamp in live
            for view in cached_board(settings, engine, key, day, stamp).values()
        ]
        trends = {key: share.trends[key] for (key, _), share in zip(live, shares, strict=True)}
        return TodayView(day, changes, tuple(rank_units(views, day, options.calendar)), trends)

    # Messages naming no plan are the whole installation's alone: an account of a unit that
    # sees every plan keeps a view of its own.
    whole = "whole" if scope.units is None else "unit"
    key = f"{scope_key(scope.visible)}-{whole}"
    found: TodayView = cache.get("today-view", key, day, (live, sent), build)
    return found


@router.get("/hom-nay", response_class=HTMLResponse)
def today_page(
    request: Request,
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    cache: Cache,
    day: Today,
) -> Response:
    view = scoped_today(settings, engine, cache, day, scope)
    late = [u for u in view.ranking if u.overdue or u.done_late][:RANKED]
    titles = {key: stamp.title for key, stamp in cache.live_in(scope.visible)}
    context = {
        "user": user,
        "view": view,
        "late_units": late,
        "trends": [
            ({"key": key, "title": titles.get(key, key)}, trend)
            for key, trend in view.trends.items()
        ],
    }
    return render(request, "today.html", context)
