"""Loading a plan file from the browser (/dinh-nghia), for coordinators: validate it, show
the errors with their lines or what would change, then apply it as `kehoach load` would.

Only within the account's scope (accounts/scope.py `plan_upload_refusal`): a file whose plan is
coordinated outside it, or that would replace such a file, is refused before anything is
previewed or kept, with the reason in Vietnamese. Applied and refused uploads are in the audit
log."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine
from starlette.datastructures import UploadFile

from kehoach_flow.accounts import Account
from kehoach_flow.accounts import audit as audit_log
from kehoach_flow.accounts.scope import plan_file_heads, plan_upload_refusal
from kehoach_flow.db.sync import LoadSummary
from kehoach_flow.definitions.source import read_yaml
from kehoach_flow.errors import DefinitionError, KehoachError
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.deps import DB, AppSettings, Coordinator
from kehoach_flow.web.rendering import form_refused, message, render

MAX_PLAN_BYTES = 2 * 1024 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.ya?ml$")

router = APIRouter()


@router.get("/dinh-nghia", response_class=HTMLResponse)
def definitions(request: Request, user: Coordinator) -> Response:
    return render(request, "definitions.html", {"user": user})


@router.post("/dinh-nghia", response_class=HTMLResponse)
async def preview(
    request: Request, user: Coordinator, settings: AppSettings, engine: DB
) -> Response:
    form = await request.form(max_files=1)
    refused = form_refused(request, form)
    if refused is not None:
        return refused
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(
            request,
            "definitions.html",
            {"user": user, "error": "Chọn một tệp kế hoạch .yaml."},
            422,
        )
    name = Path(upload.filename).name
    if not SAFE_NAME.match(name):
        return render(
            request,
            "definitions.html",
            {
                "user": user,
                "error": "Tên tệp cần dạng ten-ke-hoach.yaml (chữ không dấu, số, dấu gạch).",
            },
            422,
        )
    if (upload.size or 0) > MAX_PLAN_BYTES:
        return message(
            request, 413, "Tệp quá lớn", "Tệp kế hoạch vượt 2 MB; chưa nạp gì.", "danger"
        )
    content = await upload.read()
    digest = hashlib.sha256(content).hexdigest()
    staged = _stage(settings, name, content)
    try:
        refusal = plan_upload_refusal(
            engine, user, staged / "plans" / name, settings.definitions / "plans" / name
        )
        if refusal is not None:  # before the preview: it would show the plan as it stands
            _audit_refusal(request, engine, user, name, refusal)
            context = {"user": user, "name": name, "error": refusal}
            return render(request, "definitions.html", context, 403)
        summary = load_path(engine, staged / "plans" / name, preview=True)
    except DefinitionError as exc:
        problems = [
            f"{name}:{p.line}:{p.column}: {p.message}" if p.file.endswith(name) else str(p)
            for p in exc.problems
        ]
        return render(
            request, "definitions.html", {"user": user, "name": name, "problems": problems}, 422
        )
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    taken = _key_taken(settings.definitions, [p.key for p in summary.plans], name)
    if taken:
        context = {"user": user, "name": name, "error": taken}
        return render(request, "definitions.html", context, 409)
    uploads = settings.ensure_data_dir() / "uploads"
    uploads.mkdir(exist_ok=True)
    (uploads / f"{digest}.yaml").write_bytes(content)
    context = {"user": user, "name": name, "digest": digest, "changes": _changes(summary)}
    return render(request, "definitions.html", context)


@router.post("/dinh-nghia/ap-dung", response_class=HTMLResponse)
async def apply(request: Request, user: Coordinator, settings: AppSettings, engine: DB) -> Response:
    form = await request.form()
    refused = form_refused(request, form)
    if refused is not None:
        return refused
    name, digest = str(form.get("name") or ""), str(form.get("digest") or "")
    source = settings.data_dir / "uploads" / f"{digest}.yaml"
    if (
        not SAFE_NAME.match(name)
        or not re.fullmatch(r"[0-9a-f]{64}", digest)
        or not source.is_file()
    ):
        return message(
            request,
            400,
            "Không tìm thấy tệp đã kiểm tra",
            "Hãy tải tệp lên và kiểm tra lại.",
            "warning",
        )
    target = settings.definitions / "plans" / name
    refusal = plan_upload_refusal(engine, user, source, target)
    if refusal is not None:  # the file there, or the account's scope, changed since
        source.unlink()
        _audit_refusal(request, engine, user, name, refusal)
        return message(request, 403, "Không được nạp tệp này", refusal, "danger")
    taken = _key_taken(settings.definitions, _plan_keys(source), name)
    if taken:  # another file took the key since the preview
        return message(request, 409, "Trùng khóa kế hoạch", taken, "warning")
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = target.read_bytes() if target.exists() else None
    partial = target.with_suffix(".part")
    partial.write_bytes(source.read_bytes())
    partial.replace(target)
    try:
        summary = load_path(engine, target)
    except KehoachError:
        if previous is None:  # the definitions on disk stay as the database has them
            target.unlink()
        else:
            target.write_bytes(previous)
        raise
    source.unlink()
    heads = plan_file_heads(target)
    audit_log.record(
        engine,
        user.username,
        "plan_uploaded",
        ", ".join(sorted(heads)) or name,
        f"tệp plans/{name}",
        _address(request),
        unit_key=next(iter(heads.values()), None) or None,  # the plan's coordinator
    )
    context = {"user": user, "name": name, "applied": True, "changes": _changes(summary)}
    return render(request, "definitions.html", context)


def _audit_refusal(request: Request, engine: Engine, user: Account, name: str, reason: str) -> None:
    """A refused upload, under the account's own unit: its admins see what it tried."""
    audit_log.record(
        engine,
        user.username,
        "plan_upload_refused",
        f"plans/{name}",
        reason,
        _address(request),
        unit_key=user.unit_key,
    )


