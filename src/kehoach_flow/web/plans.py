"""Pages about plans and tasks for signed-in managers and coordinators: the overview, a plan
with its filters, a task with its history, the timeline, an evidence file.

Each shows only what the account's scope (accounts/scope.py) lets it see: the overview's
cards, its "hôm nay" view and its counts are over the plans it sees; a plan, a task or an
evidence file outside it gets the same 404 page as one that does not exist."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import Engine

from kehoach_flow.accounts import Account
from kehoach_flow.accounts.scope import Scope
from kehoach_flow.db.queries import PlanStamp, find_task, list_plans, list_tasks
from kehoach_flow.errors import NotFoundError
from kehoach_flow.orchestration.runs import job_failures
from kehoach_flow.reminders.links import LinkGrant, LinkSigner
from kehoach_flow.reports.builder import budget_by_source
from kehoach_flow.reports.names import PROGRAMME_PREFIX, subject_names
from kehoach_flow.settings import Settings
from kehoach_flow.text import fold
from kehoach_flow.tracking.evidence import evidence_path
from kehoach_flow.tracking.evidence_seen import evidence_in_plans
from kehoach_flow.tracking.figures import TaskFigures, task_figures
from kehoach_flow.tracking.history import evidence_of_updates
from kehoach_flow.tracking.state import ENTRY_LABELS, Category, Derived, EntryKind
from kehoach_flow.tracking.status import LABELS, Status
from kehoach_flow.tracking.task_history import readable_history
from kehoach_flow.tracking.task_views import TaskView
from kehoach_flow.web.boards import (
    board_options,
    cached_board,
    plan_board_now,
    plan_card,
    plan_summary,
)
from kehoach_flow.web.cache import PlanCache, scope_key
from kehoach_flow.web.decisions import DONE_NOTICES, task_decisions, waiting_for
from kehoach_flow.web.deps import DB, AppSettings, Cache, SignedIn, Today, UserScope
from kehoach_flow.web.rendering import CATEGORIES, fragment, render
from kehoach_flow.web.timeline import gantt_svg
from kehoach_flow.web.today import BRIEF_ITEMS, BRIEF_PLANS, BRIEF_UNITS, scoped_today

router = APIRouter()
OPEN_WORK = (Derived.ON_TRACK, Derived.AT_RISK, Derived.OVERDUE, Derived.BLOCKED, Derived.ON_HOLD)
UNIT_TASKS_SHOWN = 10  # "việc của đơn vị tôi" on the overview; the unit page has them all


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    cache: Cache,
    day: Today,
) -> Response:
    live = cache.live_in(scope.visible)

    def cards_html() -> Markup:
        """Rendered once per state of the plans an account sees: a request whose plans are
        unchanged only reads the stamps and fills in the user's own header."""
        options = board_options(settings)
        cards = [
            cache.get(
                "card", key, day, stamp, partial(plan_card, engine, key, stamp.title, day, options)
            )
            for key, stamp in live
        ]
        return fragment(
            "overview_cards.html",
            cards=cards,
            categories=CATEGORIES,
            scoped=scoped,
            programmes=plan_programmes(engine),
        )

    scoped = scope.units is not None  # an account of a unit: "no plan" means none it sees
    key = scope_key(scope.visible) + ("|unit" if scoped else "")
    html = cache.get("overview", key, day, live, cards_html)
    # Jobs that failed for good (a red line each) concern the whole installation and link
    # to /luong: for the accounts that see it.
    failures = job_failures(engine) if scope.units is None else []
    view = scoped_today(settings, engine, cache, day, scope)
    context = {
        "user": user,
        "cards_html": html,
        "job_failures": failures,
        "today_view": view,
        "late_units": [u for u in view.ranking if u.overdue or u.done_late][:BRIEF_UNITS],
        "brief_items": BRIEF_ITEMS,
        "brief_trends": _brief_trends(live, view.trends),
        "unit_work": _unit_work(request, settings, engine, cache, day, user, scope, live),
        "waiting": waiting_for(settings, engine, scope, day),
    }
    return render(request, "overview.html", context)


# A plan with more tasks than this opens with its sections collapsed to their headings and
# counts (a filter shows its matches open): 300 tasks are otherwise ~60 screens on a phone.
COLLAPSE_OVER = 40


