"""Dashboard accounts: argon2-hashed passwords, roles, units, failed sign-ins, API tokens.

An account belongs to one unit (`unit_key`, a key of the units tree) or, with None, to the
whole installation (every account made before units existed). What it may see and change is
decided in `kehoach_flow.accounts.scope`; sign-ins and account changes go to the audit log
(`kehoach_flow.accounts.audit`)."""

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

from kehoach_flow.accounts.audit import record
from kehoach_flow.db.tables import API_TOKEN, LOGIN_FAILURE, UNIT, USER
from kehoach_flow.errors import KehoachError

# Each role may do what the ones before it may: a coordinator reads, an admin also edits.
ROLES = ("viewer", "coordinator", "admin")
ROLE_LABELS = {"viewer": "xem", "coordinator": "phòng chủ trì", "admin": "quản trị"}
WHOLE_INSTALLATION = "Toàn hệ thống"  # how an account with no unit is shown
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
    unit_key: str | None = None  # None: the whole installation
    # An admin reset the password: the account signs in only to set a new one (no session,
    # no API token works until it has).
    must_change_password: bool = False

    @property
    def can_edit(self) -> bool:
        """The role edits (within its scope: `scope.can_edit_plan` says which plans)."""
        return self.role in ("coordinator", "admin")

    @property
    def is_admin(self) -> bool:
        """The role manages accounts (within its scope: `scope.can_manage`)."""
        return self.role == "admin"


@dataclass(frozen=True)
class AccountInfo:
    """An account as `kehoach user list` and the accounts page show it."""

    account: Account
    disabled: bool
    created_at: datetime
    unit_name: str  # the unit's name, WHOLE_INSTALLATION, or the key of a unit no longer known
    unit_short: str  # its short name where units.yaml gives one (tables), else unit_name


@dataclass(frozen=True)
class TokenInfo:
    """An API token as the accounts page lists it (never the token itself)."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class UnitChoice:
    """A unit of the tree, as a form offers it."""

    key: str
    name: str
    parent_key: str | None


class TooManyAttemptsError(KehoachError):
    pass


class PasswordError(KehoachError):
    """A new password refused, or the current one wrong; `field` names the form field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


# Temporary passwords: 12 characters an office can read out and type without mistakes (no
# 0/o, 1/l/i, no capitals), in three groups: about 59 bits, random from the system's source.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """A new random temporary password, like "k7pm-x3qd-9rtw"."""
    groups = ("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise KehoachError(f'vai trò "{role}" không có; chọn viewer, coordinator hoặc admin')


def _check_unit(conn: Any, unit_key: str | None) -> None:
    if unit_key is None:
        return
    found = conn.execute(select(UNIT.c.id).where(UNIT.c.key == unit_key)).first()
    if found is None:
        raise KehoachError(
            f'không có đơn vị "{unit_key}" trong danh mục đơn vị đã nạp (units.yaml)'
        )


def _unit_shown(conn: Any, unit_key: str | None) -> str:
    """A unit as the audit log names it: "Trung tâm Kỹ thuật tỉnh A (tt-a)"."""
    if unit_key is None:
        return WHOLE_INSTALLATION
    name = conn.execute(select(UNIT.c.name).where(UNIT.c.key == unit_key)).scalar()
    return unit_key if name is None else f"{name} ({unit_key})"


def check_new_account(engine: Engine, role: str, unit_key: str | None) -> None:
    """Refuse, before asking for a password, a role or unit `add_user` would refuse."""
    _check_role(role)
    with engine.connect() as conn:
        _check_unit(conn, unit_key)


def add_user(
    engine: Engine,
    username: str,
    name: str,
    role: str,
    password: str,
    unit_key: str | None = None,
    *,
    actor: str | None = None,
    address: str | None = None,
    must_change_password: bool = False,
) -> Account:
    """A new account of `unit_key`'s subtree (None: the whole installation); with `actor`,
    recorded in the audit log in the same transaction. `must_change_password`: `password`
    is a temporary one, to be replaced at the first sign-in."""
    _check_role(role)
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
        "unit_key": unit_key,
        "must_change_password": must_change_password,
    }
    try:
        with engine.begin() as conn:
            _check_unit(conn, unit_key)
            new_id = conn.execute(insert(USER).returning(USER.c.id), [row]).scalar_one()
            if actor is not None:
                detail = f"vai trò {role}, đơn vị {_unit_shown(conn, unit_key)}"
                record(conn, actor, "account_created", username, detail, address, unit_key=unit_key)
    except IntegrityError:
        raise KehoachError(f'đã có tài khoản "{username}"') from None
    return Account(new_id, username, name, role, 0, unit_key, must_change_password)


