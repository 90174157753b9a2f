"""The JSON API under /api (OpenAPI at /api/openapi.json, docs at /api/docs).

Reads accept a session cookie or a token (`Authorization: Bearer kh_...`, from `kehoach user
token`); writes need a coordinator's token, so a page on another site cannot post with a
signed-in browser's cookie. Errors are JSON: {"detail": "..."} in Vietnamese, 422 with
field messages for malformed bodies, 409 with the current version for a stale update.

A token acts as its account, within that account's scope (accounts/scope.py): lists hold only
what the scope sees; a plan, task or report outside it is a 404 worded as for one that does
not exist; a write to a plan it sees but does not edit is a 403.

No `from __future__ import annotations` here: FastAPI reads the pydantic bodies' and the
routes' annotations as written.
"""

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from kehoach_flow.accounts import Account, token_account
from kehoach_flow.accounts.scope import PROGRAMME_SUBJECT, Scope, scope_of
from kehoach_flow.clock import now
from kehoach_flow.context import AppContext
from kehoach_flow.db.queries import find_task, list_plans, list_tasks
from kehoach_flow.errors import NotFoundError
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.reports.service import make_report
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.entry_task import extension_request_task
from kehoach_flow.tracking.extensions import (
    DecisionConflictError,
    decide_extension,
    due_story,
    request_extension,
)
from kehoach_flow.tracking.figures import task_figures
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.review import confirm_done, return_done
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_history import readable_history
from kehoach_flow.tracking.task_views import TaskView
from kehoach_flow.web.auth import current_account
from kehoach_flow.web.boards import plan_board_now, plan_summary
from kehoach_flow.web.decisions import extension_rule
from kehoach_flow.web.deps import DB, AppSettings, Today
from kehoach_flow.web.reports import record_generated, report_download, sees_run, whole_editor

Key = Annotated[str, Field(min_length=1, max_length=120)]
MAX_INT = 2**31 - 1  # ids, versions, quantities: what every database stores as an integer
MAX_AMOUNT = 10**15  # đồng; the largest amount written in words
Format: TypeAlias = Literal["docx", "md", "html"]
ALL_FORMATS: tuple[Format, ...] = ("docx", "md", "html")


class UpdateBody(BaseModel):
    """An update to a task, based on the version the client last read."""

    version: int = Field(
        ge=1, le=MAX_INT, description="phiên bản nhiệm vụ mà cập nhật này dựa trên"
    )
    status: Status | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    actuals: dict[Key, Annotated[int, Field(ge=0, le=MAX_INT)]] = Field(
        default_factory=dict,
        description="số lượng đã đạt theo chỉ tiêu: số thứ tự hoặc đơn vị tính",
    )
    spending: dict[Key, Annotated[int, Field(ge=0, le=MAX_AMOUNT)]] = Field(
        default_factory=dict, description="đã chi (đồng) theo khóa nguồn kinh phí"
    )
    note: str | None = Field(default=None, max_length=5000)
    difficulties: str | None = Field(default=None, max_length=5000)
    proposals: str | None = Field(default=None, max_length=5000)
    completed_on: date | None = None


class ExtensionBody(BaseModel):
    """A request to move a task's due date, by a token of an account that edits its plan."""

    due: date = Field(description="hạn mới đề nghị")
    reason: str = Field(min_length=1, max_length=5000, description="lý do đề nghị gia hạn")
    record_late: bool = Field(
        default=False,
        description="điều phối viên ghi nhận cả đề nghị gửi muộn hơn quy định",
    )
    version: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="phiên bản nhiệm vụ đang xem"
    )


class DecisionBody(BaseModel):
    """A decision on an extension request: approve (the date asked, or `due`) or refuse
    with a reason in `comment`."""

    decision: Literal["approve", "refuse"]
    due: date | None = Field(default=None, description="hạn khác hạn đề nghị, khi đồng ý")
    comment: str | None = Field(default=None, max_length=5000)


class ReviewBody(BaseModel):
    """Confirm a completion awaiting confirmation, or return it with a comment."""

    decision: Literal["confirm", "return"]
    comment: str | None = Field(default=None, max_length=5000)


def _all_formats() -> list[Format]:
    return list(ALL_FORMATS)


class ReportBody(BaseModel):
    plan: Key | None = None
    programme: Key | None = None
    period: Literal["q1", "q2", "q3", "q4", "6m", "9m", "year"]
    year: int = Field(ge=2000, le=2100)
    formats: list[Format] = Field(default_factory=_all_formats, min_length=1)


def reader(request: Request, engine: DB) -> Account:
    """A session cookie or a token: enough to read."""
    found = _bearer(request, engine) or current_account(request)
    if found is None:
        raise HTTPException(401, "cần đăng nhập hoặc mã truy cập (Authorization: Bearer ...)")
    return found


def writer(request: Request, engine: DB) -> Account:
    """A coordinator's token: a page on another site cannot post with a browser's cookie."""
    found = _bearer(request, engine)
    if found is None:
        raise HTTPException(401, "ghi dữ liệu cần mã truy cập (Authorization: Bearer ...)")
    if not found.can_edit:
        raise HTTPException(403, "tài khoản chỉ được xem, không được sửa")
    return found


