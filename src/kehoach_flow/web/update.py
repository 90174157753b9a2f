"""The update form behind the signed link of a reminder mail: no login, one task, one unit.

GET shows the task and its current values; POST checks the CSRF token, the fields (errors
shown in place, status 422), the evidence files (over the size limit: 413, nothing stored;
over the multipart limits, more than MAX_FILES files or a text over 1 MB: the form back with
a Vietnamese message, status 400, nothing stored), then records the update with the version the form was opened at: if someone updated the task
meanwhile, a 409 page says who and when and shows the newer values.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from kehoach_flow.clock import now
from kehoach_flow.db.queries import find_task
from kehoach_flow.errors import (
    DependencyOpenError,
    EvidenceTooLargeError,
    KehoachError,
    LinkError,
    StaleVersionError,
    TransitionError,
    UpdateError,
)
from kehoach_flow.numbers import parse_amount
from kehoach_flow.reminders.links import LinkGrant, read_token
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.evidence import store_evidence
from kehoach_flow.tracking.extensions import request_extension
from kehoach_flow.tracking.figures import TaskFigures, task_figures
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import LABELS, REPORTABLE, Status
from kehoach_flow.web import csrf
from kehoach_flow.web.decisions import extension_rule, parse_day, task_decisions
from kehoach_flow.web.deps import DB, AppSettings
from kehoach_flow.web.errors import http_texts
from kehoach_flow.web.rendering import TEMPLATES, message, readable_size

ALLOWED_SUFFIXES = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".odt",
    ".ods",
    ".jpg",
    ".jpeg",
    ".png",
    ".zip",
    ".txt",
)
TEXT_FIELDS = ("note", "difficulties", "proposals")
MAX_FILES = 20  # evidence files in one update
EXTENSION_PATH = "/gia-han"  # the extension request's form posts to the link's address + this
CLOSED = (Status.DONE, Status.CANCELLED, Status.AWAITING_REVIEW)  # no extension asked for these


router = APIRouter()


def _grant(request: Request, token: str) -> LinkGrant:
    settings: Settings = request.app.state.settings
    return read_token(request.app.state.secret, token, settings.link_max_age_days)


def _page(
    request: Request,
    task: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    status: int,
    figures: TaskFigures,
    extension: dict[str, Any] | None = None,
) -> Response:
    settings: Settings = request.app.state.settings
    nonce, form_token = csrf.issue(request, request.app.state.secret)
    decisions = task_decisions(request.app.state.engine, task)
    ask = extension or {}
    response = TEMPLATES.TemplateResponse(
        request,
        "update.html",
        {
            "task": task,
            "values": values,
            "errors": errors,
            "csrf_token": form_token,
            "action": request.url.path.removesuffix(EXTENSION_PATH),
            "statuses": [(s.value, LABELS[s]) for s in REPORTABLE],
            "status_label": LABELS[Status(task["status"])],
            "latest": figures.latest,
            "timezone": settings.timezone,
            "max_size": readable_size(settings.evidence_max_bytes),
            "max_files": MAX_FILES,
            "allowed": ", ".join(s.lstrip(".") for s in ALLOWED_SUFFIXES),
            # issue 22: the due date in force, the requests, a done awaiting confirmation
            "decisions": decisions,
            "can_ask": Status(task["status"]) not in CLOSED and decisions["pending"] is None,
            "notice_days": settings.extension_notice_days,
            "ask": ask.get("values", {}),
            "ask_errors": ask.get("errors", {}),
        },
        status_code=status,
    )
    # The form is opened from a mail link: its cookie is Secure when the links are https.
    csrf.set_cookie(response, nonce, settings.base_url.startswith("https://"))
    return response


@router.get("/cap-nhat/{token}", response_class=HTMLResponse)
def show(request: Request, settings: AppSettings, engine: DB, token: str) -> Response:
    try:
        grant = _grant(request, token)
        task = find_task(engine, grant.task)
    except LinkError as exc:
        return _link_refused(request, exc)
    figures = task_figures(engine, task["id"])
    return _page(request, task, _current(task, figures), {}, 200, figures)


def _current(task: dict[str, Any], figures: TaskFigures) -> dict[str, Any]:
    """The form's values as the task stands."""
    return {
        "version": task["version"],
        "status": task["status"],
        "progress": task["progress"],
        **figures.form_values(),  # the latest totals, to be corrected rather than added to
    }


