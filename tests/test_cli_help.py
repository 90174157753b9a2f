"""Every help page of `kehoach` reads in Vietnamese, Typer's own frame included."""

from __future__ import annotations

import re

from kehoach_flow.settings import Settings
from tests.conftest import run_cli

# Typer's English, as it printed before: the frame of every page and the value types.
ENGLISH = re.compile(
    r"Usage:|Options|Arguments|Commands|Show this message|\[required\]|\[default:|"
    r"\[OPTIONS\]|COMMAND \[ARGS\]|<str>|<int>|<path>|<float>|<datetime>"
)


def _commands(settings: Settings, *path: str) -> list[tuple[str, ...]]:
    """The command paths listed under "Lệnh:" on a group's help page, recursively."""
    page = run_cli(settings, *path, "--help").stdout
    if "\nLệnh:\n" not in page:
        return [path]
    listed = page.split("\nLệnh:\n", 1)[1]
    names = [line.split()[0] for line in listed.splitlines() if line.startswith("  ")]
    found = [path]
    for name in names:
        found += _commands(settings, *path, name)
    return found


def test_every_help_page_is_vietnamese(sqlite_settings: Settings) -> None:
    paths = _commands(sqlite_settings)
    assert ("remind",) in paths and ("db", "upgrade") in paths and ("user", "add") in paths

    for path in paths:
        result = run_cli(sqlite_settings, *path, "--help")
        assert result.exit_code == 0, (path, result.stderr)
        page = result.stdout
        assert page.startswith(f"Cách dùng: kehoach {' '.join(path)}".rstrip()), page
        assert "Tùy chọn:" in page and "In hướng dẫn này rồi thoát." in page, page
        assert not ENGLISH.search(page), (path, ENGLISH.search(page), page)


def test_types_and_defaults_stay_in_their_columns(sqlite_settings: Settings) -> None:
    page = run_cli(sqlite_settings, "report", "--help").stdout

    assert "  --year <số>        Năm báo cáo.  [mặc định: 0]" in page, page
    assert "  --out <đường dẫn>  Thư mục ghi" in page, page
    # the help option's text wraps like every other: same column as the options above it
    assert "  --help             In hướng dẫn này rồi thoát." in page, page


def test_a_group_without_a_command_shows_its_page_in_vietnamese(
    sqlite_settings: Settings,
) -> None:
    result = run_cli(sqlite_settings, "db")

    assert result.exit_code == 0
    page = result.stdout + result.stderr
    assert "Cách dùng: kehoach db [TÙY_CHỌN] LỆNH [THAM_SỐ]..." in page, page
    assert "Lệnh:\n  upgrade" in page, page
