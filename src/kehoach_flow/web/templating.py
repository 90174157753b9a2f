"""Jinja2 templates for the pages (autoescaped), with Vietnamese formatting filters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from kehoach_flow.numbers import format_number
from kehoach_flow.timefmt import shown

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@pass_context
def _vn_date(context: Any, value: date | datetime | str | None) -> str:
    """A date as dd/mm/yyyy; a moment in the installation's time zone (the app's settings,
    through the request), never in UTC."""
    request = context.get("request")
    settings = getattr(getattr(request, "app", None), "state", None)
    return shown(value, getattr(settings, "settings", None))


@pass_context
def _calendar_changed(context: Any, recorded: str | None) -> bool:
    """True when the working-day calendar differs now from the one a report run recorded
    (a regeneration would differ); the calendar is built once per request."""
    request = context.get("request")
    state = getattr(getattr(request, "app", None), "state", None)
    settings = getattr(state, "settings", None)
    if request is None or settings is None or not recorded:
        return False
    from kehoach_flow.tracking.workcalendar import work_calendar
    from kehoach_flow.workdays import calendar_changed

    calendar = getattr(request.state, "calendar", None)
    if calendar is None:
        calendar = request.state.calendar = work_calendar(settings)
    return bool(calendar_changed(calendar, recorded))


def _width_class(share: float) -> str:
    """A bar's width as one of style.css's w-0 … w-100 classes: no style attribute, which
    the Content-Security-Policy (style-src 'self') would drop."""
    return f"w-{max(0, min(100, round(float(share))))}"


TEMPLATES.env.filters["vn_date"] = _vn_date
TEMPLATES.env.filters["calendar_changed"] = _calendar_changed
TEMPLATES.env.filters["money"] = lambda v: "" if v is None else format_number(v)
TEMPLATES.env.filters["width_class"] = _width_class
TEMPLATES.env.filters["percent"] = lambda v: f"{v:g}".replace(".", ",")  # 14,3 in Vietnamese
