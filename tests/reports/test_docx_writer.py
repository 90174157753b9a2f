"""The .docx draft: Nghị định 30/2020/NĐ-CP layout, read back with python-docx."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from kehoach_flow.reports.content import (
    Report,
)
from kehoach_flow.reports.docx_writer import write_docx
from tests.reports.helpers import sample_report


def _written(tmp_path: Path, report: Report | None = None) -> DocxDocument:
    path = write_docx(report or sample_report(), tmp_path / "bao-cao.docx")
    return Document(str(path))


def _find(paragraphs: list[Paragraph], text: str) -> Paragraph:
    return next(p for p in paragraphs if p.text == text)


def _after(paragraphs: list[Paragraph], text: str) -> Paragraph:
    return paragraphs[[p.text for p in paragraphs].index(text) + 1]


def _all_bold(paragraph: Paragraph) -> bool:
    return bool(paragraph.runs) and all(run.bold for run in paragraph.runs)


def _has_bottom_border(paragraph: Paragraph) -> bool:
    return bool(paragraph._p.xpath("./w:pPr/w:pBdr/w:bottom[@w:val='single']"))


def _tables(doc: DocxDocument) -> tuple[Table, Table, Table, Table]:
    heading, footer, appendix, budget = doc.tables
    return heading, footer, appendix, budget


def test_write_docx_returns_the_path(tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.docx"
    assert write_docx(sample_report(), path) == path
    assert path.stat().st_size > 0


def test_page_is_a4_with_decree_margins(tmp_path: Path) -> None:
    section = _written(tmp_path).sections[0]
    expected = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 20,
        "bottom_margin": 20,
        "left_margin": 30,
        "right_margin": 15,
    }
    for name, millimetres in expected.items():
        assert getattr(section, name) == pytest.approx(Mm(millimetres), abs=Mm(0.5)), name


def test_normal_style_is_times_new_roman_also_for_east_asian_text(tmp_path: Path) -> None:
    normal = _written(tmp_path).styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size is not None and normal.font.size.pt == 14
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
    assert fonts.get(qn("w:eastAsiaTheme")) is None


def test_heading_block_has_quoc_hieu_tieu_ngu_rules_and_date_line(tmp_path: Path) -> None:
    heading = _tables(_written(tmp_path))[0]
    left, right = heading.rows[0].cells
    quoc_hieu = _find(right.paragraphs, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert _all_bold(quoc_hieu)
    assert 12 <= quoc_hieu.runs[0].font.size.pt <= 13
    tieu_ngu = _find(right.paragraphs, "Độc lập - Tự do - Hạnh phúc")
    assert _all_bold(tieu_ngu)
    assert 13 <= tieu_ngu.runs[0].font.size.pt <= 14
    after = _after(right.paragraphs, tieu_ngu.text)
    assert _has_bottom_border(after) and after.text == ""
    date_line = _find(right.paragraphs, "Quảng Trị, ngày 14 tháng 6 năm 2024")
    assert date_line.runs[0].italic
    agency = _find(left.paragraphs, "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
    assert _all_bold(agency)
    assert _has_bottom_border(_after(left.paragraphs, agency.text))
    assert _find(left.paragraphs, "Số:      /BC-SKHCN").runs[0].font.size.pt == 13
    assert not heading._tbl.xpath(".//w:tblBorders/*[@w:val!='nil']")


def test_title_block_is_centred_and_bold(tmp_path: Path) -> None:
    report = sample_report()
    doc = _written(tmp_path, report)
    for text in ("BÁO CÁO", report.header.title):
        paragraph = _find(doc.paragraphs, text)
        assert _all_bold(paragraph)
        assert paragraph.alignment == 1  # WD_ALIGN_PARAGRAPH.CENTER


def test_body_headings_come_in_order_and_bold(tmp_path: Path) -> None:
    doc = _written(tmp_path)
    texts = [p.text for p in doc.paragraphs]
    headings = [
        "I. KẾT QUẢ THỰC HIỆN",
        "1. Công tác chỉ đạo, điều hành",
        "2. Kết quả thực hiện các nhiệm vụ theo từng nhóm nhiệm vụ, giải pháp",
        "2.1. Tăng cường phát triển hạ tầng đo lường tại địa phương",
        "2.2. Thông tin, tuyên truyền chính sách, pháp luật về đo lường",
        "II. ĐÁNH GIÁ",
        "1. Kết quả đạt được",
        "2. Khó khăn, vướng mắc",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)
    assert all(_all_bold(doc.paragraphs[i]) for i in positions)


def test_body_lists_items_counts_and_says_khong_co_for_empty_lists(tmp_path: Path) -> None:
    texts = [p.text for p in _written(tmp_path).paragraphs]
    assert "- Tổ chức 06 lớp tập huấn cho hơn 463 lượt học viên." in texts
    assert "Tổng số nhiệm vụ trong kỳ báo cáo: 08 nhiệm vụ, trong đó:" in texts
    assert "- Hoàn thành đúng hạn: 03 nhiệm vụ (37,5%);" in texts
    assert "- Đang thực hiện trong hạn: 02 nhiệm vụ (25%);" in texts
    proposals = texts.index("IV. ĐỀ XUẤT, KIẾN NGHỊ")
    assert texts[proposals + 1] == "Không có."


def test_body_paragraphs_are_justified_with_first_line_indent(tmp_path: Path) -> None:
    doc = _written(tmp_path)
    fmt = doc.styles["Normal"].paragraph_format
    assert fmt.alignment == 3  # WD_ALIGN_PARAGRAPH.JUSTIFY
    assert fmt.first_line_indent == pytest.approx(Mm(10), abs=Mm(1))
    assert 1.15 <= fmt.line_spacing <= 1.3
    assert fmt.space_after.pt == 6
    intro = doc.paragraphs[[p.text for p in doc.paragraphs].index("I. KẾT QUẢ THỰC HIỆN") - 1]
    assert intro.text.startswith("Thực hiện Kế hoạch số 49/KH-SKHCN")
    assert intro.paragraph_format.alignment is None  # inherits Normal


def test_footer_lists_recipients_and_signature(tmp_path: Path) -> None:
    footer = _tables(_written(tmp_path))[1]
    left, right = footer.rows[0].cells
    noi_nhan = left.paragraphs[0]
    assert noi_nhan.text == "Nơi nhận:" and noi_nhan.runs[0].bold and noi_nhan.runs[0].italic
    assert [p.text for p in left.paragraphs[1:]] == [
        "- Tổng cục TCĐLCL;",
        "- GĐ, các PGĐ Sở;",
        "- Lưu: VT, QLTĐC.",  # "./." ends the body's last sentence, not this list
    ]
    signed = [p for p in right.paragraphs if p.text]
    assert [p.text for p in signed] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Thắng"]
    assert all(_all_bold(p) for p in signed)
    assert len(right.paragraphs) > len(signed)  # room for the signature


def test_header_has_page_field_but_not_on_first_page(tmp_path: Path) -> None:
    section = _written(tmp_path).sections[0]
    assert section.different_first_page_header_footer
    fields = section.header._element.xpath(".//w:instrText")
    assert [f.text.strip() for f in fields] == ["PAGE"]
    first_page = section.first_page_header
    assert not first_page.is_linked_to_previous
    assert not first_page._element.xpath(".//w:instrText")


def test_appendix_starts_a_new_page_with_its_title(tmp_path: Path) -> None:
    doc = _written(tmp_path)
    appendix = _find(doc.paragraphs, "PHỤ LỤC")
    assert appendix.paragraph_format.page_break_before
    assert _all_bold(appendix)
    assert _all_bold(_find(doc.paragraphs, "Kết quả thực hiện các nhiệm vụ quý II năm 2024"))


def test_appendix_table_has_one_row_per_item_and_bold_sections(tmp_path: Path) -> None:
    report = sample_report()
    table = _tables(_written(tmp_path, report))[2]
    header = [c.text for c in table.rows[0].cells]
    assert header == [
        "TT",
        "Nội dung",
        "Kết quả đạt được",  # what was achieved, not the plan's expected result
        "Chủ trì",
        "Phối hợp",
        "Tiến độ",
        "Nguồn kinh phí",
        "Kinh phí (đồng)",  # the unit in the header
    ]
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    # no row is split across pages, the header row included
    assert all(row._tr.xpath("./w:trPr/w:cantSplit") for row in table.rows)
    assert all(_all_bold(c.paragraphs[0]) for c in table.rows[0].cells)
    assert len(table.rows) == len(report.appendix) + 1
    for row, item in zip(table.rows[1:], report.appendix, strict=True):
        assert row.cells[0].text == item.number
        assert row.cells[1].text == item.content
        assert _all_bold(row.cells[1].paragraphs[0]) == item.is_section
    task = table.rows[4]
    assert [c.text for c in task.cells[2:]] == [
        "Hoàn thành đúng hạn\n38 thiết bị",
        "Trung tâm Kỹ thuật TĐC",
        "Sở Tài chính",
        "Quý II",
        "Ngân sách tỉnh",
        "1.477.000.000",
    ]
    paragraphs = [c.paragraphs[0] for row in table.rows for c in row.cells]
    assert {p.style.name for p in paragraphs} == {"Bảng"}
    style = paragraphs[0].style
    assert style.font.size == Pt(11)
    assert style.paragraph_format.first_line_indent == 0
    assert not any(
        r.font.size for row in table.rows for c in row.cells for r in c.paragraphs[0].runs
    )


def test_appendix_cells_are_aligned_and_sized_to_their_columns(tmp_path: Path) -> None:
    table = _tables(_written(tmp_path))[2]
    task = table.rows[4]
    aligns = [c.paragraphs[0].paragraph_format.alignment for c in task.cells]
    assert aligns[0] == WD_ALIGN_PARAGRAPH.CENTER
    assert aligns[1] is None  # left, from the style
    assert aligns[-1] == WD_ALIGN_PARAGRAPH.RIGHT
    widths = [round(c.width.mm) for c in task.cells]
    # "1.477.000.000" needs 25 mm on one line (it broke as "1.477.000.00|0" in 24 mm);
    # "Tiến độ" holds "31/12/2024" on one line; the whole table fits A4 portrait (165 mm)
    assert widths == [8, 28, 30, 18, 18, 20, 18, 25]
    assert sum(c.width.mm for c in task.cells) <= 165.01


def test_appendix_cell_text_keeps_markup_line_breaks_and_drops_control_characters(
    tmp_path: Path,
) -> None:
    report = sample_report()
    odd = replace(
        report.appendix[3],
        content='Mua <thiết bị> & "chuẩn"\nđợt 2',
        achieved="38\x0b thiết bị\x01",
    )
    appendix = (*report.appendix[:3], odd, *report.appendix[4:])
    table = _tables(_written(tmp_path, replace(report, appendix=appendix)))[2]
    cells = table.rows[4].cells
    assert cells[1].text == 'Mua <thiết bị> & "chuẩn"\nđợt 2'
    assert cells[1].paragraphs[0]._p.xpath("./w:r/w:br")
    assert cells[2].text == "38 thiết bị"


def test_budget_table_formats_amounts_and_bolds_totals(tmp_path: Path) -> None:
    table = _tables(_written(tmp_path))[3]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows == [
        ["Nguồn kinh phí", "Kế hoạch", "Đã chi", "Còn lại"],
        ["Ngân sách tỉnh", "1.477.000.000", "1.200.000.000", "277.000.000"],
        ["Nguồn xã hội hóa", "500.000.000", "300.000.000", "200.000.000"],
        ["Tổng cộng", "1.977.000.000", "1.500.000.000", "477.000.000"],
    ]
    assert _all_bold(table.rows[3].cells[1].paragraphs[0])
    assert not _all_bold(table.rows[1].cells[1].paragraphs[0])


def test_total_in_words_closes_the_appendix_in_italics(tmp_path: Path) -> None:
    last = _written(tmp_path).paragraphs[-1]
    assert last.text == "Viết bằng chữ: Một tỷ chín trăm bảy mươi bảy triệu đồng"
    assert last.runs[0].italic


def test_user_text_with_markup_characters_comes_out_intact(tmp_path: Path) -> None:
    report = sample_report()
    title = 'Kết quả "đo lường" <quý II> & tháng 6: ưu tiên R&D'
    header = replace(report.header, title=title)
    results = (replace(report.results[0], title="Hạ tầng <đo lường> & thử nghiệm"),)
    doc = _written(tmp_path, replace(report, header=header, results=results))
    texts = [p.text for p in doc.paragraphs]
    assert title in texts
    assert "2.1. Hạ tầng <đo lường> & thử nghiệm" in texts


def test_a_script_tag_in_a_task_title_is_plain_text_in_the_docx(tmp_path: Path) -> None:
    report = sample_report()
    script = "<script>alert(1)</script> Khảo sát"
    appendix = (
        *report.appendix[:3],
        replace(report.appendix[3], content=script),
        *report.appendix[4:],
    )
    doc = _written(tmp_path, replace(report, appendix=appendix))
    assert _tables(doc)[2].rows[4].cells[1].text == script
    xml = doc.element.xml
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml and "<script>" not in xml
