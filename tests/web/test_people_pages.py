"""Accounts in the browser (/tai-khoan), a password reset and the new-password page
(/doi-mat-khau), the audit log page (/nhat-ky): a ministry and two provinces on one database
(SQLite and Postgres), as tests/test_access.py builds them.

Accounts: a whole-installation admin; the admin of province A (UBND tỉnh A, above its Sở,
Phòng and Trung tâm); the admin of province B's Sở; a viewer of A's Phòng; a coordinator of
B's Phòng."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user, find_user, issue_token, list_users
from kehoach_flow.accounts.audit import ACTIONS, GROUPS, recent
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import DEFINITIONS
from tests.test_access import PLANS, UNITS
from tests.web.conftest import csrf_of

PASSWORD = "mat-khau-du-dai"
ACCOUNTS = {  # username -> (role, unit)
    "quantri": ("admin", None),
    "quantri-a": ("admin", "ubnd-a"),
    "quantri-b": ("admin", "so-b"),
    "xem-a": ("viewer", "phong-a"),
    "chutri-b": ("coordinator", "phong-b"),
}
TEMPORARY = re.compile(r'data-password-for="([^"]+)">([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})<')


def provinces(root: Path, engine: Engine) -> None:
    """A ministry and two provinces' units and plans loaded, and the accounts above."""
    (root / "plans").mkdir(parents=True)
    shutil.copytree(DEFINITIONS / "programmes", root / "programmes")
    shutil.copy(DEFINITIONS / "calendar.yaml", root / "calendar.yaml")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    for key, text in PLANS.items():
        (root / "plans" / f"{key}.yaml").write_text(text, encoding="utf-8")
    load_path(engine, root)
    for username, (role, unit) in ACCOUNTS.items():
        add_user(engine, username, username, role, PASSWORD, unit)


@pytest.fixture
def world(tmp_path: Path, web_settings: Settings, engine: Engine) -> Engine:
    provinces(tmp_path / "defs", engine)
    return engine


def client_of(settings: Settings, engine: Engine) -> TestClient:
    return TestClient(create_app(settings, engine), follow_redirects=False)


def signed_in(
    settings: Settings, engine: Engine, username: str, password: str = PASSWORD
) -> TestClient:
    client = client_of(settings, engine)
    answer = sign_in(client, username, password)
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    return client


def sign_in(client: TestClient, username: str, password: str) -> object:
    data = {
        "csrf_token": csrf_of(client, "/dang-nhap"),
        "username": username,
        "password": password,
        "next": "/",
    }
    return client.post("/dang-nhap", data=data)


def post(client: TestClient, url: str, **fields: str) -> object:
    return client.post(url, data={"csrf_token": csrf_of(client, "/doi-mat-khau"), **fields})


def api_status(client: TestClient, token: str) -> int:
    return client.get("/api/plans", headers={"Authorization": f"Bearer {token}"}).status_code


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-account="([^"]+)"', page)


