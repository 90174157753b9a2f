"""Report figures as a person counts them (issue 16): a task split into subtasks, a plan in
triệu đồng, a plan with no amounts, and one number format in the docx, Markdown and HTML."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from sqlalchemy import Engine

from kehoach_flow.errors import DefinitionError
from kehoach_flow.reports.content import NO_TASKS, Report
from kehoach_flow.reports.docx_writer import write_docx
from kehoach_flow.reports.text_writer import render_html, render_markdown
from kehoach_flow.tracking.status import Status
from tests.reports.helpers import (
    INVESTMENT,
    investment_report,
    load_plan,
    record,
    sample_report,
)

# The same shape with no amounts anywhere: the plan says where money comes from, not how much.
NO_AMOUNTS = """
plan:
  key: khong-so-tien-2024
  title: Kế hoạch không ghi số tiền năm 2024
  year: 2024
  issuer: Sở Khoa học và Công nghệ tỉnh Quảng Trị
  place: Quảng Trị
  coordinator: qltcdlcl
  programme: de-an-996
  funding_sources: {sn: Kinh phí sự nghiệp KHCN năm 2024}
sections:
  - key: "1"
    title: Hạ tầng đo lường
    group: "2.2"
    funding: sn
    tasks:
      - {key: khao-sat, title: Khảo sát doanh nghiệp, lead: qltcdlcl, schedule: Cả năm}
