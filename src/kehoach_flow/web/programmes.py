"""A programme's page (e.g. Đề án 996): one row per plan implementing it, with its tasks by
category and its budget, planned and spent, at today; the same rows as the rollup report
(reports/rollup.py `programme_day`), so the page and the report cannot disagree."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kehoach_flow.reports.rollup import programme_day
from kehoach_flow.web.boards import board_options
from kehoach_flow.web.deps import DB, AppSettings, SignedIn, Today
from kehoach_flow.web.rendering import render

router = APIRouter()


@router.get("/chuong-trinh/{programme_key}", response_class=HTMLResponse)
def programme_page(
    request: Request,
    user: SignedIn,
    settings: AppSettings,
    engine: DB,
    day: Today,
    programme_key: str,
) -> Response:
    view = programme_day(engine, programme_key, day, board_options(settings))
    return render(request, "programme.html", {"user": user, "view": view})
