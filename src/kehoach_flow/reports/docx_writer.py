"""The report as a .docx draft laid out per Nghị định 30/2020/NĐ-CP, built with python-docx."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from kehoach_flow.numbers import (
    MONEY_UNIT_LABELS,
    MoneyUnit,
    format_money,
    format_percent,
)
from kehoach_flow.reports.content import NO_TASKS, NOTHING, GroupResult, Report
from kehoach_flow.tracking.state import Category

if TYPE_CHECKING:
    from kehoach_flow.reports.rollup import Rollup

Container: TypeAlias = DocxDocument | _Cell
Align: TypeAlias = WD_ALIGN_PARAGRAPH

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 11
TABLE_STYLE = "Bảng"
TABLE_STYLE_ID = "Bang"
# Characters XML 1.0 cannot hold; a pasted control character must not break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CENTER, LEFT, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
TEXT_WIDTH_MM = 165
# 12 pt bold Quốc hiệu is ~88 mm wide in Times New Roman, so the right column needs ~95 mm.
# The heading and signature tables are exactly as wide as the text block and start at its
# left edge: a wider, centred table starts outside the left margin.
HEAD_WIDTHS_MM = (75, 90)
FOOT_WIDTHS_MM = (75, 90)
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
BUDGET_COLUMNS = (
    ("Nguồn kinh phí", 66, LEFT),
    ("Kế hoạch", 33, RIGHT),
    ("Đã chi", 33, RIGHT),
    ("Còn lại", 33, RIGHT),
)


def write_docx(report: Report, path: Path) -> Path:
    """Write `report` to `path` as a draft the coordinator edits in Word; return `path`."""
    doc = Document()
    _setup_normal_style(doc)
    _setup_page(doc.sections[0])
    _table_style(doc)
    _heading_block(doc, report)
    _title(doc, report)
    _body(doc, report)
    _footer_block(doc, report)
    _appendix(doc, report)
    _properties(doc, report.header.title, report.header.issuer or report.header.agency)
    doc.save(str(path))
    return path


def _properties(doc: DocxDocument, title: str, author: str) -> None:
    """File properties a reader sees in Word: the agency and the title, in Vietnamese, not
    python-docx's template defaults (author "python-docx", an English description)."""
    props = doc.core_properties
    props.title = title
    props.subject = title
    props.author = props.last_modified_by = author
    props.comments = "Dự thảo báo cáo"
    props.category = "Báo cáo"
    props.keywords = "báo cáo"
    props.language = "vi-VN"
    props.revision = 1


def write_rollup_docx(rollup: Rollup, path: Path) -> Path:
    """The programme rollup as a Nghị định 30 report on landscape A4 (its table is wide):
    heading block, BÁO CÁO and the title naming the Đề án, one row per plan with the province
    or Sở whose plan it is, the totals, Nơi nhận and the signature."""
    doc = Document()
    _setup_normal_style(doc)
    section = doc.sections[0]
    _setup_page(section)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(ROLLUP_MARGINS_MM[0]), Mm(ROLLUP_MARGINS_MM[1])
    _table_style(doc)
    _heading_block(doc, rollup, ROLLUP_HEAD_WIDTHS_MM)
    _title(doc, rollup, ROLLUP_TEXT_WIDTH_MM)
    columns = _rollup_columns(rollup)
    table, widths = _grid(doc, columns), _twips(columns)
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
        _row(table, values, aligns, widths, bold=not row.plan, span=None if row.plan else (1, 2))
    if rollup.words:
        _para(doc, rollup.words, italic=True).paragraph_format.space_before = Pt(6)
    _para(doc, rollup.closing).paragraph_format.space_before = Pt(6)
    _footer_block(doc, rollup, ROLLUP_FOOT_WIDTHS_MM)
    _properties(doc, rollup.heading, rollup.header.issuer or rollup.header.agency)
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
    money = max(22, math.ceil(max(map(_number_width_mm, amounts), default=0.0) + 2.5))
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


def _setup_normal_style(doc: DocxDocument) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    # Without eastAsia/cs (and with the template's theme fonts left in place) Word may show
    # Vietnamese letters in Calibri or a CJK font instead of Times New Roman.
    root = doc.styles.element
    for fonts in root.xpath(
        "w:docDefaults/w:rPrDefault/w:rPr/w:rFonts | w:style[@w:styleId='Normal']/w:rPr/w:rFonts"
    ):
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{attr}"), None)
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{attr}"), FONT)
    for lang in root.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        lang.set(qn("w:val"), "vi-VN")  # Word's spelling check, not English
    fmt = style.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(1)
    fmt.line_spacing = 1.2
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)


