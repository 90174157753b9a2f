"""The real app over an httpx test client, on the seed plan, with one coordinator account."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.mail.conftest import free_port
from tests.web.helpers import ARTIFACTS, CHROMIUM, PASSWORD, serving


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


@pytest.fixture
def live(
    sqlite_settings: Settings, sqlite_engine: Engine
) -> Iterator[tuple[str, Settings, Engine]]:
    """The real app served by uvicorn on a free loopback port, cookies Secure as by default."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = sqlite_settings.model_copy(update={"base_url": base, "secret_key": "browser-secret"})
    load_path(sqlite_engine, settings.definitions)
    add_user(sqlite_engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    with serving(create_app(settings, sqlite_engine), port):
        yield base, settings, sqlite_engine


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()
