"""Awkward appendices met in practice: unit spellings, totals and headings in odd places,
formulas without values, parts lettered A/B/C, NFD text, summary sheets, semicolon CSV."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from kehoach_flow.definitions import read_catalog
from kehoach_flow.importing.appendix import find_appendix
from kehoach_flow.importing.documents import Cell, RawTable
from kehoach_flow.settings import Settings
from tests.conftest import run_cli
from tests.importing.builders import docx_file, xlsx_file

H = ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ", "Kinh phí"]


@pytest.fixture
def settings(sqlite_settings: Settings, definitions_copy: Path) -> Settings:
    return sqlite_settings.model_copy(update={"definitions": definitions_copy})


def _run(settings: Settings, source: Path, *extra: str):  # type: ignore[no-untyped-def]
    args = ["import", str(source), "--plan-key", "k", "--coordinator", "qltcdlcl", *extra]
    return run_cli(settings, *args)


def _plan(settings: Settings):  # type: ignore[no-untyped-def]
    return read_catalog(settings.definitions).plans["k"]


@pytest.mark.parametrize(
    ("header", "before", "unit"),
    [
        ("Kinh phí (tr.đồng)", "", "trieu"),
        ("Kinh phí (Trđ)", "", "trieu"),
        ("Kinh phí (triệu)", "", "trieu"),
        ("Kinh phí", "ĐVT: Tr.đ", "trieu"),
        ("Kinh phí (tỷ đồng)", "", "ty"),
        ("Kinh phí (ngàn đồng)", "", "nghin"),
        ("Kinh phí", "Đơn vị tính: 1.000 đồng", "nghin"),
        ("Kinh phí (đồng)", "", "dong"),
        ("Kinh phí", "", "dong"),
    ],
)
def test_the_unit_of_money_in_its_many_spellings(header: str, before: str, unit: str) -> None:
    rows = [
        [Cell(c) for c in ["TT", "Nội dung công việc", header]],
        [Cell(c) for c in ["1", "Việc", "5"]],
    ]
    appendix = find_appendix([RawTable(rows, "bảng 1", [before] if before else [])])
    assert appendix.money_unit == unit
    assert appendix.money_unit_said is (header != "Kinh phí" or bool(before))


def test_no_unit_written_means_dong_and_the_file_says_so(
    tmp_path: Path, settings: Settings
) -> None:
    source = xlsx_file(
        tmp_path / "a.xlsx", [H, ["1", "Kiểm tra cân", "Phòng QL TCĐLCL", "Quý I/2025", "1.500"]]
    )
    assert _run(settings, source).exit_code == 0
    text = (settings.definitions / "plans" / "k.yaml").read_text(encoding="utf-8")
    assert "bảng không ghi đơn vị tính: số tiền hiểu là đồng" in text
    source = xlsx_file(
        tmp_path / "b.xlsx",
        [
            ["KẾ HOẠCH NĂM 2025"],
            [*H[:4], "Kinh phí (tỷ đồng)"],
            ["1", "Đầu tư", "Phòng KH-TC", "Năm 2025", "1,5"],
        ],
    )
    assert _run(settings, source, "--force").exit_code == 0
    assert [f.amount for t in _plan(settings).tasks for f in t.funding] == [1_500_000_000]


def test_a_task_whose_title_starts_with_tong_is_a_task_not_a_total(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [
        [*H[:4], "Kinh phí (tr.đ)"],
        ["1", "Tổng kết, đánh giá thực hiện kế hoạch", "Phòng QL TCĐLCL", "Tháng 12/2025", 20],
        ["2", "Tổng hợp báo cáo", "Phòng QL TCĐLCL", "Quý IV/2025", 10],
        ["", "Tổng cộng (1+2)", "", "", 30],
    ]
    result = _run(settings, xlsx_file(tmp_path / "a.xlsx", rows))
    assert result.exit_code == 0, result.stdout
    plan = _plan(settings)
    assert [t.title for t in plan.tasks] == [
        "Tổng kết, đánh giá thực hiện kế hoạch",
        "Tổng hợp báo cáo",
    ]
    assert plan.total == 30_000_000


def test_a_formula_without_a_computed_value_is_reported(tmp_path: Path, settings: Settings) -> None:
    rows = [
        [*H[:4], "Kinh phí (tr.đ)"],
        ["1", "Kiểm tra", "Phòng QL TCĐLCL", "Quý I/2025", "=50*2"],
    ]
    result = _run(settings, xlsx_file(tmp_path / "a.xlsx", rows))  # openpyxl stores no value
    assert result.exit_code == 1
    assert (
        "trang tính Phụ lục, dòng 2: ô số tiền là công thức =50*2 chưa có giá trị đã tính"
        in result.stdout
    )


def test_headings_and_totals_after_a_page_break_are_not_glued_to_the_row_above(
    tmp_path: Path, settings: Settings
) -> None:
    header = ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ", "Kinh phí (tr.đ)"]
    page1 = [
        header,
        ["<b>I</b>", "<b>KIỂM TRA ĐỊNH KỲ</b>"],
        ["1", "Kiểm tra xăng dầu", "Phòng QL TCĐLCL", "Quý I/2025", 100],
    ]
    page2 = [
        header,
        ["", "<b>KIỂM TRA ĐỘT XUẤT</b>"],
        ["1", "Kiểm tra theo phản ánh", "Phòng QL TCĐLCL", "Cả năm", 50],
    ]
    page3 = [header, ["", "<b>Tổng cộng</b>", "", "", "<b>150</b>"]]
    result = _run(
        settings,
        docx_file(
            tmp_path / "a.docx", [page1, page2, page3], before=["KẾ HOẠCH", "Kiểm tra năm 2025"]
        ),
    )
    assert result.exit_code == 0, result.stdout
    plan = _plan(settings)
    assert [s.title for s in plan.sections] == ["KIỂM TRA ĐỊNH KỲ", "KIỂM TRA ĐỘT XUẤT"]
    assert plan.tasks[0].title == "Kiểm tra xăng dầu"
    assert plan.tasks[1].section == plan.sections[1].key
    assert plan.total == 150_000_000


def test_parts_lettered_a_b_c_with_roman_groups_inside(tmp_path: Path, settings: Settings) -> None:
    rows: list[list[object]] = [H[:4]]
    for part in "ABCD":
        rows += [
            [f"<b>{part}</b>", f"<b>Phần {part}</b>"],
            ["<b>I</b>", f"<b>Nhóm I của {part}</b>"],
        ]
        rows += [["1", f"Việc 1 của {part}", "Phòng QL TCĐLCL", "Cả năm"]]
    result = _run(settings, xlsx_file(tmp_path / "a.xlsx", rows), "--year", "2025")
    assert result.exit_code == 0, result.stdout
    plan = _plan(settings)
    assert [s.key for s in plan.sections] == ["A", "A.I", "B", "B.I", "C", "C.I", "D", "D.I"]
    assert [t.section for t in plan.tasks] == ["A.I", "B.I", "C.I", "D.I"]


def test_headings_written_in_the_first_column_and_merged_subtotal_rows(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [
        [*H[:4], "Kinh phí (tr.đ)"],
        ["I. KIỂM TRA"],  # a heading merged across the row: its text is in the first column
        ["1", "Kiểm tra cân", "Phòng QL TCĐLCL", "Quý I/2025", 100],
        ["2", "Kiểm tra xăng", "Phòng QL TCĐLCL", "Quý II/2025", 50],
        ["Cộng mục I", "", "", "", 160],  # written 160, the rows add up to 150
    ]
    result = _run(settings, xlsx_file(tmp_path / "a.xlsx", rows))
    assert result.exit_code == 1
    assert 'mục "I": số khai báo 160.000.000 đ khác tổng các mục con 150.000.000 đ' in result.stdout
    text = (settings.definitions / "plans" / "k.yaml").read_text(encoding="utf-8")
    assert "key: I\n" in text and "title: KIỂM TRA" in text
    assert "Cộng mục" not in text


def test_the_year_comes_from_the_title_not_from_last_years_citations(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [
        ["KẾ HOẠCH ĐO LƯỜNG NĂM 2025"],
        ["Căn cứ kết quả năm 2024"],
        ["Căn cứ Quyết định ngày 10 tháng 12 năm 2024"],
        H[:4],
        ["1", "Kiểm tra", "Phòng QL TCĐLCL", "Quý I"],
    ]
    assert _run(settings, xlsx_file(tmp_path / "a.xlsx", rows)).exit_code == 0
    assert _plan(settings).year == 2025
    text = (settings.definitions / "plans" / "k.yaml").read_text(encoding="utf-8")
    assert "# xem lại: năm 2025 lấy từ tên kế hoạch; nếu sai, nhập lại với --year" in text


def test_decomposed_unicode_is_read_as_composed(tmp_path: Path, settings: Settings) -> None:
    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    rows = [
        [nfd(c) for c in H[:4]] + ["Kết quả"],
        [
            "1",
            nfd("Tổ chức hội nghị"),
            nfd("Phòng QL TCĐLCL"),
            nfd("Quý I/2025"),
            nfd("01 hội nghị; 02 báo cáo"),
        ],
    ]
    assert _run(settings, xlsx_file(tmp_path / "a.xlsx", rows)).exit_code == 0
    (task,) = _plan(settings).tasks
    assert task.title == "Tổ chức hội nghị" and unicodedata.is_normalized("NFC", task.title)
    assert {(t.quantity, t.unit) for t in task.targets} == {(1, "hội nghị"), (2, "báo cáo")}


def test_a_summary_sheet_with_other_columns_is_left_out(tmp_path: Path, settings: Settings) -> None:
    from openpyxl import load_workbook

    source = xlsx_file(
        tmp_path / "a.xlsx", [H[:4], ["1", "Kiểm tra", "Phòng QL TCĐLCL", "Quý I/2025"]]
    )
    book = load_workbook(source)
    summary = book.create_sheet("Tổng hợp")
    summary.append(["TT", "Nội dung công việc", "Đơn vị chủ trì", "Kinh phí"])
    summary.append(["1", "Tổng kinh phí", "Phòng KH-TC", 12346])
    book.save(source)
    result = _run(settings, source)
    assert result.exit_code == 0, result.stdout
    assert len(_plan(settings).tasks) == 1
    assert "trang tính Tổng hợp, dòng 1: bảng này không cùng cột với bảng phụ lục" in result.stdout


def test_a_header_without_rows_and_a_semicolon_csv(tmp_path: Path, settings: Settings) -> None:
    empty = _run(settings, xlsx_file(tmp_path / "a.xlsx", [["KẾ HOẠCH NĂM 2025"], H]))
    assert empty.exit_code == 2 and "không có dòng nhiệm vụ nào" in empty.stderr
    source = tmp_path / "b.csv"
    source.write_text(
        "TT;Nội dung công việc;Đơn vị chủ trì;Tiến độ;Kinh phí (tr.đ)\n1;Kiểm tra cân;Phòng QL TCĐLCL;Quý I/2025;1.500,5\n",
        encoding="utf-8",
    )
    result = _run(settings, source)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert [f.amount for t in _plan(settings).tasks for f in t.funding] == [1_500_500_000]


def test_a_short_name_of_the_department_and_a_task_about_markets(
    tmp_path: Path, settings: Settings
) -> None:
    rows = [
        [*H[:3], "Đơn vị phối hợp", "Tiến độ"],
        ["1", "Kiểm tra chợ", "Phòng QL TCĐLCL", "Sở KH&CN", "Quý I/2025"],
    ]
    assert _run(settings, xlsx_file(tmp_path / "a.xlsx", rows)).exit_code == 0
    (task,) = _plan(settings).tasks
    assert task.partners == ("skhcn-quang-tri",) and task.key == "kiem-tra-cho"
    assert not (settings.definitions / "units.k.yaml").exists()
