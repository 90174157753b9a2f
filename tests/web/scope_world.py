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

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user, issue_token
from kehoach_flow.bench import PROGRAMME_FILE
from kehoach_flow.bench import data as benchdata
from kehoach_flow.bench.reminders import BUSY_DAY
from kehoach_flow.db.queries import list_tasks
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import ROOT
from tests.web.conftest import csrf_of, sign_in
from tests.web.helpers import PASSWORD

PLAN_A, PLAN_B = "province-01-2024", "province-02-2024"
PROGRAMME = "de-an-996"
ACCOUNTS = {  # username -> (role, unit)
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


def _tree(definitions: Path) -> None:
    """Put the generated units under their province, the provinces under the ministry."""
    path = definitions / "units.yaml"
    units = yaml.safe_load(path.read_text(encoding="utf-8"))["units"]
    for key, unit in units.items():
        unit["parent"] = "tinh-" + key[1:3]
    units["bo-khcn"] = {"name": "Bộ Khoa học và Công nghệ"}
    units["tinh-01"] = {"name": "Sở Khoa học và Công nghệ tỉnh 1", "parent": "bo-khcn"}
    units["tinh-02"] = {"name": "Sở Khoa học và Công nghệ tỉnh 2", "parent": "bo-khcn"}
    text = yaml.safe_dump({"units": units}, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


def build_world(work: Path, settings: Settings, engine: Engine) -> World:
    definitions = benchdata.generate(
        work / "definitions", ROOT / PROGRAMME_FILE, provinces=2, tasks_per_subsection=1
    )
    _tree(definitions)
    ours = settings.model_copy(
        update={
            "definitions": definitions,
            "today": BUSY_DAY,
            "secret_key": "test-secret",
            "cookie_secure": False,
        }
    )
    load_path(engine, definitions)
    tasks_b = list_tasks(engine, plan=PLAN_B)
    led = next(t for t in tasks_b if t["lead"]["key"] != "p02-u01")
    accounts = {**ACCOUNTS, DON_VI_B: ("coordinator", led["lead"]["key"])}
    tokens = {}
    for username, (role, unit) in accounts.items():
        add_user(engine, username, f"Tài khoản {username}", role, PASSWORD, unit_key=unit)
        tokens[username] = {"Authorization": f"Bearer {issue_token(engine, username, 'test')}"}
    client = TestClient(create_app(ours, engine), follow_redirects=False)
    task_a = list_tasks(engine, plan=PLAN_A)[0]["key"]
    return World(client, engine, ours, tokens, task_a, led["key"], led["lead"]["key"])
