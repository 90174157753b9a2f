"""The plan and task pages: filters, search, history with evidence, escaping."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.links import LinkGrant, make_token
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN
from tests.web.conftest import csrf_of, sign_in

PLAN_URL = f"/ke-hoach/{SEED_PLAN}"
DAY = date(2025, 3, 3)  # "today" for every page here: after the seed plan's year


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    """The pages judged on DAY, not on the machine's date."""
    return web_settings.model_copy(update={"today": DAY})


def shown_tasks(page: str) -> list[str]:
    return re.findall(r'<tr data-task="([^"]+)"', page)


def test_the_plan_page_lists_tasks_by_section_and_filters_them(web: TestClient) -> None:
    assert web.get(PLAN_URL).status_code == 303  # signed out: to the sign-in page
    sign_in(web)
    every = shown_tasks(web.get(PLAN_URL).text)
    assert len(every) == 7
    led = shown_tasks(web.get(PLAN_URL, params={"unit": "ttkt-tcdlcl"}).text)
    assert led == ["chuan-do-luong", "to-chuc-kiem-dinh", "dau-tu-thiet-bi-gd2"]  # led, partnered
    found = shown_tasks(web.get(PLAN_URL, params={"q": "khao sat"}).text)  # without diacritics
    assert found == ["khao-sat-30-dn"]
    by_year_end = shown_tasks(web.get(PLAN_URL, params={"due_before": "2024-12-31"}).text)
    assert by_year_end == every[:6]  # due on the day counts; ctdl-ap-dung is due in 2025
    assert shown_tasks(web.get(PLAN_URL, params={"due_before": "2024-12-30"}).text) == []
    nothing = web.get(PLAN_URL, params={"status": "blocked"}).text
    assert shown_tasks(nothing) == [] and "Không có nhiệm vụ nào khớp bộ lọc." in nothing
    assert web.get("/ke-hoach/khong-co").status_code == 404


def test_the_task_page_shows_history_and_evidence_downloads(
    web: TestClient, engine: Engine
) -> None:
    link = f"/cap-nhat/{make_token('test-secret', LinkGrant(f'{SEED_PLAN}/khao-sat-30-dn', 'qltcdlcl'))}"
    page = web.get(link).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    data = {
        "csrf_token": csrf_of(web, link),
        "version": version.group(1),
        "task": f"{SEED_PLAN}/khao-sat-30-dn",
        "status": "in_progress",
        "progress": "30",
        "note": "Đã gửi phiếu khảo sát",
    }
    saved = web.post(
        link, data=data, files={"evidence": ("phieu.pdf", b"%PDF-1.4 phieu", "application/pdf")}
    )
    assert saved.status_code == 200, saved.text
    sign_in(web)
    task = web.get(f"/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn")
    assert task.status_code == 200
    assert "Đã gửi phiếu khảo sát" in task.text and "Chưa thực hiện → Đang thực hiện" in task.text
    assert '<a href="/don-vi/qltcdlcl">' in task.text  # the lead unit's page, one tap away
    href = re.search(r'href="(/minh-chung/[0-9a-f]{64})">phieu.pdf<', task.text)
    assert href is not None
    download = web.get(href.group(1))
    assert download.status_code == 200 and download.content == b"%PDF-1.4 phieu"
    assert download.headers["content-type"] == "application/octet-stream"
    assert "attachment" in download.headers["content-disposition"]
    assert find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")["progress"] == 30


def test_a_script_in_a_title_is_escaped_on_every_page(
    web: TestClient, engine: Engine, definitions_copy: Path
) -> None:
    plan = definitions_copy / "plans" / "quang-tri-2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace("Khảo sát", "<script>alert(1)</script> Khảo sát", 1), encoding="utf-8"
    )
    load_path(engine, definitions_copy)
    sign_in(web)
    link = f"/cap-nhat/{make_token('test-secret', LinkGrant(f'{SEED_PLAN}/khao-sat-30-dn', 'qltcdlcl'))}"
    showing_the_title = (
        PLAN_URL,
        f"/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn",
        "/qua-han",  # on DAY the task is overdue
        f"/tien-do?plan={SEED_PLAN}",
        "/don-vi/qltcdlcl",
        link,
    )
    for url in ("/", *showing_the_title):  # the overview shows plans, not task titles
        page = web.get(url)
        assert page.status_code == 200, url  # an error page would not show the title at all
        assert "<script>alert(1)</script>" not in page.text, url
        assert ("&lt;script&gt;alert(1)&lt;/script&gt;" in page.text) == (url != "/"), url


def test_the_plan_page_charts_completion_by_group_and_budget_by_source(
    web: TestClient, engine: Engine
) -> None:
    from kehoach_flow.tracking.history import Author, UpdateIn, record_update
    from kehoach_flow.tracking.review import confirm_done
    from kehoach_flow.tracking.status import Status

    task = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")
    record_update(
        engine,
        task["id"],
        UpdateIn(status=Status.DONE, progress=100, spending={"sn-khcn-2024": 30_000_000}),
        Author("x", "cli"),
        now=datetime.combine(DAY, time(9), ZoneInfo("Asia/Ho_Chi_Minh")),  # done by DAY
    )
    confirm_done(  # the seed plan has completion review: the coordinator confirms it
        engine,
        task["id"],
        Author("qltcdlcl", "cli"),
        now=datetime.combine(DAY, time(15), ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    sign_in(web)
    page = web.get(PLAN_URL).text
    bars = dict(re.findall(r'data-group="([^"]+)">.*?<span class="hvalue">(\d+/\d+)</span>', page))
    assert bars[task["group"]].startswith("1/")
    assert "Kinh phí theo nguồn" in page and "30.000.000" in page
    assert (
        "data-group=" not in web.get(PLAN_URL, params={"q": "khao"}).text
    )  # filtered: a plain list
