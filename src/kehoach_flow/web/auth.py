"""Sessions for managers and coordinators: a signed, expiring cookie naming the user and the
account's session version (sign-out bumps it, so the cookie stops working on the server side
too), and the sign-in and sign-out pages. Pages that need an account redirect to the sign-in page.

An account whose password an admin reset signs in with the temporary one to a page that asks
for a new one (/doi-mat-khau) and nothing else: it gets no session cookie, only a short-lived
one for that page, until it has set the new password. Any signed-in account changes its own
password there too, giving the current one."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import cast
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from kehoach_flow.accounts import (
    MIN_PASSWORD,
    Account,
    PasswordError,
    TooManyAttemptsError,
    authenticate,
    change_password,
    end_sessions,
    live_session,
    password_pending,
)
from kehoach_flow.accounts.audit import record
from kehoach_flow.settings import Settings
from kehoach_flow.web import csrf
from kehoach_flow.web.rendering import TEMPLATES, render

COOKIE = "kehoach_session"
# After a sign-in with a temporary password: who may set a new one, for a quarter of an hour,
# sent only to the page that sets it.
PENDING_COOKIE, PENDING_PATH, PENDING_SECONDS = "kehoach_new_password", "/doi-mat-khau", 900
_UNREAD = object()  # request.state.account before the cookie is read

router = APIRouter()


class Forbidden(Exception):
    """Signed in, but the role does not allow this (a viewer posting)."""


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return _serializer_for(settings.resolved_secret_key())


@lru_cache(maxsize=8)
def _serializer_for(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="kehoach-session")


def current_account(request: Request) -> Account | None:
    """The signed-in account, read once per request (for a caller already off the event
    loop: the API's token check, sign-out)."""
    found = getattr(request.state, "account", _UNREAD)
    if found is _UNREAD:
        signed = _cookie_session(request)
        found = None if signed is None else _checked(request, signed)
        if signed is not None and found is _UNREAD:
            found = _check(request, signed)
        request.state.account = found
    return cast(Account | None, found)


async def signed_in_account(request: Request) -> Account | None:
    """`current_account` for a dependency on the event loop: a session checked in the last
    SESSION_TTL seconds is taken from memory, else the database is read in a worker thread."""
    found = getattr(request.state, "account", _UNREAD)
    if found is _UNREAD:
        signed = _cookie_session(request)
        found = None if signed is None else _checked(request, signed)
        if signed is not None and found is _UNREAD:
            found = await run_in_threadpool(_check, request, signed)
        request.state.account = found
    return cast(Account | None, found)


def _cookie_session(request: Request) -> tuple[int, int] | None:
    """(user id, session version) of the request's session cookie, if signed by us and not
    older than KEHOACH_SESSION_HOURS."""
    state = request.app.state
    raw = request.cookies.get(COOKIE)
    signed = _signed_session(state.secret, raw) if raw else None
    if signed is None:
        return None
    user_id, session_version, signed_at = signed
    # The age as itsdangerous's max_age judges it, in whole seconds, on every request.
    if not 0 <= int(time.time()) - signed_at <= int(state.settings.session_hours * 3600):
        return None
    return user_id, session_version


# A session the database confirmed is trusted for SESSION_TTL seconds by this process: a
# page under load then costs no query and no thread hop for it. Sign-out forgets the
# account's sessions here at once; another worker process (kehoach web --workers N) stops
# accepting them within SESSION_TTL, and so does every process for a disabled account.
SESSION_TTL = 1.0


def _sessions(request: Request) -> dict[tuple[int, int], tuple[float, Account]]:
    """This app's confirmed sessions (one dict per app: each has its own database)."""
    state = request.app.state
    sessions = getattr(state, "sessions", None)
    if sessions is None:
        sessions = state.sessions = {}
    return cast(dict[tuple[int, int], tuple[float, Account]], sessions)


def _checked(request: Request, signed: tuple[int, int]) -> Account | object:
    """The account of a session confirmed less than SESSION_TTL seconds ago, else _UNREAD."""
    entry = _sessions(request).get(signed)
    if entry is not None and time.monotonic() - entry[0] < SESSION_TTL:
        return entry[1]
    return _UNREAD


def _check(request: Request, signed: tuple[int, int]) -> Account | None:
    """Ask the database whether the session still holds, and remember a yes."""
    sessions = _sessions(request)
    found = live_session(request.app.state.engine, *signed)
    if found is None:
        sessions.pop(signed, None)
    else:
        if len(sessions) > 10_000:  # only expired ones could be that many: start afresh
            sessions.clear()
        sessions[signed] = (time.monotonic(), found)
    return found


def forget(request: Request, user_id: int) -> None:
    """Sign-out, a disabled account, a password reset: this process stops trusting every
    session of the account at once."""
    sessions = _sessions(request)
    for signed in [s for s in list(sessions) if s[0] == user_id]:
        sessions.pop(signed, None)


@lru_cache(maxsize=1024)
def _signed_session(secret: str, raw: str) -> tuple[int, int, int] | None:
    """(user id, session version, signed at in Unix seconds) of a session cookie whose
    signature holds, else None. A browser sends the same cookie for hours: its signature is
    checked once, its age and session on every request."""
    try:
        value, signed_at = _serializer_for(secret).loads(raw, return_timestamp=True)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        return None  # a cookie from before session versions, or not ours
    return value[0], value[1], int(signed_at.timestamp())


def login_redirect(next_path: str) -> Response:
    return RedirectResponse(f"/dang-nhap?next={quote(next_path)}", status_code=303)


def _form(
    request: Request, next_path: str, error: str, status: int, username: str = ""
) -> Response:
    state = request.app.state
    nonce, token = csrf.issue(request, state.secret)
    context = {"csrf_token": token, "next": next_path, "error": error, "username": username}
    response = TEMPLATES.TemplateResponse(request, "login.html", context, status_code=status)
    csrf.set_cookie(response, nonce, state.settings.cookie_secure)
    return response


@router.get("/dang-nhap")
def show(request: Request, next: str = "/") -> Response:
    return _form(request, _safe(next), "", 200)


@router.post("/dang-nhap")
async def sign_in(request: Request) -> Response:
    state = request.app.state
    settings: Settings = state.settings
    data = await request.form()
    next_path = _safe(str(data.get("next") or "/"))
    try:
        csrf.verify(request, data.get(csrf.FIELD), state.secret)
    except csrf.CsrfError as exc:
        return _form(request, next_path, f"{exc}; hãy thử lại.", 403)
    username = str(data.get("username") or "")
    address = request.client.host if request.client else "?"
    password = str(data.get("password") or "")
    try:  # the password hash takes a tenth of a second: off the event loop
        found = await run_in_threadpool(authenticate, state.engine, username, password, address)
    except TooManyAttemptsError as exc:
        return _form(request, next_path, exc.message.capitalize() + ".", 429, username)
    if found is None:
        return _form(request, next_path, "Sai tên đăng nhập hoặc mật khẩu.", 401, username)
    if found.must_change_password:  # a temporary password: a new one before anything else
        response = RedirectResponse(f"{PENDING_PATH}?next={quote(next_path)}", status_code=303)
        response.set_cookie(
            PENDING_COOKIE,
            _pending_serializer(state.secret).dumps([found.id, found.session_version]),
            max_age=PENDING_SECONDS,
            path=PENDING_PATH,
            httponly=True,
            samesite="strict",
            secure=settings.cookie_secure,
        )
        return response
    response = RedirectResponse(next_path, status_code=303)
    _start_session(response, settings, state.secret, found)
    return response


def _start_session(response: Response, settings: Settings, secret: str, found: Account) -> None:
    response.set_cookie(
        COOKIE,
        _serializer_for(secret).dumps([found.id, found.session_version]),
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


@lru_cache(maxsize=8)
def _pending_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="kehoach-new-password")


def _pending_account(request: Request) -> Account | None:
    """The account that signed in with a temporary password in this browser, in the last
    quarter of an hour, and has not set a new one since."""
    raw = request.cookies.get(PENDING_COOKIE)
    if not raw:
        return None
    try:
        value = _pending_serializer(request.app.state.secret).loads(raw, max_age=PENDING_SECONDS)
    except BadSignature:  # SignatureExpired included
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        return None
    found: Account | None = password_pending(request.app.state.engine, value[0], value[1])
    return found


def _password_page(
    request: Request,
    next_path: str,
    pending: bool,
    user: Account | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    done: bool = False,
) -> Response:
    context = {
        "next": next_path,
        "pending": pending,
        "user": user,
        "errors": errors or {},
        "done": done,
        "min_password": MIN_PASSWORD,
    }
    return render(request, "password.html", context, status)


@router.get(PENDING_PATH)
async def password_form(request: Request, next: str = "/") -> Response:
    """Set a new password: after a sign-in with a temporary one, or one's own at any time."""
    next_path = _safe(next)
    user = await signed_in_account(request)
    if user is not None:
        return _password_page(request, next_path, False, user)
    pending = await run_in_threadpool(_pending_account, request)
    if pending is None:
        return login_redirect(PENDING_PATH)
    return _password_page(request, next_path, True, None)


@router.post(PENDING_PATH)
async def password_set(request: Request) -> Response:
    state = request.app.state
    data = await request.form()
    next_path = _safe(str(data.get("next") or "/"))
    user = await signed_in_account(request)
    pending = None if user is not None else await run_in_threadpool(_pending_account, request)
    if user is None and pending is None:
        return login_redirect(PENDING_PATH)
    try:
        csrf.verify(request, data.get(csrf.FIELD), state.secret)
    except csrf.CsrfError as exc:
        errors = {"form": f"{str(exc).capitalize()}; hãy thử lại."}
        return _password_page(request, next_path, user is None, user, errors, 403)
    new, again = str(data.get("new") or ""), str(data.get("confirm") or "")
    current = None if user is None else str(data.get("current") or "")
    errors = {}
    if user is not None and not current:
        errors["current"] = "Nhập mật khẩu hiện tại."
    if len(new) < MIN_PASSWORD:
        errors["new"] = f"Mật khẩu mới cần ít nhất {MIN_PASSWORD} ký tự."
    elif new != again:
        errors["confirm"] = "Hai lần nhập mật khẩu mới không giống nhau."
    if errors:
        return _password_page(request, next_path, user is None, user, errors, 422)
    account = user or pending
    assert account is not None
    address = request.client.host if request.client else "?"
    try:
        changed = await run_in_threadpool(
            change_password, state.engine, account.id, new, current=current, address=address
        )
    except TooManyAttemptsError as exc:
        errors = {"current": exc.message.capitalize() + "."}
        return _password_page(request, next_path, user is None, user, errors, 429)
    except PasswordError as exc:
        errors = {exc.field: exc.message}
        return _password_page(request, next_path, user is None, user, errors, 422)
    forget(request, account.id)
    response: Response
    if user is None:
        response = RedirectResponse(next_path, status_code=303)
    else:
        response = _password_page(request, next_path, False, changed, done=True)
    _start_session(response, state.settings, state.secret, changed)
    response.delete_cookie(PENDING_COOKIE, path=PENDING_PATH)
    return response


@router.post("/dang-xuat")
async def sign_out(request: Request) -> Response:
    data = await request.form()
    try:
        csrf.verify(request, data.get(csrf.FIELD), request.app.state.secret)
    except csrf.CsrfError:
        return RedirectResponse("/", status_code=303)
    signed_in = current_account(request)
    if signed_in is not None:
        engine = request.app.state.engine
        end_sessions(engine, signed_in.id)
        address = request.client.host if request.client else None
        name = signed_in.username
        record(engine, name, "sign_out", name, None, address, unit_key=signed_in.unit_key)
        forget(request, signed_in.id)
    response = RedirectResponse("/dang-nhap", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _safe(path: str) -> str:
    """Only paths on this site: no open redirect through ?next=."""
    return path if path.startswith("/") and not path.startswith("//") else "/"