def plan_programmes(engine: Engine) -> dict[str, tuple[str, str]]:
    """Each plan implementing a programme: the programme's key and title (its page's link)."""
    links = {p["key"]: p["programme"] for p in list_plans(engine, True) if p["programme"]}
    names = subject_names(engine, {PROGRAMME_PREFIX + key for key in links.values()})
    return {plan: (key, names[PROGRAMME_PREFIX + key].title or key) for plan, key in links.items()}


def _brief_trends(live: tuple[tuple[str, PlanStamp], ...], trends: dict[str, Any]) -> list[Any]:
    """The plans whose trend the overview's "hôm nay" view shows: those with snapshots, the
    largest change first, at most BRIEF_PLANS (the /hom-nay page lists every plan)."""
    titled = [(key, stamp.title, trends[key]) for key, stamp in live if key in trends]
    with_points = [t for t in titled if t[2].points]
    with_points.sort(key=lambda t: -abs(t[2].completion_change))
    return with_points[:BRIEF_PLANS]


def _unit_work(
    request: Request,
    settings: Settings,
    engine: Engine,
    cache: PlanCache,
    day: date,
    user: Account,
    scope: Scope,
    live: tuple[tuple[str, PlanStamp], ...],
) -> dict[str, Any] | None:
    """ "Việc của đơn vị tôi": the unfinished tasks led within a unit-scoped account's unit
    (its subtree) in the plans it sees, earliest due first, with the signed update link of
    each task its own unit leads (the link a reminder mails that unit); None for a
    whole-installation account."""
    if scope.units is None or user.unit_key is None:
        return None
    signer: LinkSigner | None = None
    tasks: list[tuple[TaskView, str | None]] = []
    for key, stamp in live:
        views = cached_board(settings, engine, key, day, stamp)
        parents = {v.parent for v in views.values() if v.parent}
        for view in views.values():
            if view.lead not in scope.units or view.derived not in OPEN_WORK:
                continue
            link = None
            if view.lead == user.unit_key and view.key not in parents:
                signer = signer or LinkSigner(request.app.state.secret)
                link = "/cap-nhat/" + signer.token(LinkGrant(f"{key}/{view.key}", view.lead))
            tasks.append((view, link))
    tasks.sort(key=lambda t: (t[0].window.due, t[0].plan, t[0].key))
    return {
        "unit": user.unit_key,
        "tasks": tasks[:UNIT_TASKS_SHOWN],
        "total": len(tasks),
        # the unit page lists the tasks of one unit: linked when the account's own unit
        # leads some (an office above its units leads none of theirs)
        "unit_page": any(view.lead == user.unit_key for view, _ in tasks),
    }


@router.get("/ke-hoach/{plan_key}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    cache: Cache,
    day: Today,
    plan_key: str,
    unit: str = "",
    group: str = "",
    status: str = "",
    due_before: str = "",
    q: str = "",
) -> Response:
    stamp = cache.stamps().get(plan_key) if scope.sees_plan(plan_key) else None
    if stamp is None:  # the same page for a plan outside the scope: its existence not told
        raise NotFoundError("kế hoạch", plan_key, "xem danh sách ở trang tổng quan")
    filters = {"unit": unit, "group": group, "status": status, "due_before": due_before, "q": q}
    # The unfiltered page, the one most opened, is rendered once per state of the plan, with
    # its charts and its filter form; a filtered one is rendered each time, as a plain list.
    filtered = any(filters.values())

    def body_html() -> Markup:
        tasks = cache.get("tasks", plan_key, day, stamp, partial(list_tasks, engine, plan=plan_key))
        views = cached_board(settings, engine, plan_key, day, stamp)
        sections: dict[str, list[tuple[dict[str, Any], TaskView]]] = {}
        shown = 0
        for task in tasks:
            if _matches(task, views[task["key"]], filters):
                heading = f"{task['section']}. {task['section_title']}"
                sections.setdefault(heading, []).append((task, views[task["key"]]))
                shown += 1
        return fragment(
            "plan_body.html",
            filters=filters,
            choices=cache.get("plan-choices", plan_key, day, stamp, partial(_choices, tasks)),
            shown=shown,
            total=len(tasks),
            sections=sections,
            collapse=not filtered and shown > COLLAPSE_OVER,
            groups=_by_group(tasks, views) if not filtered else [],
            budget=budget_by_source(tasks, views) if not filtered else [],
        )

    html = body_html() if filtered else cache.get("plan-page", plan_key, day, stamp, body_html)
    programme = cache.get(
        "plan-programme", plan_key, day, stamp, partial(plan_programmes, engine)
    ).get(plan_key)
    plan = {"key": plan_key, "title": stamp.title, "programme": programme}
    return render(request, "plan.html", {"user": user, "plan": plan, "body_html": html})


