"""Acceptance: a nested budget appendix in triệu đồng (I / 1 / a) / -) with subtotals, a
"Tổng cộng" row and the total in words imports into sections, subtasks and amounts in đồng
that validate; a changed cell that breaks a subtotal is reported with its row."""

from __future__ import annotations

from pathlib import Path

import pytest

from kehoach_flow.definitions import read_catalog
from kehoach_flow.numbers import format_money, parse_amount
from kehoach_flow.settings import Settings
from tests.conftest import run_cli
from tests.importing.builders import docx_file, xlsx_file

HEADER = [
    "<b>STT</b>",
    "<b>Nội dung nhiệm vụ</b>",
    "<b>Sản phẩm dự kiến</b>",
    "<b>Cơ quan chủ trì</b>",
    "<b>Thời gian thực hiện</b>",
    "<b>Kinh phí (tr.đ)</b>",
    "<b>Ghi chú</b>",
]


def budget_rows(**changes: object) -> list[list[object]]:
    """The appendix of a 2025 plan; `changes` replace amounts by row label."""
    amounts: dict[str, object] = {
        "I": 300,
        "I.1": 200,
        "a": 150,
        "b": 50,
        "I.2": 100,
        "-1": "60,5",
        "-2": "39,5",
        "II": 120,
        "II.1": 120,
        "total": 420,
        **changes,
    }
    return [
        ["<b>I</b>", "<b>Hỗ trợ doanh nghiệp</b>", "", "", "", f"<b>{amounts['I']}</b>", ""],
        ["<b>1</b>", "<b>Đổi mới công nghệ</b>", "", "", "", f"<b>{amounts['I.1']}</b>", ""],
        [
            "a)",
            "Hỗ trợ 05 doanh nghiệp đổi mới thiết bị",
            "05 doanh nghiệp",
            "Phòng QL TCĐLCL",
            "Quý II-III",
            amounts["a"],
            "",
        ],
        [
            "b)",
            "Đánh giá trình độ công nghệ",
            "Báo cáo đánh giá",
            "Phòng KH-TC",
            "Tháng 6-9",
            amounts["b"],
            "",
        ],
        ["<b>2</b>", "<b>Sở hữu trí tuệ</b>", "", "", "", f"<b>{amounts['I.2']}</b>", ""],
        [
            "-",
            "Hướng dẫn đăng ký nhãn hiệu cho 28 chợ",
            "28 chợ",
            "Phòng Quản lý TCĐLCL",
            "Cả năm",
            amounts["-1"],
            "",
        ],
        [
            "-",
            "Tuyên truyền về sở hữu trí tuệ",
            "1 chuyên trang, 6 tin bài",
            "Trung tâm NC-CG và ĐMST",
            "Quý IV",
            amounts["-2"],
            "Báo Quảng Trị",
        ],
        ["<b>II</b>", "<b>Quản lý nhiệm vụ</b>", "", "", "", f"<b>{amounts['II']}</b>", ""],
        [
            "1",
            "Kiểm tra định kỳ",
            "Ít nhất 03 cán bộ được tập huấn",
            "Phòng Quản lý TCĐLCL",
            "Trước 30/11",
            amounts["II.1"],
            "",
        ],
        ["", "<b>Tổng cộng</b>", "", "", "", f"<b>{amounts['total']}</b>", ""],
    ]


def budget_xlsx(path: Path, words: str = "Bốn trăm hai mươi triệu đồng", **changes: object) -> Path:
    rows: list[list[object]] = [
        ["<b>DỰ TOÁN KINH PHÍ KẾ HOẠCH PHÁT TRIỂN THỊ TRƯỜNG KHOA HỌC VÀ CÔNG NGHỆ NĂM 2025</b>"],
        ["Đơn vị tính: Triệu đồng"],
        HEADER,
        *budget_rows(**changes),
        [f"Bằng chữ: {words}"],
    ]
    return xlsx_file(path, rows)


@pytest.fixture
def settings(sqlite_settings: Settings, definitions_copy: Path) -> Settings:
    return sqlite_settings.model_copy(update={"definitions": definitions_copy})


