"""Dashboard accounts: argon2-hashed passwords, roles, failed sign-ins, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from kehoach_flow.db.tables import API_TOKEN, LOGIN_FAILURE, USER
from kehoach_flow.errors import KehoachError

ROLES = ("viewer", "coordinator")
MIN_PASSWORD = 10
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5  # per username, and per address, within the window
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    name: str
    role: str
    session_version: int = 0  # bumped by sign-out: every session cookie made before it ends

    @property
    def can_edit(self) -> bool:
        return self.role == "coordinator"


class TooManyAttemptsError(KehoachError):
    pass


def add_user(engine: Engine, username: str, name: str, role: str, password: str) -> Account:
    if role not in ROLES:
        raise KehoachError(f'vai trò "{role}" không có; chọn viewer hoặc coordinator')
    if len(password) < MIN_PASSWORD:
        raise KehoachError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    username, name = username.strip().lower(), name.strip() or username
    row = {
        "username": username,
        "name": name,
        "role": role,
        "password_hash": _HASHER.hash(password),
        "created_at": datetime.now(UTC),
        "disabled": False,
    }
    try:
        with engine.begin() as conn:
            new_id = conn.execute(insert(USER).returning(USER.c.id), [row]).scalar_one()
    except IntegrityError:
        raise KehoachError(f'đã có tài khoản "{username}"') from None
    return Account(new_id, username, name, role)


def authenticate(engine: Engine, username: str, password: str, address: str) -> Account | None:
    """The account, or None for a wrong name or password; TooManyAttemptsError when this
    name or address failed too often lately (the password is then not even checked)."""
    username = username.strip().lower()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(LOGIN_FAILURE).where(LOGIN_FAILURE.c.at < now - FAILURE_WINDOW))
        recent = conn.execute(
            select(func.count())
            .select_from(LOGIN_FAILURE)
            .where(or_(LOGIN_FAILURE.c.username == username, LOGIN_FAILURE.c.address == address))
        ).scalar_one()
        if recent >= MAX_FAILURES:
            raise TooManyAttemptsError("đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút")
        row = conn.execute(select(USER).where(USER.c.username == username)).first()
        # An unknown name is checked against a dummy hash of the same cost, so the answer
        # takes as long as for a known name and does not tell which names exist.
        matches = _verify(_dummy_hash() if row is None else row.password_hash, password)
        if row is not None and matches and not row.disabled:
            if _HASHER.check_needs_rehash(row.password_hash):
                conn.execute(
                    update(USER)
                    .where(USER.c.id == row.id)
                    .values(password_hash=_HASHER.hash(password))
                )
            return _account(row)
        conn.execute(insert(LOGIN_FAILURE), [{"username": username, "address": address, "at": now}])
    return None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash no password matches in practice, made with the same parameters as real ones."""
    return _HASHER.hash(secrets.token_urlsafe(32))


def _account(row: Any) -> Account:
    return Account(row.id, row.username, row.name, row.role, row.session_version)


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def account(engine: Engine, user_id: int) -> Account | None:
    with engine.connect() as conn:
        row = conn.execute(select(USER).where(USER.c.id == user_id)).first()
    if row is None or row.disabled:
        return None
    return _account(row)


def session_account(engine: Engine, user_id: int, session_version: int) -> Account | None:
    """The account a session cookie names, if that session was not ended since."""
    found = account(engine, user_id)
    return found if found is not None and found.session_version == session_version else None


def end_sessions(engine: Engine, user_id: int) -> None:
    """Sign-out: every session of this account made so far stops working, on every device."""
    with engine.begin() as conn:
        conn.execute(
            update(USER)
            .where(USER.c.id == user_id)
            .values(session_version=USER.c.session_version + 1)
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(engine: Engine, username: str, name: str) -> str:
    """A new API token for `username`; shown once, stored only as a hash."""
    with engine.begin() as conn:
        user_id = conn.execute(
            select(USER.c.id).where(USER.c.username == username.lower())
        ).scalar()
        if user_id is None:
            raise KehoachError(f'không có tài khoản "{username}"')
        token = "kh_" + secrets.token_urlsafe(32)
        row = {
            "user_id": user_id,
            "name": name,
            "token_hash": _digest(token),
            "created_at": datetime.now(UTC),
        }
        conn.execute(insert(API_TOKEN), [row])
    return token


def token_account(engine: Engine, token: str) -> Account | None:
    with engine.begin() as conn:
        row = conn.execute(
            select(API_TOKEN).where(API_TOKEN.c.token_hash == _digest(token))
        ).first()
        if row is None:
            return None
        conn.execute(
            update(API_TOKEN).where(API_TOKEN.c.id == row.id).values(last_used_at=datetime.now(UTC))
        )
    return account(engine, row.user_id)


# Built once: every signed-in page and API request asks it, so only the columns an Account
# needs, with the id as a parameter (a statement built per call costs 4-5 times the query).
_SESSION_ROW = select(
    USER.c.id,
    USER.c.username,
    USER.c.name,
    USER.c.role,
    USER.c.session_version,
    USER.c.disabled,
).where(USER.c.id == bindparam("user_id"))


def live_session(engine: Engine, user_id: int, session_version: int) -> Account | None:
    """`session_account` in one prebuilt query: the account a session cookie names, if it is
    enabled and that session was not ended since (read from the database on every call, so a
    sign-out or a disabled account takes effect at once in every process)."""
    with engine.connect() as conn:
        row = conn.execute(_SESSION_ROW, {"user_id": user_id}).first()
    if row is None or row.disabled or row.session_version != session_version:
        return None
    return _account(row)
