"""The report tells extensions and completion review (issue 22): categories use the due date
in force, a task done after the plan's date within an approved extension counts on time and
says "(có gia hạn)" (dates as every report writes them: 30/8/2024), the appendix's second table carries the units' standard columns, a task
returned by the coordinator is in progress, one awaiting confirmation is not done yet."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.reports.builder import build_report
from kehoach_flow.reports.content import Report
from kehoach_flow.reports.docx_writer import write_docx
from kehoach_flow.reports.periods import period
from kehoach_flow.reports.text_writer import render_html, render_markdown
from kehoach_flow.tracking.extensions import ExtensionRule, decide_extension, request_extension
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.review import confirm_done, return_done
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar
from tests.conftest import SEED_PLAN
from tests.reports.helpers import seed_file

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = vietnam_calendar(range(2023, 2027))
OPTIONS = BoardOptions(CALENDAR)
RULE = ExtensionRule(CALENDAR, 5)


def by(actor: str, day: date) -> Author:
    return Author(actor, "cli", datetime.combine(day, time(9), tzinfo=TZ))


def extended_and_returned(engine: Engine, definitions: Path) -> Engine:
    """The seed plan with review on and "chuẩn đo lường" due in quý II: extended to 30/8,
    done on 20/8, confirmed; the survey reported done, returned with a comment; the
    inspection reported done on 5/12, still awaiting confirmation at the cut-off."""
    plan = seed_file(definitions)
    text = plan.read_text(encoding="utf-8")
    text = text.replace("  money_unit: dong\n", "  review: true\n  money_unit: dong\n", 1)
    text = text.replace(
        "        result: Hệ thống chuẩn đo lường được duy trì\n",
        "        result: Hệ thống chuẩn đo lường được duy trì\n        schedule: Quý II\n",
        1,
    )
    plan.write_text(text, encoding="utf-8")
    load_path(engine, definitions)

    def task(key: str) -> int:
        return int(find_task(engine, f"{SEED_PLAN}/{key}")["id"])

    standards, survey, inspection = (
        task("chuan-do-luong"),
        task("khao-sat-30-dn"),
        task("to-chuc-kiem-dinh"),
    )
    unit = "ttkt-tcdlcl"
    record_update(engine, standards, UpdateIn(Status.IN_PROGRESS, 40), by(unit, date(2024, 3, 15)))
    asked = request_extension(
        engine,
        standards,
        date(2024, 8, 30),
        "Chờ Tổng cục kiểm định lại chuẩn gốc",
        by(unit, date(2024, 6, 10)),
        RULE,
    )
    decide_extension(
        engine, asked.update_id, True, by("qltcdlcl", date(2024, 6, 12)), reason="Đồng ý"
    )
    record_update(
        engine,
        standards,
        UpdateIn(Status.DONE, note="Chuẩn đã được hiệu chuẩn"),
        by(unit, date(2024, 8, 20)),
    )
    confirm_done(engine, standards, by("qltcdlcl", date(2024, 8, 22)))
    record_update(
        engine,
        survey,
        UpdateIn(Status.IN_PROGRESS, actuals={"doanh nghiệp": 12}),
        by("qltcdlcl", date(2024, 5, 10)),
    )
    record_update(engine, survey, UpdateIn(Status.DONE), by("qltcdlcl", date(2024, 11, 5)))
    return_done(
        engine,
        survey,
        by("lanh-dao-so", date(2024, 11, 7)),
        "Mới khảo sát 12/30 doanh nghiệp; đề nghị hoàn thành đủ 30 doanh nghiệp",
    )
    record_update(engine, inspection, UpdateIn(Status.DONE), by(unit, date(2024, 12, 5)))
    return engine


@pytest.fixture
def year_report(engine: Engine, definitions_copy: Path) -> Report:
    extended_and_returned(engine, definitions_copy)
    return build_report(engine, SEED_PLAN, period("year", 2024), OPTIONS, date(2024, 12, 20))


def _row(report: Report, title_start: str):  # type: ignore[no-untyped-def]
    return next(r for r in report.appendix if r.content.startswith(title_start))


def test_done_within_the_extension_counts_on_time_and_says_so(year_report: Report) -> None:
    standards = _row(year_report, "Thiết lập duy trì")
    assert standards.achieved.splitlines()[0] == "Hoàn thành đúng hạn (có gia hạn)"
    assert standards.schedule == "Quý II\nGia hạn đến 30/8/2024"
    counts = {c.label: c.count for c in year_report.categories}
    assert counts["Hoàn thành đúng hạn"] == 1 and counts["Hoàn thành quá hạn"] == 0
    sentences = " ".join(line for g in year_report.results for line in g.sentences)
    assert "(có gia hạn)" in sentences


def test_returned_and_awaiting_tasks_are_in_progress_in_the_categories(year_report: Report) -> None:
    survey = _row(year_report, "Khảo sát, đánh giá")
    assert survey.achieved.splitlines()[0] == "Đang thực hiện trong hạn"
    assert "đề nghị hoàn thành đủ" not in survey.achieved  # the coordinator's comment
    inspection = _row(year_report, "Thực hiện hoạt động duy trì")
    assert inspection.achieved.splitlines()[:2] == [
        "Đang thực hiện trong hạn",
        "Báo cáo hoàn thành ngày 05/12/2024, chờ xác nhận",
    ]
    counts = {c.label: c.count for c in year_report.categories}
    assert counts["Đang thực hiện trong hạn"] >= 2


def test_the_second_table_carries_the_standard_columns(year_report: Report, tmp_path: Path) -> None:
    rows = {r.content[:20]: r.cells[2:] for r in year_report.extension_rows}
    assert rows == {
        "Thiết lập duy trì, b": (
            "01",
            "30/6/2024",
            "30/8/2024",
            "Phòng Quản lý TCĐLCL",
            "20/8/2024",
            "Hoàn thành đúng hạn (có gia hạn)",
        ),
        "Thực hiện hoạt động ": (
            "",
            "",
            "31/12/2024",
            "",
            "05/12/2024",
            "Chờ xác nhận hoàn thành",
        ),
    }
    markdown, html = render_markdown(year_report), render_html(year_report)
    for text in (markdown, html):
        assert "Gia hạn và ngày hoàn thành thực tế" in text
        assert "Gia hạn - Mốc cũ" in text and "Người phê duyệt" in text
        assert "Ngày hoàn thành thực tế" in text and "Phòng Quản lý TCĐLCL" in text
    path = write_docx(year_report, tmp_path / "bao-cao.docx")
    cells = [
        cell.text
        for table in Document(str(path)).tables
        for row in table.rows
        for cell in row.cells
    ]
    assert "Gia hạn - Số lần" in cells and "20/8/2024" in cells
    assert "Hoàn thành đúng hạn (có gia hạn)" in cells


def test_without_extensions_or_completions_there_is_no_second_table(
    engine: Engine,
) -> None:
    load_path(engine, Path(__file__).resolve().parents[2] / "definitions")
    report = build_report(engine, SEED_PLAN, period("q2", 2024), OPTIONS, date(2024, 6, 20))
    assert report.extension_rows == ()
    assert "Gia hạn - Mốc cũ" not in render_markdown(report)


def test_the_xlsx_appendix_carries_the_standard_columns(
    engine: Engine, definitions_copy: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from kehoach_flow.reports.runs import generate

    extended_and_returned(engine, definitions_copy)
    made = generate(
        engine, SEED_PLAN, period("year", 2024), OPTIONS, tmp_path, ("xlsx",), date(2024, 12, 20)
    )
    assert [f.suffix for f in made.files] == [".xlsx"]
    sheet = load_workbook(made.files[0]).active
    assert sheet is not None
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r[:2] == ["TT", "Nội dung"])
    assert header[-5:] == [
        "Gia hạn - Số lần",
        "Gia hạn - Mốc cũ",
        "Người phê duyệt",
        "Ngày hoàn thành thực tế",
        "Mức độ hoàn thành",
    ]
    standards = next(r for r in rows if str(r[1]).startswith("Thiết lập duy trì"))
    assert standards[-5:] == [
        "01",
        "30/6/2024",
        "Phòng Quản lý TCĐLCL",
        "20/8/2024",
        "Hoàn thành đúng hạn (có gia hạn)",
    ]
    inspection = next(r for r in rows if str(r[1]).startswith("Thực hiện hoạt động duy trì"))
    assert inspection[-2:] == ["05/12/2024", "Đang thực hiện trong hạn"]
