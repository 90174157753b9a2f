"""Tables in a .docx report: fixed-width tables (ruled for data, borderless for the heading
and signature blocks) and data rows written as WordprocessingML in one parse."""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm
from docx.table import Table, _Cell

from kehoach_flow.reports.docx_layout import (
    CENTER,
    LEFT,
    TABLE_PT,
    TABLE_STYLE_ID,
    Align,
    with_attrs,
)

# Characters XML 1.0 cannot hold; a pasted control character must not break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def fixed_table(doc: DocxDocument, widths_mm: Sequence[float], *, grid: bool) -> Table:
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
            borders.append(with_attrs(f"w:{edge}", val="nil"))
        tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    if not grid:  # at the text's left edge, not a cell margin to the left of it
        indent = with_attrs("w:tblInd", w="0", type="dxa")
        after = ("w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
        tbl_pr.insert_element_before(indent, *after)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(with_attrs(f"w:{side}", w="57" if grid else "0", type="dxa"))
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    return table


def drop_placeholders(*cells: _Cell) -> None:
    """A new cell holds one empty paragraph; drop it once content follows it."""
    for cell in cells:
        if len(cell.paragraphs) > 1:
            first = cell.paragraphs[0]._p
            first.getparent().remove(first)


def xml_row(
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
        cells.append(cell_xml(values[index], aligns[index], width, bold, last - index + 1))
        index = last + 1
    flags = "<w:cantSplit/>" + ('<w:tblHeader w:val="true"/>' if header else "")
    row = f"<w:tr {nsdecls('w')}><w:trPr>{flags}</w:trPr>{''.join(cells)}</w:tr>"
    table._tbl.append(parse_xml(row))


def cell_xml(value: str, align: Align, width_twips: int, bold: bool, span: int = 1) -> str:
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


def twips(columns: Sequence[tuple[str, float, Align]]) -> list[int]:
    return [Mm(width).twips for _, width, _ in columns]


def grid(doc: DocxDocument, columns: Sequence[tuple[str, float, Align]]) -> Table:
    """A bordered table with its bold header row, repeated on every page it runs onto."""
    headers, widths, _ = zip(*columns, strict=True)
    table = fixed_table(doc, widths, grid=True)
    xml_row(table, headers, [CENTER] * len(headers), twips(columns), True, header=True)
    return table


def number_width_mm(text: str, points: float = TABLE_PT) -> float:
    """How wide a number is in Times New Roman: digits half an em, "." and "," a quarter."""
    ems = sum(0.5 if c.isdigit() else 0.25 for c in text)
    return ems * points * 25.4 / 72
