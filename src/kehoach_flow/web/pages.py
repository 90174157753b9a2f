"""Dashboard pages for signed-in managers and coordinators: overview, plan, task, evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import Engine, select

from kehoach_flow import clock
from kehoach_flow.db.queries import find_task, list_plans, list_tasks
from kehoach_flow.db.tables import EVIDENCE, SCHEDULE_RUN, SNAPSHOT
from kehoach_flow.errors import NotFoundError
from kehoach_flow.orchestration.runs import given_up
from kehoach_flow.reports.builder import budget_by_source
from kehoach_flow.reports.rollup import RollupRow, rollup_row
from kehoach_flow.settings import Settings
from kehoach_flow.text import fold
from kehoach_flow.tracking.evidence import evidence_path
from kehoach_flow.tracking.history import history_rows
from kehoach_flow.tracking.state import Category, Derived
from kehoach_flow.tracking.status import LABELS, Status
from kehoach_flow.tracking.task_views import BoardOptions, TaskView, plan_board
from kehoach_flow.tracking.workcalendar import work_calendar
from kehoach_flow.web import csrf
from kehoach_flow.web.auth import require_account
from kehoach_flow.web.cache import cache_for
from kehoach_flow.web.templating import TEMPLATES
from kehoach_flow.web.timeline import gantt_svg

CATEGORY_CLASS = ("c-done", "c-late-done", "c-open", "c-late-open", "c-todo")
CATEGORIES = list(zip(Category, CATEGORY_CLASS, strict=True))


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


def today(settings: Settings) -> date:
    """Today for the pages: the one clock (KEHOACH_TODAY when set)."""
    return clock.today(settings)


def board_options(settings: Settings, day: date) -> BoardOptions:
    """Options for a board at `day`; the calendar builds each year its dates fall in, so a
    plan of any year can be judged on any day."""
    calendar = work_calendar(settings)
    return BoardOptions(calendar, settings.timezone, settings.at_risk_days)


Render = Callable[..., Response]


def page_renderer(settings: Settings) -> Render:
    """render(request, template, context, status=200): a page with today, the categories and
    a CSRF token (its cookie set) for the page's forms."""
    secret = settings.resolved_secret_key()

    def render(
        request: Request, template: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        nonce, token = csrf.issue(request, secret)
        base = {"today": today(settings), "csrf_token": token, "categories": CATEGORIES}
        response = TEMPLATES.TemplateResponse(
            request, template, {**base, **context}, status_code=status
        )
        csrf.set_cookie(response, nonce, settings.cookie_secure)
        return response

    return render


def router(settings: Settings, engine: Engine) -> APIRouter:
    routes = APIRouter()
    render = page_renderer(settings)

    cache = cache_for(engine)

    def board(plan_key: str, stamp: Any = None) -> dict[str, TaskView]:
        stamp = stamp if stamp is not None else cache.stamps().get(plan_key)
        return cached_board(settings, engine, plan_key, today(settings), stamp)

    def tasks_of(plan_key: str, stamp: Any) -> list[dict[str, Any]]:
        return cache.get(
            "tasks", plan_key, today(settings), stamp, lambda: list_tasks(engine, plan=plan_key)
        )

    @routes.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> Response:
        user = require_account(request, settings, engine)
        day = today(settings)
        stamps = cache.stamps()
        live = sorted(key for key, stamp in stamps.items() if stamp[1] is None)

        def cards_html() -> Markup:
            """Rendered once per state of every plan: a request whose plans are unchanged
            only reads the stamps and fills in the user's own header."""
            options = board_options(settings, day)
            cards = [
                cache.get(
                    "card",
                    key,
                    day,
                    stamps[key],
                    partial(_card, engine, key, stamps[key][3], day, options),
                )
                for key in live
            ]
            html = TEMPLATES.get_template("overview_cards.html").render(
                cards=cards, categories=CATEGORIES
            )
            return Markup(html)

        everything = tuple(stamps[key] for key in live)
        html = cache.get("overview", "", day, everything, cards_html)
        failures = job_failures(engine)  # jobs that failed for good: a red line each
        context = {"user": user, "cards_html": html, "job_failures": failures}
        return render(request, "overview.html", context)

    @routes.get("/ke-hoach/{plan_key}", response_class=HTMLResponse)
    def plan_page(
        request: Request,
        plan_key: str,
        unit: str = "",
        group: str = "",
        status: str = "",
        due_before: str = "",
        q: str = "",
    ) -> Response:
        user = require_account(request, settings, engine)
        stamp = cache.stamps().get(plan_key)
        if stamp is None:
            raise NotFoundError("kế hoạch", plan_key, "xem danh sách ở trang tổng quan")
        filters = {"unit": unit, "group": group, "status": status, "due_before": due_before, "q": q}
        day = today(settings)
        # The unfiltered page, the one most opened, is rendered once per state of the plan,
        # with its charts and its filter form; a filtered one is rendered each time, as a
        # plain list.
        filtered = any(filters.values())

        def body_html() -> Markup:
            tasks = tasks_of(plan_key, stamp)
            views = board(plan_key, stamp)
            sections: dict[str, list[tuple[dict[str, Any], TaskView]]] = {}
            shown = 0
            for task in tasks:
                if _matches(task, views[task["key"]], filters):
                    heading = f"{task['section']}. {task['section_title']}"
                    sections.setdefault(heading, []).append((task, views[task["key"]]))
                    shown += 1
            choices = cache.get("plan-choices", plan_key, day, stamp, partial(_choices, tasks))
            html = TEMPLATES.get_template("plan_body.html").render(
                filters=filters,
                choices=choices,
                shown=shown,
                total=len(tasks),
                sections=sections,
                groups=_by_group(tasks, views) if not filtered else [],
                budget=budget_by_source(tasks, views) if not filtered else [],
            )
            return Markup(html)

        html = body_html() if filtered else cache.get("plan-page", plan_key, day, stamp, body_html)
        context = {"user": user, "plan": {"key": plan_key, "title": stamp[3]}, "body_html": html}
        return render(request, "plan.html", context)

    @routes.get("/nhiem-vu/{plan_key}/{task_key}", response_class=HTMLResponse)
    def task_page(request: Request, plan_key: str, task_key: str) -> Response:
        user = require_account(request, settings, engine)
        task = find_task(engine, f"{plan_key}/{task_key}")
        views = board(plan_key)
        context = {
            "user": user,
            "task": task,
            "view": views.get(task_key),
            "history": _history(engine, task["id"]),
            "dependencies": [(key, views.get(key)) for key in task["depends_on"]],
        }
        return render(request, "task.html", context)

    @routes.get("/tien-do", response_class=HTMLResponse)
    def timeline(request: Request, plan: str = "") -> Response:
        user = require_account(request, settings, engine)
        plans = list_plans(engine)
        chosen = plan or (plans[0]["key"] if plans else "")
        svg = ""
        if chosen:
            plan_summary(engine, chosen)
            svg = gantt_svg(list(board(chosen).values()), today(settings))
        context = {"user": user, "plans": plans, "chosen": chosen, "svg": Markup(svg)}
        return render(request, "timeline.html", context)

    @routes.get("/minh-chung/{sha256}")
    def evidence(request: Request, sha256: str) -> Response:
        require_account(request, settings, engine)
        with engine.connect() as conn:
            row = conn.execute(select(EVIDENCE).where(EVIDENCE.c.sha256 == sha256).limit(1)).first()
        path = evidence_path(settings.data_dir, sha256) if row is not None else None
        if row is None or path is None or not path.is_file():
            raise NotFoundError(
                "minh chứng", sha256[:12], "tệp có thể đã bị xóa khỏi thư mục dữ liệu"
            )
        # Always a download, never shown inline: an uploaded file cannot run as one of our pages.
        return FileResponse(path, media_type="application/octet-stream", filename=row.name)

    return routes


def cached_board(
    settings: Settings, engine: Engine, plan_key: str, day: date, stamp: Any
) -> dict[str, TaskView]:
    """A plan's task views at `day`, derived once per state of the plan (`stamp`, from
    `PlanCache.stamps`) and day, shared by every page that shows them."""
    views = cache_for(engine).get(
        "board",
        plan_key,
        day,
        stamp,
        lambda: {v.key: v for v in plan_board(engine, plan_key, day, board_options(settings, day))},
    )
    return views


# Any failed run among the 200 latest that `given_up` reads: most requests find none, so the
# overview asks this first, one small query, and reads the runs only when there is one.
_RECENT_RUNS = (
    select(SCHEDULE_RUN.c.id)
    .order_by(SCHEDULE_RUN.c.slot.desc(), SCHEDULE_RUN.c.id.desc())
    .limit(200)
)
_ANY_RECENT_FAILURE = (
    select(SCHEDULE_RUN.c.id)
    .where(SCHEDULE_RUN.c.state == "failed", SCHEDULE_RUN.c.id.in_(_RECENT_RUNS.scalar_subquery()))
    .limit(1)
)


def job_failures(engine: Engine) -> list[dict[str, Any]]:
    """`given_up(engine)`, without reading the latest runs when none of them failed."""
    with engine.connect() as conn:
        if conn.execute(_ANY_RECENT_FAILURE).first() is None:
            return []
    return given_up(engine)


def plan_summary(engine: Engine, plan_key: str) -> dict[str, Any]:
    plan = next(
        (p for p in list_plans(engine, include_archived=True) if p["key"] == plan_key), None
    )
    if plan is None:
        raise NotFoundError("kế hoạch", plan_key, "xem danh sách ở trang tổng quan")
    return plan


def _card(engine: Engine, key: str, title: str, day: date, options: BoardOptions) -> PlanCard:
    views = plan_board(engine, key, day, options)
    derived = [v.derived for v in views]
    return PlanCard(
        key,
        title,
        rollup_row(key, title, views),
        derived.count(Derived.OVERDUE),
        derived.count(Derived.AT_RISK),
        _trend(engine, key, day.year),
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


def _by_group(
    tasks: list[dict[str, Any]], views: dict[str, TaskView]
) -> list[tuple[str, int, int, float]]:
    """(group, tasks, done, % done) per programme group, for the completion chart."""
    totals: dict[str, list[int]] = {}
    for task in tasks:
        view = views[task["key"]]
        if view.category is None:
            continue
        row = totals.setdefault(task["group"] or "-", [0, 0])
        row[0] += 1
        row[1] += view.category in (Category.DONE_ON_TIME, Category.DONE_LATE)
    return [(g, n, d, 100 * d / n) for g, (n, d) in sorted(totals.items())]


def _choices(tasks: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]] | list[str]]:
    """What the plan page's filter form offers: the lead units, groups and states."""
    return {
        "units": sorted({(t["lead"]["key"], t["lead"]["name"]) for t in tasks}, key=lambda u: u[1]),
        "groups": sorted({t["group"] for t in tasks if t["group"]}),
        "statuses": [(d.value, d.label) for d in Derived],
    }


