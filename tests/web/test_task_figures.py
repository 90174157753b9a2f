"""The figures units report, shown back on the task page and in the API's task history: the
latest total to date of each target, spending against the planned amount, authors by name."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import issue_token
from kehoach_flow.db.queries import find_task
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from tests.tracking.helpers import FIGURES_PLAN, write_figures_plan
from tests.web.conftest import sign_in

TASK = f"{FIGURES_PLAN}/ho-tro-dn"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def web_settings(web_settings: Settings, definitions_copy: Path) -> Settings:
    """The figures plan beside the seed plans, the pages judged on 10/05/2024."""
    definitions = write_figures_plan(definitions_copy)
    return web_settings.model_copy(update={"definitions": definitions, "today": date(2024, 5, 10)})


@pytest.fixture
def reported(web: TestClient, engine: Engine) -> TestClient:
    """Two reports on ho-tro-dn: 12 firms and 30 million by the unit's link, then 25 firms and
    120 million by the viewer account over the API."""
    task_id = find_task(engine, TASK)["id"]
    first = UpdateIn(
        status=Status.IN_PROGRESS,
        progress=40,
        actuals={"1": 12},
        spending={"sn-khcn-2024": 30_000_000},
    )
    record_update(
        engine,
        task_id,
        first,
        Author("qltcdlcl", "web", at=datetime(2024, 5, 2, 9, 0, tzinfo=VN)),
        now=datetime(2024, 5, 10, 12, 0, tzinfo=VN),
    )
    second = UpdateIn(actuals={"1": 25}, spending={"sn-khcn-2024": 120_000_000}, note="Đã khảo sát")
    record_update(
        engine,
        task_id,
        second,
        Author("lanhdao", "api", at=datetime(2024, 5, 10, 8, 30, tzinfo=VN)),
        now=datetime(2024, 5, 10, 12, 0, tzinfo=VN),
    )
    return web


def _text(page: str) -> str:
    """A page's text as read: tags gone, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_task_page_shows_totals_to_date_spending_and_authors_by_name(
    reported: TestClient,
) -> None:
    sign_in(reported)
    page = reported.get(f"/nhiem-vu/{TASK}")
    assert page.status_code == 200
    text = _text(page.text)
    assert "25/30 doanh nghiệp (ngày 10/05/2024, Lãnh đạo Sở qua API)" in text
    assert "2 hội thảo (chưa báo cáo)" in text
    assert (
        "Kinh phí sự nghiệp KHCN năm 2024: đã chi 120.000.000 đ / kế hoạch 200.000.000 đ (60%)"
        " (ngày 10/05/2024, Lãnh đạo Sở qua API)" in text
    )
    assert "Kinh phí địa phương: chưa có kinh phí kế hoạch" in text
    assert "Tổng: đã chi 120.000.000 đ / kế hoạch 200.000.000 đ (60%)" in text
    history = text.split("Lịch sử cập nhật")[1]
    assert (
        "Lãnh đạo Sở qua API: Đang thực hiện, 40% Số liệu đến nay: "
        "25/30 doanh nghiệp; đã chi Kinh phí sự nghiệp KHCN năm 2024: 120.000.000 đ" in history
    )
    assert (
        "Phòng Quản lý TCĐLCL qua trang web: Chưa thực hiện → Đang thực hiện, 40% "
        "Số liệu đến nay: 12/30 doanh nghiệp; đã chi Kinh phí sự nghiệp KHCN năm 2024: "
        "30.000.000 đ" in history
    )
    for raw in ("(web)", "(cli)", "(api)", "qltcdlcl", "lanhdao"):
        assert raw not in history


def test_a_task_without_planned_money_says_so(web: TestClient) -> None:
    sign_in(web)
    text = _text(web.get(f"/nhiem-vu/{FIGURES_PLAN}/khong-kinh-phi").text)
    assert "Kinh phí sự nghiệp KHCN năm 2024: chưa có kinh phí kế hoạch" in text
    assert "Tổng: chưa có kinh phí kế hoạch" in text
    assert "Chưa có cập nhật nào." in text


def test_the_api_task_gives_figures_and_readable_authors(
    reported: TestClient, engine: Engine
) -> None:
    token = {"Authorization": f"Bearer {issue_token(engine, 'lanhdao', 'test')}"}
    row = reported.get(f"/api/tasks/{TASK}", headers=token).json()
    firms, workshops = row["figures"]["targets"]
    assert (firms["planned"], firms["actual"], firms["percent"]) == (30, 25, 83.3)
    assert firms["reported"]["author"]["text"] == "Lãnh đạo Sở qua API"
    assert (workshops["actual"], workshops["reported"]) == (None, None)
    assert row["figures"]["budget"] == {
        "planned": 200_000_000,
        "spent": 120_000_000,
        "percent": 60.0,
        "over": False,
    }
    newest, older = row["history"]
    # the stored fields are kept, the readable ones added
    assert (newest["actor"], newest["channel"], newest["version"]) == ("lanhdao", "api", 3)
    assert newest["author"] == {
        "name": "Lãnh đạo Sở",
        "via": "qua API",
        "kind": "user",
        "text": "Lãnh đạo Sở qua API",
    }
    assert newest["figures"]["text"] == (
        "25/30 doanh nghiệp; đã chi Kinh phí sự nghiệp KHCN năm 2024: 120.000.000 đ"
    )
    assert older["author"]["text"] == "Phòng Quản lý TCĐLCL qua trang web"
    assert [q["actual"] for q in older["figures"]["actuals"]] == [12]
    bare = reported.get(f"/api/tasks/{FIGURES_PLAN}/khong-kinh-phi", headers=token).json()
    assert bare["figures"]["budget"]["planned"] is None and bare["history"] == []
