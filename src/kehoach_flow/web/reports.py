"""The reports page: the drafts generated so far, with their files to download (everyone
signed in), and the form that generates one (coordinators), through the reports service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from kehoach_flow.accounts import Account
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
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.reports.service import make_report_for
from kehoach_flow.web.deps import DB, AppSettings, Coordinator, SignedIn, Today
from kehoach_flow.web.rendering import form_refused, render

LISTED = 200  # the latest runs the page lists

router = APIRouter()


def report_download(engine: Engine, run_id: int, name: str, hint: str) -> FileResponse:
    """A file of a recorded run, as a download; a 404 naming `hint` when the run or the file
    is gone. The reports page and the API both answer with it."""
    path = run_file(engine, run_id, name)
    if path is None:
        raise NotFoundError("tệp báo cáo", name, hint)
    return FileResponse(path, filename=path.name, media_type="application/octet-stream")


@router.get("/bao-cao", response_class=HTMLResponse)
def reports(request: Request, user: SignedIn, engine: DB, day: Today) -> Response:
    return _page(request, user, engine, day.year)


@router.post("/bao-cao")
async def generate(
    request: Request, user: Coordinator, settings: AppSettings, engine: DB, day: Today
) -> Response:
    form = await request.form()
    refused = form_refused(request, form)
    if refused is not None:
        return refused
    subject, kind = str(form.get("subject") or ""), str(form.get("period") or "")
    year = str(form.get("year") or "")
    if kind not in KINDS or not year.isdigit() or not 2000 <= int(year) <= 2100:
        return _page(request, user, engine, day.year, "Chọn kỳ báo cáo và năm (2000-2100).", 422)
    try:  # a draft takes a while to write: off the event loop
        await run_in_threadpool(
            make_report_for, AppContext(settings, engine), subject, kind, int(year)
        )
    except KehoachError as exc:
        return _page(request, user, engine, day.year, exc.message, 422)
    return RedirectResponse("/bao-cao", status_code=303)


@router.get("/bao-cao/{run_id}/{name}")
def report_file(user: SignedIn, engine: DB, run_id: int, name: str) -> Response:
    return report_download(engine, run_id, name, "tệp có thể đã bị chuyển hoặc xóa")


def _page(
    request: Request, user: Account, engine: Engine, year: int, error: str = "", status: int = 200
) -> Response:
    runs: list[dict[str, Any]] = list_runs(engine)[:LISTED]
    plans = list_plans(engine)
    programmes = sorted({PROGRAMME_PREFIX + p["programme"] for p in plans if p["programme"]})
    names = subject_names(engine, [r["subject"] for r in runs] + programmes)
    for run in runs:
        run["names"] = [Path(f).name for f in run["files"] or []]
        run["subject_name"] = names[run["subject"]].text
        run["period_name"] = _period_name(run["period"], run["year"])
    context = {
        "user": user,
        "runs": runs,
        "plans": plans,
        "programmes": [(s, names[s].text) for s in programmes],
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
