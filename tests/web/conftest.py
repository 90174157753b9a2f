"""The real app over an httpx test client, on the seed plan, with one coordinator account."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app

PASSWORD = "mat-khau-du-dai"


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"secret_key": "test-secret", "cookie_secure": False, "evidence_max_bytes": 2048}
    )


@pytest.fixture
def web(web_settings: Settings, engine: Engine) -> TestClient:
    load_path(engine, web_settings.definitions)
    add_user(engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    add_user(engine, "lanhdao", "Lãnh đạo Sở", "viewer", PASSWORD)
    return TestClient(create_app(web_settings, engine), follow_redirects=False)


def csrf_of(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found is not None, f"no form on {url}"
    return found.group(1)


def sign_in(client: TestClient, password: str = PASSWORD, username: str = "PhongKH") -> int:
    data = {
        "csrf_token": csrf_of(client, "/dang-nhap"),
        "username": username,
        "password": password,
        "next": "/",
    }
    return client.post("/dang-nhap", data=data).status_code
