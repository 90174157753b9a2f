"""The "hôm nay" page: what changed since the last working day, the units with the most
overdue work, and the trend from daily snapshots, over a simulated month."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.snapshots import write_snapshot
from kehoach_flow.tracking.status import Status
from tests.tracking.helpers import LATENESS_PLAN, write_lateness_plan
from tests.web.conftest import sign_in

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2024, 7, 15)


@pytest.fixture
def web_settings(web_settings: Settings, definitions_copy: Path) -> Settings:
    definitions = write_lateness_plan(definitions_copy)
    return web_settings.model_copy(update={"definitions": definitions, "today": MONDAY})


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _a_month(engine: Engine) -> None:
    """An update on Friday 12/07, and a month of daily snapshots up to Sunday 14/07."""
    at = datetime.combine(date(2024, 7, 12), time(9), tzinfo=TZ)
    task_id = int(find_task(engine, f"{LATENESS_PLAN}/b2")["id"])
    record_update(engine, task_id, UpdateIn(status=Status.DONE), Author("kh-tc", "web", at), now=at)
    first = date(2024, 6, 14)
    for n in range(31):  # a month of daily snapshots, one task more done every 10 days
        done = 1 + n // 10
        overall = {"done": done, "total": 8, "completion_percent": round(100 * done / 8, 1)}
        overdue = ["a1", "b1", "s1"] if n >= 14 else []
        write_snapshot(
            engine, LATENESS_PLAN, first + timedelta(days=n), {"overall": overall}, overdue
        )


def test_the_today_page_shows_changes_late_units_and_a_month_of_trend(
    web: TestClient, engine: Engine
) -> None:
    _a_month(engine)
    sign_in(web)
    page = web.get("/hom-nay")
    assert page.status_code == 200
    text = _text(page.text)
    changes = text.split("Thay đổi từ ngày 12/07/2024")[1].split("Đơn vị có nhiều")[0]
    assert changes.strip() == (
        "Cập nhật nhận được: 1 Việc B2 12/07/2024 09:00 · Phòng KH-TC qua trang web: "
        "Chưa thực hiện → Hoàn thành, 100% "
        "Mới quá hạn: 1 Việc A2 Phòng Quản lý TCĐLCL · hạn 12/07/2024 "
        "Thư nhắc việc đã gửi: 0 Không có thư nào."
    )
    units = re.findall(r'<li><a href="/don-vi/([^"]+)">[^<]+</a>: ([^<]+)</li>', page.text)
    assert units == [
        ("kh-tc", "2 việc quá hạn, 0 việc hoàn thành trễ, tổng 41 ngày làm việc trễ"),
        ("qltcdlcl", "2 việc quá hạn, 0 việc hoàn thành trễ, tổng 12 ngày làm việc trễ"),
        ("tt-ncgdmst", "1 việc quá hạn, 0 việc hoàn thành trễ, tổng 3 ngày làm việc trễ"),
    ]
    assert (
        "Kế hoạch thử nghiệm trễ hạn năm 2024 ngày 14/07/2024: hoàn thành 50% (4/8), "
        "3 quá hạn; từ 14/06/2024: +37,5 điểm phần trăm, quá hạn +3 (31 ảnh chụp)" in text
    )
    assert "thực hiện năm 2024 chưa có ảnh chụp hằng ngày nào" in text  # the seed plan


def test_the_overview_shows_the_today_view_in_brief(web: TestClient, engine: Engine) -> None:
    """Issue 20: "a 'hôm nay' view on /": the changes since the last working day, the late
    units and, after a simulated month, the trend from the daily snapshots."""
    _a_month(engine)
    sign_in(web)
    page = web.get("/")
    assert page.status_code == 200
    brief = page.text.split('<section class="card today-brief">')[1].split("</section>")[0]
    text = _text(brief)
    assert text.startswith(
        "Hôm nay: thay đổi từ ngày 12/07/2024 1 cập nhật nhận được · 1 mới quá hạn · "
        "0 thư nhắc việc đã gửi · Xem đầy đủ"
    )
    assert "Việc B2 Phòng KH-TC qua trang web: Chưa thực hiện → Hoàn thành, 100%" in text
    assert "Việc A2 Phòng Quản lý TCĐLCL · hạn 12/07/2024 · mới quá hạn" in text
    units = re.findall(r'<li><a href="/don-vi/([^"]+)">[^<]+</a>: ([^<]+)</li>', brief)
    assert units == [
        ("kh-tc", "2 việc quá hạn, 41 ngày làm việc trễ"),
        ("qltcdlcl", "2 việc quá hạn, 12 ngày làm việc trễ"),
        ("tt-ncgdmst", "1 việc quá hạn, 3 ngày làm việc trễ"),
    ]
    trends = brief.split('<ul class="today-trends">')[1]
    assert re.findall(r'<li data-plan="([^"]+)">', trends) == [LATENESS_PLAN]  # with snapshots
    assert (
        "Kế hoạch thử nghiệm trễ hạn năm 2024 hoàn thành 50% ngày 14/07/2024, +37,5 điểm phần "
        "trăm từ 14/06/2024 · 3 quá hạn (+3)" in text
    )
    line = re.search(r'<polyline points="([^"]+)"', trends)
    assert line is not None and len(line.group(1).split()) == 31  # a point a day
    assert web.get("/hom-nay").status_code == 200  # the full view stays
    at = datetime.combine(MONDAY, time(8), tzinfo=TZ)  # another update: shown at once
    task_id = int(find_task(engine, f"{LATENESS_PLAN}/a1")["id"])
    change = UpdateIn(status=Status.IN_PROGRESS, progress=10)
    record_update(engine, task_id, change, Author("qltcdlcl", "web", at), now=at)
    assert "2 cập nhật nhận được" in _text(web.get("/").text)
    assert "Cập nhật nhận được: 2" in _text(web.get("/hom-nay").text)
