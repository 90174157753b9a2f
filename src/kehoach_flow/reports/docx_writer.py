"""The report as a .docx draft laid out per Nghị định 30/2020/NĐ-CP, built with python-docx:
a plan's report (heading, body I-IV, signature, the appendix of tasks and the budget) and a
programme's rollup on landscape A4. The page and text primitives are in docx_layout, the
tables in docx_tables, the heading and signature blocks in docx_blocks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Mm, Pt

from kehoach_flow.numbers import (
    MONEY_UNIT_LABELS,
    MoneyUnit,
    format_money,
    format_percent,
)
from kehoach_flow.reports.content import NO_TASKS, NOTHING, GroupResult, Report
from kehoach_flow.reports.docx_blocks import footer_block, heading_block, title_block
from kehoach_flow.reports.docx_layout import (
    CENTER,
    LEFT,
    RIGHT,
    Align,
    para,
    set_properties,
    setup_normal_style,
    setup_page,
    table_style,
)
from kehoach_flow.reports.docx_tables import grid, number_width_mm, twips, xml_row
from kehoach_flow.tracking.state import Category

if TYPE_CHECKING:
    from kehoach_flow.reports.rollup import Rollup

# The appendix on A4 portrait (165 mm): widths in mm with and without a "Kinh phí" column,
# in the order of `Report.appendix_headers`. "Tiến độ" holds "31/12/2024" on one line.
APPENDIX_WIDTHS_MM = (8, 35, 30, 18, 18, 20, 18)
APPENDIX_MONEY_MM = 18
APPENDIX_WIDTHS_NO_MONEY_MM = (8, 42, 34, 19, 19, 20, 23)
# The rollup on landscape A4: 297 mm less margins of 20 and 15 mm; amounts in triệu đồng.
ROLLUP_MARGINS_MM = (20, 15)
ROLLUP_TEXT_WIDTH_MM = 297 - sum(ROLLUP_MARGINS_MM)
ROLLUP_HEAD_WIDTHS_MM = (100, 162)
ROLLUP_FOOT_WIDTHS_MM = (130, 132)
ROLLUP_MONEY: MoneyUnit = "trieu"
APPENDIX_ALIGNS = (CENTER, LEFT, LEFT, LEFT, LEFT, CENTER, LEFT, RIGHT)
# Gia hạn và ngày hoàn thành thực tế: 165 mm, dates on one line (20 mm holds dd/mm/yyyy).
EXTENSION_WIDTHS_MM = (8, 37, 14, 20, 20, 22, 20, 24)
EXTENSION_ALIGNS = (CENTER, LEFT, CENTER, CENTER, CENTER, LEFT, CENTER, LEFT)
BUDGET_COLUMNS = (
    ("Nguồn kinh phí", 66, LEFT),
    ("Kế hoạch", 33, RIGHT),
    ("Đã chi", 33, RIGHT),
    ("Còn lại", 33, RIGHT),
)


def write_docx(report: Report, path: Path) -> Path:
    """Write `report` to `path` as a draft the coordinator edits in Word; return `path`."""
    doc = Document()
    setup_normal_style(doc)
    setup_page(doc.sections[0])
    table_style(doc)
    heading_block(doc, report)
    title_block(doc, report)
    _body(doc, report)
    footer_block(doc, report)
    _appendix(doc, report)
    set_properties(doc, report.header.title, report.header.issuer or report.header.agency)
    doc.save(str(path))
    return path


def write_rollup_docx(rollup: Rollup, path: Path) -> Path:
    """The programme rollup as a Nghị định 30 report on landscape A4 (its table is wide):
    heading block, BÁO CÁO and the title naming the Đề án, one row per plan with the province
    or Sở whose plan it is, the totals, Nơi nhận and the signature."""
    doc = Document()
    setup_normal_style(doc)
    section = doc.sections[0]
    setup_page(section)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(ROLLUP_MARGINS_MM[0]), Mm(ROLLUP_MARGINS_MM[1])
    table_style(doc)
    heading_block(doc, rollup, ROLLUP_HEAD_WIDTHS_MM)
    title_block(doc, rollup, ROLLUP_TEXT_WIDTH_MM)
    columns = _rollup_columns(rollup)
    table, widths = grid(doc, columns), twips(columns)
    aligns = [align for _, _, align in columns]
    rows = [(str(n), row) for n, row in enumerate(rollup.rows, start=1)]
    for number, row in [*rows, ("", rollup.totals)]:
        values = (
            number,
            row.unit if row.plan else row.title,  # "Tổng cộng" across Đơn vị and Kế hoạch
            row.title,
            *(str(n) for n in row.counts),
            str(row.total),
            _percent(row.done_percent),
            format_money(row.planned, ROLLUP_MONEY) if row.planned else "",
            format_money(row.spent, ROLLUP_MONEY),
        )
        xml_row(table, values, aligns, widths, bold=not row.plan, span=None if row.plan else (1, 2))
    if rollup.words:
        para(doc, rollup.words, italic=True).paragraph_format.space_before = Pt(6)
    para(doc, rollup.closing).paragraph_format.space_before = Pt(6)
    footer_block(doc, rollup, ROLLUP_FOOT_WIDTHS_MM)
    set_properties(doc, rollup.heading, rollup.header.issuer or rollup.header.agency)
    doc.save(str(path))
    return path


def _rollup_columns(rollup: Rollup) -> tuple[tuple[str, float, Align], ...]:
    """The rollup's columns, as wide as the landscape text block; the money columns as wide
    as their widest amount needs, the difference taken from "Kế hoạch"."""
    unit = MONEY_UNIT_LABELS[ROLLUP_MONEY]
    amounts = [
        format_money(value, ROLLUP_MONEY)
        for row in (*rollup.rows, rollup.totals)
        for value in (row.planned, row.spent)
    ]
    money = max(22, math.ceil(max(map(number_width_mm, amounts), default=0.0) + 2.5))
    fixed = 8 + 40 + 17 * len(Category) + 13 + 16 + 2 * money
    return (
        ("TT", 8, CENTER),
        ("Đơn vị", 40, LEFT),
        ("Kế hoạch", ROLLUP_TEXT_WIDTH_MM - fixed, LEFT),
        *((category.label, 17, CENTER) for category in Category),
        ("Tổng số", 13, CENTER),
        ("Hoàn thành (%)", 16, CENTER),
        (f"Kinh phí kế hoạch ({unit})", money, RIGHT),
        (f"Đã chi ({unit})", money, RIGHT),
    )


def _heading(doc: DocxDocument, text: str) -> None:
    para(doc, text, bold=True).paragraph_format.keep_with_next = True


def _items(doc: DocxDocument, items: Sequence[str], empty: str = NOTHING) -> None:
    for item in items:
        para(doc, f"- {item.removeprefix('- ')}")
    if not items and empty:
        para(doc, empty)


def _paragraphs(doc: DocxDocument, texts: Sequence[str], empty: str = NOTHING) -> None:
    """Sentences as body paragraphs (no dash): I.1, II's evaluation, III's direction, IV."""
    for text in texts:
        if text:
            para(doc, text)
    if not any(texts):
        para(doc, empty)


def _group_items(doc: DocxDocument, group: GroupResult) -> None:
    """A group's sentences: a task's with a dash, its subtasks' ("a) ...") indented under it."""
    for index, sentence in enumerate(group.sentences):
        level = group.level(index)
        if level == 0:
            para(doc, f"- {sentence.removeprefix('- ')}")
        else:
            para(doc, sentence).paragraph_format.left_indent = Cm(level)
    if not group.sentences:
        para(doc, NO_TASKS)