def _address(request: Request) -> str | None:
    return request.client.host if request.client is not None else None


def _stage(settings: Settings, name: str, content: bytes) -> Path:
    """A scratch copy of the definitions with the uploaded file in plans/, for a dry run."""
    staged = Path(tempfile.mkdtemp(prefix="kehoach-upload-"))
    shutil.copytree(settings.definitions, staged, dirs_exist_ok=True)
    (staged / "plans").mkdir(exist_ok=True)
    (staged / "plans" / name).write_bytes(content)
    return staged


def _plan_keys(path: Path) -> list[str]:
    doc, _ = read_yaml(path)
    plan = doc.data.get("plan") if isinstance(doc.data, dict) else None
    key = plan.get("key") if isinstance(plan, dict) else None
    return [key] if isinstance(key, str) else []


def _key_taken(definitions: Path, keys: list[str], name: str) -> str | None:
    """Why the upload `name` may not hold these plan keys: another file under the
    definitions already does (`kehoach load` would then refuse the whole folder)."""
    target = (definitions / "plans" / name).resolve()
    files = sorted(p for p in definitions.rglob("*") if p.suffix in (".yaml", ".yml"))
    for path in files:
        if path.resolve() == target or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if not any(key in text for key in keys):
            continue
        for key in set(keys) & set(_plan_keys(path)):
            where = path.relative_to(definitions).as_posix()
            replace = (
                f'Để thay kế hoạch đó, tải tệp lên với tên "{path.name}"; nếu là kế hoạch khác, '
                if path.parent.resolve() == target.parent
                else "Nếu là kế hoạch khác, "
            )
            return (
                f'Kế hoạch "{key}" đã có trong tệp {where}; chưa nạp gì. {replace}'
                "đổi khóa kế hoạch."
            )
    return None


def _changes(summary: LoadSummary) -> list[dict[str, Any]]:
    states = {"new": "kế hoạch mới", "changed": "thay đổi", "unchanged": "không đổi"}
    return [
        {
            "key": p.key,
            "state": states.get(p.state, p.state),
            "added": p.added,
            "updated": p.updated,
            "archived": p.archived,
            "restored": p.restored,
            "renamed": [f"{old} → {new}" for old, new in p.renamed],
        }
        for p in summary.plans
    ]
