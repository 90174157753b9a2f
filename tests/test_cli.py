"""The command line as a user meets it: help everywhere, one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from kehoach_flow.cli import app
from kehoach_flow.settings import Settings
from tests.conftest import ROOT, run_cli


def _commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    found = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            found += [[name, sub] for sub in command.commands]
        else:
            found.append([name])
    return found


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(
    sqlite_settings: Settings, command: list[str]
) -> None:
    result = run_cli(sqlite_settings, *command, "--help")
    assert result.exit_code == 0
    assert "Ví dụ: kehoach" in result.stdout


def test_unknown_option_exits_2_with_one_message_and_no_traceback(
    sqlite_settings: Settings,
) -> None:
    result = run_cli(sqlite_settings, "tasks", "--colour", "red")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_bad_date_filter_exits_2(sqlite_settings: Settings) -> None:
    run_cli(sqlite_settings, "db", "upgrade")
    result = run_cli(sqlite_settings, "tasks", "--due-before", "30/6/2024")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_commands_refuse_an_unmigrated_database_and_name_the_fix(sqlite_settings: Settings) -> None:
    result = run_cli(sqlite_settings, "plans")
    assert result.exit_code == 2
    assert "kehoach db upgrade" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_db_upgrade_is_safe_to_repeat(sqlite_settings: Settings) -> None:
    from kehoach_flow.db.engine import MIGRATIONS

    head = sorted(p.name[:4] for p in (MIGRATIONS / "versions").glob("0*.py"))[-1]
    assert f"trống → {head}" in run_cli(sqlite_settings, "db", "upgrade").stdout
    again = run_cli(sqlite_settings, "db", "upgrade")
    assert again.exit_code == 0 and "mới nhất" in again.stdout


def test_unknown_task_is_one_line_exit_2(sqlite_settings: Settings) -> None:
    run_cli(sqlite_settings, "db", "upgrade")
    run_cli(sqlite_settings, "load")
    result = run_cli(sqlite_settings, "show", "khong-co")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == 'Lỗi: không tìm thấy nhiệm vụ "khong-co"; xem danh sách bằng `kehoach tasks`'
    )


def test_show_prints_the_task_in_vietnamese(sqlite_settings: Settings) -> None:
    run_cli(sqlite_settings, "db", "upgrade")
    run_cli(sqlite_settings, "load")
    result = run_cli(sqlite_settings, "show", "khao-sat-30-dn")
    assert result.exit_code == 0
    assert "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng" in result.stdout
    assert "30 doanh nghiệp" in result.stdout


def test_validate_reports_counts(sqlite_settings: Settings) -> None:
    result = run_cli(sqlite_settings, "validate")
    assert result.exit_code == 0
    assert "1 kế hoạch, 7 nhiệm vụ" in result.stdout


def test_schema_is_json_schema_covering_all_three_file_kinds(sqlite_settings: Settings) -> None:
    schema = json.loads(run_cli(sqlite_settings, "schema").stdout)
    assert {"UnitsFile", "ProgrammeFile", "PlanFile", "Task", "Section"} <= set(schema["$defs"])
    assert "renamed_from" in schema["$defs"]["Task"]["properties"]


def test_console_script_runs_as_a_process(tmp_path: object) -> None:
    """The installed entry point, not just the in-process runner."""
    result = subprocess.run(
        [sys.executable, "-m", "kehoach_flow", "validate", str(ROOT / "definitions")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Hợp lệ" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["tasks", "--pla", "x"],
            "Lỗi: không có tùy chọn --pla (có phải ý bạn là --plan?); xem `kehoach tasks --help`",
        ),
        (["show"], "Lỗi: thiếu TASK; xem `kehoach show --help`"),
        (["bench", "--only"], "Lỗi: tùy chọn --only cần một giá trị; xem `kehoach --help`"),
    ],
)
def test_usage_errors_are_one_vietnamese_line(
    sqlite_settings: Settings, args: list[str], expected: str
) -> None:
    result = run_cli(sqlite_settings, *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == expected


def test_a_wrong_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KEHOACH_REPORT_CUTOFF_DAY", "31")
    result = run_cli(None, "plans")  # type: ignore[arg-type]
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        'Lỗi: cấu hình KEHOACH_REPORT_CUTOFF_DAY="31" không hợp lệ: cần là một ngày trong '
        'tháng từ 1 đến 28, hoặc "end" (hết tháng)'
    ]