async def _signed_form(
    request: Request, engine: Engine, token: str, max_fields: int, asking: bool
) -> tuple[LinkGrant, Any] | Response:
    """The link's grant and the form posted with it, or the page to answer instead: the
    link refused; over the multipart limits the form back with the message (in the extension
    request's part when `asking`), nothing stored; a CSRF token that does not hold; a form
    opened for one task sent with another's link."""
    try:
        grant = _grant(request, token)
    except LinkError as exc:
        return _link_refused(request, exc)
    try:
        form = await request.form(max_files=MAX_FILES, max_fields=max_fields)
    except StarletteHTTPException as exc:  # a multipart limit: the form back, nothing stored
        task = find_task(engine, grant.task)
        figures = task_figures(engine, task["id"])
        error = {"_form": http_texts(exc.status_code, exc.detail)[1]}
        current, code = _current(task, figures), exc.status_code
        if asking:
            back = {"values": {}, "errors": error}
            return _page(request, task, current, {}, code, figures, back)
        return _page(request, task, current, error, code, figures)
    try:
        csrf.verify(request, form.get(csrf.FIELD), request.app.state.secret)
    except csrf.CsrfError as exc:
        return message(
            request,
            403,
            "Biểu mẫu không hợp lệ",
            f"{exc}. Hãy mở lại đường dẫn trong thư rồi gửi lại.",
            "danger",
        )
    if form.get("task") != grant.task:
        text = "Biểu mẫu này thuộc một nhiệm vụ khác với đường dẫn; chưa lưu gì. Hãy mở lại đường dẫn trong thư."
        return message(request, 403, "Đường dẫn không khớp nhiệm vụ", text, "danger")
    return grant, form


@router.post("/cap-nhat/{token}", response_class=HTMLResponse)
async def save(request: Request, settings: AppSettings, engine: DB, token: str) -> Response:
    opened = await _signed_form(request, engine, token, max_fields=200, asking=False)
    if isinstance(opened, Response):
        return opened
    grant, form = opened
    task = find_task(engine, grant.task)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    files = [f for f in form.getlist("evidence") if isinstance(f, UploadFile) and f.filename]
    too_big = next((f for f in files if (f.size or 0) > settings.evidence_max_bytes), None)
    if too_big is not None:
        limit = readable_size(settings.evidence_max_bytes)
        return message(
            request,
            413,
            "Tệp quá lớn",
            f'Tệp "{too_big.filename}" vượt giới hạn {limit}; chưa lưu gì. Hãy nén hoặc chia nhỏ tệp rồi gửi lại.',
            "danger",
        )
    figures = task_figures(engine, task["id"])
    change, errors = read_change(task, values, files)
    if errors:
        return _page(request, task, values, errors, 422, figures)
    change = _without_unchanged(change, figures)
    try:
        stored = [await _keep(settings, f) for f in files]
        author = Author(grant.unit, "web", None, settings.timezone)
        version = int(values.get("version") or 0)
        record_update(engine, task["id"], change, author, version, None, stored, now(settings))
    except StaleVersionError as exc:
        newer = find_task(engine, grant.task)
        details = [
            ("Tình trạng", LABELS[Status(newer["status"])]),
            ("Tiến độ", f"{newer['progress']}%"),
            ("Phiên bản", str(newer["version"])),
        ]
        when = f" lúc {exc.at}" if exc.at else ""
        who = f" ({exc.by})" if exc.by else ""
        return message(
            request,
            409,
            f"Đã có người cập nhật{when}{who}",
            "Nhiệm vụ đã thay đổi từ khi anh/chị mở biểu mẫu; cập nhật của anh/chị chưa được lưu. Giá trị mới nhất:",
            "warning",
            details,
            request.url.path,
            "Mở lại biểu mẫu với giá trị mới",
        )
    except (TransitionError, DependencyOpenError, UpdateError, EvidenceTooLargeError) as exc:
        return _page(request, task, values, {"_form": exc.message}, 422, figures)
    updated = find_task(engine, grant.task)
    return message(
        request,
        200,
        "Đã lưu cập nhật",
        f"{updated['title']}: {LABELS[Status(updated['status'])]}, {updated['progress']}%. Cảm ơn anh/chị.",
        "notice",
        link=request.url.path,
        link_text="Cập nhật tiếp",
    )


