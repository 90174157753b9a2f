"""The update form behind a reminder's signed link, through the real app (httpx ASGI client)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from tests.conftest import SEED_PLAN
from tests.web.helpers import form_of, link

TASK = f"{SEED_PLAN}/khao-sat-30-dn"
UNIT = "qltcdlcl"


def test_the_form_records_an_update_and_says_so(web: TestClient, engine: Engine) -> None:
    url = link()
    data = form_of(web, url) | {"actual_1": "12", "note": "Đã khảo sát 12 doanh nghiệp"}
    saved = web.post(url, data=data)
    assert saved.status_code == 200, saved.text
    assert "Đã lưu cập nhật" in saved.text
    task = find_task(engine, TASK)
    assert (task["status"], task["progress"], task["version"]) == ("in_progress", 40, 2)


def test_wrong_fields_are_shown_in_place_and_nothing_is_saved(
    web: TestClient, engine: Engine
) -> None:
    url = link()
    data = form_of(web, url) | {"progress": "140", "actual_1": "mười"}
    page = web.post(url, data=data)
    assert page.status_code == 422
    assert "Nhập một số nguyên từ 0 đến 100." in page.text
    assert "Nhập số nguyên không âm" in page.text
    assert 'value="140"' in page.text  # what the user typed stays
    assert find_task(engine, TASK)["version"] == 1


def test_a_stale_form_gets_the_newer_values_and_saves_nothing(
    web: TestClient, engine: Engine
) -> None:
    url = link()
    data = form_of(web, url)
    task_id = find_task(engine, TASK)["id"]
    record_update(
        engine, task_id, UpdateIn(status=Status.IN_PROGRESS, progress=70), Author("ttkt", "cli")
    )
    page = web.post(url, data=data)
    assert page.status_code == 409
    assert "Đã có người cập nhật" in page.text and "70%" in page.text
    assert find_task(engine, TASK)["progress"] == 70


def test_forged_and_expired_links_get_403_with_a_way_forward(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = web.get(link(secret="not-our-secret"))
    assert forged.status_code == 403 and "liên hệ phòng chủ trì" in forged.text
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 40 * 86400)
    old = link()
    monkeypatch.setattr(time, "time", real_time)
    expired = web.get(old)
    assert expired.status_code == 403 and "hết hạn" in expired.text


def test_a_post_without_the_csrf_token_or_cookie_fails(web: TestClient, engine: Engine) -> None:
    url = link()
    data = form_of(web, url)
    no_token = web.post(url, data={k: v for k, v in data.items() if k != "csrf_token"})
    assert no_token.status_code == 403
    web.cookies.clear()
    no_cookie = web.post(url, data=data)
    assert no_cookie.status_code == 403
    assert find_task(engine, TASK)["version"] == 1


def test_an_upload_over_the_limit_gets_413_and_stores_nothing(
    web: TestClient, engine: Engine, settings: Settings
) -> None:
    url = link()
    data = form_of(web, url)
    big = web.post(
        url, data=data, files={"evidence": ("bien-ban.pdf", b"x" * 4096, "application/pdf")}
    )
    assert big.status_code == 413
    assert not (settings.data_dir / "evidence").exists() or not any(
        (settings.data_dir / "evidence").rglob("*")
    )
    assert find_task(engine, TASK)["version"] == 1
    small = web.post(
        url,
        data=form_of(web, url),
        files={"evidence": ("bien-ban.pdf", b"%PDF-1.4 ok", "application/pdf")},
    )
    assert small.status_code == 200, small.text
    assert len([p for p in (settings.data_dir / "evidence").rglob("*") if p.is_file()]) == 1
    wrong_type = web.post(
        url,
        data=form_of(web, url),
        files={"evidence": ("virus.exe", b"MZ", "application/octet-stream")},
    )
    assert wrong_type.status_code == 422 and "Loại tệp không nhận" in wrong_type.text


def test_a_form_sent_with_the_link_of_another_task_is_refused(
    web: TestClient, engine: Engine
) -> None:
    other = link(f"{SEED_PLAN}/chuan-do-luong")
    data = form_of(web, other)  # opened for chuan-do-luong
    refused = web.post(link(), data=data)  # sent with the khao-sat-30-dn link
    assert refused.status_code == 403 and "nhiệm vụ khác" in refused.text
    assert find_task(engine, TASK)["version"] == 1
    assert find_task(engine, f"{SEED_PLAN}/chuan-do-luong")["version"] == 1


def test_a_link_mailed_in_the_first_format_still_opens_the_form(web: TestClient) -> None:
    grant = {"t": TASK, "u": UNIT}
    token = URLSafeTimedSerializer("test-secret", salt="kehoach-update-link").dumps(grant)
    assert "~" not in token and "." in token  # base64 JSON, as mailed before 2026-11
    assert form_of(web, f"/cap-nhat/{token}")["task"]
