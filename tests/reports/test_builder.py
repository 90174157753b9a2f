"""The report's content from history: the seed plan's Q2 and year reports, Markdown and HTML."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from kehoach_flow.reports.builder import build_report
from kehoach_flow.reports.periods import period
from kehoach_flow.reports.text_writer import render_html, render_markdown
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar
from tests.conftest import SEED_PLAN, run_cli

OPTIONS = BoardOptions(vietnam_calendar(range(2023, 2027)))
UPDATES = [
    ("chuan-do-luong", "--status", "in_progress", "--progress", "50", "--date", "2024-03-15"),
    (
        "chuan-do-luong",
        "--status",
        "done",
        "--date",
        "2024-06-10",
        "--note",
        "Chuẩn đã được hiệu chuẩn",
    ),
    ("review", "confirm", "chuan-do-luong", "--date", "2024-06-12"),  # before the Q2 cut-off
    (
        "khao-sat-30-dn",
        "--status",
        "in_progress",
        "--actual",
        "doanh nghiệp=12",
        "--date",
        "2024-05-10",
        "--difficulty",
        "Doanh nghiệp chưa phối hợp",
        "--proposal",
        "Đề nghị bổ sung kinh phí khảo sát",
    ),
    (
        "to-chuc-kiem-dinh",
        "--status",
        "in_progress",
        "--date",
        "2024-06-20",
    ),  # after the Q2 cut-off
]


@pytest.fixture
def recorded(settings: Settings, engine: Engine) -> Engine:
    assert run_cli(settings, "load").exit_code == 0
    for args in UPDATES:  # the seed plan has review: the coordinator confirms the done
        command = args if args[0] == "review" else ("update", *args)
        assert run_cli(settings, *command, "--by", "qltcdlcl").exit_code == 0
    return engine


def test_q2_report_categories_match_the_history_at_the_cut_off(recorded: Engine) -> None:
    report = build_report(recorded, SEED_PLAN, period("q2", 2024), OPTIONS, date(2024, 6, 20))
    counts = {c.label: c.count for c in report.categories}
    assert counts == {
        "Hoàn thành đúng hạn": 1,
        "Hoàn thành quá hạn": 0,
        "Đang thực hiện trong hạn": 1,  # to-chuc-kiem-dinh started after 14/6: not counted
        "Đang thực hiện quá hạn": 0,
        "Chưa thực hiện": 5,
    }
    assert report.total_tasks == 7
    sentences = [s for g in report.results for s in g.sentences]
    assert any("đạt 12/30 doanh nghiệp" in s for s in sentences)
    assert report.difficulties == ("Doanh nghiệp chưa phối hợp.",)
    assert report.proposals[0].startswith("Kính đề nghị ")
    assert report.proposals[0].endswith("bổ sung kinh phí khảo sát.")
    assert report.header.place_date == "Quảng Trị, ngày 20 tháng 6 năm 2024"
    assert report.header.title.endswith("hội nhập quốc tế quý II năm 2024")
    assert report.header.title.count("năm 2024") == 1  # not "năm 2024, quý II năm 2024"
    assert [g.code for g in report.results] == ["2.1", "2.2", "2.3", "2.4", "2.5"]


def test_regenerating_later_gives_the_same_figures(recorded: Engine, settings: Settings) -> None:
    before = build_report(recorded, SEED_PLAN, period("q2", 2024), OPTIONS, date(2024, 6, 20))
    run_cli(settings, "update", "tuyen-truyen-996", "--status", "done", "--date", "2024-11-01")
    after = build_report(recorded, SEED_PLAN, period("q2", 2024), OPTIONS, date(2024, 6, 20))
    assert after.categories == before.categories and after.appendix == before.appendix


def test_date_line_has_leading_zeros_for_small_days_and_early_months(recorded: Engine) -> None:
    report = build_report(recorded, SEED_PLAN, period("q1", 2024), OPTIONS, date(2024, 3, 5))
    assert report.header.place_date == "Quảng Trị, ngày 05 tháng 3 năm 2024"
    early = build_report(recorded, SEED_PLAN, period("year", 2024), OPTIONS, date(2025, 1, 8))
    assert early.header.place_date == "Quảng Trị, ngày 08 tháng 01 năm 2025"


def test_appendix_has_one_row_per_task_under_its_section(recorded: Engine) -> None:
    report = build_report(recorded, SEED_PLAN, period("year", 2024), OPTIONS, date(2024, 12, 20))
    assert [(r.number, r.is_section) for r in report.appendix][:2] == [("1", True), ("-", False)]
    assert sum(not r.is_section for r in report.appendix) == 7
    assert report.total_in_words == ""  # no amounts, nothing spent: no "Không đồng"


def test_markdown_and_html_carry_the_same_content_escaped(recorded: Engine) -> None:
    report = build_report(recorded, SEED_PLAN, period("q2", 2024), OPTIONS, date(2024, 6, 20))
    markdown = render_markdown(report)
    html = render_html(report)
    for text in (
        "I. KẾT QUẢ THỰC HIỆN",
        "II. ĐÁNH GIÁ",
        "III. PHƯƠNG HƯỚNG",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
        "14,3%",
    ):
        assert text in markdown and text in html
    assert "KT. GIÁM ĐỐC" in html and "Nguyễn Hữu Thắng" in markdown
