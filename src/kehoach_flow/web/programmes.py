"""A programme's page (e.g. Đề án 996): one row per plan implementing it, with its tasks by
category and its budget, planned and spent, at today; the same rows as the rollup report
(reports/rollup.py `programme_day`), so the page and the report cannot disagree.

An account sees the rows of the plans of it that it may see (Scope.rollup_plans), and the
page says so when that is not every plan; a programme none of whose plans it sees gets the
same 404 page as one that does not exist."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kehoach_flow.errors import NotFoundError
from kehoach_flow.reports.rollup import programme_day
from kehoach_flow.web.boards import board_options
from kehoach_flow.web.deps import DB, AppSettings, SignedIn, Today, UserScope
from kehoach_flow.web.rendering import render

router = APIRouter()


@router.get("/chuong-trinh/{programme_key}", response_class=HTMLResponse)
def programme_page(
    request: Request,
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    day: Today,
    programme_key: str,
) -> Response:
    plans, _ = scope.rollup_plans(programme_key)
    if not plans:  # as for a programme that does not exist
        raise NotFoundError("chương trình", programme_key, "xem khóa trong definitions/programmes/")
    view = programme_day(engine, programme_key, day, board_options(settings))
    every = len(view.rows)
    view = replace(view, rows=tuple(r for r in view.rows if r.plan in plans))
    context = {
        "user": user,
        "view": view,
        "every": every,  # the tracked plans of the programme; the page says when it shows fewer
        "whole_report": scope.sees_report(f"programme:{programme_key}"),
    }
    return render(request, "programme.html", context)
