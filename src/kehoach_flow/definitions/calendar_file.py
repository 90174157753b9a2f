"""The working calendar's override file (definitions/calendar.yaml), read and checked into the
CalendarOverrides that workdays applies to the holidays package."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kehoach_flow.definitions.reader import display_path
from kehoach_flow.definitions.source import read_yaml
from kehoach_flow.errors import CalendarError
from kehoach_flow.workdays import CalendarOverrides

_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_SECTION_KEYS = ("holidays", "working_days", "not_holidays")


def read_overrides(path: Path) -> CalendarOverrides:
    """Read an override file such as definitions/calendar.yaml; any fault raises CalendarError.

    Every date may appear once in the whole file, and a make-up day must be a weekend day.
    """
    reader = _OverrideReader(display_path(path))
    section = reader.section(reader.load(path))
    days_off = reader.named_days(section, "holidays")
    working = reader.named_days(section, "working_days")
    for entry, d, _ in working:
        if d.weekday() < 5:
            weekday = _WEEKDAYS[d.weekday()]
            raise reader.fail(f"ngày làm bù phải là thứ Bảy hoặc Chủ nhật, {d} là {weekday}", entry)
    not_holidays = {
        reader.day(item, entry) for entry, item in reader.items(section, "not_holidays")
    }
    return CalendarOverrides(
        {d: name for _, d, name in days_off},
        {d: name for _, d, name in working},
        frozenset(not_holidays),
    )


@dataclass
class _OverrideReader:
    """Checks one override file, remembering where each date was seen for the messages."""

    file: str
    seen: dict[date, str] = field(default_factory=dict)

    def fail(self, reason: str, entry: str | None = None) -> CalendarError:
        return CalendarError(reason, file=self.file, entry=entry)

    def load(self, path: Path) -> Any:
        """The file's data through the definitions' reader (no truncation, bounded aliases)."""
        try:
            doc, problems = read_yaml(path, self.file)
        except FileNotFoundError as exc:
            raise self.fail("không tìm thấy tệp") from exc
        except OSError as exc:
            raise self.fail("không đọc được tệp") from exc
        if problems and doc.data is None and not path.read_bytes().strip():
            return None  # an empty file: section() says what it must hold
        if problems:
            first = problems[0]
            raise self.fail(f"dòng {first.line}, cột {first.column}: {first.message}")
        return doc.data

    def section(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or list(data) != ["calendar"]:
            raise self.fail("tệp phải là một bảng có đúng một khóa calendar:")
        section = data["calendar"] or {}
        if not isinstance(section, dict):
            raise self.fail("calendar: phải là một bảng khóa: giá trị", "calendar")
        unknown = [str(k) for k in section if k not in _SECTION_KEYS]
        if unknown:
            allowed = ", ".join(_SECTION_KEYS)
            raise self.fail(f"khóa lạ {', '.join(unknown)} (chỉ nhận {allowed})", "calendar")
        return section

    def items(self, section: dict[str, Any], key: str) -> list[tuple[str, Any]]:
        items = section.get(key)
        if items is None:  # a key written with nothing after it
            return []
        if not isinstance(items, list):
            raise self.fail("phải là một danh sách", f"calendar.{key}")
        return [(f"calendar.{key}[{i}]", item) for i, item in enumerate(items)]

    def named_days(self, section: dict[str, Any], key: str) -> list[tuple[str, date, str]]:
        """The {date, name} items of list `key`, each with its entry label."""
        days = []
        for entry, item in self.items(section, key):
            if not isinstance(item, dict):
                raise self.fail("cần dạng {date: YYYY-MM-DD, name: tên ngày}", entry)
            unknown = [str(k) for k in item if k not in ("date", "name")]
            if unknown:
                raise self.fail(f"khóa lạ {', '.join(unknown)} (chỉ nhận date, name)", entry)
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                raise self.fail("thiếu tên ngày (name:)", entry)
            days.append((entry, self.day(item.get("date"), entry), name.strip()))
        return days

    def day(self, value: Any, entry: str) -> date:
        d = _as_date(value)
        if d is None:
            shown = "trống" if value is None else f'"{value}"'
            raise self.fail(f"ngày {shown} không phải một ngày dạng YYYY-MM-DD", entry)
        if d in self.seen:
            raise self.fail(f"ngày {d} đã có ở mục {self.seen[d]}", entry)
        self.seen[d] = entry
        return d


def _as_date(value: Any) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    # A datetime is a date too, but "2024-04-29 08:00" is not a day.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return None