def _matches(task: dict[str, Any], view: TaskView, f: dict[str, str]) -> bool:
    partners = {p["key"] for p in task["partners"]}
    if f["unit"] and f["unit"] != task["lead"]["key"] and f["unit"] not in partners:
        return False
    if f["group"] and task["group"] != f["group"]:
        return False
    if f["status"] and view.derived.value != f["status"]:
        return False
    if f["due_before"]:
        try:
            if view.window.due > date.fromisoformat(f["due_before"]):
                return False
        except ValueError:
            pass  # a malformed date filters nothing; the form shows what was typed
    needle = fold(f["q"])
    return not needle or needle in fold(f"{task['key']} {task['title']} {task['result'] or ''}")


def _history(engine: Engine, task_id: int) -> list[dict[str, Any]]:
    """The task's updates, newest first, with their evidence files and status labels."""
    rows = history_rows(engine, task_id)
    files: dict[int, list[Any]] = {}
    if rows:
        query = select(EVIDENCE).where(EVIDENCE.c.update_id.in_([r["id"] for r in rows]))
        with engine.connect() as conn:
            for f in conn.execute(query):
                files.setdefault(f.update_id, []).append(f)
    return [
        {
            **r,
            "files": files.get(r["id"], []),
            "old": LABELS[Status(r["old_status"])],
            "new": LABELS[Status(r["new_status"])],
        }
        for r in rows
    ]