def _setup_page(section: Section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    # Page numbers from page 2 on: page 1 gets its own, empty header.
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    paragraph = section.header.paragraphs[0]
    _shape(paragraph, CENTER)
    _page_field(paragraph)


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field: Word and LibreOffice put in the number when they lay out the page."""
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    begin, end = (_with_attrs("w:fldChar", fldCharType=kind) for kind in ("begin", "end"))
    for element in (begin, instruction, end):
        paragraph.add_run()._r.append(element)


def _para(
    container: Container,
    text: str = "",
    size: float = BODY_PT,
    *,
    bold: bool = False,
    italic: bool = False,
    align: Align | None = None,
) -> Paragraph:
    """A body paragraph (Normal style), or with `align` a single-spaced line of a block."""
    paragraph = container.add_paragraph()
    _shape(paragraph, align)
    if text:
        _run(paragraph, text, size, bold, italic)
    return paragraph


def _shape(paragraph: Paragraph, align: Align | None) -> None:
    if align is None:
        return
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0


def _run(paragraph: Paragraph, text: str, size: float, bold: bool, italic: bool = False) -> Run:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    return run


def _rule(container: Container, length_mm: float, width_mm: float) -> Paragraph:
    """A short centred horizontal line: the bottom border of an empty, indented paragraph."""
    paragraph = _para(container, align=CENTER)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm((width_mm - length_mm) / 2)
    fmt.line_spacing = Pt(3)
    fmt.space_after = Pt(6)
    border = OxmlElement("w:pBdr")
    border.append(_with_attrs("w:bottom", val="single", sz="6", space="1", color="auto"))
    # w:pPr children have a fixed order; pBdr comes before spacing, ind and jc.
    successors = ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")
    paragraph._p.get_or_add_pPr().insert_element_before(border, *successors)
    return paragraph


def _heading(doc: DocxDocument, text: str) -> None:
    _para(doc, text, bold=True).paragraph_format.keep_with_next = True


def _items(doc: DocxDocument, items: Sequence[str], empty: str = NOTHING) -> None:
    for item in items:
        _para(doc, f"- {item.removeprefix('- ')}")
    if not items and empty:
        _para(doc, empty)


def _paragraphs(doc: DocxDocument, texts: Sequence[str], empty: str = NOTHING) -> None:
    """Sentences as body paragraphs (no dash): I.1, II's evaluation, III's direction, IV."""
    for text in texts:
        if text:
            _para(doc, text)
    if not any(texts):
        _para(doc, empty)


def _group_items(doc: DocxDocument, group: GroupResult) -> None:
    """A group's sentences: a task's with a dash, its subtasks' ("a) ...") indented under it."""
    for index, sentence in enumerate(group.sentences):
        level = group.level(index)
        if level == 0:
            _para(doc, f"- {sentence.removeprefix('- ')}")
        else:
            _para(doc, sentence).paragraph_format.left_indent = Cm(level)
    if not group.sentences:
        _para(doc, NO_TASKS)


def _table(doc: DocxDocument, widths_mm: Sequence[float], *, grid: bool) -> Table:
    """A fixed-width table: ruled for data, borderless for the heading and signature blocks."""
    table = doc.add_table(rows=0, cols=len(widths_mm))
    table.style = doc.styles["Table Grid"] if grid else None
    table.alignment = WD_TABLE_ALIGNMENT.CENTER if grid else WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    tbl_pr = table._tbl.tblPr
    if not grid:
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(_with_attrs(f"w:{edge}", val="nil"))
        tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    if not grid:  # at the text's left edge, not a cell margin to the left of it
        indent = _with_attrs("w:tblInd", w="0", type="dxa")
        after = ("w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
        tbl_pr.insert_element_before(indent, *after)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_with_attrs(f"w:{side}", w="57" if grid else "0", type="dxa"))
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    return table


def _with_attrs(tag: str, **attrs: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _drop_placeholders(*cells: _Cell) -> None:
    """A new cell holds one empty paragraph; drop it once content follows it."""
    for cell in cells:
        if len(cell.paragraphs) > 1:
            first = cell.paragraphs[0]._p
            first.getparent().remove(first)


def _table_style(doc: DocxDocument) -> None:
    """Table text (11 pt, single-spaced, no indent) as one paragraph style, so that each cell
    names the style instead of repeating its formatting."""
    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = TABLE_STYLE_ID
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(TABLE_PT)
    fmt = style.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.alignment = LEFT


def _row(
    table: Table,
    values: Sequence[str],
    aligns: Sequence[Align],
    widths: Sequence[int],
    bold: bool,
    *,
    header: bool = False,
    span: tuple[int, int] | None = None,
) -> None:
    """One table row, written as WordprocessingML in one parse: building a 500-row appendix
    through python-docx's cell and paragraph objects took several seconds, most of it in
    style lookups repeated for every cell. A row is never split across pages (w:cantSplit);
    a `header` row repeats on each page (w:tblHeader); `span` (first, last) merges those
    columns into one cell holding the first's value (a section's title)."""
    cells = []
    index = 0
    while index < len(values):
        last = span[1] if span and index == span[0] else index
        width = sum(widths[index : last + 1])
        cells.append(_cell_xml(values[index], aligns[index], width, bold, last - index + 1))
        index = last + 1
    flags = "<w:cantSplit/>" + ('<w:tblHeader w:val="true"/>' if header else "")
    row = f"<w:tr {nsdecls('w')}><w:trPr>{flags}</w:trPr>{''.join(cells)}</w:tr>"
    table._tbl.append(parse_xml(row))


def _cell_xml(value: str, align: Align, width_twips: int, bold: bool, span: int = 1) -> str:
    jc = "" if align == LEFT else f'<w:jc w:val="{WD_ALIGN_PARAGRAPH.to_xml(align)}"/>'
    run = ""
    if value:
        lines = (escape(_NOT_XML.sub("", line)) for line in value.replace("\t", " ").split("\n"))
        text = '</w:t><w:br/><w:t xml:space="preserve">'.join(lines)
        weight = "<w:rPr><w:b/></w:rPr>" if bold else ""
        run = f'<w:r>{weight}<w:t xml:space="preserve">{text}</w:t></w:r>'
    merged = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width_twips}" w:type="dxa"/>{merged}</w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{TABLE_STYLE_ID}"/>{jc}</w:pPr>{run}</w:p></w:tc>'
    )


