"""The outbox (/thu): the latest reminder mail, by status, with the mail server's errors; for
an account of a unit, only the messages about plans it sees (Scope.sees_message)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kehoach_flow.reminders.seen_mail import outbox_seen
from kehoach_flow.web.deps import DB, SignedIn, UserScope
from kehoach_flow.web.rendering import render

router = APIRouter()
STATUSES = ("pending", "sending", "unknown", "sent", "failed")


@router.get("/thu", response_class=HTMLResponse)
def mail(
    request: Request, user: SignedIn, scope: UserScope, engine: DB, status: str = ""
) -> Response:
    keep = None if scope.units is None else scope.sees_message
    rows = outbox_seen(engine, status if status in STATUSES else None, limit=500, keep=keep)
    return render(request, "mail.html", {"user": user, "rows": rows, "status": status})