"""


def _rows(report: Report) -> dict[str, tuple[str, str, str, str]]:
    return {r.content: (r.number, r.status, r.amount, r.lead) for r in report.appendix}


def test_investment_with_two_items_done_and_one_in_progress_reads_as_a_person_counts_it(
    investment: Engine, tmp_path: Path
) -> None:
    report = investment_report(investment)
    rows = _rows(report)
    parent = "Đầu tư máy móc thiết bị đo lường thử nghiệm (giai đoạn 2)"
    assert rows[parent][1] == "Đang thực hiện trong hạn"  # never "Chưa thực hiện"
    # the categories count the three items, not the task they make up
    counts = {c.label: c.count for c in report.categories}
    assert counts["Hoàn thành đúng hạn"] == 2
    assert counts["Đang thực hiện trong hạn"] == 1
    assert report.total_tasks == 5  # 3 items + chuan-do-luong + phong-su
    # the parent keeps its own row with its subtotal, the items under it, in triệu đồng
    contents = [r.content for r in report.appendix]
    at = contents.index(parent)
    assert [r.number for r in report.appendix[at : at + 4]] == ["-", "a)", "b)", "c)"]
    assert rows[parent][2] == "1.650,5"
    assert [r.amount for r in report.appendix[at + 1 : at + 4]] == ["1.000", "450,5", "200"]
    sections = {r.number: r.amount for r in report.appendix if r.is_section}
    assert sections == {"1": "1.677,5", "2": "300"}
    assert report.budget[-1].planned == 1_977_500_000
    expected = "Một tỷ chín trăm bảy mươi bảy triệu năm trăm nghìn đồng"
    assert report.total_in_words == f"Viết bằng chữ: {expected}"
    # the docx names the unit and every amount fits its column
    doc = Document(str(write_docx(report, tmp_path / "bao-cao.docx")))
    appendix, budget = doc.tables[2], doc.tables[-1]  # the budget closes the appendix
    assert appendix.rows[0].cells[-1].text == "Kinh phí (triệu đồng)"
    for table in (appendix, budget):
        for row in table.rows[1:]:
            for cell in row.cells[1:]:
                if re.fullmatch(r"[\d.,]+", cell.text):
                    assert _width_mm(cell.text) <= cell.width / Mm(1) - 2, cell.text
    assert [c.text for c in budget.rows[-1].cells] == ["Tổng cộng", "1.977,5", "1.064", "913,5"]
    assert any(p.text == "Đơn vị tính: triệu đồng" for p in doc.paragraphs)


def _width_mm(digits: str, points: float = 11) -> float:
    """How wide a number is in Times New Roman: digits half an em, "." and "," a quarter."""
    ems = sum(0.5 if c.isdigit() else 0.25 for c in digits)
    return ems * points * 25.4 / 72


def test_subtasks_inherit_lead_and_partners_unless_they_name_their_own(
    investment: Engine,
) -> None:
    rows = {r.content: r for r in investment_report(investment).appendix}
    parent = rows["Đầu tư máy móc thiết bị đo lường thử nghiệm (giai đoạn 2)"]
    assert parent.partners.count(";") == 1  # the task's two partners
    for item in ("Cầu đo điện trở tiếp xúc", "Máy đo nhanh chỉ số Octane"):
        assert (rows[item].lead, rows[item].partners) == (parent.lead, parent.partners)
    own = rows["Bộ kiểm tra công tơ nước tại hiện trường"]
    assert own.lead != parent.lead and own.partners == ""


def test_a_task_without_a_lead_is_still_an_error(engine: Engine, definitions_copy: Path) -> None:
    broken = INVESTMENT.replace("        lead: kh-tc\n", "")
    with pytest.raises(DefinitionError, match='thiếu trường bắt buộc "lead"'):
        load_plan(engine, definitions_copy, "dau-tu.yaml", broken)


def test_a_parent_is_in_progress_as_soon_as_one_subtask_is_done(
    engine: Engine, definitions_copy: Path
) -> None:
    load_plan(engine, definitions_copy, "dau-tu.yaml", INVESTMENT)
    record(engine, "dau-tu-2024/may-do-octane", date(2024, 3, 1), status=Status.DONE)
    rows = _rows(investment_report(engine, kind="q2"))
    assert rows["Đầu tư máy móc thiết bị đo lường thử nghiệm (giai đoạn 2)"][1] == (
        "Đang thực hiện trong hạn"
    )
    assert rows["Cầu đo điện trở tiếp xúc"][1] == "Chưa thực hiện"


def test_a_parent_is_done_when_all_its_subtasks_are(investment: Engine) -> None:
    record(investment, "dau-tu-2024/bo-kiem-cong-to", date(2024, 6, 3), status=Status.DONE)
    rows = _rows(investment_report(investment))
    assert rows["Đầu tư máy móc thiết bị đo lường thử nghiệm (giai đoạn 2)"][1] == (
        "Hoàn thành đúng hạn"
    )


def test_subtasks_print_under_their_parent_in_results_and_the_parent_once_in_next_steps(
    investment: Engine,
) -> None:
    report = investment_report(investment)
    group = next(g for g in report.results if g.code == "2.2")
    starts = [s.split(":")[0] for s in group.sentences]
    assert starts == [
        "Phòng Kế hoạch - Tài chính đang đầu tư máy móc thiết bị đo lường thử nghiệm"
        " (giai đoạn 2), ước đạt 80% khối lượng công việc, cụ thể",
        "a) Cầu đo điện trở tiếp xúc",
        "b) Máy đo nhanh chỉ số Octane",
        # led by another unit than its parent: that unit is the subject
        "c) Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng đang triển khai bộ kiểm tra công"
        " tơ nước tại hiện trường, ước đạt 40% khối lượng công việc.",
        starts[4],
    ]
    assert "thiết lập, duy trì các chuẩn đo lường" in starts[4]
    assert group.levels == (0, 1, 1, 1, 0)
    steps = [s for s in report.next_steps if "giai đoạn 2" in s]
    assert len(steps) == 1
    assert not any("Bộ kiểm tra công tơ" in s for s in report.next_steps)


def test_one_number_format_in_the_sentence_and_the_three_writers(
    investment: Engine, tmp_path: Path
) -> None:
    report = investment_report(investment)
    assert report.budget_sentence == (
        "Kinh phí đã sử dụng 1.064/1.977,5 triệu đồng, đạt 53,8% kế hoạch."
    )
    doc = Document(str(write_docx(report, tmp_path / "bao-cao.docx")))
    docx_text = "\n".join(p.text for p in doc.paragraphs)
    for text in (docx_text, render_markdown(report), render_html(report)):
        assert "53,8%" in text and "(40%)" in text  # 2 of 5 items done
        assert not re.search(r"\d\.\d%", text), "a percentage with a decimal point"
        assert "1.977.500.000" not in text


def test_a_plan_without_amounts_says_what_was_spent(
    engine: Engine, definitions_copy: Path, tmp_path: Path
) -> None:
    load_plan(engine, definitions_copy, "khong-so-tien.yaml", NO_AMOUNTS)
    record(
        engine,
        "khong-so-tien-2024/khao-sat",
        date(2024, 5, 2),
        status=Status.IN_PROGRESS,
        spending={"sn": 105_000_000},
    )
    report = investment_report(engine, "khong-so-tien-2024")
    assert report.budget_sentence == (
        "Đến hết ngày 14/12/2024, các đơn vị đã chi 105.000.000 đồng từ kinh phí sự nghiệp "
        "KHCN năm 2024."
    )
    assert report.total_in_words == "Tổng số đã chi viết bằng chữ: Một trăm linh năm triệu đồng"
    assert all(row.remaining is None for row in report.budget)
    doc = Document(str(write_docx(report, tmp_path / "bao-cao.docx")))
    budget = doc.tables[-1]
    assert [[c.text for c in row.cells] for row in budget.rows] == [
        ["Nguồn kinh phí", "Đã chi"],
        ["Kinh phí sự nghiệp KHCN năm 2024", "105.000.000"],
        ["Tổng cộng", "105.000.000"],
    ]
    texts = [
        "\n".join(p.text for p in doc.paragraphs),
        render_markdown(report),
        render_html(report),
    ]
    for text in texts:
        assert "Không đồng" not in text and "chưa ghi số tiền" not in text
        assert "-105" not in text and "Kế hoạch" not in text.split("PHỤ LỤC")[-1]


def test_nothing_planned_nor_spent_leaves_out_the_words(
    engine: Engine, definitions_copy: Path
) -> None:
    load_plan(engine, definitions_copy, "khong-so-tien.yaml", NO_AMOUNTS)
    report = investment_report(engine, "khong-so-tien-2024")
    assert report.total_in_words == ""
    assert report.budget_sentence == (
        "Đến hết ngày 14/12/2024, các đơn vị chưa báo cáo kinh phí đã chi."
    )


def test_the_body_ends_with_the_closing_mark_and_the_recipients_with_a_period(
    investment: Engine, tmp_path: Path
) -> None:
    report = investment_report(investment)
    assert report.closing.startswith("Trên đây là báo cáo kết quả thực hiện Kế hoạch")
    assert report.closing.endswith("năm 2024./.")
    doc = Document(str(write_docx(report, tmp_path / "bao-cao.docx")))
    assert report.closing in [p.text for p in doc.paragraphs]
    recipients = [p.text for p in doc.tables[1].rows[0].cells[0].paragraphs]
    assert recipients[-1] == "- Lưu: VT, QLTĐC."
    for text in (render_markdown(report), render_html(report)):
        assert report.closing in text
        assert "- Lưu: VT, QLTĐC." in text and "QLTĐC./." not in text


def test_a_quarter_title_names_the_year_once(investment: Engine) -> None:
    title = investment_report(investment, kind="q2").header.title
    assert title == "Kết quả thực hiện Kế hoạch tăng cường hạ tầng đo lường quý II năm 2024"
    assert investment_report(investment).header.title == (
        "Kết quả thực hiện Kế hoạch tăng cường hạ tầng đo lường thực hiện năm 2024"
    )


def test_document_properties_name_the_agency_in_vietnamese(
    investment: Engine, tmp_path: Path
) -> None:
    report = investment_report(investment)
    props = Document(str(write_docx(report, tmp_path / "bao-cao.docx"))).core_properties
    assert props.author == "Sở Khoa học và Công nghệ tỉnh Quảng Trị"
    assert props.last_modified_by == props.author
    assert props.title == report.header.title
    assert "python-docx" not in " ".join((props.author, props.comments, props.last_modified_by))
    assert props.language == "vi-VN"


def test_an_empty_group_is_worded_the_same_in_docx_markdown_and_html(
    investment: Engine, tmp_path: Path
) -> None:
    report = investment_report(investment)
    assert not next(g for g in report.results if g.code == "2.1").sentences
    doc = Document(str(write_docx(report, tmp_path / "bao-cao.docx")))
    paragraphs = [p.text for p in doc.paragraphs]
    at = paragraphs.index(f"2.1. {report.results[0].title}")
    assert paragraphs[at + 1] == NO_TASKS
    markdown, html = render_markdown(report), render_html(report)
    assert f"\n{NO_TASKS}\n" in markdown and f"<p>{NO_TASKS}</p>" in html
    assert "Không có.</li>" not in html and "- Không có" not in markdown


def test_amounts_in_dong_widen_their_column_to_stay_on_one_line(tmp_path: Path) -> None:
    report = sample_report()
    appendix = tuple(
        row if row.is_section else replace(row, amount="1.928.000.000") for row in report.appendix
    )
    doc = Document(str(write_docx(replace(report, appendix=appendix), tmp_path / "b.docx")))
    table = doc.tables[2]
    assert table.rows[0].cells[-1].text == "Kinh phí (đồng)"
    cell = table.rows[4].cells[-1]
    assert cell.text == "1.928.000.000"
    assert _width_mm(cell.text) <= cell.width / Mm(1) - 2
    assert sum(round(c.width / Mm(1)) for c in table.rows[4].cells) == 165  # the text width
