"""Errors as a person reads them: Vietnamese pages in the site's layout for 400, 405 and 500
(a 500 with a short reference that the log carries, never a traceback), Vietnamese JSON under
/api/ for 400, 405, 422 and 500, a value FastAPI cannot read on a page as a Vietnamese 400."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from kehoach_flow.accounts import add_user, issue_token
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN
from tests.web.conftest import sign_in
from tests.web.helpers import PASSWORD

TASK = f"/api/tasks/{SEED_PLAN}/khao-sat-30-dn"
ENGLISH = re.compile(
    r"Method Not Allowed|Not Found|Bad Request|Internal Server Error|Traceback|Input should|"
    r"Field required|Unprocessable|value_error|Too many|exceeded"
)


def _in_layout(page: object) -> str:
    body: str = page.text  # type: ignore[attr-defined]
    assert page.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    assert '<html lang="vi">' in body
    assert '<link rel="stylesheet" href="/static/style.css">' in body
    assert not ENGLISH.search(body), ENGLISH.search(body)
    return body


@pytest.mark.parametrize("path", ["/dang-xuat", "/dinh-nghia/ap-dung", "/bao-cao"])
def test_a_get_on_a_form_address_gets_a_vietnamese_405_page(web: TestClient, path: str) -> None:
    sign_in(web)
    method = web.put if path == "/bao-cao" else web.get  # /bao-cao answers GET and POST
    page = method(path)
    assert page.status_code == 405
    body = _in_layout(page)
    assert "<h1>Không mở trực tiếp được</h1>" in body
    assert "chỉ nhận dữ liệu gửi từ biểu mẫu" in body
    assert "Đăng xuất" in body  # the signed-in layout, its menu
    assert "allow" in page.headers


def test_a_value_a_page_cannot_read_gets_a_vietnamese_400_page(web: TestClient) -> None:
    sign_in(web)
    page = web.get("/bao-cao/mot/bao-cao.md")  # a report run's id must be a number
    assert page.status_code == 400
    body = _in_layout(page)
    assert "<h1>Yêu cầu không hợp lệ</h1>" in body
    assert "<tr><th>Một phần của địa chỉ</th><td>phải là số nguyên</td></tr>" in body
    assert "run_id" not in body


def test_api_errors_are_vietnamese_json(web: TestClient, engine: Engine) -> None:
    coordinator = {"Authorization": f"Bearer {issue_token(engine, 'phongkh', 'test')}"}
    wrong_method = web.delete("/api/plans", headers=coordinator)
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {
        "detail": "Địa chỉ này không nhận phương thức DELETE; chỉ nhận: GET"
    }
    assert wrong_method.headers["allow"] == "GET"
    body = {"version": 1, "status": "in_progress", "progress": 140, "note": "x"}
    bad = web.post(f"{TASK}/updates", json=body, headers=coordinator)
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": [
            {
                "loc": ["body", "progress"],
                "msg": "phải là số từ 0 đến 100",
                "type": "less_than_equal",
            }
        ],
        "message": "Dữ liệu gửi lên chưa đúng",
        "errors": {"progress": "phải là số từ 0 đến 100"},
    }
    several = web.post(
        f"{TASK}/updates",
        json={"status": "xong", "progress": "nhiều", "actuals": {"1": -2}},
        headers=coordinator,
    )
    assert several.status_code == 422
    errors = several.json()["errors"]
    assert errors.pop("status").startswith("phải là một trong: not_started, in_progress, ")
    assert " hoặc " in several.json()["errors"]["status"]
    assert errors == {
        "version": "chưa có (bắt buộc)",
        "progress": "phải là số nguyên",
        "actuals.1": "phải lớn hơn hoặc bằng 0",
    }
    broken = web.post(
        f"{TASK}/updates",
        content=b'{"version": 1,',
        headers={**coordinator, "content-type": "application/json"},
    )
    assert broken.status_code == 422 and not ENGLISH.search(broken.text)
    assert broken.json()["detail"][0]["msg"] == "không phải JSON hợp lệ"
    undecodable = web.post(
        f"{TASK}/updates",
        content=b'{"version": 1, "note": "\xff\xfe"}',
        headers={**coordinator, "content-type": "application/json"},
    )
    assert (undecodable.status_code, undecodable.json()) == (
        400,
        {"detail": "Yêu cầu gửi lên không đúng dạng hoặc vượt giới hạn; chưa lưu gì."},
    )
    stale = web.post(f"{TASK}/updates", json={"version": 0}, headers=coordinator)
    assert stale.json()["errors"] == {"version": "phải là số từ 1 đến 2.147.483.647"}
    run = web.get("/api/reports/0/files/a.md", headers=coordinator)
    assert run.status_code == 422
    assert run.json()["errors"] == {"run_id": "phải là số từ 1 đến 2.147.483.647"}
    reports = web.get("/api/reports", params={"subject": "x" * 200}, headers=coordinator)
    assert reports.status_code == 422
    assert reports.json()["errors"] == {"subject": "dài tối đa 160 ký tự"}


def test_a_server_error_is_a_calm_page_with_a_reference_in_the_log(
    sqlite_settings: Settings, sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A real fault (the plan table gone from the database) on a page and on the API."""
    settings = sqlite_settings.model_copy(update={"secret_key": "s", "cookie_secure": False})
    load_path(sqlite_engine, settings.definitions)
    add_user(sqlite_engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    token = {"Authorization": f"Bearer {issue_token(sqlite_engine, 'phongkh', 'test')}"}
    client = TestClient(
        create_app(settings, sqlite_engine), follow_redirects=False, raise_server_exceptions=False
    )
    sign_in(client)
    with sqlite_engine.begin() as conn:
        conn.execute(text("ALTER TABLE plan RENAME TO plan_gone"))
    caplog.set_level(logging.ERROR, logger="kehoach_flow.web")

    page = client.get("/")
    assert page.status_code == 500
    body = _in_layout(page)
    assert "<h1>Hệ thống đang gặp sự cố</h1>" in body
    code = re.search(r"<tr><th>Mã tham chiếu</th><td>([0-9A-F]{8})</td></tr>", body)
    assert code is not None
    assert "sqlite" not in body.lower() and "plan" not in body.split("<main>")[1]
    assert page.headers["x-frame-options"] == "DENY"

    api = client.get("/api/plans", headers=token)
    assert api.status_code == 500
    answer = api.json()
    assert answer["detail"].startswith("Hệ thống gặp sự cố") and not ENGLISH.search(api.text)
    assert re.fullmatch(r"[0-9A-F]{8}", answer["reference"])
    assert answer["reference"] in answer["detail"]

    logged = [r for r in caplog.records if r.name == "kehoach_flow.web"]
    assert [code.group(1) in r.getMessage() for r in logged] == [True, False]
    assert answer["reference"] in logged[1].getMessage()
    assert all(r.exc_info for r in logged)  # the traceback is in the log, for the operator


def test_a_nul_in_a_page_address_gets_a_vietnamese_400_page(web: TestClient) -> None:
    page = web.get("/ke-hoach/x%00y")
    assert page.status_code == 400
    body = _in_layout(page)
    assert "<h1>Yêu cầu không hợp lệ</h1>" in body and "ký tự không hợp lệ (NUL)" in body
    api = web.get("/api/plans/x%00/tasks")
    assert api.json() == {"detail": "đường dẫn chứa ký tự không hợp lệ (NUL)"}
