"""Accounts in the browser (/tai-khoan): an admin creates, disables and re-enables the
accounts within its scope, resets a password (a temporary one, shown once, replaced at the
next sign-in), revokes API tokens; and reads the audit log of its scope (/nhat-ky).

Every action is a POST with the form's CSRF token, checked on the server against the scope
rule (accounts/scope.py): an account outside the admin's scope answers 404, as one that does
not exist; a unit outside it cannot be given. Each change is in the audit log.

A new account gets a generated temporary password rather than one the admin types: it is
random (an admin's choice is often reused or guessable), shown once to be handed over, and
the account must replace it at its first sign-in, as after a reset."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRouter
from sqlalchemy import Engine

from kehoach_flow.accounts import (
    ROLE_LABELS,
    ROLES,
    WHOLE_INSTALLATION,
    Account,
    UnitChoice,
    add_user,
    find_user,
    reset_password,
    revoke_token,
    set_disabled,
    temporary_password,
    tokens_of,
    unit_choices,
)
from kehoach_flow.accounts.audit import GROUPS, AuditEntry
from kehoach_flow.accounts.scope import (
    audit_entries,
    can_assign_unit,
    can_manage,
    managed_accounts,
    subtree,
)
from kehoach_flow.db.queries import list_plans
from kehoach_flow.errors import KehoachError, NotFoundError
from kehoach_flow.web.auth import Forbidden, forget
from kehoach_flow.web.deps import DB, SignedIn
from kehoach_flow.web.rendering import form_refused, message, render

router = APIRouter()

AUDIT_PAGE = 50  # entries per page of /nhat-ky
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
MAX_NAME = 200
WHOLE = "*"  # the unit field's value for the whole installation ("": none chosen yet)


async def admin(user: SignedIn) -> Account:
    """A signed-in admin; anyone else gets the 403 page."""
    if not user.is_admin:
        raise Forbidden("Trang này dành cho tài khoản quản trị.")
    return user


Admin = Annotated[Account, Depends(admin)]


@dataclass
class Outcome:
    """What an action on /tai-khoan did, for the page that follows it."""

    notice: str = ""
    status: int = 200
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    password_for: str = ""  # the account whose temporary password is shown, once
    password: str = ""


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _units_for(engine: Engine, user: Account) -> list[UnitChoice]:
    """The units `user` may give an account: its subtree (every unit for a whole-installation
    admin)."""
    units = unit_choices(engine)
    if user.unit_key is None:
        return units
    allowed = subtree({u.key: u.parent_key for u in units}, user.unit_key)
    return [u for u in units if u.key in allowed]


def _accounts_page(request: Request, engine: Engine, user: Account, outcome: Outcome) -> Response:
    accounts = managed_accounts(engine, user)
    context: dict[str, Any] = {
        "user": user,
        "accounts": accounts,
        "tokens": tokens_of(engine, [info.account.id for info in accounts]),
        "units": _units_for(engine, user),
        "whole_allowed": user.unit_key is None,
        "whole_name": WHOLE_INSTALLATION,
        "roles": [(role, ROLE_LABELS[role]) for role in ROLES],
        "role_labels": ROLE_LABELS,
        "outcome": outcome,
        "values": outcome.values or {"role": "viewer", "unit": ""},  # the unit: a choice
        "errors": outcome.errors,
    }
    response = render(request, "people.html", context, outcome.status)
    response.headers["Cache-Control"] = "no-store"  # a temporary password may be on it
    return response


@router.get("/tai-khoan", response_class=HTMLResponse)
def accounts_page(request: Request, user: Admin, engine: DB) -> Response:
    return _accounts_page(request, engine, user, Outcome())


def _new_account(
    engine: Engine, user: Account, form: dict[str, str], address: str | None
) -> Outcome:
    username = form.get("username", "").strip().lower()
    name = " ".join(form.get("name", "").split())
    role = form.get("role", "")
    unit = form.get("unit", "")
    values = {"username": username, "name": name, "role": role, "unit": unit}
    errors: dict[str, str] = {}
    if not USERNAME.fullmatch(username):
        errors["username"] = (
            "Tên đăng nhập gồm 2–80 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang "
            "hoặc gạch dưới, bắt đầu bằng chữ hoặc số."
        )
    elif find_user(engine, username) is not None:
        errors["username"] = f"Đã có tài khoản “{username}”; chọn tên khác."
    if not name:
        errors["name"] = "Nhập họ tên người dùng hoặc tên phòng."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Họ tên dài quá {MAX_NAME} ký tự."
    if role not in ROLES:
        errors["role"] = "Chọn một vai trò trong danh sách."
    unit_key = None if unit == WHOLE else unit
    if not unit:
        errors["unit"] = "Chọn đơn vị của tài khoản: tài khoản chỉ thấy việc của đơn vị này."
    elif unit_key is not None and unit_key not in {u.key for u in unit_choices(engine)}:
        errors["unit"] = "Chọn một đơn vị trong danh sách."
    elif not can_assign_unit(engine, user, unit_key):
        errors["unit"] = (
            "Đơn vị này ngoài phạm vi quản lý của anh/chị; chọn đơn vị trong danh sách."
        )
    if errors:
        return Outcome(status=422, errors=errors, values=values)
    password = temporary_password()
    try:
        add_user(
            engine,
            username,
            name,
            role,
            password,
            unit_key,
            actor=user.username,
            address=address,
            must_change_password=True,
        )
    except KehoachError as exc:  # created meanwhile under the same name
        return Outcome(
            status=409, errors={"username": exc.message.capitalize() + "."}, values=values
        )
    return Outcome(notice=f"Đã tạo tài khoản {username}.", password_for=username, password=password)


@router.post("/tai-khoan", response_class=HTMLResponse)
async def create_account(request: Request, user: Admin, engine: DB) -> Response:
    form = await request.form()
    refused = form_refused(request, form)
    if refused is not None:
        return refused
    fields = {key: str(form.get(key) or "") for key in ("username", "name", "role", "unit")}
    outcome = await run_in_threadpool(_new_account, engine, user, fields, _address(request))
    return await run_in_threadpool(_accounts_page, request, engine, user, outcome)


def _managed(engine: Engine, user: Account, username: str) -> Account:
    """The account `user` manages by this name; 404 alike for one that does not exist and
    one outside the scope (its existence is not told)."""
    other = find_user(engine, username)
    if other is None or not can_manage(engine, user, other):
        raise NotFoundError("tài khoản", username)
    return other


def _act(request: Request, engine: Engine, user: Account, username: str, action: str) -> Outcome:
    other = _managed(engine, user, username)
    address = _address(request)
    if other.id == user.id and action in ("disable", "reset"):
        what = "khóa" if action == "disable" else "đặt lại mật khẩu của"
        text = f"Không thể tự {what} tài khoản đang dùng; nhờ một quản trị viên khác."
        return Outcome(status=400, errors={"action": text})
    if action == "disable":
        set_disabled(engine, other.username, True, actor=user.username, address=address)
        forget(request, other.id)
        return Outcome(
            notice=f"Đã khóa tài khoản {other.username}: mọi phiên đăng nhập và mã API của "
            "tài khoản đã ngừng."
        )
    if action == "enable":
        set_disabled(engine, other.username, False, actor=user.username, address=address)
        return Outcome(notice=f"Đã mở lại tài khoản {other.username}.")
    password = reset_password(engine, other.username, actor=user.username, address=address)
    forget(request, other.id)
    return Outcome(
        notice=f"Đã đặt lại mật khẩu của tài khoản {other.username}.",
        password_for=other.username,
        password=password,
    )


ACTIONS = {"khoa": "disable", "mo-lai": "enable", "dat-lai-mat-khau": "reset"}


@router.post("/tai-khoan/{username}/{verb}", response_class=HTMLResponse)
async def account_action(
    request: Request, user: Admin, engine: DB, username: str, verb: str
) -> Response:
    if verb not in ACTIONS:
        raise NotFoundError("trang", f"/tai-khoan/{username}/{verb}")
    form = await request.form()
    refused = form_refused(request, form)
    if refused is not None:
        return refused
    outcome = await run_in_threadpool(_act, request, engine, user, username, ACTIONS[verb])
    return await run_in_threadpool(_accounts_page, request, engine, user, outcome)


def _revoke(request: Request, engine: Engine, user: Account, username: str, token: str) -> Outcome:
    other = _managed(engine, user, username)
    revoked = (
        revoke_token(
            engine, other.username, int(token), actor=user.username, address=_address(request)
        )
        if token.isdigit() and len(token) < 12
        else None
    )
    if revoked is None:
        raise NotFoundError("mã truy cập API", token)
    return Outcome(
        notice=f"Đã thu hồi mã truy cập API “{revoked}” của tài khoản {other.username}; "
        "mã này không dùng được nữa."
    )


@router.post("/tai-khoan/{username}/ma/{token}/thu-hoi", response_class=HTMLResponse)
async def revoke(request: Request, user: Admin, engine: DB, username: str, token: str) -> Response:
    form = await request.form()
    refused = form_refused(request, form)
    if refused is not None:
        return refused
    outcome = await run_in_threadpool(_revoke, request, engine, user, username, token)
    return await run_in_threadpool(_accounts_page, request, engine, user, outcome)


# --- the audit log ------------------------------------------------------------------------


@router.get("/nhat-ky", response_class=HTMLResponse)
def audit_page(
    request: Request, user: Admin, engine: DB, truoc: str = "", viec: str = ""
) -> Response:
    """The audit log of the admin's scope, newest first, AUDIT_PAGE entries a page; `truoc`
    (before): the id of the last entry of the previous page; `viec` (what): a group of
    actions (audit.GROUPS), all when empty."""
    before = int(truoc) if truoc.isdigit() and len(truoc) < 12 else None
    if (truoc and before is None) or (viec and viec not in GROUPS):
        return message(
            request,
            400,
            "Địa chỉ không hợp lệ",
            "Trang nhật ký này không có; hãy mở lại nhật ký từ đầu.",
            "warning",
            link="/nhat-ky",
            link_text="Về nhật ký mới nhất",
            user=user,
        )
    actions = GROUPS[viec][1] if viec else frozenset()
    entries: list[AuditEntry] = audit_entries(
        engine, user, limit=AUDIT_PAGE + 1, before_id=before, actions=actions
    )
    more = len(entries) > AUDIT_PAGE
    entries = entries[:AUDIT_PAGE]
    context = {
        "user": user,
        "entries": entries,
        "older": entries[-1].id if more and entries else None,
        "first_page": before is None,
        "page_size": AUDIT_PAGE,
        "groups": [(slug, label) for slug, (label, _) in GROUPS.items()],
        "group": viec,
        "query": partial(_audit_query, viec),
        "plan_titles": {p["key"]: p["title"] for p in list_plans(engine, include_archived=True)},
    }
    return render(request, "audit.html", context)


def _audit_query(group: str, **extra: Any) -> str:
    """The query string of an audit page address: the group kept, `extra` added."""
    return urlencode({k: v for k, v in {"viec": group, **extra}.items() if v})
