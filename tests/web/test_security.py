"""Hardened web: security headers on every response, no inline code the CSP would block,
sessions ended on the server by sign-out, the same password check for unknown names, and a
data directory only its owner can read."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow import accounts
from kehoach_flow.db.queries import find_task
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.evidence import store_evidence
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from tests.conftest import DEFINITIONS, SEED_PLAN, run_cli
from tests.web.conftest import PASSWORD, csrf_of, sign_in

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def _assert_hardened(response: object, where: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, f"{where}: {name} = {headers.get(name)!r}"
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, where
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, where
    assert "default-src 'self'" in policy, where


def test_every_kind_of_response_carries_the_security_headers(
    web: TestClient, web_settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    stored = tmp_path / "bien-ban.pdf"
    stored.write_bytes(b"%PDF-1.4 bien ban")
    evidence = store_evidence(stored, web_settings.ensure_data_dir(), 10_000)
    task = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")
    record_update(
        engine, task["id"], UpdateIn(note="Biên bản"), Author("qltcdlcl"), evidence=[evidence]
    )
    anonymous = {
        "sign-in page": web.get("/dang-nhap"),
        "redirect to sign-in": web.get("/"),
        "API without account": web.get("/api/plans"),
        "API schema": web.get("/api/openapi.json"),
        "API docs": web.get("/api/docs"),
        "docs asset": web.get("/api/docs/assets/swagger-ui.css"),
        "static file": web.get("/static/style.css"),
        "health": web.get("/health"),
        "missing static file": web.get("/static/khong-co.css"),
        "forged update link": web.get("/cap-nhat/gia-mao"),
    }
    sign_in(web)
    signed_in = {
        "overview": web.get("/"),
        "task page": web.get(f"/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn"),
        "not found page": web.get(f"/nhiem-vu/{SEED_PLAN}/khong-co"),
        "API": web.get("/api/plans"),
        "evidence file": web.get(f"/minh-chung/{evidence.sha256}"),
        "excel file": web.get("/qua-han.xlsx"),
    }
    assert signed_in["evidence file"].status_code == 200
    assert signed_in["not found page"].status_code == 404
    assert anonymous["API without account"].status_code == 401
    for where, response in {**anonymous, **signed_in}.items():
        _assert_hardened(response, where)


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # an inline script block
    re.compile(r"\sstyle\s*=", re.I),  # a style attribute
    re.compile(r"<style", re.I),  # a style block
    re.compile(r"\son[a-z]+\s*=", re.I),  # an event handler attribute
    re.compile(r"javascript:", re.I),
]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/ke-hoach/{SEED_PLAN}",
        f"/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn",
        "/qua-han",
        "/tien-do",
        "/bao-cao",
        "/thu",
        "/luong",
        "/dinh-nghia",
        "/don-vi/qltcdlcl",
        "/hom-nay",
        "/chuong-trinh/de-an-996",
        "/api/docs",
    ],
)
def test_pages_have_no_inline_code_the_policy_would_block(web: TestClient, path: str) -> None:
    sign_in(web)
    page = web.get(path)
    assert page.status_code == 200, page.text
    for pattern in INLINE:
        found = pattern.search(page.text)
        assert found is None, f"{path}: {found.group(0) if found else ''}"


def test_a_cookie_kept_after_sign_out_gets_the_sign_in_page(web: TestClient) -> None:
    assert sign_in(web) == 303
    stolen = web.cookies.get("kehoach_session")
    assert stolen and web.get("/").status_code == 200
    signed_out = web.post("/dang-xuat", data={"csrf_token": csrf_of(web, "/")})
    assert signed_out.status_code == 303
    assert web.get("/").status_code == 303  # the browser that signed out
    kept = TestClient(web.app, follow_redirects=False, cookies={"kehoach_session": stolen})
    again = kept.get("/")
    assert again.status_code == 303 and again.headers["location"].startswith("/dang-nhap")
    assert kept.get("/api/plans").status_code == 401
    assert sign_in(web) == 303  # a new sign-in works as before
    assert web.get("/").status_code == 200


def test_a_cookie_of_the_old_form_naming_only_the_user_gets_the_sign_in_page(
    web: TestClient, web_settings: Settings
) -> None:
    from kehoach_flow.web.auth import _serializer

    old_form = _serializer(web_settings).dumps(1)  # signed with the right key
    kept = TestClient(web.app, follow_redirects=False, cookies={"kehoach_session": old_form})
    response = kept.get("/")
    assert response.status_code == 303 and response.headers["location"].startswith("/dang-nhap")


def test_an_unknown_name_goes_through_the_same_password_check_as_a_known_one(
    web: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    verify = accounts._verify

    def counting(stored: str, password: str) -> bool:
        checked.append(stored)
        return verify(stored, password)

    monkeypatch.setattr(accounts, "_verify", counting)
    assert accounts.authenticate(engine, "phongkh", "sai-mat-khau-1", "10.0.0.1") is None
    assert accounts.authenticate(engine, "khong-ai-ten-nay", "sai-mat-khau-1", "10.0.0.2") is None
    assert accounts.authenticate(engine, "khong-ai-ten-nay", PASSWORD, "10.0.0.3") is None
    assert len(checked) == 3
    known, unknown, _ = checked
    assert unknown != known and unknown.startswith("$argon2id$")
    # same algorithm and cost as a real password hash, so it takes as long
    assert unknown.split("$")[1:4] == known.split("$")[1:4]
    assert not accounts._HASHER.check_needs_rehash(unknown)
    assert accounts.authenticate(engine, "phongkh", PASSWORD, "10.0.0.4") is not None
    assert len(checked) == 4


def test_a_disabled_account_is_refused_after_the_same_password_check(
    web: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import update

    with engine.begin() as conn:
        conn.execute(
            update(accounts.USER).where(accounts.USER.c.username == "lanhdao").values(disabled=True)
        )
    calls: list[str] = []
    verify = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda s, p: calls.append(s) or verify(s, p))
    assert accounts.authenticate(engine, "lanhdao", PASSWORD, "10.0.0.5") is None
    assert len(calls) == 1


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_db_upgrade_makes_the_data_directory_and_database_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "du-lieu"
    settings = Settings(data_dir=data, definitions=DEFINITIONS, _env_file=None)
    result = run_cli(settings, "db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert _mode(data) == 0o700
    database = data / "kehoach.db"
    assert _mode(database) == 0o600
    assert run_cli(settings, "load", str(DEFINITIONS)).exit_code == 0
    for side in (data / "kehoach.db-wal", data / "kehoach.db-shm"):
        if side.exists():
            assert _mode(side) == 0o600, side
    assert _mode(database) == 0o600


def test_the_data_directory_made_for_files_is_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "moi", definitions=DEFINITIONS, _env_file=None)
    assert _mode(settings.ensure_data_dir()) == 0o700
