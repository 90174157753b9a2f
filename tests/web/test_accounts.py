"""Accounts, sign-in and the overview page, through the real app."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user, authenticate, issue_token, token_account
from kehoach_flow.accounts.audit import recent
from kehoach_flow.db.queries import find_task
from kehoach_flow.errors import KehoachError
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.review import confirm_done
from kehoach_flow.tracking.status import Status
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN, run_cli
from tests.web.conftest import PASSWORD, sign_in


def test_passwords_are_hashed_with_argon2_and_checked(engine: Engine) -> None:
    created = add_user(engine, "lanhdao", "Lãnh đạo Sở", "viewer", PASSWORD)
    assert not created.can_edit
    from sqlalchemy import text

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM app_user")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(engine, "LanhDao", PASSWORD, "10.0.0.1") == created
    assert authenticate(engine, "lanhdao", "sai-mat-khau-roi", "10.0.0.1") is None
    with pytest.raises(KehoachError, match="ít nhất 10"):
        add_user(engine, "ngan", "", "viewer", "ngan")
    with pytest.raises(KehoachError, match="đã có tài khoản"):
        add_user(engine, "lanhdao", "", "viewer", PASSWORD)
    token = issue_token(engine, "lanhdao", "script")
    assert token_account(engine, token) == created
    assert token_account(engine, token + "x") is None


def test_the_overview_needs_a_sign_in_then_shows_each_plan(web: TestClient) -> None:
    assert web.get("/").headers["location"] == "/dang-nhap?next=/"
    assert sign_in(web, "sai-mat-khau-roi") == 401
    assert sign_in(web) == 303
    page = web.get("/")
    assert page.status_code == 200
    assert f'data-plan="{SEED_PLAN}"' in page.text
    assert "Chưa thực hiện" in page.text and "Kinh phí kế hoạch" in page.text


@pytest.mark.parametrize(
    ("day", "after"),
    [
        (date(2024, 3, 1), "0%"),  # inside the plan's year, before the update's day
        (date(2024, 7, 1), "14,3%"),  # inside the plan's year, after it: 1 task of 7 done
        (date(2026, 1, 5), "14,3%"),  # after the plan's years
    ],
    ids=str,
)
def test_the_overview_changes_when_a_task_is_updated(
    web: TestClient, web_settings: Settings, engine: Engine, day: date, after: str
) -> None:
    """The overview on `day` (settings.today, as KEHOACH_TODAY sets it), for an update made
    on 3 June 2024: never the machine's date."""
    client = TestClient(
        create_app(web_settings.model_copy(update={"today": day}), engine), follow_redirects=False
    )
    sign_in(client)
    before = re.search(r'class="completion">([^<]+)<', client.get("/").text)
    task = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")
    record_update(
        engine,
        task["id"],
        UpdateIn(status=Status.DONE, progress=100),
        Author("qltcdlcl", "web"),
        now=datetime(2024, 6, 3, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    confirm_done(  # the seed plan has completion review: the coordinator confirms the done
        engine,
        task["id"],
        Author("qltcdlcl", "web"),
        now=datetime(2024, 6, 3, 15, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    shown = re.search(r'class="completion">([^<]+)<', client.get("/").text)
    assert before is not None and shown is not None
    assert (before.group(1), shown.group(1)) == ("0%", after)


def test_sign_in_is_rate_limited_even_for_the_right_password(
    web: TestClient, engine: Engine
) -> None:
    for _ in range(5):
        assert sign_in(web, "sai-mat-khau-roi") == 401
    assert sign_in(web) == 429
    failed = recent(engine, None, actions=["sign_in_failed"])
    assert len(failed) == 6 and failed[0].detail is not None
    assert "bị chặn tạm thời" in failed[0].detail and failed[0].unit_key is None
    assert [e.detail for e in failed[1:]] == [None] * 5


def test_a_sign_in_without_csrf_fails_and_next_cannot_leave_the_site(web: TestClient) -> None:
    bare = web.post("/dang-nhap", data={"username": "phongkh", "password": PASSWORD})
    assert bare.status_code == 403
    page = web.get("/dang-nhap?next=//evil.example")
    assert 'name="next" value="/"' in page.text


def test_user_add_refuses_a_bad_role_in_one_line(settings: Settings, engine: Engine) -> None:
    result = run_cli(settings, "user", "add", "x", "--role", "chief", "--password-stdin")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        'Lỗi: vai trò "chief" không có; chọn viewer, coordinator hoặc admin'
    ]
