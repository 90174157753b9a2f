"""The document around the prose (issue 16): the appendix says what was achieved, where the
money comes from, which report it belongs to, and fits A4 portrait; the signature block
starts at the left margin and stays whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from sqlalchemy import Engine

from kehoach_flow.reports.builder import build_report
from kehoach_flow.reports.content import Report
from kehoach_flow.reports.docx_writer import write_docx
from kehoach_flow.reports.periods import period
from kehoach_flow.reports.text_writer import render_html, render_markdown
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar
from tests.conftest import SEED_PLAN, run_cli
from tests.reports.helpers import investment_report

OPTIONS = BoardOptions(vietnam_calendar(range(2023, 2027)))
TEXT_WIDTH_MM = 165  # A4 portrait less the 30 and 15 mm margins
UPDATES = [
    ("chuan-do-luong", "--status", "done", "--date", "2024-06-10", "--note", "Chuẩn đã hiệu chuẩn"),
    ("khao-sat-30-dn", "--status", "in_progress", "--actual", "doanh nghiệp=12"),
    ("khao-sat-30-dn", "--date", "2024-05-10", "--difficulty", "Doanh nghiệp chưa phối hợp"),
]
SURVEY = "Khảo sát, đánh giá tình hình sử dụng phương tiện đo"


def seed_year(settings: Settings, engine: Engine) -> Report:
    """The seed plan's yearly report after a few updates, dated 20/12/2024."""
    assert run_cli(settings, "load").exit_code == 0
    for ref, *args in UPDATES:
        dated = args if "--date" in args else [*args, "--date", "2024-05-10"]
        result = run_cli(settings, "update", ref, *dated, "--by", "qltcdlcl")
        assert result.exit_code == 0, result.stderr
    # the seed plan has review: the coordinator confirms the done two working days later
    confirm = ("review", "confirm", "chuan-do-luong", "--date", "2024-06-12", "--by", "qltcdlcl")
    assert run_cli(settings, *confirm).exit_code == 0
    return build_report(engine, SEED_PLAN, period("year", 2024), OPTIONS, date(2024, 12, 20))


def _doc(report: Report, tmp_path: Path) -> DocxDocument:
    return Document(str(write_docx(report, tmp_path / "bao-cao.docx")))


def _width_mm(table: Table) -> float:
    return sum(column.width for column in table.columns) / Mm(1)


def test_the_appendix_shows_what_was_achieved_and_the_funding_source(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    report = seed_year(settings, engine)
    survey = next(row for row in report.appendix if row.content.startswith(SURVEY))
    # what the unit reported, not the plan's expected "BC kết quả khảo sát"
    assert survey.achieved == "Đang thực hiện trong hạn\nĐạt 12/30 doanh nghiệp"
    assert "BC kết quả khảo sát" not in survey.achieved
    done = next(row for row in report.appendix if row.content.startswith("Thiết lập duy trì"))
    assert done.achieved == "Hoàn thành đúng hạn\nChuẩn đã hiệu chuẩn"
    assert survey.funding == "Kinh phí sự nghiệp KHCN năm 2024"
    doc = _doc(report, tmp_path)
    appendix = doc.tables[2]
    header = [c.text for c in appendix.rows[0].cells]
    # the seed plan gives no amounts: no "Kinh phí" column, its source is shown
    assert header == [
        "TT",
        "Nội dung",
        "Kết quả đạt được",
        "Chủ trì",
        "Phối hợp",
        "Tiến độ",
        "Nguồn kinh phí",
    ]
    texts = [[c.text for c in row.cells] for row in appendix.rows]
    survey_row = next(row for row in texts if row[1].startswith(SURVEY))
    assert survey_row[2] == survey.achieved and survey_row[6] == survey.funding
    assert _width_mm(appendix) <= TEXT_WIDTH_MM + 0.05
    # a section's title runs across the row instead of wrapping in "Nội dung"
    section = appendix.rows[1]._tr.xpath("./w:tc")
    assert len(section) == 2 and section[1].xpath("./w:tcPr/w:gridSpan/@w:val") == ["6"]
    assert all(row._tr.xpath("./w:trPr/w:cantSplit") for row in appendix.rows)
    assert appendix.rows[0]._tr.xpath("./w:trPr/w:tblHeader")


def test_the_appendix_names_the_report_it_belongs_to_in_every_format(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    report = seed_year(settings, engine)
    note = "(Kèm theo Báo cáo số      /BC-SKHCN ngày 20/12/2024 của Sở Khoa học và Công nghệ)"
    assert report.appendix_note == note
    paragraphs = _doc(report, tmp_path).paragraphs
    at = [p.text for p in paragraphs].index("PHỤ LỤC")
    assert [p.text for p in paragraphs[at + 1 : at + 3]] == [report.appendix_title, note]
    assert paragraphs[at + 2].runs[0].italic
    assert note in render_markdown(report)
    assert note in render_html(report)


def test_text_formats_head_the_appendix_as_the_docx_does(
    settings: Settings, engine: Engine
) -> None:
    report = seed_year(settings, engine)
    markdown = render_markdown(report)
    assert "| " + " | ".join(report.appendix_headers) + " |" in markdown
    html = render_html(report)
    assert "".join(f"<th>{h}</th>" for h in report.appendix_headers) in html
    assert "Đạt 12/30 doanh nghiệp" in markdown and "Đạt 12/30 doanh nghiệp" in html


def test_subtasks_keep_their_letters_in_the_appendix_table(
    investment: Engine,
    tmp_path: Path,
) -> None:
    report = investment_report(investment)
    appendix = _doc(report, tmp_path).tables[2]
    numbers = [row.cells[0].text for row in appendix.rows[1:]]
    assert numbers == ["1", "-", "a)", "b)", "c)", "-", "2", "-"]
    items = [row.cells[2].text for row in appendix.rows[3:6]]
    assert items[0].startswith("Hoàn thành đúng hạn") and items[2].startswith("Đang thực hiện")
    assert appendix.rows[0].cells[-1].text == "Kinh phí (triệu đồng)"
    assert _width_mm(appendix) <= TEXT_WIDTH_MM + 0.05


def test_the_signature_block_starts_at_the_left_margin_and_stays_whole(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    doc = _doc(seed_year(settings, engine), tmp_path)
    heading, footer = doc.tables[0], doc.tables[1]
    for table in (heading, footer):
        properties = table._tbl.tblPr
        assert properties.xpath("./w:jc/@w:val") in (["left"], ["start"])
        assert properties.xpath("./w:tblInd/@w:w") == ["0"]
        assert properties.xpath("./w:tblCellMar/w:left/@w:w") == ["0"]
        assert _width_mm(table) <= TEXT_WIDTH_MM + 0.05
    assert footer.rows[0]._tr.xpath("./w:trPr/w:cantSplit")
    assert footer.rows[0].cells[0].paragraphs[0].text == "Nơi nhận:"
    before = footer._tbl.getprevious()
    assert before.tag == qn("w:p") and before.xpath("./w:pPr/w:keepNext")
