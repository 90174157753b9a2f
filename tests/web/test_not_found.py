"""An address nothing answers: a Vietnamese page in the site's layout for a browser, a
Vietnamese JSON detail under /api/, the security headers on both; a 404 that names what is
missing keeps its own words."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import issue_token
from tests.web.conftest import sign_in

HARDENED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def _hardened(headers: object) -> dict[str, str | None]:
    return {name: headers.get(name) for name in HARDENED}  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/khong-co-trang", "/ke-hoach", "/static/khong-co.css"])
def test_an_unknown_address_gets_a_vietnamese_page_in_the_layout(
    web: TestClient, path: str
) -> None:
    for signed_in in (False, True):
        if signed_in:
            sign_in(web)
        page = web.get(path)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="vi">' in page.text
        assert '<link rel="stylesheet" href="/static/style.css">' in page.text
        assert "<title>Không tìm thấy trang" in page.text
        assert "<h1>Không tìm thấy trang</h1>" in page.text
        assert (
            "<p>Địa chỉ này không có trong hệ thống; có thể đường dẫn gõ sai hoặc đã cũ.</p>"
            in page.text
        )
        assert '<a href="/">Về trang tổng quan</a>' in page.text
        assert "Not Found" not in page.text
        assert _hardened(page.headers) == HARDENED
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_an_unknown_api_address_gets_a_vietnamese_json_detail(
    web: TestClient, engine: Engine
) -> None:
    token = {"Authorization": f"Bearer {issue_token(engine, 'lanhdao', 'test')}"}
    for headers in ({}, token):
        found = web.get("/api/khong-co", headers=headers)
        assert found.status_code == 404
        assert found.headers["content-type"] == "application/json"
        assert found.json() == {"detail": "Không tìm thấy địa chỉ này"}
        assert _hardened(found.headers) == HARDENED
    # A missing plan keeps the message that names it.
    plan = web.get("/api/plans/khong-co/tasks", headers=token)
    assert plan.status_code == 404 and "khong-co" in plan.json()["detail"]
    # Other HTTP errors are as before.
    assert web.get("/api/plans").json()["detail"].startswith("cần đăng nhập")