def _twips(columns: Sequence[tuple[str, float, Align]]) -> list[int]:
    return [Mm(width).twips for _, width, _ in columns]


def _grid(doc: DocxDocument, columns: Sequence[tuple[str, float, Align]]) -> Table:
    """A bordered table with its bold header row, repeated on every page it runs onto."""
    headers, widths, _ = zip(*columns, strict=True)
    table = _table(doc, widths, grid=True)
    _row(table, headers, [CENTER] * len(headers), _twips(columns), True, header=True)
    return table


def _heading_block(
    doc: DocxDocument, report: Report | Rollup, widths: tuple[float, float] = HEAD_WIDTHS_MM
) -> None:
    header = report.header
    left, right = _table(doc, widths, grid=False).add_row().cells
    if header.parent_agency:
        _para(left, header.parent_agency.upper(), 13, align=CENTER)
    _para(left, header.agency.upper(), 13, bold=True, align=CENTER)
    _rule(left, 25, widths[0])
    _para(left, header.number_line, 13, align=CENTER)
    _para(right, QUOC_HIEU, 12, bold=True, align=CENTER)
    _para(right, TIEU_NGU, 13, bold=True, align=CENTER)
    _rule(right, 56, widths[1])
    _para(right, header.place_date, 14, italic=True, align=CENTER)
    _drop_placeholders(left, right)


def _title(doc: DocxDocument, report: Report | Rollup, width_mm: float = TEXT_WIDTH_MM) -> None:
    kind = _para(doc, report.header.kind, bold=True, align=CENTER)
    kind.paragraph_format.space_before = Pt(18)
    _para(doc, report.header.title, bold=True, align=CENTER)
    _rule(doc, 40, width_mm)
    _para(doc, report.intro)


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
        _para(doc, report.outlook)
    _items(doc, report.next_steps, "" if report.outlook else NOTHING)
    _heading(doc, "IV. ĐỀ XUẤT, KIẾN NGHỊ")
    _paragraphs(doc, report.proposals)
    if report.closing:
        _para(doc, report.closing)


def _achievements(doc: DocxDocument, report: Report) -> None:
    _para(doc, report.total_line)
    for line in report.category_lines:
        _para(doc, f"- {line}")
    for text in report.evaluation:
        _para(doc, text)
    if report.budget_sentence:
        _para(doc, report.budget_sentence)


def _percent(value: float) -> str:
    """37.5 -> "37,5", 50.0 -> "50" (decimal comma, no trailing zero)."""
    return format_percent(value).removesuffix("%")


