"""The overdue page and its xlsx with the clock at 30/11/2026 and plans of 2024 and
2024-2025: the working-day calendar covers the years the plans span (issue 15, defect 11)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN
from tests.old_plans import CLOCK, TWO_YEAR_PLAN, with_two_year_plan
from tests.web.conftest import PASSWORD, sign_in

# Working days after a due date up to Monday 30/11/2026, by the holidays package's calendar:
# weekdays, less weekday holidays, plus the make-up Saturdays 26/4/2025 and 22/8/2026.
LATE_SINCE_30_6_2024 = 631 - 27 + 2
LATE_SINCE_31_12_2024 = 499 - 25 + 2
LATE_SINCE_31_12_2025 = 226


def app_on(tmp_path: Path, day: date) -> tuple[TestClient, Engine]:
    """The app on both plans in a SQLite file, its clock at `day`, a coordinator signed in."""
    settings = Settings(
        data_dir=tmp_path / "data",
        definitions=with_two_year_plan(tmp_path / "definitions"),
        today=day,
        secret_key="test-secret",
        cookie_secure=False,
        _env_file=None,
    )
    engine = create_db_engine(settings.resolved_database_url())
    upgrade(engine)
    load_path(engine, settings.definitions)
    add_user(engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    client = TestClient(create_app(settings, engine), follow_redirects=False)
    sign_in(client)
    return client, engine


@pytest.fixture
def web_2026(tmp_path: Path) -> Iterator[TestClient]:
    client, engine = app_on(tmp_path, CLOCK)
    yield client
    engine.dispose()


def test_the_overdue_page_lists_tasks_of_past_plans_as_of_the_clocks_day(
    web_2026: TestClient,
) -> None:
    page = web_2026.get("/qua-han", params={"sort": "due"})
    assert page.status_code == 200, page.text
    assert "14 nhiệm vụ đến ngày 30/11/2026" in page.text
    assert len(re.findall(r'<tr data-task="([^"]+)"', page.text)) == 14


def test_the_overdue_xlsx_counts_working_days_late_across_the_years(
    web_2026: TestClient,
) -> None:
    export = web_2026.get("/qua-han.xlsx", params={"sort": "due"})
    assert export.status_code == 200, export.text
    assert 'filename="qua-han-2026-11-30.xlsx"' in export.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert str(sheet["A1"].value).endswith("đến ngày 30/11/2026")
    late = {(r[0], r[1]): r[7] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert len(late) == 14
    assert late[(SEED_PLAN, "tuyen-truyen-996")] == LATE_SINCE_31_12_2024
    assert late[(SEED_PLAN, "ctdl-ap-dung")] == LATE_SINCE_31_12_2025
    assert late[(TWO_YEAR_PLAN, "tuyen-truyen-996")] == LATE_SINCE_30_6_2024
    assert late[(TWO_YEAR_PLAN, "chuan-do-luong")] == LATE_SINCE_31_12_2025


@pytest.mark.parametrize(
    "path", ["/", f"/ke-hoach/{SEED_PLAN}", f"/ke-hoach/{TWO_YEAR_PLAN}", "/tien-do"]
)
def test_the_other_pages_judge_past_plans_on_the_clocks_day(
    web_2026: TestClient, path: str
) -> None:
    page = web_2026.get(path)
    assert page.status_code == 200, page.text


def test_the_settings_clock_not_the_machine_sets_today_for_the_pages(tmp_path: Path) -> None:
    client, engine = app_on(tmp_path, date(2025, 1, 10))
    page = client.get("/qua-han")
    engine.dispose()
    assert page.status_code == 200, page.text
    # The seed's six tasks due 31/12/2024 and the other plan's task due 30/6/2024.
    assert "7 nhiệm vụ đến ngày 10/01/2025" in page.text
