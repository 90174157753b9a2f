"""The overview's first line names the account's role as the accounts page does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from tests.web.conftest import sign_in
from tests.web.helpers import PASSWORD


def _first_line(client: TestClient) -> str:
    found = re.search(r'<div class="bar-top"><span class="meta">([^<]*)<', client.get("/").text)
    assert found is not None
    return found.group(1)


def test_the_overview_names_each_role_in_vietnamese(web: TestClient, engine: Engine) -> None:
    add_user(engine, "quantri", "Văn phòng Sở", "admin", PASSWORD)
    for username, name, label in (
        ("lanhdao", "Lãnh đạo Sở", "xem"),
        ("phongkh", "Phòng Quản lý TCĐLCL", "phòng chủ trì"),
        ("quantri", "Văn phòng Sở", "quản trị"),
    ):
        web.cookies.clear()
        assert sign_in(web, username=username) == 303
        assert _first_line(web).startswith(f"{name} ({label}) · ngày ")
