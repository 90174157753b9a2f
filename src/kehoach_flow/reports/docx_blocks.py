"""The Nghị định 30/2020/NĐ-CP blocks around a report's body: the heading (agency, number,
Quốc hiệu, Tiêu ngữ, place and date), the title, and the footer (Nơi nhận, signature)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.shared import Pt

from kehoach_flow.reports.docx_layout import CENTER, LEFT, para, rule
from kehoach_flow.reports.docx_tables import drop_placeholders, fixed_table

if TYPE_CHECKING:
    from kehoach_flow.reports.content import Report
    from kehoach_flow.reports.rollup import Rollup

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
TEXT_WIDTH_MM = 165
# 12 pt bold Quốc hiệu is ~88 mm wide in Times New Roman, so the right column needs ~95 mm.
# The heading and signature tables are exactly as wide as the text block and start at its
# left edge: a wider, centred table starts outside the left margin.
HEAD_WIDTHS_MM = (75, 90)
FOOT_WIDTHS_MM = (75, 90)


def heading_block(
    doc: DocxDocument, report: Report | Rollup, widths: tuple[float, float] = HEAD_WIDTHS_MM
) -> None:
    header = report.header
    left, right = fixed_table(doc, widths, grid=False).add_row().cells
    if header.parent_agency:
        para(left, header.parent_agency.upper(), 13, align=CENTER)
    para(left, header.agency.upper(), 13, bold=True, align=CENTER)
    rule(left, 25, widths[0])
    para(left, header.number_line, 13, align=CENTER)
    para(right, QUOC_HIEU, 12, bold=True, align=CENTER)
    para(right, TIEU_NGU, 13, bold=True, align=CENTER)
    rule(right, 56, widths[1])
    para(right, header.place_date, 14, italic=True, align=CENTER)
    drop_placeholders(left, right)


def title_block(
    doc: DocxDocument, report: Report | Rollup, width_mm: float = TEXT_WIDTH_MM
) -> None:
    kind = para(doc, report.header.kind, bold=True, align=CENTER)
    kind.paragraph_format.space_before = Pt(18)
    para(doc, report.header.title, bold=True, align=CENTER)
    rule(doc, 40, width_mm)
    para(doc, report.intro)


def footer_block(
    doc: DocxDocument, report: Report | Rollup, widths: tuple[float, float] = FOOT_WIDTHS_MM
) -> None:
    if doc.paragraphs:  # the body's last sentence goes to the signature's page with it
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    table = fixed_table(doc, widths, grid=False)
    left, right = table.add_row().cells
    para(left, "Nơi nhận:", 12, bold=True, italic=True, align=LEFT)
    for line in recipient_lines(report.recipients):
        para(left, line, 11, align=LEFT)
    signature = report.signature
    for line in (signature.on_behalf, signature.title):
        if line:
            para(right, line, bold=True, align=CENTER)
    for _ in range(4):  # room for the signature and seal
        para(right, align=CENTER)
    para(right, signature.name, bold=True, align=CENTER)
    drop_placeholders(left, right)
    # Nơi nhận and the signature stay together on one page
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def recipient_lines(recipients: Sequence[str]) -> list[str]:
    """ "- UBND tỉnh (b/c);" ... "- Lưu: VT, QLTĐC." (the "./." ends the body, not this list)."""
    lines = [f"- {recipient.rstrip(' ;./')};" for recipient in recipients]
    if lines:
        lines[-1] = lines[-1].removesuffix(";") + "."
    return lines
