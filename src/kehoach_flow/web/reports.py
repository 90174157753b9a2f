"""The reports page: the drafts generated so far, with their files to download, and the form
that generates one, through the reports service: each account lists and downloads the runs its
scope sees (`Scope.sees_report`) and generates only those it makes (`Scope.makes_report`: the
plans it edits; a programme's rollup when it sees every plan of the programme)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from kehoach_flow.accounts import Account
from kehoach_flow.accounts import audit as audit_log
from kehoach_flow.accounts.scope import EDITING_ROLES, Scope
from kehoach_flow.context import AppContext
from kehoach_flow.db.queries import list_plans
from kehoach_flow.errors import KehoachError, NotFoundError
from kehoach_flow.reports.names import (
    PROGRAMME_PREFIX,
    period_kind_name,
    period_name,
    subject_names,
)
from kehoach_flow.reports.periods import KINDS
from kehoach_flow.reports.run_files import run_file
from kehoach_flow.reports.run_subject import run_subject
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.reports.service import make_report_for
from kehoach_flow.web.auth import Forbidden
from kehoach_flow.web.boards import plan_summary
from kehoach_flow.web.deps import DB, AppSettings, Coordinator, SignedIn, Today, UserScope
from kehoach_flow.web.rendering import form_refused, render

LISTED = 200  # the latest runs the page lists

NOT_YOURS = (
    "Báo cáo này ngoài phạm vi của tài khoản: chỉ soạn được báo cáo của kế hoạch do đơn vị "
    "mình chủ trì, và báo cáo tổng hợp của chương trình khi xem được mọi kế hoạch của nó."
)

router = APIRouter()


def whole_editor(scope: Scope) -> bool:
    """A whole-installation coordinator or admin: generates any report, the service's own
    messages telling it when a subject does not exist or has nothing to report."""
    return scope.units is None and scope.role in EDITING_ROLES


def sees_run(scope: Scope, subject: str) -> bool:
    """A report run's files are for this scope: a whole-installation account sees every run,
    one of a plan or programme no longer loaded included; another, `Scope.sees_report`."""
    return scope.units is None or scope.sees_report(subject)


def record_generated(
    engine: Engine, user: Account, subject: str, kind: str, year: int, address: str | None
) -> None:
    """A generated report in the audit log: a plan's under its coordinator's unit, a rollup
    under the account's own."""
    unit = user.unit_key
    if not subject.startswith(PROGRAMME_PREFIX):
        unit = plan_summary(engine, subject)["coordinator"]
    audit_log.record(
        engine,
        user.username,
        "report_generated",
        subject,
        _period_name(kind, year),
        address,
        unit_key=unit,
    )


def report_download(
    engine: Engine, scope: Scope, run_id: int, name: str, hint: str
) -> FileResponse:
    """A file of a recorded run the account's scope sees, as a download; the same 404
    naming `hint` when the run or the file is gone or the run is outside the scope. The
    reports page and the API both answer with it."""
    subject = run_subject(engine, run_id)
    path = None
    if subject is not None and sees_run(scope, subject):
        path = run_file(engine, run_id, name)
    if path is None:
        raise NotFoundError("tệp báo cáo", name, hint)
    return FileResponse(path, filename=path.name, media_type="application/octet-stream")


@router.get("/bao-cao", response_class=HTMLResponse)
def reports(request: Request, user: SignedIn, scope: UserScope, engine: DB, day: Today) -> Response:
    return _page(request, user, scope, engine, day.year)


@router.post("/bao-cao")
async def generate(
    request: Request,
    user: Coordinator,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    day: Today,
) -> Response:
    form = await request.form()
    refused = form_refused(request, form)
    if refused is not None:
        return refused
    subject, kind = str(form.get("subject") or ""), str(form.get("period") or "")
    year = str(form.get("year") or "")
    if kind not in KINDS or not year.isdigit() or not 2000 <= int(year) <= 2100:
        return _page(
            request, user, scope, engine, day.year, "Chọn kỳ báo cáo và năm (2000-2100).", 422
        )
    what, _, key = subject.partition(":")
    if what not in ("plan", "programme") or not key:
        return _page(
            request, user, scope, engine, day.year, "Chọn một kế hoạch hoặc một chương trình.", 422
        )
    target = key if what == "plan" else PROGRAMME_PREFIX + key
    if not scope.makes_report(target) and not whole_editor(scope):
        raise Forbidden(NOT_YOURS)
    try:  # a draft takes a while to write: off the event loop
        await run_in_threadpool(
            make_report_for, AppContext(settings, engine), subject, kind, int(year)
        )
    except KehoachError as exc:
        return _page(request, user, scope, engine, day.year, exc.message, 422)
    address = request.client.host if request.client is not None else None
    await run_in_threadpool(record_generated, engine, user, target, kind, int(year), address)
    return RedirectResponse("/bao-cao", status_code=303)


@router.get("/bao-cao/{run_id}/{name}")
def report_file(scope: UserScope, engine: DB, run_id: int, name: str) -> Response:
    return report_download(engine, scope, run_id, name, "tệp có thể đã bị chuyển hoặc xóa")


def _page(
    request: Request,
    user: Account,
    scope: Scope,
    engine: Engine,
    year: int,
    error: str = "",
    status: int = 200,
) -> Response:
    """The runs the scope sees; the plans and rollups it may generate, in the form."""
    runs: list[dict[str, Any]] = [
        r for r in list_runs(engine) if sees_run(scope, str(r["subject"]))
    ][:LISTED]
    every = list_plans(engine)
    plans = [p for p in every if scope.makes_report(p["key"])]
    programmes = sorted(
        {PROGRAMME_PREFIX + p["programme"] for p in every if p["programme"] in scope.programmes}
    )
    rollups = [s for s in programmes if scope.makes_report(s)]
    names = subject_names(engine, [r["subject"] for r in runs] + programmes)
    for run in runs:
        run["names"] = [Path(f).name for f in run["files"] or []]
        run["subject_name"] = names[run["subject"]].text
        run["period_name"] = _period_name(run["period"], run["year"])
    context = {
        "user": user,
        "runs": runs,
        "plans": plans,
        "programmes": [(s, names[s].title or names[s].key) for s in programmes],
        "rollups": [(s, names[s].text) for s in rollups],
        "periods": [(k, period_kind_name(k)) for k in KINDS],
        "error": error,
        "year": year,
    }
    return render(request, "reports.html", context, status)


def _period_name(kind: str, year: int) -> str:
    """ "Quý II/2024"; a period no longer offered keeps its stored code."""
    try:
        return period_name(kind, year)
    except KehoachError:
        return f"{kind}/{year}"