@router.get("/nhiem-vu/{plan_key}/{task_key}", response_class=HTMLResponse)
def task_page(
    request: Request,
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    day: Today,
    plan_key: str,
    task_key: str,
    ghi: str = "",
) -> Response:
    ref = f"{plan_key}/{task_key}"
    if not scope.sees_plan(plan_key):  # what find_task says of a task that does not exist
        raise NotFoundError("nhiệm vụ", ref, "xem danh sách bằng `kehoach tasks`")
    task = find_task(engine, ref)
    views = plan_board_now(settings, engine, plan_key, day)
    figures = task_figures(engine, task["id"])
    context = {
        "user": user,
        "task": task,
        "view": views.get(task_key),
        "figures": figures,
        "timezone": settings.timezone,
        "history": _history(engine, task["id"], figures),
        "dependencies": [(key, views.get(key)) for key in task["depends_on"]],
        # issue 22: the due-date story, a completion awaiting confirmation, and the forms to
        # decide them for an account that edits the plan (web/decisions.py takes the posts)
        "decisions": task_decisions(engine, task),
        "can_decide": scope.edits_plan(plan_key),
        "notice": DONE_NOTICES.get(ghi),
    }
    return render(request, "task.html", context)


@router.get("/tien-do", response_class=HTMLResponse)
def timeline(
    request: Request,
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    day: Today,
    plan: str = "",
) -> Response:
    plans = [p for p in list_plans(engine) if scope.sees_plan(p["key"])]
    chosen = plan or (plans[0]["key"] if plans else "")
    svg = ""
    if chosen:
        if not scope.sees_plan(chosen):  # as for a plan that does not exist
            raise NotFoundError("kế hoạch", chosen, "xem danh sách ở trang tổng quan")
        plan_summary(engine, chosen)
        svg = gantt_svg(list(plan_board_now(settings, engine, chosen, day).values()), day)
    context = {"user": user, "plans": plans, "chosen": chosen, "svg": Markup(svg)}
    return render(request, "timeline.html", context)


@router.get("/minh-chung/{sha256}")
def evidence(
    user: SignedIn, scope: UserScope, settings: AppSettings, engine: DB, sha256: str
) -> Response:
    # A file is stored once by content: the account must see a plan an update carries it
    # in, and gets the name that update gave it.
    found = evidence_in_plans(engine, sha256, scope.visible)
    path = evidence_path(settings.data_dir, sha256) if found is not None else None
    if found is None or path is None or not path.is_file():
        raise NotFoundError("minh chứng", sha256[:12], "tệp có thể đã bị xóa khỏi thư mục dữ liệu")
    # Always a download, never shown inline: an uploaded file cannot run as one of our pages.
    return FileResponse(path, media_type="application/octet-stream", filename=found["name"])


def _choices(tasks: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]] | list[str]]:
    """What the plan page's filter form offers: the lead units, groups and states."""
    return {
        "units": sorted({(t["lead"]["key"], t["lead"]["name"]) for t in tasks}, key=lambda u: u[1]),
        "groups": sorted({t["group"] for t in tasks if t["group"]}),
        "statuses": [(d.value, d.label) for d in Derived],
    }


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


def _history(engine: Any, task_id: int, figures: TaskFigures) -> list[dict[str, Any]]:
    """The task's updates, newest first, with their authors by name, the figures each
    reported, their evidence files and status labels."""
    rows = readable_history(engine, task_id, figures)
    files = evidence_of_updates(engine, [r["id"] for r in rows])
    return [
        {
            **r,
            "files": files.get(r["id"], []),
            "kind_label": ENTRY_LABELS[EntryKind(r["kind"])],
            "old": LABELS[Status(r["old_status"])],
            "new": LABELS[Status(r["new_status"])],
        }
        for r in rows
    ]
