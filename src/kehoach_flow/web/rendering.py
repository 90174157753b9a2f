"""Everything a page is rendered with: the Jinja2 templates (autoescaped) and their
Vietnamese formatting filters, a page response with today and a CSRF token for its forms,
the message page, pre-rendered fragments, and the colours of the government's categories."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from kehoach_flow import clock
from kehoach_flow.accounts import ROLE_LABELS
from kehoach_flow.numbers import format_decimal, format_number
from kehoach_flow.settings import Settings
from kehoach_flow.timefmt import shown
from kehoach_flow.tracking.state import Category
from kehoach_flow.web import csrf
from kehoach_flow.web.cache import cache_for

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CATEGORY_CLASS = ("c-done", "c-late-done", "c-open", "c-late-open", "c-todo")
CATEGORIES = list(zip(Category, CATEGORY_CLASS, strict=True))


# --- responses -------------------------------------------------------------------------------


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page with today, the categories and a CSRF token (its cookie set) for its forms."""
    state = request.app.state
    settings: Settings = state.settings
    nonce, token = csrf.issue(request, state.secret)
    base = {"today": clock.today(settings), "csrf_token": token, "categories": CATEGORIES}
    response = TEMPLATES.TemplateResponse(
        request, template, {**base, **context}, status_code=status
    )
    csrf.set_cookie(response, nonce, settings.cookie_secure)
    return response


def message(
    request: Request,
    status: int,
    heading: str,
    text: str,
    tone: str,
    details: list[tuple[str, str]] | None = None,
    link: str | None = None,
    link_text: str = "",
    user: Any = None,
) -> Response:
    """A page that says one thing: an error, a refusal, a confirmation; with the signed-in
    `user`, in the site's full layout (its menu and sign-out)."""
    context = {
        "heading": heading,
        "text": text,
        "tone": tone,
        "details": details or [],
        "link": link,
        "link_text": link_text,
    }
    if user is not None:
        return render(request, "message.html", {**context, "user": user}, status)
    return TEMPLATES.TemplateResponse(request, "message.html", context, status_code=status)


def form_refused(request: Request, form: Any) -> Response | None:
    """The 403 page for a posted form whose CSRF token does not hold, else None."""
    try:
        csrf.verify(request, form.get(csrf.FIELD), request.app.state.secret)
    except csrf.CsrfError as exc:
        return message(
            request, 403, "Biểu mẫu không hợp lệ", f"{exc}; hãy tải lại trang.", "danger"
        )
    return None


def fragment(template: str, **context: Any) -> Markup:
    """A part of a page rendered on its own, to be kept in the page cache and put into the
    page as it is."""
    return Markup(TEMPLATES.get_template(template).render(**context))


# --- Vietnamese formatting filters ------------------------------------------------------------


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


def readable_size(size: int | float) -> str:
    """A number of bytes as a person reads it, with a Vietnamese decimal comma: 2048 ->
    "2 KB", 524288 -> "512 KB", 1572864 -> "1,5 MB", 20971520 -> "20 MB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{format_decimal(size / scale, 1)} {unit}"
    return f"{int(size)} byte"


@pass_context
def _plan_name(context: Any, key: str) -> str:
    """A plan's title for its key (the key itself for a plan no longer in the database):
    the stamps of the page cache, read once per request."""
    request = context.get("request")
    state = getattr(getattr(request, "app", None), "state", None)
    engine = getattr(state, "engine", None)
    if request is None or engine is None:
        return key
    names = getattr(request.state, "plan_names", None)
    if names is None:
        names = {k: s.title for k, s in cache_for(engine).stamps().items()}
        request.state.plan_names = names
    return str(names.get(key, key))


TEMPLATES.env.filters["vn_date"] = _vn_date
TEMPLATES.env.filters["role_label"] = lambda role: ROLE_LABELS.get(role, role)
TEMPLATES.env.filters["size"] = readable_size
TEMPLATES.env.filters["plan_name"] = _plan_name
TEMPLATES.env.filters["calendar_changed"] = _calendar_changed
TEMPLATES.env.filters["money"] = lambda v: "" if v is None else format_number(v)
TEMPLATES.env.filters["width_class"] = _width_class
TEMPLATES.env.filters["percent"] = lambda v: f"{v:g}".replace(".", ",")  # 14,3 in Vietnamese
