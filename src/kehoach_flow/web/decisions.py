"""Decisions a coordinator owes on a task (issue 22): an extension request approved (on the
date asked or another) or refused with a reason, a completion awaiting confirmation
confirmed or returned with a comment. The task page's forms post here.

Only an account that edits the task's plan (accounts/scope.py) decides: a task of a plan it
does not see is a 404 as for one that does not exist, one it sees but does not edit a 403.
A decision on what someone else has just decided is a 409 page saying who decided what;
nothing changes. Also here: what the task page, the update form and the API show of it (the
due-date story, a return's comment) and what waits on the overview for this account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine

from kehoach_flow.accounts.scope import Scope
from kehoach_flow.clock import now
from kehoach_flow.db.queries import find_task
from kehoach_flow.errors import KehoachError, NotFoundError
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.extensions import (
    DecisionConflictError,
    ExtensionRule,
    decide_extension,
    due_story,
    request_extension,
)
from kehoach_flow.tracking.history import Author, history_rows
from kehoach_flow.tracking.review import confirm_done, return_done
from kehoach_flow.tracking.state import EntryKind
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.waiting import Waiting, waiting_decisions
from kehoach_flow.tracking.workcalendar import work_calendar
from kehoach_flow.web.auth import Forbidden
from kehoach_flow.web.deps import DB, AppSettings, SignedIn, UserScope
from kehoach_flow.web.rendering import form_refused, message

router = APIRouter()
NOT_EDITOR = (
    "Chỉ phòng chủ trì kế hoạch (tài khoản được sửa kế hoạch này) mới quyết định gia hạn hay "
    "xác nhận hoàn thành; tài khoản của anh/chị chỉ được xem."
)
# What the task page says after a decision (its ?ghi= value), so a reload posts nothing.
DONE_NOTICES = {
    "ghi-nhan": "Đã ghi nhận đề nghị gia hạn của đơn vị; quyết định ở dưới.",
    "dong-y": "Đã ghi quyết định đồng ý gia hạn; hạn mới có hiệu lực ngay.",
    "khong-dong-y": "Đã ghi quyết định không đồng ý gia hạn.",
    "xac-nhan": "Đã xác nhận hoàn thành.",
    "tra-lai": "Đã trả lại nhiệm vụ; đơn vị chủ trì được báo qua thư kèm nhận xét.",
}


def extension_rule(settings: Settings) -> ExtensionRule:
    """How early a lead unit must ask (KEHOACH_EXTENSION_NOTICE_DAYS working days)."""
    return ExtensionRule(work_calendar(settings), settings.extension_notice_days)


def parse_day(text: str) -> date | None:
    """A date typed in a form: YYYY-MM-DD (a date input) or dd/mm/yyyy; None when neither."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


def task_decisions(engine: Engine, task: dict[str, Any]) -> dict[str, Any]:
    """What a page tells of a task's extensions and review: the due-date story (original,
    each request and decision, the date in force, the request waiting), whether a done
    awaits confirmation, and the comment of a return not yet answered by a new done."""
    story = due_story(engine, task["id"])
    returned = None
    for row in history_rows(engine, task["id"]):  # newest first
        if row["kind"] == EntryKind.REVIEW_RETURNED.value:
            returned = row
            break
        if row["new_status"] in (Status.AWAITING_REVIEW.value, Status.DONE.value):
            break
    pending = next((s for s in story["steps"] if s["id"] == story["pending"]), None)
    closed = (Status.DONE.value, Status.CANCELLED.value, Status.AWAITING_REVIEW.value)
    return {
        **story,
        "can_ask": pending is None and task["status"] not in closed,
        "moved": story["current"] != story["original"],
        "pending_step": pending,
        "awaiting": task["status"] == Status.AWAITING_REVIEW.value,
        "returned": returned,
    }


def waiting_for(settings: Settings, engine: Engine, scope: Scope, day: date) -> list[Waiting]:
    """What waits for this account's decision: in the plans it edits."""
    if not scope.editable:
        return []
    return waiting_decisions(
        engine, day, work_calendar(settings), sorted(scope.editable), settings.timezone
    )


def editable_task(engine: Engine, scope: Scope, plan_key: str, task_key: str) -> dict[str, Any]:
    """The task, for an account that edits its plan: 404 for a plan it does not see (as for
    a task that does not exist), 403 for one it sees but does not edit."""
    ref = f"{plan_key}/{task_key}"
    if not scope.sees_plan(plan_key):
        raise NotFoundError("nhiệm vụ", ref, "xem danh sách bằng `kehoach tasks`")
    task = find_task(engine, ref)
    if not scope.edits_plan(plan_key):
        raise Forbidden(NOT_EDITOR)
    return task


def _task_url(plan_key: str, task_key: str) -> str:
    return f"/nhiem-vu/{plan_key}/{task_key}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _refused(request: Request, user: Any, url: str, text: str) -> Response:
    return message(
        request,
        422,
        "Chưa ghi quyết định",
        _sentence(text) + ".",
        "warning",
        link=url,
        link_text="Về trang nhiệm vụ",
        user=user,
    )


