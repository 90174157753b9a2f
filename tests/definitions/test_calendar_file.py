"""The override file definitions/calendar.yaml: its format and every fault named where it is."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kehoach_flow.definitions.calendar_file import read_overrides
from kehoach_flow.errors import CalendarError
from kehoach_flow.workdays import CalendarOverrides


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_overrides_reads_the_documented_format(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """calendar:
  holidays:
    - {date: 2024-04-29, name: Nghỉ bù ngày Giải phóng miền Nam}
  working_days:
    - {date: 2024-05-04, name: Làm bù cho ngày 29/4/2024}
  not_holidays:
    - 2024-01-01
    - "2024-09-03"
""",
    )
    assert read_overrides(path) == CalendarOverrides(
        holidays={date(2024, 4, 29): "Nghỉ bù ngày Giải phóng miền Nam"},
        working_days={date(2024, 5, 4): "Làm bù cho ngày 29/4/2024"},
        not_holidays=frozenset({date(2024, 1, 1), date(2024, 9, 3)}),
    )


@pytest.mark.parametrize(
    ("text", "entry", "reason"),
    [
        ("- 2024-01-01\n", None, "đúng một khóa calendar"),
        ("", None, "đúng một khóa calendar"),
        ("calendar: [1]\n", "calendar", "bảng khóa"),
        ("calendar:\n  holiday: []\n", "calendar", "khóa lạ holiday"),
        ("calendar:\n  holidays: {}\n", "calendar.holidays", "danh sách"),
        (
            "calendar:\n  holidays:\n    - {date: 2024-02-30, name: X}\n",
            "calendar.holidays[0]",
            '"2024-02-30" không phải một ngày',
        ),
        (
            "calendar:\n  holidays:\n    - {date: 29/4/2024, name: X}\n",
            "calendar.holidays[0]",
            '"29/4/2024" không phải một ngày',
        ),
        (
            "calendar:\n  holidays:\n    - {date: 2024-04-29 08:00, name: X}\n",
            "calendar.holidays[0]",
            "không phải một ngày",
        ),
        ("calendar:\n  holidays:\n    - {name: X}\n", "calendar.holidays[0]", "ngày trống"),
        ("calendar:\n  holidays:\n    - {date: 2024-04-29}\n", "calendar.holidays[0]", "tên"),
        ("calendar:\n  holidays:\n    - 2024-04-29\n", "calendar.holidays[0]", "cần dạng"),
        (
            "calendar:\n  holidays:\n    - {date: 2024-04-29, name: X, note: y}\n",
            "calendar.holidays[0]",
            "khóa lạ note",
        ),
        (
            "calendar:\n  working_days:\n    - {date: 2024-05-06, name: X}\n",
            "calendar.working_days[0]",
            "2024-05-06 là thứ Hai",
        ),
        (
            "calendar:\n  holidays:\n    - {date: 2024-05-04, name: X}\n"
            "  working_days:\n    - {date: 2024-05-04, name: Y}\n",
            "calendar.working_days[0]",
            "đã có ở mục calendar.holidays[0]",
        ),
        ("calendar:\n  not_holidays: [2024-01-01, x]\n", "calendar.not_holidays[1]", '"x"'),
    ],
)
def test_bad_override_files_name_the_file_and_the_entry(
    tmp_path: Path, text: str, entry: str | None, reason: str
) -> None:
    with pytest.raises(CalendarError) as caught:
        read_overrides(write(tmp_path, text))
    error = caught.value
    assert error.file is not None and error.file.endswith("calendar.yaml")
    assert error.entry == entry
    assert reason in error.reason
    assert "calendar.yaml" in str(error)


def test_broken_yaml_and_a_missing_file_are_calendar_errors(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="dòng 3, cột 1: lỗi cú pháp YAML"):
        read_overrides(write(tmp_path, "calendar:\n  holidays: [\n"))
    with pytest.raises(CalendarError, match="không tìm thấy tệp"):
        read_overrides(tmp_path / "missing.yaml")


def test_the_override_file_goes_through_the_definitions_reader(tmp_path: Path) -> None:
    """A NUL does not cut the file short and aliases cannot blow up: same limits as plans."""
    nul = 'calendar:\n  holidays:\n    - {date: 2024-01-01, name: "a\x00b"}\n    - 2024-13-01\n'
    with pytest.raises(CalendarError, match=r"dòng 3, cột 34: .*NUL"):
        read_overrides(write(tmp_path, nul))
    rows = ["a: &a [" + ", ".join(["x"] * 10) + "]"]
    rows += [
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]" for p, n in zip("abcde", "bcdef", strict=True)
    ]
    with pytest.raises(CalendarError, match="bí danh"):
        read_overrides(write(tmp_path, "\n".join(rows) + "\n"))