@router.post("/cap-nhat/{token}" + EXTENSION_PATH, response_class=HTMLResponse)
async def ask_extension(
    request: Request, settings: AppSettings, engine: DB, token: str
) -> Response:
    """The lead unit's extension request: a new due date, a reason and evidence files if
    any (the update's limits). The rule (so many working days before the due date in force)
    is the library's; its refusal comes back as the form's message (422), nothing stored.
    Over the multipart limits (more than MAX_FILES files): the form back, 400; a file over
    the size limit: the form back with what was typed, 413; nothing stored either way."""
    opened = await _signed_form(request, engine, token, max_fields=20, asking=True)
    if isinstance(opened, Response):
        return opened
    grant, form = opened
    task = find_task(engine, grant.task)
    figures = task_figures(engine, task["id"])
    values = {k: v for k, v in form.items() if k in ("due", "reason") and isinstance(v, str)}
    errors: dict[str, str] = {}
    to = parse_day(values.get("due", ""))
    if to is None:
        errors["due"] = "Nhập hạn mới đề nghị, ví dụ 31/12/2024."
    else:
        values["due"] = to.isoformat()  # what a date input shows
    reason = values.get("reason", "").strip()
    if not reason:
        errors["reason"] = "Nêu lý do đề nghị gia hạn."
    elif len(reason) > 5000:
        errors["reason"] = "Lý do dài quá 5.000 ký tự; hãy viết gọn lại."
    files = [f for f in form.getlist("evidence") if isinstance(f, UploadFile) and f.filename]
    status = 422
    too_big = next((f for f in files if (f.size or 0) > settings.evidence_max_bytes), None)
    wrong = [f.filename for f in files if not (f.filename or "").lower().endswith(ALLOWED_SUFFIXES)]
    if too_big is not None:
        limit = readable_size(settings.evidence_max_bytes)
        errors["evidence"] = (
            f'Tệp "{too_big.filename}" vượt giới hạn {limit}; chưa lưu gì. '
            "Hãy nén hoặc chia nhỏ tệp rồi gửi lại."
        )
        status = 413
    elif wrong:
        errors["evidence"] = f"Loại tệp không nhận: {', '.join(str(w) for w in wrong)}."
    if to is not None and not errors:
        author = Author(grant.unit, "web", None, settings.timezone)
        try:
            stored = [await _keep(settings, f) for f in files]
            request_extension(
                engine,
                task["id"],
                to,
                reason,
                author,
                extension_rule(settings),
                now=now(settings),
                evidence=stored,
            )
        except KehoachError as exc:
            errors["_form"] = exc.message[:1].upper() + exc.message[1:] + "."
    if errors:
        extension = {"values": values, "errors": errors}
        return _page(request, task, _current(task, figures), {}, status, figures, extension)
    return message(
        request,
        200,
        "Đã gửi đề nghị gia hạn",
        f"Đề nghị gia hạn đến {to:%d/%m/%Y} đã được ghi, chờ phòng chủ trì kế hoạch quyết "
        "định. Quyết định sẽ hiện trên biểu mẫu cập nhật này.",
        "notice",
        [
            ("Nhiệm vụ", task["title"]),
            ("Hạn mới đề nghị", f"{to:%d/%m/%Y}"),
            *([("Minh chứng", ", ".join(str(f.filename) for f in files))] if files else []),
        ],
        link=request.url.path.removesuffix(EXTENSION_PATH),
        link_text="Về biểu mẫu cập nhật",
    )


async def _keep(settings: Settings, upload: UploadFile) -> Any:
    """Copy the spooled upload to a named file and store it by content hash."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.filename or "tep").name
        with path.open("wb") as out:
            await upload.seek(0)
            shutil.copyfileobj(upload.file, out)
        return store_evidence(path, settings.ensure_data_dir(), settings.evidence_max_bytes)


def _without_unchanged(change: UpdateIn, figures: TaskFigures) -> UpdateIn:
    """The figures the form sends back as they were pre-filled are not a new report: only
    a total that differs from the latest one reported is recorded."""
    actuals = {str(t.number): t.actual for t in figures.targets}
    spent = {line.source: line.spent for line in figures.lines}
    return replace(
        change,
        actuals={k: v for k, v in change.actuals.items() if actuals.get(k) != v},
        spending={k: v for k, v in change.spending.items() if spent.get(k) != v},
    )


def _link_refused(request: Request, exc: LinkError) -> Response:
    text = f"Đường dẫn cập nhật {exc.reason}."
    return message(
        request,
        403,
        "Đường dẫn không dùng được",
        text
        + " Đường dẫn mới có trong thư nhắc việc gần nhất; hoặc liên hệ phòng chủ trì kế hoạch để được gửi lại.",
        "danger",
    )


def read_change(
    task: dict[str, Any], values: dict[str, str], files: list[UploadFile]
) -> tuple[UpdateIn, dict[str, str]]:
    """The update the form asks for, and a message per field that is wrong."""
    errors: dict[str, str] = {}
    try:
        status = Status(values.get("status", ""))
    except ValueError:
        errors["status"] = "Chọn một tình trạng trong danh sách."
        status = Status(task["status"])
    progress = values.get("progress", "").strip().rstrip("%")
    if not progress.isdigit() or not 0 <= int(progress) <= 100:
        errors["progress"] = "Nhập một số nguyên từ 0 đến 100."
    actuals = {}
    for number, _ in enumerate(task["targets"], start=1):
        text = values.get(f"actual_{number}", "").strip()
        if text and not text.isdigit():
            errors[f"actual_{number}"] = "Nhập số nguyên không âm, ví dụ 12."
        elif text:
            actuals[str(number)] = int(text)
    spending = {}
    for line in task["funding"]:
        text = values.get(f"spent_{line['source']}", "").strip()
        if not text:
            continue
        try:
            spending[line["source"]] = parse_amount(text)
        except KehoachError:
            errors[f"spent_{line['source']}"] = "Nhập số tiền, ví dụ 30 triệu hoặc 30.000.000."
    wrong = [f.filename for f in files if not (f.filename or "").lower().endswith(ALLOWED_SUFFIXES)]
    if wrong:
        errors["evidence"] = f"Loại tệp không nhận: {', '.join(str(w) for w in wrong)}."
    texts = {name: (values.get(name) or "").strip() or None for name in TEXT_FIELDS}
    change = UpdateIn(
        status=status,
        progress=int(progress) if "progress" not in errors else None,
        actuals=actuals,
        spending=spending,
        note=texts["note"],
        difficulties=texts["difficulties"],
        proposals=texts["proposals"],
    )
    return change, errors