def _body(doc: DocxDocument, report: Report) -> None:
    _heading(doc, "I. KẾT QUẢ THỰC HIỆN")
    _heading(doc, "1. Công tác chỉ đạo, điều hành")
    _paragraphs(doc, report.direction)
    _heading(doc, "2. Kết quả thực hiện các nhiệm vụ theo từng nhóm nhiệm vụ, giải pháp")
    if not report.results:
        _items(doc, (), NO_TASKS)
    for number, group in enumerate(report.results, start=1):
        _heading(doc, f"2.{number}. {group.title}")
        _group_items(doc, group)
    _heading(doc, "II. ĐÁNH GIÁ")
    _heading(doc, "1. Kết quả đạt được")
    _achievements(doc, report)
    _heading(doc, "2. Khó khăn, vướng mắc")
    _items(doc, report.difficulties)
    _heading(doc, "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI")
    if report.outlook:
        para(doc, report.outlook)
    _items(doc, report.next_steps, "" if report.outlook else NOTHING)
    _heading(doc, "IV. ĐỀ XUẤT, KIẾN NGHỊ")
    _paragraphs(doc, report.proposals)
    if report.closing:
        para(doc, report.closing)


def _achievements(doc: DocxDocument, report: Report) -> None:
    para(doc, report.total_line)
    for line in report.category_lines:
        para(doc, f"- {line}")
    for text in report.evaluation:
        para(doc, text)
    if report.budget_sentence:
        para(doc, report.budget_sentence)