def _import(settings: Settings, source: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(settings, "import", str(source), "--plan-key", "ns-2025", *extra)


def test_a_nested_budget_in_million_dong_imports_with_subtotals_that_validate(
    tmp_path: Path, settings: Settings
) -> None:
    result = _import(settings, budget_xlsx(tmp_path / "du-toan.xlsx"), "--coordinator", "qltcdlcl")
    assert result.exit_code == 0, result.stdout
    plan = read_catalog(settings.definitions).plans["ns-2025"]
    assert plan.year == 2025
    assert plan.total == 420_000_000
    sections = {s.key: s for s in plan.sections}
    assert list(sections) == ["I", "I.1", "I.2", "II"]
    assert sections["I.1"].parent == "I" and sections["I"].declared_amount == 300_000_000
    assert sections["I.2"].declared_amount == 100_000_000
    tasks = {t.title: t for t in plan.tasks}
    assert [f.amount for f in tasks["Hướng dẫn đăng ký nhãn hiệu cho 28 chợ"].funding] == [
        60_500_000
    ]
    assert tasks["Tuyên truyền về sở hữu trí tuệ"].note == "Báo Quảng Trị"
    assert tasks["Tuyên truyền về sở hữu trí tuệ"].section == "I.2"
    assert {(t.quantity, t.unit) for t in tasks["Tuyên truyền về sở hữu trí tuệ"].targets} == {
        (1, "chuyên trang"),
        (6, "tin bài"),
    }
    assert str(tasks["Kiểm tra định kỳ"].due) == "2025-11-30"
    assert tasks["Đánh giá trình độ công nghệ"].lead == "kh-tc"
    text = (settings.definitions / "plans" / "ns-2025.yaml").read_text(encoding="utf-8")
    assert "# xem lại: bảng ghi số tiền bằng triệu đồng; ở đây đã đổi ra đồng" in text
    assert "bảng không có cột nguồn kinh phí" in text  # one source for the budget, to rename
    assert "Kiểm tra: tệp hợp lệ." in result.stdout


def test_a_changed_cell_that_breaks_a_subtotal_is_reported_with_its_row(
    tmp_path: Path, settings: Settings
) -> None:
    source = budget_xlsx(tmp_path / "du-toan.xlsx", a=140)  # 140 + 50 is not the 200 of I.1
    result = _import(settings, source, "--coordinator", "qltcdlcl")
    assert result.exit_code == 1
    out = result.stdout
    assert "Tệp chưa hợp lệ" in out
    line = next(x for x in out.splitlines() if "I.1" in x and "khác tổng" in x)
    # the section's own row in the sheet, and the line in the file written
    assert "trang tính Phụ lục, dòng 5" in line
    assert "ns-2025.yaml:" in line and "200.000.000" in line and "190.000.000" in line
    # nothing else is blamed: the plan total still adds up over the declared subtotals
    assert sum("khác tổng" in x for x in out.splitlines()) == 1


def test_a_total_that_does_not_add_up_and_words_that_differ_are_reported(
    tmp_path: Path, settings: Settings
) -> None:
    source = budget_xlsx(tmp_path / "du-toan.xlsx", words="Bốn trăm mười triệu đồng", total=430)
    result = _import(settings, source, "--coordinator", "qltcdlcl")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    total = next(x for x in lines if "tổng kinh phí kế hoạch" in x)
    assert "trang tính Phụ lục, dòng 13" in total and "430.000.000" in total
    words = next(x for x in lines if "bằng chữ" in x)
    assert words.strip().startswith("trang tính Phụ lục, dòng 14")
    assert "410.000.000" in words and "430.000.000" in words


def test_the_same_budget_as_a_word_table_with_the_total_in_words_below(
    tmp_path: Path, settings: Settings
) -> None:
    source = docx_file(
        tmp_path / "du-toan.docx",
        [[HEADER, *budget_rows()]],
        before=[
            "KẾ HOẠCH",
            "Phát triển thị trường khoa học và công nghệ năm 2025",
            "Đơn vị tính: triệu đồng",
        ],
        after=["(Bằng chữ: Bốn trăm hai mươi triệu đồng chẵn./.)"],
    )
    result = _import(settings, source, "--coordinator", "qltcdlcl")
    assert result.exit_code == 0, result.stdout
    plan = read_catalog(settings.definitions).plans["ns-2025"]
    assert plan.title == "Phát triển thị trường khoa học và công nghệ năm 2025"
    assert plan.total == 420_000_000 and len(plan.tasks) == 5
    wrong = docx_file(
        tmp_path / "sai.docx",
        [[HEADER, *budget_rows()]],
        before=["Đơn vị tính: triệu đồng"],
        after=["Bằng chữ: Bốn trăm triệu đồng"],
    )
    result = _import(settings, wrong, "--coordinator", "qltcdlcl", "--year", "2025", "--force")
    assert result.exit_code == 1
    assert "dưới bảng: số viết bằng chữ (400.000.000) khác tổng cộng 420.000.000 đ" in result.stdout


def test_subtotal_rows_under_their_sections(tmp_path: Path, settings: Settings) -> None:
    """ "Cộng mục I" written under a section's rows is that section's declared subtotal."""
    header = ["STT", "Nội dung", "Kinh phí (triệu đồng)"]
    rows = [
        header,
        ["<b>I</b>", "<b>Tuyên truyền</b>", ""],
        ["1", "Phóng sự", 30],
        ["2", "Tin bài", 20],
        ["", "<b>Cộng mục I</b>", "<b>50</b>"],
        ["<b>II</b>", "<b>Đào tạo</b>", ""],
        ["1", "Lớp tập huấn", 70],
        ["", "<b>Cộng mục II</b>", "<b>75</b>"],  # 70 written, 75 declared
        ["", "<b>Tổng cộng</b>", "<b>125</b>"],
    ]
    source = xlsx_file(tmp_path / "du-toan.xlsx", rows)
    result = _import(settings, source, "--coordinator", "kh-tc", "--year", "2025")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    wrong = [x for x in lines if "khác tổng các mục con" in x]
    assert len(wrong) == 1 and 'mục "II"' in wrong[0]
    assert wrong[0].endswith("(trang tính Phụ lục, dòng 8)")  # the "Cộng mục II" row
    text = (settings.definitions / "plans" / "ns-2025.yaml").read_text(encoding="utf-8")
    assert "Cộng" not in text  # no task made of a subtotal row


def test_a_table_in_ty_dong_is_read_as_parse_amount_reads_ty(
    tmp_path: Path, settings: Settings
) -> None:
    """One table of money units for the importer and the numbers module: "1,5" in a table
    whose unit is tỷ đồng is the amount `parse_amount` reads for "1,5" in tỷ."""
    rows: list[list[object]] = [
        ["KẾ HOẠCH đầu tư trang thiết bị đo lường năm 2025"],
        ["Đơn vị tính: tỷ đồng"],
        ["STT", "Nội dung", "Kinh phí"],
        ["1", "Mua chuẩn đo lường", "1,5"],
        ["2", "Cải tạo phòng thử nghiệm", "0,75"],
        ["", "Tổng cộng", "2,25"],
        ["Bằng chữ: Hai tỷ hai trăm năm mươi triệu đồng"],
    ]
    source = xlsx_file(tmp_path / "dau-tu.xlsx", rows)
    result = _import(settings, source, "--coordinator", "qltcdlcl")
    assert result.exit_code == 0, result.stdout
    plan = read_catalog(settings.definitions).plans["ns-2025"]
    amounts = [f.amount for t in plan.tasks for f in t.funding]
    assert amounts == [parse_amount("1,5", "ty"), parse_amount("0,75", "ty")]
    assert amounts == [1_500_000_000, 750_000_000]
    assert plan.total == parse_amount("2,25", "ty") == 2_250_000_000
    assert [format_money(a, "ty") for a in amounts] == ["1,5", "0,75"]
    text = (settings.definitions / "plans" / "ns-2025.yaml").read_text(encoding="utf-8")
    assert "# xem lại: bảng ghi số tiền bằng tỷ đồng; ở đây đã đổi ra đồng" in text
