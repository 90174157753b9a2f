"""The words of the seed plan's Q2 and yearly drafts after a realistic year of updates (issue
16: I.2 as prose, I.1 naming documents, the opening's basis, II's evaluation, III's direction,
IV's proposals, the same words in docx, Markdown and HTML)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import Engine

from kehoach_flow.db.engine import create_db_engine
from kehoach_flow.reports.builder import build_report
from kehoach_flow.reports.content import Report
from kehoach_flow.reports.docx_writer import write_docx
from kehoach_flow.reports.periods import period
from kehoach_flow.reports.text_writer import render_html, render_markdown
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.tracking.workcalendar import work_calendar
from tests.conftest import run_cli
from tests.reports.scripted_year import (
    BASIS,
    PLAN,
    Q2_ISSUED,
    YEAR_ISSUED,
    example_settings,
    record_year,
)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Engine]]:
    settings = example_settings(tmp_path_factory.mktemp("year"))
    record_year(settings)
    engine = create_db_engine(settings.resolved_database_url())
    yield settings, engine
    engine.dispose()


def _report(year: tuple[Settings, Engine], kind: str, basis: str | None = None) -> Report:
    settings, engine = year
    options = BoardOptions(work_calendar(settings), settings.timezone, settings.at_risk_days)
    issued = Q2_ISSUED if kind == "q2" else YEAR_ISSUED
    return build_report(engine, PLAN, period(kind, 2024), options, issued, basis)


@pytest.fixture(scope="module")
def q2(year: tuple[Settings, Engine]) -> Report:
    return _report(year, "q2", BASIS)


@pytest.fixture(scope="module")
def full(year: tuple[Settings, Engine]) -> Report:
    return _report(year, "year")


def _sentences(report: Report) -> list[str]:
    return [s for group in report.results for s in group.sentences]


def _result(report: Report, words: str) -> str:
    return next(s for s in _sentences(report) if words in s)


def _all_text(report: Report) -> list[str]:
    return [
        report.intro,
        *report.direction,
        *_sentences(report),
        *report.evaluation,
        *report.difficulties,
        report.outlook,
        *report.next_steps,
        *report.proposals,
        report.closing,
    ]


def test_the_opening_cites_the_request_given_else_the_reporting_regime(
    q2: Report, full: Report
) -> None:
    assert q2.intro.startswith(f"Thực hiện {BASIS}, Sở Khoa học và Công nghệ báo cáo")
    assert full.intro.startswith(
        "Thực hiện chế độ báo cáo định kỳ theo Nghị định số 09/2019/NĐ-CP ngày 24/01/2019"
    )
    assert full.intro.endswith("(số liệu tính đến hết ngày 14/12/2024) như sau:")


def test_direction_names_each_document_by_type_number_date_and_issuer(full: Report) -> None:
    first = full.direction[0]
    assert first.startswith(
        "Thực hiện Quyết định số 996/QĐ-TTg ngày 10/8/2018 của Thủ tướng Chính phủ; "
        "Quyết định số 82/QĐ-BKHCN ngày 16/01/2019 của Bộ Khoa học và Công nghệ"
    )
    assert "Quyết định số 1928/QĐ-UBND ngày 20/7/2020 của UBND tỉnh Quảng Trị" in first
    assert "Sở Khoa học và Công nghệ đã ban hành Kế hoạch tăng cường, đổi mới" in first
    assert "giao Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng chủ trì" in first
    assert "/KH-SKHCN" not in first  # no "Kế hoạch số /KH-SKHCN" with a blank number
    assert all(line.endswith(".") for line in full.direction)


def test_a_finished_task_says_what_the_unit_achieved_with_its_figures(full: Report) -> None:
    text = _result(full, "Trung tâm Nghiên cứu")
    assert text == (
        "Trung tâm Nghiên cứu, Chuyển giao và Đổi mới sáng tạo đã tuyên truyền, phổ biến "
        "Quyết định số 996/QĐ-TTg, kết quả: 01 phóng sự và 02 bài viết."
    )
    done = _result(full, "chuẩn đo lường.")
    assert done.startswith("Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng đã thiết lập")
    assert done.endswith("Hệ thống chuẩn đo lường được duy trì, hiệu chuẩn định kỳ đúng hạn.")


def test_results_never_say_expected_result_or_one_of_one(q2: Report, full: Report) -> None:
    for text in _sentences(q2) + _sentences(full):
        assert "kết quả dự kiến" not in text
        assert not re.search(r"\b1/1\b", text)
        assert "Phổ biến ít nhất" not in text  # the title's second sentence is cut


def test_no_capital_after_a_semicolon_anywhere_in_the_body(q2: Report, full: Report) -> None:
    for report in (q2, full):
        for text in _all_text(report):
            for part in re.split(r";\s+", text)[1:]:
                assert not re.match(r"[A-ZÀ-ỸĐ][a-zà-ỹđ]", part) or part.startswith(
                    ("Quyết định số", "Kế hoạch số", "UBND")
                ), text


def test_running_late_and_never_started_tasks_say_why(full: Report) -> None:
    survey = _result(full, "Phòng Quản lý Tiêu chuẩn")
    assert "đang khảo sát, đánh giá" in survey
    assert "đến nay đạt 24/30 doanh nghiệp; nhiệm vụ chậm so với thời hạn 30/9/2024 do một số" in (
        survey
    )
    never = _result(full, "bồi dưỡng")
    assert "chưa tham gia bồi dưỡng" in never
    assert "chậm so với thời hạn 30/9/2024 do trong năm, các cơ quan ở Trung ương" in never


def test_a_reason_that_no_longer_holds_is_not_repeated(q2: Report, full: Report) -> None:
    invest_q2 = _result(q2, "Phòng Kế hoạch - Tài chính")
    assert invest_q2.endswith("do chưa được bố trí vốn đầu tư công năm 2024.")
    invest_year = _result(full, "Phòng Kế hoạch - Tài chính")
    assert "đang đầu tư" in invest_year and "chưa được bố trí vốn" not in invest_year


def test_evaluation_says_what_was_done_and_what_is_late_and_why(q2: Report, full: Report) -> None:
    assert full.evaluation[0].startswith(
        "Đến hết ngày 14/12/2024, các đơn vị đã hoàn thành 03/07 nhiệm vụ (42,9%), gồm:"
    )
    late = full.evaluation[1]
    assert late.startswith("Còn 02 nhiệm vụ chậm so với tiến độ: khảo sát, đánh giá")
    assert "(Phòng Quản lý TCĐLCL) do một số doanh nghiệp chưa bố trí" in late
    assert q2.evaluation[-1] == (
        "Có 03 nhiệm vụ chưa triển khai, còn trong thời hạn thực hiện theo Kế hoạch."
    )


def test_lists_end_each_item_with_a_semicolon_and_the_last_with_a_period(full: Report) -> None:
    for items in (full.difficulties, full.next_steps, full.category_lines):
        assert items
        assert all(item.endswith(";") for item in items[:-1])
        assert items[-1].endswith(".")


def test_next_steps_have_a_direction_and_each_open_task_once_shortened(full: Report) -> None:
    assert full.outlook.startswith("Năm 2025, Sở Khoa học và Công nghệ tiếp tục chỉ đạo")
    assert full.outlook.endswith("tập trung thực hiện các nhiệm vụ sau:")
    assert len(full.next_steps) == 4  # the three done tasks are not listed
    assert full.next_steps[0] == (
        "Phòng Quản lý TCĐLCL tiếp tục khảo sát, đánh giá tình hình sử dụng phương tiện đo, "
        "thiết bị đo lường tại 30 doanh nghiệp sản xuất, kinh doanh trên địa bàn tỉnh;"
    )
    assert full.next_steps[1] == (
        "Phòng KH-TC tiếp tục đầu tư máy móc thiết bị đo lường thử nghiệm và công nghệ sinh "
        "học (giai đoạn 2);"
    )
    assert not any("Tiếp tục thực hiện:" in step for step in full.next_steps)


def test_proposals_are_framed_as_a_so_writes_them(q2: Report, full: Report) -> None:
    # the first report recipient up the chain is asked, unless the unit named its own
    first, second = full.proposals
    assert first.startswith("Kính đề nghị ")
    assert first.endswith(
        " bố trí kinh phí năm 2025 để hoàn thành khảo sát 06 doanh nghiệp còn lại."
    )
    assert second == (
        "Kính đề nghị Tổng cục Tiêu chuẩn Đo lường Chất lượng tổ chức các lớp bồi dưỡng "
        "chuyên gia tư vấn đảm bảo đo lường tại địa phương."
    )
    assert q2.proposals == ("Trong kỳ, Sở Khoa học và Công nghệ không có đề xuất, kiến nghị.",)


def test_dates_are_written_one_way(q2: Report, full: Report) -> None:
    for report in (q2, full):
        text = " ".join(_all_text(report)) + report.budget_sentence
        assert not re.search(r"\b\d{1,2}/0[3-9]/\d{4}", text), text  # no "14/06/2024"
        assert not re.search(r"\b\d/\d{1,2}/\d{4}", text), text  # no "5/3/2024"


def test_docx_markdown_and_html_print_the_same_sentences(full: Report, tmp_path: Path) -> None:
    docx = [
        p.text.removeprefix("- ")
        for p in Document(str(write_docx(full, tmp_path / "r.docx"))).paragraphs
    ]
    markdown = render_markdown(full)
    page = html.unescape(render_html(full))
    for text in [*_all_text(full), full.total_line, *full.category_lines, full.budget_sentence]:
        assert text in docx, text
        assert text in markdown, text
        assert text in page, text
    assert full.closing.endswith("thực hiện năm 2024./.")


def test_can_cu_reaches_the_opening_and_an_empty_one_is_refused(
    year: tuple[Settings, Engine], tmp_path: Path
) -> None:
    settings, _ = year
    common = ("report", "--plan", PLAN, "--period", "q2", "--year", "2024", "--format", "md")
    made = run_cli(settings, *common, "--out", str(tmp_path), "--can-cu", BASIS)
    assert made.exit_code == 0, made.stdout
    text = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert f"Thực hiện {BASIS}, Sở Khoa học và Công nghệ báo cáo" in text
    refused = run_cli(settings, *common, "--out", str(tmp_path / "x"), "--can-cu", " . ")
    assert refused.exit_code == 2
    assert "--can-cu" in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr
    assert not (tmp_path / "x").exists()
