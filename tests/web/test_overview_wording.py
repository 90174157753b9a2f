"""The overview's plan card says its overdue tasks the way its category table counts them: a
late task never started is under the government's "Chưa thực hiện", and both lines say so."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN
from tests.web.conftest import sign_in


@pytest.fixture
def web_settings(settings: Settings) -> Settings:  # the seed plan's tasks late, none started
    update = {"secret_key": "test-secret", "cookie_secure": False, "today": date(2025, 1, 15)}
    return settings.model_copy(update=update)


def test_the_card_says_how_many_late_tasks_were_never_started(web: TestClient) -> None:
    sign_in(web)
    page = web.get("/").text
    card = page.split(f'data-plan="{SEED_PLAN}"')[1].split("</section>")[0]
    overdue = int(re.search(r'<strong class="overdue">(\d+)</strong> quá hạn', card).group(1))  # type: ignore[union-attr]
    rows = dict(
        re.findall(
            r'</span>([^<]+?)(?: <span class="late-todo">\((\d+) đã quá hạn\)</span>)?</td>', card
        )
    )
    late_open = int(re.search(r"Đang thực hiện quá hạn</td><td class=\"n\">(\d+)", card).group(1))  # type: ignore[union-attr]
    never_started = re.search(
        r'<span class="late-todo">\((\d+) đã quá hạn\)</span></td><td class="n">(\d+)', card
    )
    assert overdue > late_open, "some late tasks were never started"
    assert never_started, rows
    late_todo, todo = int(never_started.group(1)), int(never_started.group(2))
    assert late_open + late_todo == overdue and late_todo <= todo
    assert f'(<span class="late-todo-count">{late_todo}</span> chưa bắt đầu)' in card