def _percent(value: float) -> str:
    """37.5 -> "37,5", 50.0 -> "50" (decimal comma, no trailing zero)."""
    return format_percent(value).removesuffix("%")


def _appendix(doc: DocxDocument, report: Report) -> None:
    title = para(doc, "PHỤ LỤC", bold=True, align=CENTER)
    title.paragraph_format.page_break_before = True
    heading = para(doc, report.appendix_title, bold=True, align=CENTER)
    if report.appendix_note:
        heading = para(doc, report.appendix_note, italic=True, align=CENTER)
    heading.paragraph_format.space_after = Pt(6)
    columns = _appendix_columns(report)
    table, widths = grid(doc, columns), twips(columns)
    aligns = [align for _, _, align in columns]
    money = report.appendix_amounts
    # a section row: its title across every column but TT and Kinh phí
    span = (1, len(columns) - (2 if money else 1))
    for row in report.appendix:
        cells = report.appendix_cells(row)
        xml_row(table, cells, aligns, widths, row.is_section, span=span if row.is_section else None)
    _extensions(doc, report)
    _budget(doc, report)
    if report.total_in_words:
        para(doc, report.total_in_words, italic=True).paragraph_format.space_before = Pt(6)


def _appendix_columns(report: Report) -> tuple[tuple[str, float, Align], ...]:
    """The appendix's columns as wide as the text block, the amount's header naming the
    unit; the amount column as wide as its widest amount needs on one line (a cell's margins
    are 1 mm each side), the difference taken from "Nội dung". No "Kinh phí" column when the
    plan gives no amounts."""
    headers = report.appendix_headers
    if not report.appendix_amounts:
        return tuple(zip(headers, APPENDIX_WIDTHS_NO_MONEY_MM, APPENDIX_ALIGNS, strict=False))
    widest = max((number_width_mm(row.amount) for row in report.appendix), default=0.0)
    extra = max(0, math.ceil(widest + 2.5 - APPENDIX_MONEY_MM))
    widths = list(APPENDIX_WIDTHS_MM)
    widths[1] -= extra
    widths.append(APPENDIX_MONEY_MM + extra)
    return tuple(zip(headers, widths, APPENDIX_ALIGNS, strict=True))


def _extensions(doc: DocxDocument, report: Report) -> None:
    """The tasks extended or reported done: the units' standard columns (issue 22)."""
    if not report.extension_rows:
        return
    heading = para(doc, report.extension_title, bold=True, align=CENTER)
    heading.paragraph_format.space_before = Pt(12)
    columns = tuple(
        zip(report.extension_headers, EXTENSION_WIDTHS_MM, EXTENSION_ALIGNS, strict=True)
    )
    table, widths = grid(doc, columns), twips(columns)
    for row in report.extension_rows:
        xml_row(table, row.cells, EXTENSION_ALIGNS, widths, False)


def _budget(doc: DocxDocument, report: Report) -> None:
    """Planned, spent and remaining per source in the plan's unit; only what was spent when
    the plan gives no amounts (a "Kế hoạch" of 0 and a "Còn lại" below 0 would mislead)."""
    heading = para(doc, "Kinh phí thực hiện", bold=True, align=LEFT)
    heading.paragraph_format.space_before = Pt(12)
    para(doc, f"Đơn vị tính: {report.money_label}", 12, italic=True, align=RIGHT)
    planned = report.budget_planned
    columns = BUDGET_COLUMNS if planned else (BUDGET_COLUMNS[0], BUDGET_COLUMNS[2])
    table, widths = grid(doc, columns), twips(columns)
    aligns = [align for _, _, align in columns]
    for row in report.budget:
        values = (row.planned or None, row.spent, row.remaining) if planned else (row.spent,)
        xml_row(table, (row.label, *map(report.money, values)), aligns, widths, row.is_total)