def test_an_admin_lists_creates_disables_and_enables_the_accounts_of_its_scope_only(
    web_settings: Settings, world: Engine
) -> None:
    admin = signed_in(web_settings, world, "quantri-a")
    page = admin.get("/tai-khoan")
    assert page.status_code == 200
    assert rows(page.text) == ["quantri-a", "xem-a"]  # not B's, not the whole installation's
    assert "Phòng Quản lý TCĐLCL tỉnh A" in page.text and "đang dùng" in page.text
    units = re.findall(r'<option value="([^"]*)"', page.text.split('id="unit"')[1])
    # A's subtree, no "whole"; none chosen until the admin chooses
    assert sorted(units) == ["", "phong-a", "so-a", "tt-a", "ubnd-a"]
    assert '<option value="" selected>— Chọn đơn vị —' in page.text

    made = post(
        admin,
        "/tai-khoan",
        username="Lan.TT-A",
        name="  Nguyễn  Thị Lan ",
        role="coordinator",
        unit="tt-a",
    )
    assert made.status_code == 200, made.text
    found = TEMPORARY.search(made.text)
    assert found is not None and found.group(1) == "lan.tt-a"
    assert made.headers["cache-control"] == "no-store"
    created = find_user(world, "lan.tt-a")
    assert created is not None and created.must_change_password
    assert (created.name, created.role, created.unit_key) == (
        "Nguyễn Thị Lan",
        "coordinator",
        "tt-a",
    )
    assert rows(admin.get("/tai-khoan").text) == ["lan.tt-a", "quantri-a", "xem-a"]
    assert TEMPORARY.search(admin.get("/tai-khoan").text) is None  # shown once

    viewer = signed_in(web_settings, world, "xem-a")
    token = issue_token(world, "xem-a", "đồng bộ")
    assert api_status(viewer, token) == 200
    disabled = post(admin, "/tai-khoan/xem-a/khoa")
    assert disabled.status_code == 200 and "Đã khóa tài khoản xem-a" in disabled.text
    assert viewer.get("/").status_code == 303  # its session ended
    assert api_status(client_of(web_settings, world), token) == 401
    assert sign_in(client_of(web_settings, world), "xem-a", PASSWORD).status_code == 401
    assert "đã khóa" in admin.get("/tai-khoan").text
    enabled = post(admin, "/tai-khoan/xem-a/mo-lai")
    assert enabled.status_code == 200 and "Đã mở lại tài khoản xem-a" in enabled.text
    signed_in(web_settings, world, "xem-a")
    assert api_status(client_of(web_settings, world), token) == 200


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"username": "a"}, "username", "Tên đăng nhập gồm"),
        ({"username": "có dấu"}, "username", "Tên đăng nhập gồm"),
        ({"username": "xem-a"}, "username", "Đã có tài khoản"),
        ({"name": " "}, "name", "Nhập họ tên"),
        ({"role": "root"}, "role", "Chọn một vai trò"),
        ({"unit": "phong-b"}, "unit", "ngoài phạm vi"),  # B's unit
        ({"unit": "*"}, "unit", "ngoài phạm vi"),  # the whole installation
        ({"unit": ""}, "unit", "Chọn đơn vị của tài khoản"),  # none chosen
        ({"unit": "bo-khcn"}, "unit", "ngoài phạm vi"),  # the ministry above
        ({"unit": "khong-co"}, "unit", "Chọn một đơn vị"),
    ],
)
def test_a_new_account_with_a_bad_field_is_refused_in_vietnamese_and_nothing_made(
    web_settings: Settings, world: Engine, fields: dict[str, str], field: str, words: str
) -> None:
    admin = signed_in(web_settings, world, "quantri-a")
    before = list_users(world)
    form = {"username": "moi-a", "name": "Người mới", "role": "viewer", "unit": "phong-a", **fields}
    answer = post(admin, "/tai-khoan", **form)
    assert answer.status_code == 422
    error = re.search(
        rf'id="{field}"[^>]*class="invalid"[^>]*>\s*(?:</select>)?.*?<div class="error">([^<]+)<',
        answer.text,
        re.S,
    )
    assert error is not None and words in error.group(1), answer.text
    assert "Chưa tạo tài khoản" in answer.text and TEMPORARY.search(answer.text) is None
    assert list_users(world) == before
    assert [e.action for e in recent(world, None)].count("account_created") == 0


def test_an_admin_of_a_gets_404_on_b_s_accounts_and_changes_nothing(
    web_settings: Settings, world: Engine
) -> None:
    admin = signed_in(web_settings, world, "quantri-a")
    token = issue_token(world, "chutri-b", "script")
    token_id = re.findall(
        r'data-token="(\d+)"', signed_in(web_settings, world, "quantri-b").get("/tai-khoan").text
    )
    assert len(token_id) == 1
    for url in (
        "/tai-khoan/chutri-b/khoa",
        "/tai-khoan/chutri-b/dat-lai-mat-khau",
        "/tai-khoan/quantri-b/khoa",
        "/tai-khoan/quantri/khoa",  # the whole installation's admin, above A
        f"/tai-khoan/chutri-b/ma/{token_id[0]}/thu-hoi",
        "/tai-khoan/khong-co/khoa",  # the same answer as for one that does not exist
    ):
        answer = post(admin, url)
        assert answer.status_code == 404, url
        assert "Không tìm thấy" in answer.text
    # A's own account with B's token id: not its token either
    assert post(admin, f"/tai-khoan/xem-a/ma/{token_id[0]}/thu-hoi").status_code == 404
    b = find_user(world, "chutri-b")
    assert b is not None and not b.must_change_password
    assert signed_in(web_settings, world, "chutri-b") is not None
    assert api_status(client_of(web_settings, world), token) == 200
    assert not [e for e in recent(world, None) if e.actor == "quantri-a" and e.action != "sign_in"]
    # without the form's token: refused, nothing done
    refused = admin.post("/tai-khoan/xem-a/khoa", data={})
    assert refused.status_code == 403 and "Biểu mẫu không hợp lệ" in refused.text
    assert (
        "đang dùng"
        in admin.get("/tai-khoan").text.split('data-account="xem-a"')[1].split("</tr>")[0]
    )
    # an admin does not lock itself out
    own = post(admin, "/tai-khoan/quantri-a/khoa")
    assert own.status_code == 400 and "Không thể tự khóa" in own.text


