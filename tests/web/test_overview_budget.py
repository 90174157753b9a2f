"""The overview card's money (issue 20): the plan's budget from its tasks' funding (tracking/
spending.py `plan_budget`), never "Kinh phí kế hoạch 0 đ" beside an amount spent with a full
bar: a plan that gives no amounts says it has none and draws no bar; one that gives them
shows spent against planned with a bar of that share."""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.bench.reminders import BUSY_DAY
from kehoach_flow.db.queries import find_task, list_tasks
from kehoach_flow.numbers import format_number
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from tests.conftest import SEED_PLAN
from tests.web.conftest import sign_in
from tests.web.helpers import national_app

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _card(page: str, plan: str) -> str:
    return page.split(f'data-plan="{plan}"')[1].split("</section>")[0]


def _cell(card: str, row: str) -> str:
    found = re.search(rf'<tr class="{row}"><td>[^<]+</td><td class="n">([^<]+)</td>', card)
    assert found is not None, card
    return found.group(1)


def test_a_plan_without_amounts_says_so_beside_what_was_spent(
    web: TestClient, engine: Engine
) -> None:
    task = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")
    at = datetime(2024, 7, 1, 9, tzinfo=TZ)
    change = UpdateIn(spending={"sn-khcn-2024": 120_000_000})
    record_update(engine, int(task["id"]), change, Author("qltcdlcl", "web", at), now=at)
    sign_in(web)
    card = _card(web.get("/").text, SEED_PLAN)
    assert _cell(card, "planned") == "chưa có"
    assert _cell(card, "spent") == "120.000.000 đ"
    assert 'class="hbar budget' not in card  # no bar without a planned budget


def test_a_plan_with_amounts_shows_spent_against_planned(tmp_path: Path) -> None:
    app, engine = national_app(tmp_path)
    plan = "province-01-2024"
    tasks = list_tasks(engine, plan=plan)
    planned = sum(line["amount"] or 0 for t in tasks for line in t["funding"])
    task = tasks[0]
    source = task["funding"][0]["source"]
    spent = task["funding"][0]["amount"]  # one task's line spent in full
    at = datetime.combine(BUSY_DAY, time(9), tzinfo=TZ)
    change = UpdateIn(spending={source: spent})
    record_update(engine, int(task["id"]), change, Author("p01-u01", "web", at), now=at)
    client = TestClient(app, follow_redirects=False)
    sign_in(client)
    card = _card(client.get("/").text, plan)
    assert _cell(card, "planned") == f"{format_number(planned)} đ"
    assert _cell(card, "spent") == f"{format_number(spent)} đ"
    share = round(100 * spent / planned, 1)
    bar = re.search(
        r'<span class="hfill spent w-(\d+)"></span></span><span class="hvalue">([^<]+)<', card
    )
    assert bar is not None
    assert (int(bar.group(1)), bar.group(2)) == (round(share), f"{share:g}%".replace(".", ","))
    untouched = _card(client.get("/").text, "province-02-2024")
    assert _cell(untouched, "spent") == "chưa báo cáo"


def test_the_plan_page_draws_no_budget_bar_without_a_planned_budget(
    web: TestClient, engine: Engine
) -> None:
    task = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")
    at = datetime(2024, 7, 1, 9, tzinfo=TZ)
    change = UpdateIn(spending={"sn-khcn-2024": 120_000_000})
    record_update(engine, int(task["id"]), change, Author("qltcdlcl", "web", at), now=at)
    sign_in(web)
    page = web.get(f"/ke-hoach/{SEED_PLAN}").text
    budget = page.split("Kinh phí theo nguồn")[1]
    assert "hfill" not in budget
    assert "đã chi 120.000.000" in budget
    assert "Kế hoạch chưa ghi kinh phí: chỉ có số đã chi." in budget
