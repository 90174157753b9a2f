"""The "hôm nay" page a manager opens every morning: what changed since the last working day
(updates received, tasks newly overdue, reminders sent), the lead units with the most overdue
work, and each plan's trend from its daily snapshots (tracking/today.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kehoach_flow.db.queries import list_plans
from kehoach_flow.tracking.today import today_view
from kehoach_flow.web.boards import board_options
from kehoach_flow.web.deps import DB, AppSettings, SignedIn, Today
from kehoach_flow.web.rendering import render

RANKED = 10  # the units the ranking lists

router = APIRouter()


@router.get("/hom-nay", response_class=HTMLResponse)
def today_page(
    request: Request, user: SignedIn, settings: AppSettings, engine: DB, day: Today
) -> Response:
    plans = list_plans(engine)
    view = today_view(engine, [p["key"] for p in plans], day, board_options(settings))
    late = [u for u in view.ranking if u.overdue or u.done_late][:RANKED]
    context = {
        "user": user,
        "view": view,
        "late_units": late,
        "trends": [(p, view.trends[p["key"]]) for p in plans],
    }
    return render(request, "today.html", context)