def _footer_block(
    doc: DocxDocument, report: Report | Rollup, widths: tuple[float, float] = FOOT_WIDTHS_MM
) -> None:
    if doc.paragraphs:  # the body's last sentence goes to the signature's page with it
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    table = _table(doc, widths, grid=False)
    left, right = table.add_row().cells
    _para(left, "Nơi nhận:", 12, bold=True, italic=True, align=LEFT)
    for line in _recipient_lines(report.recipients):
        _para(left, line, 11, align=LEFT)
    signature = report.signature
    for line in (signature.on_behalf, signature.title):
        if line:
            _para(right, line, bold=True, align=CENTER)
    for _ in range(4):  # room for the signature and seal
        _para(right, align=CENTER)
    _para(right, signature.name, bold=True, align=CENTER)
    _drop_placeholders(left, right)
    # Nơi nhận and the signature stay together on one page
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _recipient_lines(recipients: Sequence[str]) -> list[str]:
    """ "- UBND tỉnh (b/c);" ... "- Lưu: VT, QLTĐC." (the "./." ends the body, not this list)."""
    lines = [f"- {recipient.rstrip(' ;./')};" for recipient in recipients]
    if lines:
        lines[-1] = lines[-1].removesuffix(";") + "."
    return lines


def _appendix(doc: DocxDocument, report: Report) -> None:
    title = _para(doc, "PHỤ LỤC", bold=True, align=CENTER)
    title.paragraph_format.page_break_before = True
    heading = _para(doc, report.appendix_title, bold=True, align=CENTER)
    if report.appendix_note:
        heading = _para(doc, report.appendix_note, italic=True, align=CENTER)
    heading.paragraph_format.space_after = Pt(6)
    columns = _appendix_columns(report)
    table, widths = _grid(doc, columns), _twips(columns)
    aligns = [align for _, _, align in columns]
    money = report.appendix_amounts
    # a section row: its title across every column but TT and Kinh phí
    span = (1, len(columns) - (2 if money else 1))
    for row in report.appendix:
        cells = report.appendix_cells(row)
        _row(table, cells, aligns, widths, row.is_section, span=span if row.is_section else None)
    _budget(doc, report)
    if report.total_in_words:
        _para(doc, report.total_in_words, italic=True).paragraph_format.space_before = Pt(6)


def _number_width_mm(text: str, points: float = TABLE_PT) -> float:
    """How wide a number is in Times New Roman: digits half an em, "." and "," a quarter."""
    ems = sum(0.5 if c.isdigit() else 0.25 for c in text)
    return ems * points * 25.4 / 72


def _appendix_columns(report: Report) -> tuple[tuple[str, float, Align], ...]:
    """The appendix's columns as wide as the text block, the amount's header naming the
    unit; the amount column as wide as its widest amount needs on one line (a cell's margins
    are 1 mm each side), the difference taken from "Nội dung". No "Kinh phí" column when the
    plan gives no amounts."""
    headers = report.appendix_headers
    if not report.appendix_amounts:
        return tuple(zip(headers, APPENDIX_WIDTHS_NO_MONEY_MM, APPENDIX_ALIGNS, strict=False))
    widest = max((_number_width_mm(row.amount) for row in report.appendix), default=0.0)
    extra = max(0, math.ceil(widest + 2.5 - APPENDIX_MONEY_MM))
    widths = list(APPENDIX_WIDTHS_MM)
    widths[1] -= extra
    widths.append(APPENDIX_MONEY_MM + extra)
    return tuple(zip(headers, widths, APPENDIX_ALIGNS, strict=True))


def _budget(doc: DocxDocument, report: Report) -> None:
    """Planned, spent and remaining per source in the plan's unit; only what was spent when
    the plan gives no amounts (a "Kế hoạch" of 0 and a "Còn lại" below 0 would mislead)."""
    heading = _para(doc, "Kinh phí thực hiện", bold=True, align=LEFT)
    heading.paragraph_format.space_before = Pt(12)
    _para(doc, f"Đơn vị tính: {report.money_label}", 12, italic=True, align=RIGHT)
    planned = report.budget_planned
    columns = BUDGET_COLUMNS if planned else (BUDGET_COLUMNS[0], BUDGET_COLUMNS[2])
    table, widths = _grid(doc, columns), _twips(columns)
    aligns = [align for _, _, align in columns]
    for row in report.budget:
        values = (row.planned or None, row.spent, row.remaining) if planned else (row.spent,)
        _row(table, (row.label, *map(report.money, values)), aligns, widths, row.is_total)
