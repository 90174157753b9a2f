"""Table layouts met in practice: two-row headers, cells merged down, tables before and
after the appendix, header words inside a task, tables without a number column, extra
columns, subtasks, numbers Excel stored as numbers, words in the amount column."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from kehoach_flow.definitions import read_catalog
from kehoach_flow.settings import Settings
from tests.conftest import run_cli
from tests.importing.builders import docx_file, xlsx_file


@pytest.fixture
def settings(sqlite_settings: Settings, definitions_copy: Path) -> Settings:
    return sqlite_settings.model_copy(update={"definitions": definitions_copy})


def _run(settings: Settings, source: Path, *extra: str):  # type: ignore[no-untyped-def]
    args = ["import", str(source), "--plan-key", "k", "--coordinator", "qltcdlcl", "--year", "2025"]
    return run_cli(settings, *args, *extra)


def _plan(settings: Settings):  # type: ignore[no-untyped-def]
    return read_catalog(settings.definitions).plans["k"]


def _word_budget(path: Path, amount_merged: bool = False) -> Path:
    """A Word table whose "Kinh phí (tr.đ)" spans three columns over a second header row,
    the other header cells merged down across both rows."""
    document = Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Kiểm tra đo lường năm 2025")
    rows = [
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ", "Kinh phí (tr.đ)", "", ""],
        ["", "", "", "", "Tổng số", "NSTW", "NSĐP"],
        ["1", "Kiểm tra cân", "Phòng QL TCĐLCL", "Quý I", "100", "60", "40"],
        ["2", "Kiểm tra xăng dầu", "Phòng QL TCĐLCL", "Quý II", "50", "", "50"],
        [
            "3",
            "Kiểm tra taximet",
            "Phòng QL TCĐLCL",
            "Quý III",
            "" if amount_merged else "30",
            "",
            "",
        ],
    ]
    table = document.add_table(rows=len(rows), cols=7)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value:
                table.cell(r, c).text = value
    table.cell(0, 4).merge(table.cell(0, 6)).text = "Kinh phí (tr.đ)"
    for c in range(4):
        table.cell(0, c).merge(table.cell(1, c))
    if amount_merged:  # one amount written for the last two tasks
        table.cell(3, 4).merge(table.cell(4, 4))
    document.add_paragraph("Nơi nhận:")
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 0).text = "Nơi nhận:\n- Như trên;\n- Lưu: VT."
    signature.cell(0, 1).text = "GIÁM ĐỐC\n(đã ký)\nTrần Văn B"
    document.save(str(path))
    return path


def test_a_two_row_header_with_split_amount_columns(tmp_path: Path, settings: Settings) -> None:
    result = _run(settings, _word_budget(tmp_path / "a.docx"))
    assert result.exit_code == 0, result.stdout
    plan = _plan(settings)
    assert [t.title for t in plan.tasks] == [
        "Kiểm tra cân",
        "Kiểm tra xăng dầu",
        "Kiểm tra taximet",
    ]
    assert [f.amount for t in plan.tasks for f in t.funding] == [
        100_000_000,
        50_000_000,
        30_000_000,
    ]
    assert plan.tasks[0].note == "NSTW: 60; NSĐP: 40"  # the split kept, not dropped
    # the signature block after the appendix is not a task, and the report says so
    assert "bảng 2, dòng 1: bảng này không cùng cột với bảng phụ lục" in result.stdout


def test_one_amount_merged_over_two_rows_counts_once(tmp_path: Path, settings: Settings) -> None:
    result = _run(settings, _word_budget(tmp_path / "a.docx", amount_merged=True))
    assert result.exit_code == 0, result.stdout
    amounts = [[f.amount for f in t.funding] for t in _plan(settings).tasks]
    assert amounts == [[100_000_000], [50_000_000], [None]]  # the source, no amount
    assert "bảng 1, dòng 5: ô kinh phí gộp với dòng trên" in result.stdout


def test_a_lead_merged_down_in_excel_applies_to_each_row(
    tmp_path: Path, settings: Settings
) -> None:
    from openpyxl import load_workbook

    rows = [
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ"],
        ["1", "Kiểm tra cân", "Phòng KH-TC", "Quý I"],
        ["2", "Kiểm tra xăng dầu", None, "Quý II"],
        ["3", "Kiểm tra taximet", None, "Quý III"],
    ]
    source = xlsx_file(tmp_path / "a.xlsx", rows)
    book = load_workbook(source)
    book.active.merge_cells("C2:C4")  # type: ignore[union-attr]
    book.save(source)
    assert _run(settings, source).exit_code == 0
    assert [t.lead for t in _plan(settings).tasks] == ["kh-tc"] * 3


def test_a_task_with_header_words_is_a_task(tmp_path: Path, settings: Settings) -> None:
    rows = [
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Kết quả", "Tiến độ"],
        ["1", "Việc A", "Phòng QL TCĐLCL", "01 báo cáo", "Quý I"],
        [
            "2",
            "Theo dõi tiến độ thực hiện nhiệm vụ",
            "Phòng QL TCĐLCL",
            "Báo cáo kết quả",
            "Quý II",
        ],
        ["3", "Việc C", "Phòng QL TCĐLCL", "", "Quý III"],
    ]
    assert _run(settings, xlsx_file(tmp_path / "a.xlsx", rows)).exit_code == 0
    assert [t.title for t in _plan(settings).tasks] == [
        "Việc A",
        "Theo dõi tiến độ thực hiện nhiệm vụ",
        "Việc C",
    ]


def test_a_table_without_numbers_across_pages(tmp_path: Path, settings: Settings) -> None:
    header = ["Nội dung công việc", "Đơn vị chủ trì", "Tiến độ"]
    pages = [
        [header, ["Kiểm tra cân", "Phòng QL TCĐLCL", "Quý I"]],
        [header, ["Kiểm tra taximet", "Trung tâm KT TCĐLCL", "Quý II"]],
    ]
    assert _run(settings, docx_file(tmp_path / "a.docx", pages)).exit_code == 0
    tasks = _plan(settings).tasks
    assert [(t.title, t.lead) for t in tasks] == [
        ("Kiểm tra cân", "qltcdlcl"),
        ("Kiểm tra taximet", "ttkt-tcdlcl"),
    ]


def test_subtasks_numbered_1_1_and_a_parent_amount(tmp_path: Path, settings: Settings) -> None:
    rows = [
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ", "Kinh phí (tr.đ)"],
        [1, "Kiểm tra đo lường", "Phòng QL TCĐLCL", "Cả năm", 300],
        [1.1, "Kiểm tra cân", "Phòng QL TCĐLCL", "Quý I", None],  # Excel keeps 1.1 as a number
        [1.2, "Kiểm tra xăng dầu", "Phòng QL TCĐLCL", "Quý II", None],
        [2, "Báo cáo", "Phòng QL TCĐLCL", "Quý IV", 50],
        [None, "Tổng cộng", None, None, 350],
    ]
    result = _run(settings, xlsx_file(tmp_path / "a.xlsx", rows))
    assert result.exit_code == 0, result.stdout
    plan = _plan(settings)
    parent = (
        plan.tasks[-1]
        if plan.tasks[-1].title == "Kiểm tra đo lường"
        else next(t for t in plan.tasks if t.title == "Kiểm tra đo lường")
    )
    children = [t for t in plan.tasks if t.parent == parent.key]
    assert [t.title for t in children] == ["Kiểm tra cân", "Kiểm tra xăng dầu"]
    assert parent.declared_amount == 300_000_000 and plan.total == 350_000_000


def test_extra_columns_go_to_the_note_and_words_in_the_amount_column(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [
        [
            "TT",
            "Nội dung công việc",
            "Đơn vị chủ trì",
            "Tiến độ",
            "Địa điểm",
            "Kinh phí (tr.đ)",
            "Nguồn KP",
        ],
        ["1", "Kiểm tra cân", "Phòng QL TCĐLCL", "Quý I", "Đông Hà", "Lồng ghép", ""],
        ["2", "Kiểm tra xăng", "Phòng QL TCĐLCL", "Quý II", "", "Không", ""],
        ["3", "Kiểm tra taximet", "Phòng QL TCĐLCL", "Quý III", "", "20", "Sự nghiệp KHCN"],
    ]
    result = _run(settings, xlsx_file(tmp_path / "a.xlsx", rows))
    assert result.exit_code == 0, result.stdout
    plan = _plan(settings)
    first, second, third = plan.tasks
    assert first.note == "Địa điểm: Đông Hà"
    assert plan.funding_sources[first.funding[0].source] == "Lồng ghép"
    assert first.funding[0].amount is None and second.funding == ()
    assert plan.funding_sources[third.funding[0].source] == "Sự nghiệp KHCN"
    text = (settings.definitions / "plans" / "k.yaml").read_text(encoding="utf-8")
    assert 'ô kinh phí ghi "Lồng ghép": hiểu là nguồn kinh phí' in text


def test_an_amount_too_large_for_any_plan_is_reported(tmp_path: Path, settings: Settings) -> None:
    rows = [
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ", "Kinh phí (tỷ đồng)"],
        ["1", "Việc A", "Phòng QL TCĐLCL", "Quý I", "100.000.000.000"],
    ]
    result = _run(settings, xlsx_file(tmp_path / "a.xlsx", rows))
    assert result.exit_code == 1
    assert "quá lớn" in result.stdout


def _word(path: Path, rows: list[list[str]], spans: list[tuple[int, int, int, int]] = ()) -> Path:  # type: ignore[assignment]
    """A Word table from rows; `spans` merge cells (row, col) to (row, col)."""
    document = Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Kiểm tra đo lường năm 2025")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value:
                run = (
                    table.cell(r, c)
                    .paragraphs[0]
                    .add_run(value.replace("<b>", "").replace("</b>", ""))
                )
                run.bold = value.startswith("<b>")
    for r1, c1, r2, c2 in spans:
        text = table.cell(r1, c1).text
        table.cell(r1, c1).merge(table.cell(r2, c2)).text = text
    document.save(str(path))
    return path


def test_units_under_a_split_don_vi_thuc_hien_and_dates_under_a_split_thoi_gian(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [
        ["TT", "Nội dung công việc", "Đơn vị thực hiện", "", "Thời gian thực hiện", ""],
        ["", "", "Chủ trì", "Phối hợp", "Bắt đầu", "Hoàn thành"],
        ["1", "Kiểm tra cân", "Phòng QL TCĐLCL", "Các DN", "01/4/2025", "30/9/2025"],
        ["2", "Kiểm tra xăng dầu", "Phòng KH-TC", "", "Tháng 3", "Tháng 6"],
    ]
    source = _word(
        tmp_path / "a.docx", rows, [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 0, 5)]
    )
    result = _run(settings, source)
    assert result.exit_code == 0, result.stdout
    first, second = _plan(settings).tasks
    assert (first.lead, first.partners) == ("qltcdlcl", ("cac-doanh-nghiep",))
    assert (str(first.start), str(first.due)) == ("2025-04-01", "2025-09-30")
    assert second.lead == "kh-tc" and (str(second.start), str(second.due)) == (
        "2025-03-01",
        "2025-06-30",
    )


def test_a_roman_heading_with_a_lead_and_only_its_title_bold(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ", "Kinh phí (tr.đ)"],
        ["I", "<b>KIỂM TRA ĐO LƯỜNG</b>", "Phòng KH-TC", "Cả năm", "150"],
        ["1", "Kiểm tra cân", "", "Quý I", "100"],
        ["2", "Kiểm tra xăng", "Phòng QL TCĐLCL", "Quý II", "50"],
    ]
    result = _run(settings, _word(tmp_path / "a.docx", rows))
    assert result.exit_code == 0, result.stdout
    plan = _plan(settings)
    assert [(s.key, s.title, s.declared_amount) for s in plan.sections] == [
        ("I", "KIỂM TRA ĐO LƯỜNG", 150_000_000)
    ]
    assert [t.lead for t in plan.tasks] == [
        "kh-tc",
        "qltcdlcl",
    ]  # the heading's lead, for the row without one


def test_a_second_appendix_and_text_between_parts(tmp_path: Path, settings: Settings) -> None:
    header = ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ"]
    document = Document()
    document.add_paragraph("Kế hoạch kiểm tra năm 2025")
    for rows, before in (
        ([header, ["1", "Kiểm tra cân", "Phòng QL TCĐLCL", "Quý I"]], []),
        ([["2", "Kiểm tra xăng", "Phòng QL TCĐLCL", "Quý II"]], ["Ghi chú: ưu tiên các chợ."]),
        (
            [["STT", "Tên chợ", "Địa chỉ", "Ghi chú"], ["1", "Chợ Đông Hà", "Phường 1", ""]],
            ["Phụ lục II", "DANH SÁCH CHỢ"],
        ),
    ):
        for text in before:
            document.add_paragraph(text)
        table = document.add_table(rows=len(rows), cols=4)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.cell(r, c).text = value
    document.save(str(tmp_path / "a.docx"))
    result = _run(settings, tmp_path / "a.docx")
    assert result.exit_code == 0, result.stdout
    assert [t.title for t in _plan(settings).tasks] == ["Kiểm tra cân", "Kiểm tra xăng"]
    assert (
        'bảng 2: đoạn văn giữa hai phần của bảng không nhập: "Ghi chú: ưu tiên các chợ."'
        in result.stdout
    )
    assert 'bảng 3: sau "Phụ lục II" là phụ lục khác: không nhập từ đây' in result.stdout


def test_the_unit_of_money_in_a_text_box(tmp_path: Path, settings: Settings) -> None:
    from docx.oxml import parse_xml

    rows = [
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ", "Kinh phí"],
        ["1", "Kiểm tra cân", "Phòng QL TCĐLCL", "Quý I", "100"],
    ]
    source = _word(tmp_path / "a.docx", rows)
    document = Document(str(source))
    box = parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
        "<w:p><w:r><w:t>Đơn vị tính: triệu đồng</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    document.paragraphs[1]._p.append(box)
    document.save(str(source))
    assert _run(settings, source).exit_code == 0
    assert [f.amount for t in _plan(settings).tasks for f in t.funding] == [100_000_000]


def test_small_messy_cells(tmp_path: Path, settings: Settings) -> None:
    rows = [
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ", "Kinh phí", "Nguồn kinh phí"],
        ["1", "Kiểm tra cân", "Phòng QL TCĐLCL", "Quý I", True, ""],
        ["2", "Kiểm tra xăng", "Phòng QL TCĐLCL", "Quý II", 50, "Không"],
    ]
    result = _run(settings, xlsx_file(tmp_path / "a.xlsx", rows))
    assert result.exit_code == 0, result.stdout
    plan = _plan(settings)
    assert plan.funding_sources[plan.tasks[0].funding[0].source] == "True"  # kept, as text
    assert "khong" not in plan.funding_sources
    assert "mọi số tiền đều dưới 100.000 đồng: có lẽ bảng tính bằng triệu đồng" in result.stdout


def test_a_table_nested_in_a_task_cell_is_kept_in_its_text(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ"],
        ["1", "Kiểm tra cân tại các chợ:", "Phòng QL TCĐLCL", "Quý I"],
    ]
    source = _word(tmp_path / "a.docx", rows)
    document = Document(str(source))
    nested = document.tables[0].cell(1, 1).add_table(rows=2, cols=2)
    for r, (market, scales) in enumerate([("Chợ Đông Hà", "10 cân"), ("Chợ Quảng Trị", "8 cân")]):
        nested.cell(r, 0).text, nested.cell(r, 1).text = market, scales
    document.save(str(source))
    assert _run(settings, source).exit_code == 0
    (task,) = _plan(settings).tasks
    assert task.title == "Kiểm tra cân tại các chợ: Chợ Đông Hà | 10 cân Chợ Quảng Trị | 8 cân"
