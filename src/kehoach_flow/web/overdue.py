"""What to chase: every overdue, at-risk or blocked task of the tracked plans the account sees
(/qua-han), sortable, filtered by plan and lead unit, 100 rows a page, and the whole list as
xlsx; above it, what waits for a coordinator's decision (extension requests, completions to
confirm) in those plans, in the same filters and in the xlsx's second sheet. Rows, counts and
filter choices come only from the plans in the account's scope. Dates are the due dates in
force: a task an approved extension moved is judged on its new date, "(có gia hạn)"."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import Engine

from kehoach_flow.accounts.scope import Scope
from kehoach_flow.db.queries import PlanStamp
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.state import Derived
from kehoach_flow.tracking.task_views import TaskView
from kehoach_flow.tracking.waiting import waiting_decisions
from kehoach_flow.web.boards import board_options, cached_board
from kehoach_flow.web.cache import PlanCache, scope_key
from kehoach_flow.web.deps import DB, AppSettings, Cache, SignedIn, Today, UserScope
from kehoach_flow.web.rendering import fragment, render

WATCHED = (Derived.OVERDUE, Derived.AT_RISK, Derived.BLOCKED)
SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "due": lambda r: r["due"],
    "late": lambda r: -r["late_days"],
    "progress": lambda r: r["progress"],
    "plan": lambda r: (r["plan"], r["due"]),
    "lead": lambda r: (r["lead"], r["due"]),
    "state": lambda r: (r["state"], r["due"]),
}
PAGE_SIZE = 100  # rows of /qua-han a page: a page a person reads, not the national list
WAITING_SHOWN = 100  # decisions listed on the page (longest waiting first); all in the xlsx
MAX_LEAD_CHOICES = 60  # lead units offered on /qua-han before a plan is chosen
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter()
Live = tuple[tuple[str, PlanStamp], ...]


@dataclass(frozen=True)
class OverdueView:
    """The list as a request asks for it: `rows` are those the filters keep, sorted; a
    filter the list does not know (a plan not tracked, a unit leading nothing in it) keeps
    its value and shows no rows, but is not `known`, so what it shows is not cached."""

    sort: str
    plan: str
    lead: str
    day: date
    live: Live  # the tracked plans the account sees
    rows: list[dict[str, Any]]
    waiting: list[dict[str, Any]]  # what waits for a decision, in the same filters
    known: bool
    scope: str  # scope_key of those plans: what is cached is cached per set of plans


@router.get("/qua-han", response_class=HTMLResponse)
def overdue(
    request: Request,
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    cache: Cache,
    day: Today,
    sort: str = "late",
    plan: str = "",
    lead: str = "",
    page: str = "1",
) -> Response:
    view = _view(settings, engine, cache, day, scope, sort, plan, lead)
    pages = max(1, -(-len(view.rows) // PAGE_SIZE))
    number = min(max(int(page) if page.isdigit() else 1, 1), pages)

    def body() -> Markup:
        everything = _sorted(settings, engine, cache, view.sort, day, view.live, view.scope)
        everything = everything + _waiting(settings, engine, cache, day, view.live, view.scope)
        in_plan = [r for r in everything if r["plan"] == view.plan] if view.plan else everything
        leads = sorted({(r["lead_key"], r["lead"]) for r in in_plan}, key=lambda u: u[1])
        # Every unit of the nation is a select no one scrolls on a phone and half the page:
        # past MAX_LEAD_CHOICES, the units are offered once a plan is chosen.
        more = not view.plan and len(leads) > MAX_LEAD_CHOICES
        leads = [u for u in leads if u[0] == view.lead] if more else leads
        return fragment(
            "overdue_body.html",
            rows=view.rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
            day=day,
            count=len(view.rows),
            waiting=view.waiting[:WAITING_SHOWN],
            waiting_count=len(view.waiting),
            sort=view.sort,
            plan=view.plan,
            lead=view.lead,
            number=number,
            pages=pages,
            plans=[(k, s.title) for k, s in view.live],
            leads=leads,
            more_leads=more,
            query=partial(_query, sort=view.sort, plan=view.plan, lead=view.lead),
        )

    key = f"{view.scope}|{view.sort}|{view.plan}|{view.lead}|{number}"
    html = cache.get("overdue-page", key, day, view.live, body) if view.known else body()
    context = {"user": user, "body_html": html, "count": len(view.rows)}
    return render(request, "overdue.html", context)


@router.get("/qua-han.xlsx")
def overdue_xlsx(
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    cache: Cache,
    day: Today,
    sort: str = "late",
    plan: str = "",
    lead: str = "",
) -> Response:
    """The whole list, or the whole of what the filters keep, every page of it."""
    view = _view(settings, engine, cache, day, scope, sort, plan, lead)
    build = partial(xlsx_of, view.rows, day=day, waiting=view.waiting)
    key = f"{view.scope}|{view.sort}|{view.plan}|{view.lead}"
    content = cache.get("overdue-xlsx", key, day, view.live, build) if view.known else build()
    headers = {"Content-Disposition": f'attachment; filename="qua-han-{day.isoformat()}.xlsx"'}
    return Response(content, media_type=XLSX, headers=headers)


def _view(
    settings: Settings,
    engine: Engine,
    cache: PlanCache,
    day: date,
    scope: Scope,
    sort: str,
    plan: str,
    lead: str,
) -> OverdueView:
    live = cache.live_in(scope.visible)
    key = scope_key(scope.visible)
    sort = sort if sort in SORTS else "late"
    rows = _sorted(settings, engine, cache, sort, day, live, key)
    waiting = _waiting(settings, engine, cache, day, live, key)
    known = (not plan or any(k == plan for k, _ in live)) and (
        not lead or any(r["lead_key"] == lead for r in rows + waiting)
    )
    if plan or lead:

        def kept(r: dict[str, Any]) -> bool:
            return (not plan or r["plan"] == plan) and (not lead or r["lead_key"] == lead)

        rows = [r for r in rows if kept(r)]
        waiting = [w for w in waiting if kept(w)]
    return OverdueView(sort, plan, lead, day, live, rows, waiting, known, key)


def _sorted(
    settings: Settings,
    engine: Engine,
    cache: PlanCache,
    sort: str,
    day: date,
    live: Live,
    scope: str,
) -> list[dict[str, Any]]:
    """The whole list of the plans `live` sorted by `sort`, built once per state of those
    plans and day: a request whose plans are unchanged reads only their stamps."""
    rows: list[dict[str, Any]] = cache.get(
        f"overdue-rows:{sort}",
        scope,
        day,
        live,
        lambda: sorted(watched_rows(settings, engine, cache, day, live), key=SORTS[sort]),
    )
    return rows


def watched_rows(
    settings: Settings, engine: Engine, cache: PlanCache, day: date, live: Live
) -> list[dict[str, Any]]:
    """Every overdue, at-risk or blocked task of the tracked plans at `day`, each plan's
    share derived once per state of the plan and day (the task views, then these rows)."""
    rows: list[dict[str, Any]] = []
    for key, stamp in live:
        rows += cache.get(
            "watched", key, day, stamp, partial(_watched_of, settings, engine, key, day, stamp)
        )
    return rows


def _watched_of(
    settings: Settings, engine: Engine, plan_key: str, day: date, stamp: PlanStamp
) -> list[dict[str, Any]]:
    calendar = board_options(settings).calendar
    views = cached_board(settings, engine, plan_key, day, stamp)
    return [
        _row(
            plan_key,
            view,
            calendar.working_days_between(view.window.due, day) if view.window.due < day else 0,
            views,
        )
        for view in views.values()
        if view.derived in WATCHED
    ]


def _row(plan: str, view: TaskView, late_days: int, views: dict[str, TaskView]) -> dict[str, Any]:
    return {
        "plan": plan,
        "key": view.key,
        "title": view.title,
        "lead": view.lead_name,
        "lead_key": view.lead,
        "due": view.window.due,  # in force: an approved extension's date
        "original_due": view.original_due,  # the plan's own, when an extension moved it
        "progress": view.state.progress,
        "state": view.derived.label,
        "derived": view.derived.value,
        "late_days": late_days,
        # the open dependencies, (key, title): a person reads the title, the link the key
        "waiting_for": [
            (key, views[key].title if key in views else key) for key in view.open_dependencies
        ],
    }


def _waiting(
    settings: Settings, engine: Engine, cache: PlanCache, day: date, live: Live, scope: str
) -> list[dict[str, Any]]:
    """What waits for a decision in the plans `live`, longest waiting first, read once per
    state of those plans and day (a request, a decision or a done report bumps the stamp)."""
    rows: list[dict[str, Any]] = cache.get(
        "waiting", scope, day, live, partial(_waiting_of, settings, engine, day, live)
    )
    return rows


def _waiting_of(settings: Settings, engine: Engine, day: date, live: Live) -> list[dict[str, Any]]:
    if not live:
        return []
    stamps = dict(live)
    calendar = board_options(settings).calendar
    found = waiting_decisions(engine, day, calendar, list(stamps), settings.timezone)
    rows = []
    for w in found:
        view = cached_board(settings, engine, w.plan, day, stamps[w.plan]).get(w.task)
        rows.append(
            {
                "plan": w.plan,
                "key": w.task,
                "title": w.title,
                "lead": w.lead_name,
                "lead_key": w.lead,
                "kind": w.kind,
                "label": w.label,
                "since": w.since,
                "days": w.days,
                "due": view.window.due if view is not None else None,
                "original_due": view.original_due if view is not None else None,
                "requested_due": w.requested_due,
                "reason": w.reason,
                "completed_on": w.completed_on,
            }
        )
    return rows


def _query(sort: str, plan: str, lead: str, **changes: Any) -> str:
    """The query string of a /qua-han link: the sort and filters kept, `changes` applied."""
    params = {"sort": sort, "plan": plan, "lead": lead, **changes}
    return urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})


def xlsx_of(
    rows: list[dict[str, Any]], day: date, waiting: list[dict[str, Any]] | None = None
) -> bytes:
    """The list as a workbook: the watched tasks on the first sheet, what waits for a
    decision on the second ("Chờ quyết định")."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Quá hạn, có nguy cơ"
    sheet.append([f"Nhiệm vụ quá hạn, có nguy cơ trễ, bị chặn đến ngày {day:%d/%m/%Y}"])
    sheet["A1"].font = Font(bold=True)
    header = [
        "Kế hoạch",
        "Khóa",
        "Nhiệm vụ",
        "Chủ trì",
        "Hạn",
        "Tiến độ (%)",
        "Tình trạng",
        "Số ngày làm việc quá hạn",
        "Chờ",
        "Hạn theo kế hoạch (trước gia hạn)",
    ]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append(
            [
                r["plan"],
                r["key"],
                r["title"],
                r["lead"],
                r["due"],
                r["progress"],
                r["state"],
                r["late_days"],
                "; ".join(title for _, title in r["waiting_for"]),
                r["original_due"],
            ]
        )
        for at in (5, 10):
            sheet.cell(row=sheet.max_row, column=at).number_format = "DD/MM/YYYY"
    widths = (22, 22, 60, 30, 12, 10, 22, 12, 40, 14)
    for column, width in zip("ABCDEFGHIJ", widths, strict=True):
        sheet.column_dimensions[column].width = width
    _waiting_sheet(book, waiting or [], day)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _waiting_sheet(book: Any, waiting: list[dict[str, Any]], day: date) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet("Chờ quyết định")
    sheet.append([f"Việc chờ quyết định đến ngày {day:%d/%m/%Y}"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(
        [
            "Kế hoạch",
            "Khóa",
            "Nhiệm vụ",
            "Chủ trì",
            "Việc chờ",
            "Hạn hiện tại",
            "Hạn đề nghị gia hạn",
            "Ngày báo hoàn thành",
            "Lý do",
            "Ngày gửi",
            "Số ngày làm việc đã chờ",
        ]
    )
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for w in waiting:
        sheet.append(
            [
                w["plan"],
                w["key"],
                w["title"],
                w["lead"],
                w["label"],
                w["due"],
                w["requested_due"],
                w["completed_on"],
                w["reason"],
                w["since"],
                w["days"],
            ]
        )
        for at in (6, 7, 8, 10):
            sheet.cell(row=sheet.max_row, column=at).number_format = "DD/MM/YYYY"
    widths = (22, 22, 60, 30, 24, 12, 12, 12, 40, 12, 12)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[column].width = width
