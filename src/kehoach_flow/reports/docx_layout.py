"""The .docx page and text primitives the report writers share: Normal and table styles in
Times New Roman (Nghị định 30/2020/NĐ-CP), A4 pages numbered from page 2, paragraphs, runs,
short rules and the file's properties."""

from __future__ import annotations

from typing import TypeAlias

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

Container: TypeAlias = DocxDocument | _Cell
Align: TypeAlias = WD_ALIGN_PARAGRAPH

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 11
TABLE_STYLE = "Bảng"
TABLE_STYLE_ID = "Bang"
CENTER, LEFT, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT


def set_properties(doc: DocxDocument, title: str, author: str) -> None:
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


def setup_normal_style(doc: DocxDocument) -> None:
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


def setup_page(section: Section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    # Page numbers from page 2 on: page 1 gets its own, empty header.
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    paragraph = section.header.paragraphs[0]
    shape(paragraph, CENTER)
    page_field(paragraph)


def page_field(paragraph: Paragraph) -> None:
    """A PAGE field: Word and LibreOffice put in the number when they lay out the page."""
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    begin, end = (with_attrs("w:fldChar", fldCharType=kind) for kind in ("begin", "end"))
    for element in (begin, instruction, end):
        paragraph.add_run()._r.append(element)


def para(
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
    shape(paragraph, align)
    if text:
        styled_run(paragraph, text, size, bold, italic)
    return paragraph


def shape(paragraph: Paragraph, align: Align | None) -> None:
    if align is None:
        return
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0


def styled_run(
    paragraph: Paragraph, text: str, size: float, bold: bool, italic: bool = False
) -> Run:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    return run


def rule(container: Container, length_mm: float, width_mm: float) -> Paragraph:
    """A short centred horizontal line: the bottom border of an empty, indented paragraph."""
    paragraph = para(container, align=CENTER)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm((width_mm - length_mm) / 2)
    fmt.line_spacing = Pt(3)
    fmt.space_after = Pt(6)
    border = OxmlElement("w:pBdr")
    border.append(with_attrs("w:bottom", val="single", sz="6", space="1", color="auto"))
    # w:pPr children have a fixed order; pBdr comes before spacing, ind and jc.
    successors = ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")
    paragraph._p.get_or_add_pPr().insert_element_before(border, *successors)
    return paragraph


def with_attrs(tag: str, **attrs: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def table_style(doc: DocxDocument) -> None:
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