def test_only_admins_reach_the_accounts_and_audit_pages(
    web_settings: Settings, world: Engine
) -> None:
    for username in ("xem-a", "chutri-b"):
        client = signed_in(web_settings, world, username)
        for url in ("/tai-khoan", "/nhat-ky"):
            answer = client.get(url)
            assert answer.status_code == 403 and "dành cho tài khoản quản trị" in answer.text
        assert post(client, "/tai-khoan/xem-a/khoa").status_code == 403
        assert 'href="/tai-khoan"' not in client.get("/doi-mat-khau").text
    assert (
        client_of(web_settings, world).get("/tai-khoan").headers["location"]
        == "/dang-nhap?next=/tai-khoan"
    )
    admin = signed_in(web_settings, world, "quantri-a")
    nav = admin.get("/doi-mat-khau").text
    assert 'href="/tai-khoan"' in nav and 'href="/nhat-ky"' in nav


def test_a_revoked_token_is_refused_by_the_api(web_settings: Settings, world: Engine) -> None:
    admin = signed_in(web_settings, world, "quantri-a")
    kept = issue_token(world, "xem-a", "báo cáo tuần")
    revoked = issue_token(world, "xem-a", "đồng bộ")
    api = client_of(web_settings, world)
    assert api_status(api, revoked) == 200  # used once: its last use is on the page
    page = admin.get("/tai-khoan").text
    ids = re.findall(r'data-token="(\d+)"', page)
    assert len(ids) == 2 and "đồng bộ" in page and "chưa dùng" in page and "dùng lần cuối" in page
    answer = post(admin, f"/tai-khoan/xem-a/ma/{ids[1]}/thu-hoi")
    assert answer.status_code == 200 and "Đã thu hồi mã truy cập API “đồng bộ”" in answer.text
    assert api_status(api, revoked) == 401
    assert api_status(api, kept) == 200
    assert post(admin, f"/tai-khoan/xem-a/ma/{ids[1]}/thu-hoi").status_code == 404
    assert post(admin, "/tai-khoan/xem-a/ma/abc/thu-hoi").status_code == 404


def test_a_reset_password_is_replaced_at_the_next_sign_in_before_any_page(
    web_settings: Settings, world: Engine
) -> None:
    viewer = signed_in(web_settings, world, "xem-a")
    token = issue_token(world, "xem-a", "script")
    admin = signed_in(web_settings, world, "quantri-a")
    answer = post(admin, "/tai-khoan/xem-a/dat-lai-mat-khau")
    assert answer.status_code == 200
    found = TEMPORARY.search(answer.text)
    assert found is not None and found.group(1) == "xem-a"
    temporary = found.group(2)
    assert "chờ đặt mật khẩu mới" in answer.text
    assert viewer.get("/").status_code == 303  # its sessions ended
    assert api_status(client_of(web_settings, world), token) == 401  # tokens wait too
    fresh = client_of(web_settings, world)
    assert sign_in(fresh, "xem-a", PASSWORD).status_code == 401  # the old password is gone
    moved = sign_in(fresh, "xem-a", temporary)
    assert moved.status_code == 303 and moved.headers["location"] == "/doi-mat-khau?next=/"
    assert "kehoach_session" not in moved.cookies
    for url in ("/", "/hom-nay", "/ke-hoach/a-2024", "/api/plans"):
        assert fresh.get(url).status_code in (303, 401), url  # no page until it is set
    form = fresh.get("/doi-mat-khau?next=/")
    assert form.status_code == 200 and "Đặt mật khẩu mới" in form.text
    assert 'name="current"' not in form.text and "<nav>" not in form.text
    csrf = csrf_of(fresh, "/doi-mat-khau")

    def submit(new: str, again: str | None = None) -> object:
        data = {
            "csrf_token": csrf,
            "new": new,
            "confirm": new if again is None else again,
            "next": "/",
        }
        return fresh.post("/doi-mat-khau", data=data)

    for new, again, words in (
        ("ngan", None, "ít nhất 10 ký tự"),
        (temporary, None, "phải khác mật khẩu tạm thời"),
        ("mot-cau-de-nho-1", "mot-cau-de-nho-2", "không giống nhau"),
    ):
        refused = submit(new, again)
        assert refused.status_code == 422 and words in refused.text, words
    assert fresh.get("/").status_code == 303
    done = submit("mot-cau-de-nho-1")
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert fresh.get("/").status_code == 200
    assert fresh.get("/doi-mat-khau").status_code == 200  # its own change page now
    assert api_status(client_of(web_settings, world), token) == 200
    assert sign_in(client_of(web_settings, world), "xem-a", temporary).status_code == 401
    signed_in(web_settings, world, "xem-a", "mot-cau-de-nho-1")
    # a new account's first sign-in asks the same
    made = post(admin, "/tai-khoan", username="moi-a", name="Người mới", role="viewer", unit="tt-a")
    first = TEMPORARY.search(made.text)
    assert first is not None
    location = sign_in(client_of(web_settings, world), "moi-a", first.group(2)).headers["location"]
    assert location == "/doi-mat-khau?next=/"


