"""The dashboard's flows page reads the runs of a real Prefect server (scale-out)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.orchestration.helpers import flow


def test_the_flows_page_lists_prefect_runs_with_links_to_its_ui(
    env: Settings,
    engine: Engine,
    prefect_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flow("track_status")(day="2025-01-10")
    monkeypatch.setenv("PREFECT_API_URL", prefect_server)
    add_user(engine, "phongkh", "Phòng", "coordinator", "mat-khau-du-dai")
    web = TestClient(
        create_app(env.model_copy(update={"cookie_secure": False}), engine), follow_redirects=False
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/dang-nhap").text)
    assert token is not None
    form = {
        "csrf_token": token.group(1),
        "username": "phongkh",
        "password": "mat-khau-du-dai",
        "next": "/",
    }
    assert web.post("/dang-nhap", data=form).status_code == 303
    page = web.get("/luong").text
    assert "Trên Prefect server" in page and "track_status" in page and "Hoàn thành" in page
    assert "Completed" not in page  # Prefect's state, said in Vietnamese
    ui = prefect_server.removesuffix("/api")
    assert re.search(rf'href="{re.escape(ui)}/runs/flow-run/[0-9a-f-]+"', page)
