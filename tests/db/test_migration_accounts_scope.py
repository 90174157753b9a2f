"""Upgrading a database with accounts from 0012: they keep reaching the whole installation."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy import text

from kehoach_flow.accounts import authenticate, find_user
from kehoach_flow.accounts.audit import recent
from kehoach_flow.accounts.scope import can_edit_plan, scope_of
from kehoach_flow.db.engine import create_db_engine, current_revision, head_revision, upgrade
from kehoach_flow.loading import load_path
from tests.conftest import DEFINITIONS, SEED_PLAN

PASSWORD = "mat-khau-cu-truoc-0013"


def test_existing_accounts_reach_everything_after_the_upgrade(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        upgrade(engine, "0012")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO app_user (username, name, role, password_hash, created_at,"
                    " disabled, session_version) VALUES (:u, :n, :r, :h, :c, :d, 3)"
                ),
                {
                    "u": "phongkh",
                    "n": "Phòng Quản lý TCĐLCL",
                    "r": "coordinator",
                    "h": PasswordHasher().hash(PASSWORD),
                    "c": datetime(2026, 11, 1, tzinfo=UTC),
                    "d": False,
                },
            )
        before, after = upgrade(engine)
        assert (before, after) == ("0012", head_revision(engine)) and after != "0012"
        assert current_revision(engine) == after
        load_path(engine, DEFINITIONS)  # the code of this revision loads into its schema only

        account = find_user(engine, "phongkh")
        assert account is not None
        assert (account.role, account.unit_key, account.session_version) == ("coordinator", None, 3)
        assert authenticate(engine, "phongkh", PASSWORD, "10.0.0.1") == account
        scope = scope_of(engine, account)
        assert scope.units is None and scope.visible == scope.editable == {SEED_PLAN}
        assert can_edit_plan(engine, account, SEED_PLAN)
        with engine.connect() as conn:
            owners = conn.execute(text("SELECT owner_key FROM programme")).scalars().all()
        assert owners and set(owners) == {None}
        assert [(e.action, e.unit_key) for e in recent(engine, None)] == [("sign_in", None)]
    finally:
        engine.dispose()
