"""Overdue list and its xlsx, the unit page, the outbox, the reports page and its roles."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from kehoach_flow.db.tables import ReportRun
from kehoach_flow.mail.transport import FileTransport
from kehoach_flow.reminders.sweep import sweep
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN
from tests.web.conftest import csrf_of, sign_in
from tests.web.helpers import SEED_TASKS

AFTER = date(2026, 1, 5)  # after the seed plan's last due date
OVERDUE_ON = {
    date(2024, 12, 20): [],  # inside the plan's year: every task still has time
    date(2025, 3, 3): SEED_TASKS[:6],
    AFTER: SEED_TASKS,
}


@pytest.fixture
def day() -> date:
    """The pages' "today" (settings.today, as KEHOACH_TODAY sets it), never the machine's."""
    return AFTER


@pytest.fixture
def web_settings(web_settings: Settings, day: date) -> Settings:
    return web_settings.model_copy(update={"today": day})


@pytest.mark.parametrize("day", list(OVERDUE_ON), ids=str)
def test_the_overdue_list_sorts_and_exports_to_xlsx(web: TestClient, day: date) -> None:
    sign_in(web)
    page = web.get("/qua-han", params={"sort": "due"})
    assert page.status_code == 200
    keys = re.findall(r'<tr data-task="([^"]+)"', page.text)
    assert keys == OVERDUE_ON[day]
    assert ("Không có nhiệm vụ nào quá hạn" in page.text) == (keys == [])
    export = web.get("/qua-han.xlsx", params={"sort": "due"})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"qua-han-{day.isoformat()}.xlsx" in export.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if any(r)]
    assert [r[1] for r in rows] == keys
    dues = [r[4] for r in rows]
    assert dues == sorted(dues) and all(r[6] == "Quá hạn" for r in rows)
    assert str(sheet["A1"].value).startswith("Nhiệm vụ quá hạn")


def test_the_unit_page_shows_led_and_partnered_tasks_and_its_mail(
    web: TestClient, web_settings: Settings, engine: Engine
) -> None:
    sweep(engine, web_settings, FileTransport(web_settings.data_dir / "outbox"), date(2024, 12, 20))
    sign_in(web)
    page = web.get("/don-vi/ttkt-tcdlcl")
    assert page.status_code == 200
    assert "Chủ trì" in page.text and "Phối hợp" in page.text
    assert "Nhắc việc ngày 20/12/2024" in page.text
    assert web.get("/don-vi/khong-co").status_code == 404
    mail = web.get("/thu", params={"status": "sent"})
    assert mail.status_code == 200 and mail.text.count('class="mail-sent"') == 4


def test_reports_are_generated_by_coordinators_only(web: TestClient, engine: Engine) -> None:
    sign_in(web, username="lanhdao")
    page = web.get("/bao-cao")
    assert page.status_code == 200 and "Soạn dự thảo" not in page.text  # no form for a viewer
    token = csrf_of(web, "/")  # a valid token, from the sign-out form
    form = {"csrf_token": token, "subject": f"plan:{SEED_PLAN}", "period": "q2", "year": "2024"}
    assert web.post("/bao-cao", data=form).status_code == 403
    web.cookies.clear()
    sign_in(web)
    assert (
        web.post("/bao-cao", data={k: v for k, v in form.items() if k != "csrf_token"}).status_code
        == 403
    )
    form["csrf_token"] = csrf_of(web, "/bao-cao")
    made = web.post("/bao-cao", data=form)
    assert made.status_code == 303, made.text
    with engine.connect() as conn:
        runs = list(conn.execute(select(ReportRun.__table__)))  # type: ignore[attr-defined]
    assert [(r.subject, r.period) for r in runs] == [(SEED_PLAN, "q2")]
    listing = web.get("/bao-cao").text
    link = re.search(r'href="(/bao-cao/\d+/[^"]+\.docx)"', listing)
    assert link is not None
    docx = web.get(link.group(1))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    bad = web.post(
        "/bao-cao", data={**form, "csrf_token": csrf_of(web, "/bao-cao"), "year": "20x4"}
    )
    assert bad.status_code == 422 and "Chọn kỳ báo cáo và năm" in bad.text