def find_user(engine: Engine, username: str) -> Account | None:
    """The account of this name, enabled or not."""
    with engine.connect() as conn:
        row = conn.execute(select(USER).where(USER.c.username == username.strip().lower())).first()
    return None if row is None else _account(row)


def list_users(engine: Engine) -> list[AccountInfo]:
    """Every account by username, with its unit's name."""
    query = (
        select(USER, UNIT.c.name.label("unit_name"), UNIT.c.short.label("unit_short"))
        .select_from(USER.outerjoin(UNIT, UNIT.c.key == USER.c.unit_key))
        .order_by(USER.c.username)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    infos = []
    for r in rows:
        name = WHOLE_INSTALLATION if r.unit_key is None else (r.unit_name or r.unit_key)
        infos.append(
            AccountInfo(_account(r), bool(r.disabled), r.created_at, name, r.unit_short or name)
        )
    return infos


def _existing(conn: Any, username: str) -> Any:
    row = conn.execute(select(USER).where(USER.c.username == username.strip().lower())).first()
    if row is None:
        raise KehoachError(f'không có tài khoản "{username.strip().lower()}"')
    return row


def set_disabled(
    engine: Engine, username: str, disabled: bool, *, actor: str, address: str | None = None
) -> Account:
    """Disable (every session and API token stops at once, and stays ended when the account
    is enabled again) or enable an account; recorded in the audit log."""
    with engine.begin() as conn:
        row = _existing(conn, username)
        values: dict[str, Any] = {"disabled": disabled}
        if disabled:
            values["session_version"] = USER.c.session_version + 1
        conn.execute(update(USER).where(USER.c.id == row.id).values(**values))
        action = "account_disabled" if disabled else "account_enabled"
        record(conn, actor, action, row.username, None, address, unit_key=row.unit_key)
        fresh = conn.execute(select(USER).where(USER.c.id == row.id)).one()
    return _account(fresh)


_KEEP: Any = object()


def change_user(
    engine: Engine,
    username: str,
    *,
    role: str | None = None,
    unit_key: Any = _KEEP,
    actor: str,
    address: str | None = None,
) -> Account:
    """Change an account's role and/or unit (`unit_key=None`: the whole installation);
    recorded in the audit log. Its sessions read the new scope on their next request."""
    if role is not None:
        _check_role(role)
    with engine.begin() as conn:
        row = _existing(conn, username)
        values: dict[str, Any] = {}
        if role is not None:
            values["role"] = role
        if unit_key is not _KEEP:
            _check_unit(conn, unit_key)
            values["unit_key"] = unit_key
        if values:
            conn.execute(update(USER).where(USER.c.id == row.id).values(**values))
            new_role, new_unit = values.get("role", row.role), values.get("unit_key", row.unit_key)
            detail = (
                f"vai trò {row.role} → {new_role}, đơn vị {row.unit_key or WHOLE_INSTALLATION}"
                f" → {new_unit or WHOLE_INSTALLATION}"
            )
            record(conn, actor, "account_changed", row.username, detail, address, unit_key=new_unit)
        fresh = conn.execute(select(USER).where(USER.c.id == row.id)).one()
    return _account(fresh)


def authenticate(engine: Engine, username: str, password: str, address: str) -> Account | None:
    """The account, or None for a wrong name or password; TooManyAttemptsError when this
    name or address failed too often lately (the password is then not even checked)."""
    username = username.strip().lower()
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            _refuse_too_many(conn, username, address, now)
    except TooManyAttemptsError:  # in the audit log too, the password unchecked
        with engine.begin() as conn:
            found = conn.execute(select(USER.c.unit_key).where(USER.c.username == username))
            blocked = "bị chặn tạm thời: sai quá nhiều lần, mật khẩu không được kiểm tra"
            owner: str | None = found.scalar()
            record(conn, username, "sign_in_failed", username, blocked, address, unit_key=owner)
        raise
    with engine.begin() as conn:
        row = conn.execute(select(USER).where(USER.c.username == username)).first()
        # An unknown name is checked against a dummy hash of the same cost, so the answer
        # takes as long as for a known name and does not tell which names exist.
        matches = _verify(_dummy_hash() if row is None else row.password_hash, password)
        unit_key = None if row is None else row.unit_key
        if row is not None and matches and not row.disabled:
            if _HASHER.check_needs_rehash(row.password_hash):
                conn.execute(
                    update(USER)
                    .where(USER.c.id == row.id)
                    .values(password_hash=_HASHER.hash(password))
                )
            record(conn, username, "sign_in", username, None, address, unit_key=unit_key)
            return _account(row)
        conn.execute(insert(LOGIN_FAILURE), [{"username": username, "address": address, "at": now}])
        why = "tài khoản đã khóa" if row is not None and matches else None
        record(conn, username, "sign_in_failed", username, why, address, unit_key=unit_key)
    return None


def _refuse_too_many(conn: Any, username: str, address: str, now: datetime) -> None:
    """TooManyAttemptsError when this name or address failed too often lately."""
    conn.execute(delete(LOGIN_FAILURE).where(LOGIN_FAILURE.c.at < now - FAILURE_WINDOW))
    recent = conn.execute(
        select(func.count())
        .select_from(LOGIN_FAILURE)
        .where(or_(LOGIN_FAILURE.c.username == username, LOGIN_FAILURE.c.address == address))
    ).scalar_one()
    if recent >= MAX_FAILURES:
        raise TooManyAttemptsError("đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút")


def reset_password(engine: Engine, username: str, *, actor: str, address: str | None = None) -> str:
    """Give an account a new temporary password, returned to be shown once: every session
    ends, its API tokens stop until a new password is set, and the next sign-in asks for
    one (`must_change_password`). Recorded in the audit log."""
    temporary = temporary_password()
    with engine.begin() as conn:
        row = _existing(conn, username)
        conn.execute(
            update(USER)
            .where(USER.c.id == row.id)
            .values(
                password_hash=_HASHER.hash(temporary),
                must_change_password=True,
                session_version=USER.c.session_version + 1,
            )
        )
        record(conn, actor, "password_reset", row.username, None, address, unit_key=row.unit_key)
    return temporary


def password_pending(engine: Engine, user_id: int, session_version: int) -> Account | None:
    """The account that signed in with a temporary password (its session version as then)
    and has yet to set a new one; None otherwise."""
    found = account(engine, user_id)
    if found is None or not found.must_change_password:
        return None
    return found if found.session_version == session_version else None


def change_password(
    engine: Engine,
    user_id: int,
    new: str,
    *,
    current: str | None,
    address: str,
) -> Account:
    """Set an account's own new password and end its other sessions; the account as now
    (sign it in again with its new session version). `current`: the password it typed, checked
    (and counted as a failed sign-in when wrong); None only after a sign-in with a temporary
    password (`password_pending`). PasswordError, changing nothing, for a wrong current
    password, a short one, or one equal to the current (or temporary) one."""
    now = datetime.now(UTC)
    refusal: PasswordError | None = None
    with engine.begin() as conn:
        row = conn.execute(select(USER).where(USER.c.id == user_id)).first()
        if row is None or row.disabled:
            raise KehoachError("tài khoản không còn dùng được")
        if current is not None:
            _refuse_too_many(conn, row.username, address, now)
            if not _verify(row.password_hash, current):
                # Counted as a failed sign-in (committed): the refusal is raised after.
                failure = {"username": row.username, "address": address, "at": now}
                conn.execute(insert(LOGIN_FAILURE), [failure])
                why = "mật khẩu hiện tại sai khi đổi mật khẩu"
                unit = row.unit_key
                record(
                    conn, row.username, "sign_in_failed", row.username, why, address, unit_key=unit
                )
                refusal = PasswordError("Mật khẩu hiện tại không đúng.", "current")
        refusal = refusal or _new_password_refusal(row, new)
        if refusal is None:
            conn.execute(
                update(USER)
                .where(USER.c.id == row.id)
                .values(
                    password_hash=_HASHER.hash(new),
                    must_change_password=False,
                    session_version=USER.c.session_version + 1,
                )
            )
            unit = row.unit_key
            record(
                conn, row.username, "password_changed", row.username, None, address, unit_key=unit
            )
            fresh = conn.execute(select(USER).where(USER.c.id == row.id)).one()
    if refusal is not None:
        raise refusal
    return _account(fresh)


def _new_password_refusal(row: Any, new: str) -> PasswordError | None:
    if len(new) < MIN_PASSWORD:
        return PasswordError(f"Mật khẩu mới cần ít nhất {MIN_PASSWORD} ký tự.", "new")
    if _verify(row.password_hash, new):
        which = "mật khẩu tạm thời" if row.must_change_password else "mật khẩu hiện tại"
        return PasswordError(f"Mật khẩu mới phải khác {which}.", "new")
    return None


def tokens_of(engine: Engine, user_ids: list[int]) -> dict[int, list[TokenInfo]]:
    """The API tokens of these accounts, oldest first, by account id."""
    found: dict[int, list[TokenInfo]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    query = (
        select(API_TOKEN)
        .where(API_TOKEN.c.user_id.in_(user_ids))
        .order_by(API_TOKEN.c.created_at, API_TOKEN.c.id)
    )
    with engine.connect() as conn:
        for r in conn.execute(query):
            found[r.user_id].append(
                TokenInfo(r.id, r.user_id, r.name, _utc(r.created_at), _aware(r.last_used_at))
            )
    return found


def revoke_token(
    engine: Engine, username: str, token_id: int, *, actor: str, address: str | None = None
) -> str | None:
    """Delete API token `token_id` of account `username` (it stops working at once); its
    name, or None when that account has no such token. Recorded in the audit log."""
    with engine.begin() as conn:
        row = _existing(conn, username)
        token = conn.execute(
            select(API_TOKEN.c.id, API_TOKEN.c.name).where(
                API_TOKEN.c.id == token_id, API_TOKEN.c.user_id == row.id
            )
        ).first()
        if token is None:
            return None
        conn.execute(delete(API_TOKEN).where(API_TOKEN.c.id == token.id))
        record(
            conn, actor, "token_revoked", row.username, token.name, address, unit_key=row.unit_key
        )
    return str(token.name)


def unit_choices(engine: Engine) -> list[UnitChoice]:
    """Every unit of the tree, by name."""
    query = select(UNIT.c.key, UNIT.c.name, UNIT.c.parent_key).order_by(UNIT.c.name, UNIT.c.key)
    with engine.connect() as conn:
        return [UnitChoice(r.key, r.name, r.parent_key) for r in conn.execute(query)]


def _utc(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite gives it back naive)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash no password matches in practice, made with the same parameters as real ones."""
    return _HASHER.hash(secrets.token_urlsafe(32))


def _account(row: Any) -> Account:
    return Account(
        row.id,
        row.username,
        row.name,
        row.role,
        row.session_version,
        row.unit_key,
        bool(row.must_change_password),
    )


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
    if found is None or found.must_change_password:
        return None
    return found if found.session_version == session_version else None


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


def issue_token(
    engine: Engine,
    username: str,
    name: str,
    *,
    actor: str | None = None,
    address: str | None = None,
) -> str:
    """A new API token for `username`; shown once, stored only as a hash. With `actor`,
    recorded in the audit log."""
    with engine.begin() as conn:
        user = conn.execute(
            select(USER.c.id, USER.c.unit_key).where(USER.c.username == username.lower())
        ).first()
        if user is None:
            raise KehoachError(f'không có tài khoản "{username}"')
        token = "kh_" + secrets.token_urlsafe(32)
        row = {
            "user_id": user.id,
            "name": name,
            "token_hash": _digest(token),
            "created_at": datetime.now(UTC),
        }
        conn.execute(insert(API_TOKEN), [row])
        if actor is not None:
            target = username.lower()
            record(conn, actor, "token_issued", target, name, address, unit_key=user.unit_key)
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
    found = account(engine, row.user_id)
    # After a password reset the account's tokens wait for its new password: whoever had
    # the old one may have had them too.
    return None if found is None or found.must_change_password else found


# Built once: every signed-in page and API request asks it, so only the columns an Account
# needs, with the id as a parameter (a statement built per call costs 4-5 times the query).
_SESSION_ROW = select(
    USER.c.id,
    USER.c.username,
    USER.c.name,
    USER.c.role,
    USER.c.session_version,
    USER.c.disabled,
    USER.c.unit_key,
    USER.c.must_change_password,
).where(USER.c.id == bindparam("user_id"))


def live_session(engine: Engine, user_id: int, session_version: int) -> Account | None:
    """`session_account` in one prebuilt query: the account a session cookie names, if it is
    enabled and that session was not ended since (read from the database on every call, so a
    sign-out or a disabled account takes effect at once in every process)."""
    with engine.connect() as conn:
        row = conn.execute(_SESSION_ROW, {"user_id": user_id}).first()
    if row is None or row.disabled or row.session_version != session_version:
        return None
    if row.must_change_password:  # signed in only to set a new password (web/auth.py)
        return None
    return _account(row)