def _conflict(request: Request, user: Any, url: str, exc: DecisionConflictError) -> Response:
    return message(
        request,
        409,
        "Đã có người quyết định trước",
        _sentence(exc.message) + ". Quyết định của anh/chị chưa được ghi; không có gì thay đổi.",
        "warning",
        link=url,
        link_text="Xem nhiệm vụ với quyết định đã ghi",
        user=user,
    )


@dataclass
class _Decision:
    """A coordinator's decision form on a task of a plan it edits, posted with a valid
    CSRF token: what the handlers below share."""

    request: Request
    user: Any
    settings: Settings
    engine: Engine
    task: dict[str, Any]
    form: Any
    url: str  # the task page

    @property
    def author(self) -> Author:
        return Author(self.user.username, "web", None, self.settings.timezone)

    def field(self, name: str) -> str:
        return str(self.form.get(name) or "").strip()

    def refused(self, text: str) -> Response:
        return _refused(self.request, self.user, self.url, text)

    async def record(self, write: Callable[[], object], done: str) -> Response:
        """`write` run off the event loop; the task page with the ?ghi=`done` notice, or the
        409 page for a decision someone else made first, or the 422 page for a refusal."""
        try:
            await run_in_threadpool(write)
        except DecisionConflictError as exc:
            return _conflict(self.request, self.user, self.url, exc)
        except KehoachError as exc:
            return self.refused(exc.message)
        return RedirectResponse(f"{self.url}?ghi={done}", status_code=303)


async def _open(
    request: Request,
    user: SignedIn,
    scope: UserScope,
    settings: AppSettings,
    engine: DB,
    plan_key: str,
    task_key: str,
) -> _Decision | Response:
    """The posted form on the task (404/403 as editable_task), or the 403 page for a CSRF
    token that does not hold: the handlers' dependency."""
    form = await request.form()
    refused = form_refused(request, form)
    if refused is not None:
        return refused
    task = await run_in_threadpool(editable_task, engine, scope, plan_key, task_key)
    return _Decision(request, user, settings, engine, task, form, _task_url(plan_key, task_key))


Opened = Annotated[_Decision | Response, Depends(_open)]


@router.post("/nhiem-vu/{plan_key}/{task_key}/gia-han/{request_id}")
async def decide_request(it: Opened, request_id: int) -> Response:
    if isinstance(it, Response):
        return it
    engine, settings = it.engine, it.settings
    story = await run_in_threadpool(due_story, engine, it.task["id"])
    asked = {s["id"] for s in story["steps"] if s["kind"] == EntryKind.EXTENSION_REQUEST.value}
    if request_id not in asked:
        raise NotFoundError("đề nghị gia hạn", str(request_id), "xem trang của nhiệm vụ")
    choice, comment, typed = it.field("decision"), it.field("comment") or None, it.field("due")
    if choice not in ("approve", "refuse"):
        return it.refused("chọn đồng ý hoặc không đồng ý gia hạn")
    to = None
    if choice == "approve" and typed:
        to = parse_day(typed)
        if to is None:
            return it.refused(f'hạn mới "{typed}" không phải ngày dạng ngày/tháng/năm')
    return await it.record(
        lambda: decide_extension(
            engine,
            request_id,
            choice == "approve",
            it.author,
            to=to,
            reason=comment,
            now=now(settings),
        ),
        "dong-y" if choice == "approve" else "khong-dong-y",
    )


@router.post("/nhiem-vu/{plan_key}/{task_key}/gia-han")
async def record_request(it: Opened) -> Response:
    """The coordinator records a unit's request it received otherwise (a letter, a call):
    later than the rule allows too, marked as such in the story."""
    if isinstance(it, Response):
        return it
    engine, settings = it.engine, it.settings
    to = parse_day(it.field("due"))
    if to is None:
        return it.refused("nhập hạn mới đề nghị dạng ngày/tháng/năm")
    return await it.record(
        lambda: request_extension(
            engine,
            it.task["id"],
            to,
            it.field("reason"),
            it.author,
            extension_rule(settings),
            by_coordinator=True,
            now=now(settings),
        ),
        "ghi-nhan",
    )


@router.post("/nhiem-vu/{plan_key}/{task_key}/xac-nhan")
async def review_done(it: Opened) -> Response:
    if isinstance(it, Response):
        return it
    engine, settings = it.engine, it.settings
    choice, comment = it.field("decision"), it.field("comment")
    if choice not in ("confirm", "return"):
        return it.refused("chọn xác nhận hoàn thành hoặc trả lại")

    def decide() -> None:
        if choice == "confirm":
            confirm_done(engine, it.task["id"], it.author, comment or None, now=now(settings))
        else:
            return_done(
                engine,
                it.task["id"],
                it.author,
                comment,
                base_url=settings.base_url,
                mail_from=settings.mail_from,
                secret=settings.resolved_secret_key(),
                now=now(settings),
            )

    return await it.record(decide, "xac-nhan" if choice == "confirm" else "tra-lai")