def test_a_signed_in_account_changes_its_own_password(
    web_settings: Settings, world: Engine
) -> None:
    client = signed_in(web_settings, world, "chutri-b")
    other_device = signed_in(web_settings, world, "chutri-b")
    csrf = csrf_of(client, "/doi-mat-khau")
    base = {"csrf_token": csrf, "next": "/"}
    wrong = client.post(
        "/doi-mat-khau",
        data={
            **base,
            "current": "sai-mat-khau-roi",
            "new": "mat-khau-moi-dai",
            "confirm": "mat-khau-moi-dai",
        },
    )
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.text
    same = client.post(
        "/doi-mat-khau", data={**base, "current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD}
    )
    assert same.status_code == 422 and "phải khác mật khẩu hiện tại" in same.text
    done = client.post(
        "/doi-mat-khau",
        data={
            **base,
            "current": PASSWORD,
            "new": "mat-khau-moi-dai",
            "confirm": "mat-khau-moi-dai",
        },
    )
    assert done.status_code == 200 and "Đã đổi mật khẩu" in done.text
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert other_device.get("/").status_code == 303  # the others end
    assert sign_in(client_of(web_settings, world), "chutri-b", PASSWORD).status_code == 401
    signed_in(web_settings, world, "chutri-b", "mat-khau-moi-dai")
    actions = [e.action for e in recent(world, None) if e.target == "chutri-b"]
    assert "password_changed" in actions and "sign_in_failed" in actions


def test_the_audit_page_shows_each_action_of_the_scope_newest_first(
    web_settings: Settings, world: Engine
) -> None:
    admin = signed_in(web_settings, world, "quantri-a")
    assert sign_in(client_of(web_settings, world), "xem-a", "sai-mat-khau-roi").status_code == 401
    assert (
        sign_in(client_of(web_settings, world), "chutri-b", "sai-mat-khau-roi").status_code == 401
    )
    signed_in(web_settings, world, "chutri-b")
    post(admin, "/tai-khoan", username="moi-a", name="Người mới", role="viewer", unit="tt-a")
    post(admin, "/tai-khoan/xem-a/khoa")
    post(admin, "/tai-khoan/xem-a/mo-lai")
    post(admin, "/tai-khoan/xem-a/dat-lai-mat-khau")
    issue_token(world, "xem-a", "script")
    token_id = re.findall(r'data-token="(\d+)"', admin.get("/tai-khoan").text)[0]
    post(admin, f"/tai-khoan/xem-a/ma/{token_id}/thu-hoi")
    page = admin.get("/nhat-ky")
    assert page.status_code == 200
    labels = re.findall(r'data-label="Việc" class="what[^"]*">([^<]+)<', page.text)
    assert labels[:5] == [
        "Thu hồi mã truy cập API",
        "Đặt lại mật khẩu",
        "Mở lại tài khoản",
        "Khóa tài khoản",
        "Tạo tài khoản",
    ]
    assert {"Đăng nhập", "Đăng nhập sai"} <= set(labels)
    assert "chutri-b" not in page.text  # B's sign-ins are not A's to read
    assert (
        "vai trò xem, đơn vị Trung tâm Kỹ thuật tỉnh A (tt-a)" in page.text
    )  # codes in Vietnamese
    assert "testclient" in page.text  # the address
    assert re.search(r'class="when nw">\d\d/\d\d/\d{4} \d\d:\d\d<', page.text)
    everything = signed_in(web_settings, world, "quantri").get("/nhat-ky").text
    assert "chutri-b" in everything and "xem-a" in everything
    b_page = signed_in(web_settings, world, "quantri-b").get("/nhat-ky").text
    assert "chutri-b" in b_page and "xem-a" not in b_page


def test_the_audit_page_pages_50_entries_at_a_time(web_settings: Settings, world: Engine) -> None:
    for _ in range(60):
        assert sign_in(client_of(web_settings, world), "quantri-a", PASSWORD).status_code == 303
    admin = signed_in(web_settings, world, "quantri-a")
    first = admin.get("/nhat-ky").text
    ids = [int(i) for i in re.findall(r'data-entry="(\d+)"', first)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    older = re.search(r'href="/nhat-ky\?truoc=(\d+)"', first)
    assert older is not None and int(older.group(1)) == ids[-1]
    second = admin.get(f"/nhat-ky?truoc={older.group(1)}").text
    rest = [int(i) for i in re.findall(r'data-entry="(\d+)"', second)]
    assert len(rest) == 11 and max(rest) < ids[-1]  # 61 sign-ins
    assert "truoc=" not in second and 'href="/nhat-ky">« Mới nhất' in second
    assert admin.get("/nhat-ky?truoc=abc").status_code == 400
    kept = admin.get("/nhat-ky?viec=dang-nhap").text  # the filter kept from page to page
    assert f'href="/nhat-ky?viec=dang-nhap&amp;truoc={ids[-1]}"' in kept
    assert (
        'href="/nhat-ky?viec=dang-nhap">« Mới nhất'
        in admin.get(f"/nhat-ky?viec=dang-nhap&truoc={ids[-1]}").text
    )


def test_the_whole_installation_s_admin_gives_any_unit_or_the_whole_installation(
    web_settings: Settings, world: Engine
) -> None:
    admin = signed_in(web_settings, world, "quantri")
    page = admin.get("/tai-khoan")
    assert rows(page.text) == sorted(ACCOUNTS)
    assert '<option value="*">Toàn hệ thống (mọi đơn vị)</option>' in page.text
    assert '<option value="phong-b">' in page.text and '<option value="bo-khcn">' in page.text
    for username, unit, expected in (("bo", "bo-khcn", "bo-khcn"), ("moi", "*", None)):
        made = post(admin, "/tai-khoan", username=username, name="Tên", role="admin", unit=unit)
        assert made.status_code == 200, made.text
        found = find_user(world, username)
        assert found is not None and found.unit_key == expected


def test_the_audit_page_filters_by_a_group_of_actions(
    web_settings: Settings, world: Engine
) -> None:
    assert set().union(*(codes for _, codes in GROUPS.values())) == set(ACTIONS)
    for _ in range(3):
        assert (
            sign_in(client_of(web_settings, world), "xem-a", "sai-mat-khau-roi").status_code == 401
        )
    admin = signed_in(web_settings, world, "quantri-a")
    post(admin, "/tai-khoan/xem-a/khoa")
    failed = admin.get("/nhat-ky?viec=dang-nhap-sai")
    assert failed.status_code == 200
    assert re.findall(r'data-action="([a-z_]+)"', failed.text) == ["sign_in_failed"] * 3
    assert '<span class="here">Đăng nhập sai</span>' in failed.text
    changes = admin.get("/nhat-ky?viec=tai-khoan").text
    assert re.findall(r'data-action="([a-z_]+)"', changes) == ["account_disabled"]
    everything = re.findall(r'data-action="([a-z_]+)"', admin.get("/nhat-ky").text)
    assert everything == ["account_disabled", "sign_in", *["sign_in_failed"] * 3]
    assert admin.get("/nhat-ky?viec=khong-co").status_code == 400
