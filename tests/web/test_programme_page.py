"""The programme page (/chuong-trinh/KEY): one row per plan with its tasks by category and its
budget, the same numbers as the rollup report for the same day; a Vietnamese 404 for an
unknown programme; the sign-in page for anyone else."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.context import AppContext
from kehoach_flow.db.queries import find_task
from kehoach_flow.numbers import format_number
from kehoach_flow.reports.periods import Period, period
from kehoach_flow.reports.rollup import Rollup, RollupRow, build_rollup
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.review import confirm_done
from kehoach_flow.tracking.status import Status
from tests.conftest import SEED_PLAN
from tests.web.conftest import sign_in
from tests.web.helpers import national_app

PROGRAMME = "de-an-996"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR_CUTOFF = date(2024, 12, 14)  # the year's report cut-off (Nghị định 09/2019)


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return web_settings.model_copy(update={"today": YEAR_CUTOFF})


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _rows(page: str) -> dict[str, list[str]]:
    """Each plan's row (and the totals, under "") as its cells' text."""
    body = page.split('<table class="programme">')[1].split("</table>")[0]
    rows: dict[str, list[str]] = {}
    for tr in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S):
        cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        if not cells:
            continue  # the heading row
        plan = re.search(r'data-plan="([^"]+)"', tr)
        rows[plan.group(1) if plan else ""] = cells
    return rows


def _expected(row: RollupRow) -> list[str]:
    return [
        row.title,
        *(str(n) for n in row.counts),
        str(row.total),
        f"{format_number(row.planned)} đ",
        f"{format_number(row.spent)} đ",
    ]


def _year_rollup(settings: Settings, engine: Engine) -> Rollup:
    """The rollup report's numbers for the year 2024, computed as the report computes them."""
    ctx = AppContext(settings, engine)
    return build_rollup(
        engine, PROGRAMME, period("year", 2024, settings.report_cutoff_day), ctx.options()
    )


def _assert_same_numbers(page: str, rollup: Rollup) -> None:
    rows = _rows(page)
    assert rollup.rows, "the programme has no plan: the comparison would prove nothing"
    assert list(rows) == [r.plan for r in rollup.rows] + [""]
    for row in rollup.rows:
        assert rows[row.plan] == _expected(row), row.plan
        assert f'href="/ke-hoach/{row.plan}"' in page
    totals = rollup.totals
    assert rows[""] == ["Tổng cộng", *_expected(totals)[1:]]


def test_the_programme_page_has_the_rollup_reports_numbers(
    web: TestClient, web_settings: Settings, engine: Engine
) -> None:
    at = datetime.combine(date(2024, 9, 20), time(10), tzinfo=TZ)
    task_id = int(find_task(engine, f"{SEED_PLAN}/tuyen-truyen-996")["id"])
    update = UpdateIn(status=Status.DONE, spending={"phong-su-2024": 15_000_000})
    record_update(engine, task_id, update, Author("phongkh", "web", at), now=at)
    later = at.replace(hour=15)  # the seed plan has completion review: the coordinator confirms
    confirm_done(engine, task_id, Author("qltcdlcl", "web", later), now=later)
    sign_in(web)
    page = web.get(f"/chuong-trinh/{PROGRAMME}")
    assert page.status_code == 200, page.text
    rollup = _year_rollup(web_settings, engine)
    _assert_same_numbers(page.text, rollup)
    assert rollup.totals.spent == 15_000_000  # the update is counted, on the page as well
    assert rollup.totals.counts[0] >= 1  # done on time
    text = _text(page.text)
    assert "Tăng cường, đổi mới hoạt động đo lường hỗ trợ doanh nghiệp Việt Nam" in text
    assert "số liệu đến hết ngày 14/12/2024" in text
    assert "15.000.000 đ" in text


def test_the_programme_page_has_one_row_per_plan_of_a_national_programme(
    tmp_path: Path,
) -> None:
    app, engine = national_app(tmp_path)
    web = TestClient(app, follow_redirects=False)
    sign_in(web)
    page = web.get(f"/chuong-trinh/{PROGRAMME}")
    assert page.status_code == 200, page.text
    settings: Settings = app.state.settings
    day = settings.today
    assert day is not None
    ctx = AppContext(settings, engine)
    # the report's computation with the page's day as its cut-off
    year = period("year", day.year, settings.report_cutoff_day)
    at_day = Period(year.kind, year.year, year.start, day)
    rollup = build_rollup(engine, PROGRAMME, at_day, ctx.options())
    assert len(rollup.rows) >= 2
    _assert_same_numbers(page.text, rollup)


def test_an_unknown_programme_is_a_vietnamese_404(web: TestClient) -> None:
    sign_in(web)
    page = web.get("/chuong-trinh/khong-co")
    assert page.status_code == 404
    text = _text(page.text)
    assert "Không tìm thấy" in text
    assert 'không tìm thấy chương trình "khong-co"' in text


def test_the_programme_page_needs_an_account(web: TestClient) -> None:
    page = web.get(f"/chuong-trinh/{PROGRAMME}")
    assert page.status_code in (302, 303)
    assert page.headers["location"].startswith("/dang-nhap")


def test_the_reports_page_links_the_programme_page(web: TestClient) -> None:
    sign_in(web)
    page = web.get("/bao-cao").text
    assert f'href="/chuong-trinh/{PROGRAMME}"' in page
