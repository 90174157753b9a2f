"""The "hôm nay" view a manager opens every morning: what changed since the last working day
(updates received, tasks newly overdue, reminders sent), the lead units with the most overdue
work, and each plan's trend from its daily snapshots (tracking/today.py). The overview `/`
shows it in brief; /hom-nay in full. Both over the plans the account sees, and the reminder
mail it may see, only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from kehoach_flow.accounts.scope import Scope
from kehoach_flow.reminders.outbox import status_counts
from kehoach_flow.reminders.seen_mail import reminders_sent_seen
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.today import TodayView, today_view
from kehoach_flow.web.boards import board_options
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
    """The view over the live plans `scope` sees, built once per state of those plans, day
    and count of messages sent (a reminder sent changes no plan); the reminders only those
    the account may see."""
    live = cache.live_in(scope.visible)
    sent = status_counts(engine).get("sent", 0)

    def build() -> TodayView:
        view = today_view(engine, [key for key, _ in live], day, board_options(settings))
        if scope.units is None:
            return view
        seen = reminders_sent_seen(engine, view.changes.since, day, scope.sees_message)
        return replace(view, changes=replace(view.changes, reminders=seen))

    found: TodayView = cache.get("today", scope_key(scope.visible), day, (live, sent), build)
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
