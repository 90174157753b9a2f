"""Shared by the web tests: where the browser is and its screenshots go, the update link and
form of the seed plan's task, and the app on two generated provinces at the busy day."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.bench import PROGRAMME_FILE
from kehoach_flow.bench import data as benchdata
from kehoach_flow.bench.reminders import BUSY_DAY
from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.links import LinkGrant, make_token
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import ROOT, SEED_PLAN

PASSWORD = "mat-khau-du-dai"  # every test account's
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / ".test-artifacts" / "browser"
SEED_TASKS = [  # the seed plan's tasks in plan order, which is also due-date order
    "tuyen-truyen-996",
    "chuan-do-luong",
    "to-chuc-kiem-dinh",
    "khao-sat-30-dn",
    "dau-tu-thiet-bi-gd2",
    "boi-duong-can-bo",
    "ctdl-ap-dung",  # the only one due in 2025 (31/12/2025); the others are due 31/12/2024
]
TASK = f"{SEED_PLAN}/khao-sat-30-dn"
UNIT = "qltcdlcl"


def link(task: str = TASK, secret: str = "test-secret") -> str:
    return f"/cap-nhat/{make_token(secret, LinkGrant(task, UNIT))}"


def form_of(client: TestClient, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'name="(csrf_token|version|task)" value="([^"]*)"', page.text))
    return {**fields, "status": "in_progress", "progress": "40"}


def national_app(work: Path) -> tuple[FastAPI, Engine]:
    """The app on two generated provinces, its clock at the busy day, one coordinator."""
    definitions = benchdata.generate(work / "definitions", ROOT / PROGRAMME_FILE, provinces=2)
    settings = Settings(
        data_dir=work / "data",
        definitions=definitions,
        today=BUSY_DAY,
        secret_key="test-secret",
        cookie_secure=False,
        _env_file=None,
    )
    engine = create_db_engine(settings.resolved_database_url())
    upgrade(engine)
    load_path(engine, definitions)
    add_user(engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    return create_app(settings, engine), engine


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[str]:
    """`app` served by uvicorn on a loopback `port` in a thread until the block ends; gives
    its base address once the server has started."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the app did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sign_in_page(page: Any, base: str, username: str = "phongkh") -> None:
    """Sign in through the browser's sign-in form and wait for the overview."""
    page.goto(f"{base}/dang-nhap")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
