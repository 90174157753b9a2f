"""The audit log: every sign-in, failed sign-in and account change, and who made it.

Actions are stored as English codes and shown in Vietnamese (`ACTIONS`). Each entry names the
unit whose admins may read it (`unit_key`): the account's unit for a sign-in or an account
change, the plan coordinator's unit for a plan action, NULL (whole-installation admins only)
for a sign-in under an unknown name.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select

from kehoach_flow.db.tables import AUDIT

# Code stored -> label the audit page shows.
ACTIONS: dict[str, str] = {
    "sign_in": "Đăng nhập",
    "sign_in_failed": "Đăng nhập sai",
    "sign_out": "Đăng xuất",
    "account_created": "Tạo tài khoản",
    "account_changed": "Đổi vai trò hoặc đơn vị",
    "account_disabled": "Khóa tài khoản",
    "account_enabled": "Mở lại tài khoản",
    "password_reset": "Đặt lại mật khẩu",
    "password_changed": "Đổi mật khẩu",
    "token_issued": "Cấp mã truy cập API",
    "token_revoked": "Thu hồi mã truy cập API",
    "plan_uploaded": "Nạp tệp kế hoạch",
    "plan_upload_refused": "Từ chối nạp tệp kế hoạch",
    "report_generated": "Soạn báo cáo",
    "access_refused": "Từ chối truy cập",
}
MAX_TARGET, MAX_ACTOR, MAX_ADDRESS = 200, 120, 64
# The audit page's filters: address slug -> (label, the action codes it keeps).
GROUPS: dict[str, tuple[str, frozenset[str]]] = {
    "dang-nhap-sai": ("Đăng nhập sai", frozenset({"sign_in_failed"})),
    "dang-nhap": ("Đăng nhập, đăng xuất", frozenset({"sign_in", "sign_in_failed", "sign_out"})),
    "tai-khoan": (
        "Tài khoản, mật khẩu",
        frozenset(
            {
                "account_created",
                "account_changed",
                "account_disabled",
                "account_enabled",
                "password_reset",
                "password_changed",
                "token_issued",
                "token_revoked",
            }
        ),
    ),
    "ke-hoach": (
        "Kế hoạch, báo cáo",
        frozenset({"plan_uploaded", "plan_upload_refused", "report_generated", "access_refused"}),
    ),
}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime  # aware, UTC; shown in the installation's zone (timefmt.shown)
    actor: str
    action: str
    target: str | None
    detail: str | None
    address: str | None
    unit_key: str | None

    @property
    def label(self) -> str:
        """The action in Vietnamese."""
        return ACTIONS.get(self.action, self.action)

    @property
    def actor_shown(self) -> str:
        """Who acted, as a person reads it: an account's name, or the command line and the
        operating-system account ("cli:root" -> "dòng lệnh, root")."""
        if self.actor == "cli":
            return "dòng lệnh"
        if self.actor.startswith("cli:"):
            return f"dòng lệnh, {self.actor.removeprefix('cli:')}"
        return self.actor

    @property
    def detail_shown(self) -> str:
        """The detail with role codes in Vietnamese ("vai trò viewer" -> "vai trò xem")."""
        if not self.detail:
            return ""
        return _ROLE_CODE.sub(lambda m: _ROLE_LABELS.get(m.group(0), m.group(0)), self.detail)


# The roles as accounts.ROLE_LABELS names them (not imported: accounts imports this module).
_ROLE_LABELS = {"viewer": "xem", "coordinator": "phòng chủ trì", "admin": "quản trị"}
_ROLE_CODE = re.compile(r"\b(?:viewer|coordinator|admin)\b")


def cli_actor() -> str:
    """Who acts from the command line: the operating-system account running `kehoach`."""
    try:
        return f"cli:{getpass.getuser()}"[:MAX_ACTOR]
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli"


def record(
    engine: Engine | Connection,
    actor: str,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    address: str | None = None,
    *,
    unit_key: str | None = None,
) -> None:
    """Add one entry. On a Connection, inside its transaction (the entry stands or falls
    with the change it records); on an Engine, in a transaction of its own."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    row = {
        "at": datetime.now(UTC),
        "actor": actor[:MAX_ACTOR],
        "action": action,
        "target": None if target is None else target[:MAX_TARGET],
        "detail": detail,
        "address": None if address is None else address[:MAX_ADDRESS],
        "unit_key": unit_key,
    }
    if isinstance(engine, Connection):
        engine.execute(insert(AUDIT), [row])
        return
    with engine.begin() as conn:
        conn.execute(insert(AUDIT), [row])


def recent(
    engine: Engine,
    units: Collection[str] | None,
    *,
    limit: int = 100,
    before_id: int | None = None,
    actions: Collection[str] = (),
) -> list[AuditEntry]:
    """The newest entries first, at most `limit`, older than entry `before_id` when given.

    `units` is the reader's scope: None for the whole installation (every entry), else the
    unit keys it reaches (its subtree, see `scope.audit_units`): entries of other units and
    entries with no unit are left out. `actions` keeps only those codes when given."""
    query = select(AUDIT).order_by(AUDIT.c.id.desc()).limit(limit)
    if units is not None:
        if not units:
            return []
        query = query.where(AUDIT.c.unit_key.in_(sorted(units)))
    if before_id is not None:
        query = query.where(AUDIT.c.id < before_id)
    if actions:
        query = query.where(AUDIT.c.action.in_(sorted(actions)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        AuditEntry(
            r.id,
            r.at if r.at.tzinfo is not None else r.at.replace(tzinfo=UTC),
            r.actor,
            r.action,
            r.target,
            r.detail,
            r.address,
            r.unit_key,
        )
        for r in rows
    ]
