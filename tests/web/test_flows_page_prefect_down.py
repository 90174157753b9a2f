"""/luong when the Prefect server does not answer: a reason in Vietnamese, not httpx's English."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import sign_in


def test_a_prefect_server_that_is_down_is_explained_in_vietnamese(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{port}/api")
    assert sign_in(web) == 303
    page = web.get("/luong")
    assert page.status_code == 200
    assert "không kết nối được máy chủ Prefect (chưa chạy hoặc đang khởi động)" in page.text
    assert "connection attempts failed" not in page.text.lower()
