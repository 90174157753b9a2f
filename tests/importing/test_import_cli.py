"""`kehoach import`: unknown units and schedules reported (never dropped), tables without
lead or funding columns, re-import keeping task keys, and bad input that changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from kehoach_flow.definitions import read_catalog
from kehoach_flow.settings import Settings
from tests.conftest import run_cli
from tests.importing.builders import xlsx_file

HEADER = [
    "TT",
    "Nội dung công việc",
    "Kết quả đạt được",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Tiến độ t/hiện",
    "Nguồn kinh phí",
]


@pytest.fixture
def settings(sqlite_settings: Settings, definitions_copy: Path) -> Settings:
    return sqlite_settings.model_copy(update={"definitions": definitions_copy})


def plan_rows(
    schedule: str = "Quý I-II", partner: str = "Sở Tài chính; Các DN"
) -> list[list[object]]:
    return [
        HEADER,
        ["<b>1</b>", "<b>Kiểm tra đo lường</b>"],
        [
            "-",
            "Kiểm tra phương tiện đo tại 28 chợ",
            "28 chợ",
            "Phòng QL TCĐLCL",
            partner,
            schedule,
            "Kinh phí SN KHCN năm 2025",
        ],
        [
            "-",
            "Kiểm tra xăng dầu",
            "Báo cáo kết quả",
            "Chi cục Quản lý thị trường",
            "Phòng Quản lý TCĐLCL",
            "Tháng 3-5",
            "Kinh phí sự nghiệp KHCN năm 2025",
        ],
    ]


def test_unknown_units_are_proposed_in_a_units_file_that_validates(
    tmp_path: Path, settings: Settings
) -> None:
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows())
    result = run_cli(
        settings, "import", str(source), "--plan-key", "kt-2025", "--coordinator", "qltcdlcl"
    )
    assert result.exit_code == 0, result.stdout
    assert "2 đơn vị chưa có trong units.yaml" in result.stdout
    assert (
        'so-tai-chinh: "Sở Tài chính" (trang tính Phụ lục, dòng 3, đơn vị phối hợp)'
        in result.stdout
    )
    assert 'chi-cuc-quan-ly-thi-truong: "Chi cục Quản lý thị trường"' in result.stdout
    proposed = settings.definitions / "units.kt-2025.yaml"
    units = yaml.safe_load(proposed.read_text(encoding="utf-8"))["units"]
    assert units["so-tai-chinh"] == {"name": "Sở Tài chính", "kind": "external"}
    assert units["chi-cuc-quan-ly-thi-truong"] == {"name": "Chi cục Quản lý thị trường"}
    # the proposed file sits beside units.yaml, so the plan validates on its own and in the tree
    catalog = read_catalog(settings.definitions / "plans" / "kt-2025.yaml")
    first, second = catalog.plans["kt-2025"].tasks
    assert first.partners == ("so-tai-chinh", "cac-doanh-nghiep")
    assert second.lead == "chi-cuc-quan-ly-thi-truong" and second.partners == ("qltcdlcl",)
    assert run_cli(settings, "validate").exit_code == 0


def test_an_unparseable_schedule_is_kept_as_written_and_reported(
    tmp_path: Path, settings: Settings
) -> None:
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows(schedule="Theo tiến độ dự án"))
    result = run_cli(
        settings, "import", str(source), "--plan-key", "kt-2025", "--coordinator", "qltcdlcl"
    )
    assert result.exit_code == 1
    assert 'trang tính Phụ lục, dòng 3: tiến độ "Theo tiến độ dự án" chưa đọc được' in result.stdout
    problem = next(x for x in result.stdout.splitlines() if "không hiểu tiến độ" in x)
    assert "kt-2025.yaml:" in problem and problem.endswith("(trang tính Phụ lục, dòng 3)")
    text = (settings.definitions / "plans" / "kt-2025.yaml").read_text(encoding="utf-8")
    assert "schedule: Theo tiến độ dự án" in text
    assert '# xem lại: không đọc được tiến độ "Theo tiến độ dự án"' in text
    assert run_cli(settings, "validate").exit_code == 2  # the file says what to fix


def test_a_budget_table_without_lead_or_funding_columns(tmp_path: Path, settings: Settings) -> None:
    rows = [
        ["Đơn vị tính: Triệu đồng"],
        ["STT", "Nội dung nhiệm vụ", "Kinh phí (tr.đ)"],
        ["1", "Mua chuẩn đo lường", 1000],
        ["2", "Hiệu chuẩn", "500,5"],
        [None, "Tổng cộng", "1.500,5"],
    ]
    source = xlsx_file(tmp_path / "du-toan.xlsx", rows)
    result = run_cli(
        settings,
        "import",
        str(source),
        "--plan-key",
        "dt-2025",
        "--year",
        "2025",
        "--coordinator",
        "kh-tc",
    )
    assert result.exit_code == 0, result.stdout
    text = (settings.definitions / "plans" / "dt-2025.yaml").read_text(encoding="utf-8")
    assert "# Bảng không có cột đơn vị chủ trì: phòng chủ trì kế hoạch (kh-tc) chủ trì mọi" in text
    plan = read_catalog(settings.definitions).plans["dt-2025"]
    assert [t.lead for t in plan.tasks] == ["kh-tc", "kh-tc"]
    assert [f.amount for t in plan.tasks for f in t.funding] == [1_000_000_000, 500_500_000]
    assert plan.total == 1_500_500_000
    assert (plan.tasks[0].start.isoformat(), plan.tasks[0].due.isoformat()) == (
        "2025-01-01",
        "2025-12-31",
    )


def test_reimport_keeps_task_keys_and_needs_force(tmp_path: Path, settings: Settings) -> None:
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows(partner="Các DN"))
    args = ["import", str(source), "--plan-key", "kt-2025", "--coordinator", "qltcdlcl"]
    assert run_cli(settings, *args).exit_code == 0
    target = settings.definitions / "plans" / "kt-2025.yaml"
    edited = target.read_text(encoding="utf-8").replace("key: kiem-tra-xang-dau", "key: xang-dau")
    target.write_text(edited, encoding="utf-8")
    again = run_cli(settings, *args)
    assert again.exit_code == 2
    assert "đã có tệp" in again.stderr and "--force" in again.stderr
    assert target.read_text(encoding="utf-8") == edited  # nothing changed
    assert run_cli(settings, *args, "--force").exit_code == 0
    keys = [t.key for t in read_catalog(target).plans["kt-2025"].tasks]
    assert keys == ["kiem-tra-phuong-tien", "xang-dau"]  # the renamed key is kept


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan-key", "kế hoạch"], "--plan-key"),
        (["--plan-key", "x", "--coordinator", "phong-khong-co"], '--coordinator "phong-khong-co"'),
    ],
)
def test_bad_options_exit_2_with_one_line(
    tmp_path: Path, settings: Settings, args: list[str], message: str
) -> None:
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows())
    result = run_cli(settings, "import", str(source), *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not list((settings.definitions / "plans").glob("x.yaml"))


def test_files_that_cannot_be_imported_exit_2_and_write_nothing(
    tmp_path: Path, settings: Settings
) -> None:
    before = sorted(p.name for p in settings.definitions.rglob("*"))
    no_table = xlsx_file(tmp_path / "trong.xlsx", [["Báo cáo"], ["a", "b"]])
    damaged = tmp_path / "hong.docx"
    damaged.write_bytes(b"not a zip")
    no_year = xlsx_file(
        tmp_path / "khong-nam.xlsx",
        [HEADER, ["1", "Kiểm tra", "", "Phòng QL TCĐLCL", "", "Cả năm"]],
    )
    cases = [
        (no_table, "không thấy bảng phụ lục"),
        (damaged, "không mở được"),
        (tmp_path / "khong-co.docx", "không thấy tệp"),
        (tmp_path / "ke-hoach.pdf", ".docx, .xlsx hoặc .csv"),
        (no_year, "--year"),
    ]
    for path, message in cases:
        result = run_cli(settings, "import", str(path), "--plan-key", "x")
        assert result.exit_code == 2, path
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert "Package not found" not in result.stderr and "zip" not in result.stderr
    assert sorted(p.name for p in settings.definitions.rglob("*")) == before


def test_output_to_the_screen_writes_no_file(tmp_path: Path, settings: Settings) -> None:
    source = tmp_path / "kh.csv"
    source.write_text(
        "TT,Nội dung công việc,Đơn vị chủ trì,Tiến độ\n1,Khảo sát 30 doanh nghiệp,Phòng QL TCĐLCL,Quý I năm 2025\n",
        encoding="utf-8",
    )
    result = run_cli(settings, "import", str(source), "--plan-key", "csv-2025", "-o", "-")
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(result.stdout)
    assert data["plan"]["year"] == 2025 and data["plan"]["coordinator"] == "qltcdlcl"
    (section,) = data["sections"]
    assert section["tasks"][0]["targets"] == [{"quantity": 30, "unit": "doanh nghiệp"}]
    assert "Kiểm tra: tệp hợp lệ." in result.stderr
    assert not (settings.definitions / "plans" / "csv-2025.yaml").exists()


def test_a_plan_key_already_used_by_another_file_is_refused(
    tmp_path: Path, settings: Settings
) -> None:
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows())
    result = run_cli(settings, "import", str(source), "--plan-key", "qt-skhcn-2024-do-luong")
    assert result.exit_code == 2
    assert 'kế hoạch "qt-skhcn-2024-do-luong" đã có trong' in result.stderr
    assert "quang-tri-2024.yaml" in result.stderr
    assert not (settings.definitions / "plans" / "qt-skhcn-2024-do-luong.yaml").exists()
    assert not (settings.definitions / "units.qt-skhcn-2024-do-luong.yaml").exists()


def test_a_file_written_outside_the_definitions_says_where_it_belongs(
    tmp_path: Path, settings: Settings
) -> None:
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows(partner="Các DN"))
    outside = tmp_path / "nhap" / "kt.yaml"
    outside.parent.mkdir()
    result = run_cli(settings, "import", str(source), "--plan-key", "kt-2025", "-o", str(outside))
    assert result.exit_code == 0, result.stdout
    assert "nằm ngoài thư mục định nghĩa" in result.stdout and outside.exists()


def test_reimport_keeps_what_was_added_by_hand_and_a_reshaped_units_file(
    tmp_path: Path, settings: Settings
) -> None:
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows())
    args = ["import", str(source), "--plan-key", "kt-2025", "--coordinator", "qltcdlcl"]
    assert run_cli(settings, *args).exit_code == 0
    target = settings.definitions / "plans" / "kt-2025.yaml"
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    data["plan"]["signer"] = {"title": "PHÓ GIÁM ĐỐC", "name": "Nguyễn Hữu Thắng"}
    data["plan"]["programme"] = "de-an-996"
    data["sections"][0]["group"] = "2.3"
    first, second = data["sections"][0]["tasks"]
    first["depends_on"] = [second["key"]]  # due 31/5, before the first's 30/6
    second["tags"] = ["xăng dầu"]
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    units_file = settings.definitions / "units.kt-2025.yaml"
    units = yaml.safe_load(units_file.read_text(encoding="utf-8"))
    units["units"]["so-tai-chinh"]["email"] = "stc@example.vn"
    units_file.write_text(yaml.safe_dump(units, allow_unicode=True, indent=4), encoding="utf-8")
    # the table now names one more unit, in a new row
    rows = [
        *plan_rows(),
        [
            "-",
            "Kiểm tra vàng",
            "Báo cáo",
            "Sở Công Thương",
            "",
            "Quý IV",
            "Kinh phí SN KHCN năm 2025",
        ],
    ]
    source = xlsx_file(tmp_path / "kh2.xlsx", rows)
    result = run_cli(settings, "import", str(source), "--plan-key", "kt-2025", "--force")
    assert result.exit_code == 0, result.stdout
    plan = read_catalog(settings.definitions).plans["kt-2025"]
    assert plan.header["signer"]["name"] == "Nguyễn Hữu Thắng" and plan.programme == "de-an-996"
    assert plan.sections[0].group == "2.3" and plan.coordinator == "qltcdlcl"
    assert plan.tasks[0].depends_on == (plan.tasks[1].key,) and plan.tasks[1].tags == ("xăng dầu",)
    units = yaml.safe_load(units_file.read_text(encoding="utf-8"))["units"]
    assert units["so-tai-chinh"]["email"] == "stc@example.vn"  # the edit is kept
    assert units["so-cong-thuong"]["name"] == "Sở Công Thương"  # the new unit added


@pytest.mark.parametrize("case", ["directory", "unwritable", "other plan", "year", "year text"])
def test_bad_targets_exit_2_and_write_nothing(
    tmp_path: Path, settings: Settings, case: str
) -> None:
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows(partner="Các DN"))
    seed = settings.definitions / "plans" / "quang-tri-2024.yaml"
    before = seed.read_text(encoding="utf-8")
    extra = {
        "directory": ["-o", str(tmp_path), "--force"],
        "unwritable": ["-o", "/proc/khong-co/kt.yaml"],
        "other plan": ["-o", str(seed), "--force"],
        "year": ["--year", "1999"],
        "year text": ["--year", "abc"],
    }[case]
    result = run_cli(settings, "import", str(source), "--plan-key", "kt-2025", *extra)
    assert result.exit_code == 2, result.stdout + result.stderr
    message = {
        "directory": "là thư mục",
        "unwritable": "không ghi được",
        "other plan": 'là kế hoạch "qt-skhcn-2024-do-luong"',
        "year": "--year 1999",
        "year text": "--year abc: năm kế hoạch cần là số",
    }[case]
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert seed.read_text(encoding="utf-8") == before
    assert not (settings.definitions / "plans" / "kt-2025.yaml").exists()


def test_reimport_matches_tasks_by_section_then_title_then_likeness(
    tmp_path: Path, settings: Settings
) -> None:
    header = ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Tiến độ"]
    first = [
        header,
        ["<b>I</b>", "<b>Kiểm tra</b>"],
        ["1", "Kiểm tra phương tiện đo tại các chợ trên địa bàn tỉnh", "Phòng QL TCĐLCL", "Quý II"],
        ["2", "Kiểm tra xăng dầu", "Phòng QL TCĐLCL", "Quý III"],
        ["<b>II</b>", "<b>Báo cáo</b>"],
        ["1", "Tổng kết, báo cáo", "Phòng QL TCĐLCL", "Quý IV"],
    ]
    args = ["import", "--plan-key", "kt-2025", "--coordinator", "qltcdlcl", "--year", "2025"]
    assert (
        run_cli(settings, args[0], str(xlsx_file(tmp_path / "a.xlsx", first)), *args[1:]).exit_code
        == 0
    )
    target = settings.definitions / "plans" / "kt-2025.yaml"
    before = {t.title: t.key for t in read_catalog(target).plans["kt-2025"].tasks}
    second = [
        header,
        ["<b>I</b>", "<b>Kiểm tra</b>"],
        [
            "1",
            "Thanh tra phương tiện đo tại các chợ trên địa bàn tỉnh",
            "Phòng QL TCĐLCL",
            "Quý II",
        ],
        ["2", "Tổng kết, báo cáo", "Phòng KH-TC", "Quý III"],  # the same title, another section
        ["<b>II</b>", "<b>Báo cáo</b>"],
        ["1", "Tổng kết, báo cáo", "Phòng KH-TC", "Quý IV"],  # its lead changed in the table
    ]
    result = run_cli(
        settings, args[0], str(xlsx_file(tmp_path / "b.xlsx", second)), *args[1:], "--force"
    )
    assert result.exit_code == 0, result.stdout
    after = read_catalog(target).plans["kt-2025"].tasks
    reworded, same_title, original = after
    assert reworded.key == before["Kiểm tra phương tiện đo tại các chợ trên địa bàn tỉnh"]
    assert original.key == before["Tổng kết, báo cáo"] and original.section == "II"
    assert same_title.key != original.key
    assert (
        f'nhiệm vụ {before["Kiểm tra xăng dầu"]} ("Kiểm tra xăng dầu") của tệp cũ không còn trong bảng'
        in result.stdout
    )
    assert f"{original.key}: lead đổi theo bảng, qltcdlcl → kh-tc" in result.stdout
    assert "giữ khóa của nhiệm vụ cũ" in target.read_text(encoding="utf-8")


def test_a_damaged_file_to_replace_stops_the_import(tmp_path: Path, settings: Settings) -> None:
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows(partner="Các DN"))
    target = settings.definitions / "plans" / "kt-2025.yaml"
    target.write_text("plan:\n  key: kt-2025\n  tags: [a\n", encoding="utf-8")
    result = run_cli(settings, "import", str(source), "--plan-key", "kt-2025", "--force")
    assert result.exit_code == 2
    assert "không đọc được tệp đang có kt-2025.yaml" in result.stderr
    assert target.read_text(encoding="utf-8") == "plan:\n  key: kt-2025\n  tags: [a\n"


def test_a_nul_in_the_file_to_replace_stops_the_import_at_its_line(
    tmp_path: Path, settings: Settings
) -> None:
    """The file kept on re-import goes through the definitions' reader: a NUL is not an end."""
    source = xlsx_file(tmp_path / "kh.xlsx", plan_rows(partner="Các DN"))
    target = settings.definitions / "plans" / "kt-2025.yaml"
    damaged = "plan:\n  key: kt-2025\n  # ghi chú\x00\n  tags: [a]\n"
    target.write_text(damaged, encoding="utf-8")
    result = run_cli(settings, "import", str(source), "--plan-key", "kt-2025", "--force")
    assert result.exit_code == 2
    assert "không đọc được tệp đang có kt-2025.yaml (dòng 3:" in result.stderr
    assert "NUL" in result.stderr
    assert target.read_text(encoding="utf-8") == damaged


def test_the_plan_file_is_dated_by_the_settings_clock_not_the_machine(
    tmp_path: Path, settings: Settings
) -> None:
    back_then = settings.model_copy(update={"today": date(2025, 2, 3)})
    source = xlsx_file(tmp_path / "ke-hoach.xlsx", plan_rows())
    result = run_cli(
        back_then, "import", str(source), "--plan-key", "kh-2025", "--coordinator", "qltcdlcl",
        "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == '# Nhập từ phụ lục của "ke-hoach.xlsx" bằng `kehoach import` ngày 03/02/2025.'