Reader = Annotated[Account, Depends(reader)]
Writer = Annotated[Account, Depends(writer)]


def reader_scope(user: Reader, engine: DB) -> Scope:
    """What the reading account (its token's, or the signed-in one's) reaches."""
    return scope_of(engine, user)


def writer_scope(user: Writer, engine: DB) -> Scope:
    """What the writing token's account reaches."""
    return scope_of(engine, user)


ReaderScope = Annotated[Scope, Depends(reader_scope)]
WriterScope = Annotated[Scope, Depends(writer_scope)]
NOT_EDITABLE = "kế hoạch này do đơn vị ngoài phạm vi của tài khoản chủ trì; tài khoản chỉ được xem"
router = APIRouter(prefix="/api", tags=["api"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/plans")
def plans(scope: ReaderScope, engine: DB) -> list[dict[str, Any]]:
    return [p for p in list_plans(engine) if scope.sees_plan(p["key"])]


@router.get("/plans/{plan_key}/tasks")
def tasks(
    scope: ReaderScope,
    settings: AppSettings,
    engine: DB,
    day: Today,
    plan_key: str,
    unit: Annotated[str | None, Query(max_length=80)] = None,
    group: Annotated[str | None, Query(max_length=20)] = None,
    derived: Annotated[str | None, Query(max_length=20)] = None,
    due_before: date | None = None,
) -> list[dict[str, Any]]:
    _visible_plan(scope, plan_key)
    plan_summary(engine, plan_key)
    views = plan_board_now(settings, engine, plan_key, day)
    found = list_tasks(engine, plan=plan_key, unit=unit, group=group, due_before=due_before)
    return [
        {**t, **_state(views[t["key"]])}
        for t in found
        if t["key"] in views and (derived is None or views[t["key"]].derived.value == derived)
    ]


@router.get("/tasks/{plan_key}/{task_key}")
def task(scope: ReaderScope, engine: DB, plan_key: str, task_key: str) -> dict[str, Any]:
    _visible_task(scope, plan_key, task_key)
    found = find_task(engine, f"{plan_key}/{task_key}")
    figures = task_figures(engine, found["id"])
    history = readable_history(engine, found["id"], figures)
    story = due_story(engine, found["id"])
    return {**found, "figures": figures.as_dict(), "history": history, "due_story": story}


@router.post("/tasks/{plan_key}/{task_key}/updates", status_code=201)
def post_update(
    user: Writer,
    scope: WriterScope,
    settings: AppSettings,
    engine: DB,
    plan_key: str,
    task_key: str,
    body: UpdateBody,
) -> dict[str, Any]:
    found = _editable_task(scope, engine, plan_key, task_key)
    change = UpdateIn(
        status=body.status,
        progress=body.progress,
        actuals=body.actuals,
        spending=body.spending,
        note=body.note,
        difficulties=body.difficulties,
        proposals=body.proposals,
        completed_on=body.completed_on,
    )
    result = record_update(
        engine,
        found["id"],
        change,
        _author(user, settings),
        body.version,
        now=now(settings),
    )
    return {
        "version": result.version,
        "status": result.status.value,
        "progress": result.progress,
    }


@router.post("/tasks/{plan_key}/{task_key}/extensions", status_code=201)
def post_extension(
    user: Writer,
    scope: WriterScope,
    settings: AppSettings,
    engine: DB,
    plan_key: str,
    task_key: str,
    body: ExtensionBody,
) -> dict[str, Any]:
    """Ask for a new due date: at least KEHOACH_EXTENSION_NOTICE_DAYS working days before
    the due date in force, unless `record_late` (the coordinator records a late one)."""
    found = _editable_task(scope, engine, plan_key, task_key)
    result = request_extension(
        engine,
        found["id"],
        body.due,
        body.reason,
        _author(user, settings),
        extension_rule(settings),
        by_coordinator=body.record_late,
        expected_version=body.version,
        now=now(settings),
    )
    return {"request_id": result.update_id, "version": result.version}


@router.post("/extensions/{request_id}/decision")
def post_decision(
    user: Writer,
    scope: WriterScope,
    settings: AppSettings,
    engine: DB,
    request_id: Annotated[int, PathParam(ge=1, le=MAX_INT)],
    body: DecisionBody,
) -> dict[str, Any]:
    """Decide an extension request once: a second decision is a 409 saying who decided."""
    where = extension_request_task(engine, request_id)
    if where is None or not scope.sees_plan(where.plan):
        raise NotFoundError("đề nghị gia hạn", str(request_id), "xem số đề nghị ở due_story")
    _editable_task(scope, engine, where.plan, where.task)
    try:
        result = decide_extension(
            engine,
            request_id,
            body.decision == "approve",
            _author(user, settings),
            to=body.due,
            reason=body.comment,
            now=now(settings),
        )
    except DecisionConflictError as exc:
        raise HTTPException(409, exc.message) from None
    story = due_story(engine, where.task_id)
    return {"version": result.version, "due": story["current"], "due_story": story}


@router.post("/tasks/{plan_key}/{task_key}/review")
def post_review(
    user: Writer,
    scope: WriterScope,
    settings: AppSettings,
    engine: DB,
    plan_key: str,
    task_key: str,
    body: ReviewBody,
) -> dict[str, Any]:
    """Confirm a completion awaiting confirmation, or return it (a comment required): a
    task no longer awaiting is a 409."""
    found = _editable_task(scope, engine, plan_key, task_key)
    author = _author(user, settings)
    try:
        if body.decision == "confirm":
            result = confirm_done(engine, found["id"], author, body.comment, now=now(settings))
        else:
            result = return_done(
                engine,
                found["id"],
                author,
                body.comment or "",
                base_url=settings.base_url,
                mail_from=settings.mail_from,
                secret=settings.resolved_secret_key(),
                now=now(settings),
            )
    except DecisionConflictError as exc:
        raise HTTPException(409, exc.message) from None
    return {"version": result.version, "status": result.status.value}


@router.get("/reports")
def reports(
    scope: ReaderScope,
    engine: DB,
    subject: Annotated[str | None, Query(max_length=160)] = None,
) -> list[dict[str, Any]]:
    return [_run(r) for r in list_runs(engine, subject) if sees_run(scope, str(r["subject"]))]


@router.post("/reports", status_code=201)
def generate_report(
    request: Request,
    user: Writer,
    scope: WriterScope,
    settings: AppSettings,
    engine: DB,
    body: ReportBody,
) -> dict[str, Any]:
    if (body.plan is None) == (body.programme is None):
        raise HTTPException(422, "cần đúng một trong plan hoặc programme")
    if body.plan is not None:
        _visible_plan(scope, body.plan)
        plan_summary(engine, body.plan)
        if not scope.makes_report(body.plan):
            raise HTTPException(403, NOT_EDITABLE)
    if body.programme is not None and not whole_editor(scope):
        if body.programme not in scope.programmes:  # none of its plans in sight
            raise NotFoundError(
                "chương trình", body.programme, "xem khóa trong definitions/programmes/"
            )
        if not scope.makes_report(PROGRAMME_SUBJECT + body.programme):
            raise HTTPException(
                403,
                "báo cáo tổng hợp của chương trình cần xem được mọi kế hoạch của nó; tài khoản "
                "chỉ xem được một phần",
            )
    formats = tuple(dict.fromkeys(body.formats))
    made = make_report(
        AppContext(settings, engine),
        body.period,
        body.year,
        plan=body.plan,
        programme=body.programme,
        formats=formats,
    )
    address = request.client.host if request.client is not None else None
    record_generated(engine, user, made.subject, body.period, body.year, address)
    files = [f.name for f in made.files]
    if body.plan is not None:
        return {"subject": body.plan, "files": files, "content_hash": made.content_hash}
    return {"subject": made.subject, "files": files}


@router.get("/reports/{run_id}/files/{name}")
def report_file(
    scope: ReaderScope,
    engine: DB,
    run_id: Annotated[int, PathParam(ge=1, le=MAX_INT)],
    name: str,
) -> FileResponse:
    return report_download(engine, scope, run_id, name, "xem danh sách ở GET /api/reports")


def _visible_plan(scope: Scope, plan_key: str) -> None:
    """A plan outside the scope answers as one that does not exist (boards.plan_summary)."""
    if not scope.sees_plan(plan_key):
        raise NotFoundError("kế hoạch", plan_key, "xem danh sách ở trang tổng quan")


def _editable_task(scope: Scope, engine: Engine, plan_key: str, task_key: str) -> dict[str, Any]:
    """The task, for a token that edits its plan: 404 outside the scope, 403 when seen only."""
    _visible_task(scope, plan_key, task_key)
    found = find_task(engine, f"{plan_key}/{task_key}")
    if not scope.edits_plan(plan_key):
        raise HTTPException(403, NOT_EDITABLE)
    return found


def _author(user: Account, settings: Settings) -> Author:
    """The token's account, writing through the API."""
    return Author(user.username, "api", None, settings.timezone)


def _visible_task(scope: Scope, plan_key: str, task_key: str) -> None:
    """A task of a plan outside the scope answers as one that does not exist (find_task)."""
    if not scope.sees_plan(plan_key):
        raise NotFoundError(
            "nhiệm vụ", f"{plan_key}/{task_key}", "xem danh sách bằng `kehoach tasks`"
        )


def _bearer(request: Request, engine: Engine) -> Account | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token_account(engine, token.strip())


def _state(view: TaskView) -> dict[str, Any]:
    return {
        "derived": view.derived.value,
        "category": view.category.value if view.category else None,
        "progress": view.state.progress,
        "open_dependencies": list(view.open_dependencies),
    }


def _run(row: dict[str, Any]) -> dict[str, Any]:
    files = [Path(f).name for f in row.get("files") or []]
    return {**row, "files": files, "links": [f"/api/reports/{row['id']}/files/{f}" for f in files]}
