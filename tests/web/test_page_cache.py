"""Pages served from data computed once per plan state and day: a recorded update, or the
next day, shows at once on the overdue list, its xlsx, the plan page and the overview."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from kehoach_flow.accounts import issue_token
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN
from tests.web.conftest import sign_in
from tests.web.helpers import SEED_TASKS, form_of, link

TASK_KEY = "khao-sat-30-dn"
DAY = date(2026, 1, 5)  # the pages' today: after every seed task's due date (the last 2025)


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    """The pages judged on DAY (settings.today, as KEHOACH_TODAY sets it), not the machine's."""
    return web_settings.model_copy(update={"today": DAY})


def overdue_progress(client: TestClient) -> dict[str, str]:
    """Task key -> progress shown on /qua-han."""
    page = client.get("/qua-han")
    assert page.status_code == 200
    return dict(re.findall(r'<tr data-task="([^"]+)">.*?<td class="n"[^>]*>(\d+)%</td>', page.text))


def xlsx_progress(client: TestClient) -> dict[str, int]:
    sheet = load_workbook(io.BytesIO(client.get("/qua-han.xlsx").content)).active
    assert sheet is not None
    return {r[1]: r[5] for r in sheet.iter_rows(min_row=3, values_only=True)}


def plan_page_progress(client: TestClient) -> str:
    page = client.get(f"/ke-hoach/{SEED_PLAN}")
    found = re.search(rf'<tr data-task="{TASK_KEY}">.*?(\d+)%</div>', page.text)
    assert found is not None
    return found.group(1)


def test_an_update_from_the_form_shows_at_once_on_every_page(web: TestClient) -> None:
    sign_in(web)
    overview = web.get("/").text
    assert overdue_progress(web)[TASK_KEY] == "0"
    assert xlsx_progress(web)[TASK_KEY] == 0
    assert plan_page_progress(web) == "0"
    assert overdue_progress(web)[TASK_KEY] == "0"  # the second time from what was computed

    url = link()
    assert web.post(url, data=form_of(web, url)).status_code == 200  # progress 40

    assert overdue_progress(web)[TASK_KEY] == "40"
    assert xlsx_progress(web)[TASK_KEY] == 40
    assert plan_page_progress(web) == "40"
    assert web.get("/").text != overview


def test_an_update_through_the_api_shows_at_once_on_the_overdue_list(
    web: TestClient, engine: Engine
) -> None:
    sign_in(web)
    assert overdue_progress(web)[TASK_KEY] == "0"
    token = {"Authorization": f"Bearer {issue_token(engine, 'phongkh', 'test')}"}
    body = {"version": 1, "status": "in_progress", "progress": 70}
    created = web.post(f"/api/tasks/{SEED_PLAN}/{TASK_KEY}/updates", json=body, headers=token)
    assert created.status_code == 201, created.text
    assert overdue_progress(web)[TASK_KEY] == "70"
    assert xlsx_progress(web)[TASK_KEY] == 70


def test_the_overdue_list_is_computed_for_the_day_of_the_request(
    web: TestClient, web_settings: Settings, engine: Engine
) -> None:
    """Two apps on the same database share its cache; each sees its own day."""
    sign_in(web)
    today_rows = overdue_progress(web)
    early = TestClient(
        create_app(web_settings.model_copy(update={"today": date(2024, 1, 2)}), engine),
        follow_redirects=False,
    )
    sign_in(early)
    early_rows = overdue_progress(early)
    assert early_rows == {}  # on 2 January 2024 nothing is late yet
    assert today_rows == {key: "0" for key in SEED_TASKS}  # on DAY all seven are
    assert overdue_progress(web) == today_rows
