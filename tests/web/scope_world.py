"""A ministry and two provinces on one database, for the scope tests of the API, the reports
page and the plan-file upload (SQLite and Postgres, through the `engine` fixture).

Units: the ministry (bo-khcn) above province A (tinh-01) and province B (tinh-02), each above
its generated units p0N-uXX; plan province-0N-2024 is coordinated by p0N-u01. Accounts: a
whole-installation coordinator, a coordinator of province A, a coordinator of a unit of B that
leads one of B's tasks (it sees B's plan, does not edit it), the ministry's viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.db.queries import list_tasks
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.web.conftest import csrf_of, sign_in
from tests.web.orgs import add_accounts, bench_definitions, open_world

PLAN_A, PLAN_B = "province-01-2024", "province-02-2024"
PROGRAMME = "de-an-996"
ACCOUNTS: dict[str, tuple[str, str | None]] = {  # username -> (role, unit)
    "toanquoc": ("coordinator", None),
    "tinh-a": ("coordinator", "tinh-01"),
    "bo-xem": ("viewer", "bo-khcn"),
}
DON_VI_B = "don-vi-b"  # a coordinator of a unit leading one of B's tasks


@dataclass
class World:
    client: TestClient
    engine: Engine
    settings: Settings
    tokens: dict[str, dict[str, str]]  # username -> Authorization header
    task_a: str  # a task key of A's plan
    task_b: str  # a task key of B's plan, led by DON_VI_B's unit
    unit_b: str  # that unit

    def as_user(self, username: str) -> TestClient:
        """A new browser signed in as `username`."""
        browser = TestClient(self.client.app, follow_redirects=False)
        assert sign_in(browser, username=username) == 303
        return browser

    def csrf(self, browser: TestClient, url: str) -> str:
        return csrf_of(browser, url)


TREE = {  # the ministry above the two provinces
    "bo-khcn": {"name": "Bộ Khoa học và Công nghệ"},
    "tinh-01": {"name": "Sở Khoa học và Công nghệ tỉnh 1", "parent": "bo-khcn"},
    "tinh-02": {"name": "Sở Khoa học và Công nghệ tỉnh 2", "parent": "bo-khcn"},
}


def build_world(work: Path, settings: Settings, engine: Engine) -> World:
    definitions = bench_definitions(work, TREE)
    ours, tokens = open_world(definitions, settings, engine, ACCOUNTS, "test")
    tasks_b = list_tasks(engine, plan=PLAN_B)
    led = next(t for t in tasks_b if t["lead"]["key"] != "p02-u01")
    tokens |= add_accounts(engine, {DON_VI_B: ("coordinator", led["lead"]["key"])}, "test")
    headers = {user: {"Authorization": f"Bearer {token}"} for user, token in tokens.items()}
    client = TestClient(create_app(ours, engine), follow_redirects=False)
    task_a = list_tasks(engine, plan=PLAN_A)[0]["key"]
    return World(client, engine, ours, headers, task_a, led["key"], led["lead"]["key"])
