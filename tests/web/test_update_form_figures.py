"""The signed-link update form with figures: its fields say they are totals to date and come
pre-filled with the latest figures reported; a figure sent back unchanged is not a report."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.figures import task_figures
from tests.tracking.helpers import FIGURES_PLAN, write_figures_plan
from tests.web.helpers import form_of, link

TASK = f"{FIGURES_PLAN}/ho-tro-dn"
SPENT = "spent_sn-khcn-2024"


@pytest.fixture
def web_settings(web_settings: Settings, definitions_copy: Path) -> Settings:
    definitions = write_figures_plan(definitions_copy)
    return web_settings.model_copy(update={"definitions": definitions, "today": date(2024, 5, 10)})


def _inputs(page: str) -> dict[str, str]:
    """The value of each figure field of the form."""
    return dict(re.findall(r'name="((?:actual|spent)_[^"]+)"[^>]*value="([^"]*)"', page))


def _labels(page: str) -> list[str]:
    return re.findall(r'<label for="(?:actual|spent)_[^"]+">([^<]+)</label>', page)


def test_the_form_labels_figures_as_totals_to_date(web: TestClient) -> None:
    page = web.get(link(TASK)).text
    assert _labels(page) == [
        "Tổng số đến nay: doanh nghiệp (kế hoạch 30)",
        "Tổng số đến nay: hội thảo (kế hoạch 2)",
        "Tổng đã chi đến nay: Kinh phí sự nghiệp KHCN năm 2024 (kế hoạch 200.000.000 đồng)",
        "Tổng đã chi đến nay: Kinh phí địa phương",
    ]
    assert "ghi <strong>tổng số đến nay</strong> (lũy kế từ đầu nhiệm vụ)" in page
    assert _inputs(page) == {"actual_1": "", "actual_2": "", SPENT: "", "spent_dia-phuong": ""}
    assert "Đã điền sẵn" not in page  # nothing reported yet


def test_the_form_is_pre_filled_with_the_latest_figures(web: TestClient, engine: Engine) -> None:
    url = link(TASK)
    first = form_of(web, url) | {"actual_1": "12", SPENT: "30 triệu"}
    assert web.post(url, data=first).status_code == 200
    page = web.get(url).text
    assert _inputs(page) == {
        "actual_1": "12",
        "actual_2": "",
        SPENT: "30.000.000",
        "spent_dia-phuong": "",
    }
    assert (
        "Đã điền sẵn số liệu báo cáo gần nhất (ngày 10/05/2024, Phòng Quản lý TCĐLCL qua trang "
        "web); chỉ sửa ô nào đã thay đổi." in page
    )
    # Sent back as pre-filled, with one new total: only the new total is reported.
    second = form_of(web, url) | _inputs(page) | {"actual_2": "1", "progress": "50"}
    assert web.post(url, data=second).status_code == 200
    figures = task_figures(engine, find_task(engine, TASK)["id"])
    newest, oldest = figures.history
    assert [(q.target_id, q.quantity) for q in newest.actuals] == [
        (figures.targets[1].target_id, 1)
    ]
    assert newest.spending == ()
    assert [t.text for t in figures.targets] == ["12/30 doanh nghiệp", "1/2 hội thảo"]
    firms_report = figures.targets[0].reported
    assert firms_report is not None and firms_report.version == oldest.report.version
    assert figures.budget.spent == 30_000_000
