"""A unit's page: the tasks it leads (with their counts by category) and those it partners
in, across the tracked plans the account sees, and the reminder mail sent to it that the
account may see. A unit outside the account's scope with no task in a plan it sees gets the
same 404 page as one that does not exist."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kehoach_flow.db.queries import find_unit, list_plans, list_tasks
from kehoach_flow.errors import NotFoundError
from kehoach_flow.reminders.outbox import STATUS_LABELS
from kehoach_flow.reminders.seen_mail import mail_to_seen
from kehoach_flow.tracking.scoreboard import Tally
from kehoach_flow.tracking.task_views import TaskView
from kehoach_flow.web.boards import cached_board
from kehoach_flow.web.deps import DB, AppSettings, Cache, SignedIn, Today, UserScope
from kehoach_flow.web.rendering import CATEGORIES, render

router = APIRouter()


@router.get("/don-vi/{unit_key}", response_class=HTMLResponse)
def unit_page(
    request: Request,
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    cache: Cache,
    day: Today,
    unit_key: str,
) -> Response:
    unit = find_unit(engine, unit_key)
    if unit is None:
        raise NotFoundError("đơn vị", unit_key, "xem các đơn vị trong trang kế hoạch")
    stamps = cache.stamps()
    led: list[tuple[dict[str, Any], TaskView]] = []
    partnered: list[tuple[dict[str, Any], TaskView]] = []
    tally = Tally()
    for plan in list_plans(engine):
        if not scope.sees_plan(plan["key"]):
            continue
        views = cached_board(settings, engine, plan["key"], day, stamps.get(plan["key"]))
        for task in list_tasks(engine, plan=plan["key"], unit=unit_key):
            view = views[task["key"]]
            if task["lead"]["key"] == unit_key:
                led.append((task, view))
                tally.add(view)
            else:
                partnered.append((task, view))
    if not scope.holds_unit(unit_key) and not led and not partnered:
        raise NotFoundError("đơn vị", unit_key, "xem các đơn vị trong trang kế hoạch")
    addresses = [a for a in (unit["email"], unit["head_email"]) if a]
    keep = None if scope.units is None else scope.sees_message
    context = {
        "user": user,
        "unit": unit,
        "led": led,
        "partnered": partnered,
        "tally": tally,
        "counts": [(c.label, css, tally.counts[c]) for c, css in CATEGORIES],
        "mails": mail_to_seen(engine, addresses, keep),
        "mail_statuses": STATUS_LABELS,
    }
    return render(request, "unit.html", context)
