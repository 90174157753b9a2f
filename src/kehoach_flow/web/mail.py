"""The outbox (/thu): the latest reminder mail, by status, with the mail server's errors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kehoach_flow.reminders.outbox import outbox_summaries
from kehoach_flow.web.deps import DB, SignedIn
from kehoach_flow.web.rendering import render

router = APIRouter()
STATUSES = ("pending", "sending", "unknown", "sent", "failed")


@router.get("/thu", response_class=HTMLResponse)
def mail(request: Request, user: SignedIn, engine: DB, status: str = "") -> Response:
    rows = outbox_summaries(engine, status if status in STATUSES else None, limit=500)
    return render(request, "mail.html", {"user": user, "rows": rows, "status": status})
