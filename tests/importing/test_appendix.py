"""Finding the appendix table in .docx, .xlsx and .csv files built here, header variants,
repeated headers after a page break, a row cut by the break, the money unit."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Font

from kehoach_flow.errors import KehoachError
from kehoach_flow.importing.appendix import find_appendix, header_roles
from kehoach_flow.importing.documents import Cell, read_document

SEED_HEADER = [
    "TT",
    "Nội dung công việc",
    "Kết quả đạt được",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Tiến độ",
    "Nguồn kinh phí",
]


def _docx_table(document, rows, bold_first=True):  # type: ignore[no-untyped-def]
    table = document.add_table(rows=0, cols=len(rows[0]))
    for n, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            run = cell.paragraphs[0].add_run(value)
            run.bold = (n == 0 and bold_first) or values[0].startswith(("I.", "II."))
    return table


def test_a_docx_appendix_across_a_page_break_reads_as_one_table(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("PHỤ LỤC: Nội dung, tiến độ thực hiện và nguồn kinh phí")
    _docx_table(
        document,
        [
            SEED_HEADER,
            ["I.", "Công tác tuyên truyền, phổ biến", "", "", "", "", ""],
            [
                "1",
                "Tuyên truyền, phổ biến Quyết định số 996/QĐ-TTg",
                "01 phóng sự",
                "Trung tâm NC-CG và ĐMST",
                "Phòng QL TCĐLCL",
                "Cả năm",
                "Kinh phí phóng sự",
            ],
            [
                "2",
                "Khảo sát, đánh giá tình hình sử dụng phương tiện đo tại",
                "Báo cáo khảo sát",
                "Phòng QL TCĐLCL",
                "",
                "Quý I-II",
                "Sự nghiệp KHCN",
            ],
        ],
    )
    document.add_page_break()
    _docx_table(
        document,
        [
            SEED_HEADER,  # Word repeats the header on the new page
            ["", "30 doanh nghiệp trên địa bàn tỉnh", "", "", "Các doanh nghiệp", "", ""],
            ["3", "Bồi dưỡng cán bộ", "03 cán bộ", "Phòng QL TCĐLCL", "", "Quý III", ""],
        ],
    )
    path = tmp_path / "ke-hoach.docx"
    document.save(str(path))
    appendix = find_appendix(read_document(path))
    assert appendix.columns == (
        "number",
        "content",
        "result",
        "lead",
        "partners",
        "schedule",
        "funding",
    )
    assert [r.get("number") for r in appendix.rows] == ["I.", "1", "2", "3"]
    survey = appendix.rows[2]
    assert (
        survey.get("content")
        == "Khảo sát, đánh giá tình hình sử dụng phương tiện đo tại 30 doanh nghiệp trên địa bàn tỉnh"
    )
    assert survey.get("partners") == "Các doanh nghiệp"
    assert appendix.rows[0].bold and not appendix.rows[1].bold
    assert appendix.rows[3].where == "bảng 2, dòng 3"
    assert appendix.money_unit == "dong"


def test_header_wording_variants_are_recognised() -> None:
    variants = [
        "STT",
        "Nội dung nhiệm vụ",
        "Sản phẩm dự kiến",
        "Cơ quan chủ trì",
        "Phối hợp",
        "Thời gian thực hiện",
        "Kinh phí (tr.đ)",
        "Ghi chú",
    ]
    roles = header_roles([Cell(v) for v in variants])
    assert roles == {
        0: "number",
        1: "content",
        2: "result",
        3: "lead",
        4: "partners",
        5: "schedule",
        6: "amount",
        7: "note",
    }
    assert header_roles(
        [Cell("Nguồn kinh phí"), Cell("Nội dung công việc"), Cell("Tiến độ t/hiện")]
    ) == {0: "funding", 1: "content", 2: "schedule"}
    assert header_roles([Cell("Tổng cộng"), Cell("1.977"), Cell("")]) is None


def test_an_xlsx_budget_table_in_million_dong(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Đơn vị tính: Triệu đồng"])
    sheet.append(["STT", "Nội dung nhiệm vụ", "Kinh phí (tr.đ)", "Ghi chú"])
    sheet.append(["I", "Hạ tầng đo lường", 1500, None])
    sheet.append(["1", "Mua chuẩn đo lường", 1000, None])
    sheet.append(["2", "Hiệu chuẩn", 500, None])
    sheet.append([None, "Tổng cộng", 1500, None])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    path = tmp_path / "du-toan.xlsx"
    book.save(path)
    appendix = find_appendix(read_document(path))
    assert appendix.money_unit == "trieu"
    assert [(r.get("number"), r.get("amount")) for r in appendix.rows] == [
        ("I", "1500"),
        ("1", "1000"),
        ("2", "500"),
        ("", "1500"),
    ]
    assert appendix.rows[0].bold and appendix.rows[-1].where == "trang tính Sheet, dòng 6"


def test_a_csv_and_a_file_without_an_appendix(tmp_path: Path) -> None:
    path = tmp_path / "ke-hoach.csv"
    path.write_text(
        "TT,Nội dung công việc,Đơn vị chủ trì,Tiến độ\n1,Khảo sát,Phòng QL TCĐLCL,Quý I\n",
        encoding="utf-8",
    )
    (row,) = find_appendix(read_document(path)).rows
    assert row.cells == {
        "number": "1",
        "content": "Khảo sát",
        "lead": "Phòng QL TCĐLCL",
        "schedule": "Quý I",
    }
    empty = tmp_path / "trong.csv"
    empty.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(KehoachError, match="không thấy bảng phụ lục"):
        find_appendix(read_document(empty))
    with pytest.raises(KehoachError, match=r"\.docx, \.xlsx hoặc \.csv"):
        read_document(tmp_path / "ke-hoach.pdf")
