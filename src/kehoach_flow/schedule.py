"""The "Tiến độ" (schedule) column of real plans parsed into a task's planned window.

Named schedule, not calendar: the working calendar (holidays, make-up days) is workdays.py."""

from __future__ import annotations

import calendar as _gregorian
import re
from dataclasses import dataclass
from datetime import date

from kehoach_flow.errors import ScheduleError
from kehoach_flow.text import fold

ACCEPTED_FORMS = (
    "Cả năm",
    "Thường xuyên / Hằng quý / Hằng tháng",
    "Trong năm 2024",
    "Quý 1 / Quý I / Quý I/2025",
    "Quý 1-2 / Quý I-II / Quý I, II / Quý II - Quý IV",
    "6 tháng đầu năm / 6 tháng cuối năm / 6 tháng đầu năm 2025",
    "Tháng 3 / Tháng 3-5 / Tháng 3, 4 / Từ tháng 3 đến tháng 6",
    "Trước 30/6 / Trước ngày 30/6/2024 / Hoàn thành trước 30/6 / Đến hết 30/6",
    "Năm 2024-2025 / Giai đoạn 2024-2025 / Năm 2024",
    "2024-03-01..2024-05-15",
)

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_SEP = r"\s*(?:-|–|,|va|den|;)\s*"
_QUARTER = r"(iv|iii|ii|i|[1-4])"


@dataclass(frozen=True)
class Window:
    """When a task is planned to run: work starts on `start` and is due on `due` (both
    included). The one type for it: tracking.state derives a task's meaning from it."""

    start: date
    due: date


def month_end(year: int, month: int) -> date:
    return date(year, month, _gregorian.monthrange(year, month)[1])


def _quarter_number(token: str) -> int:
    return _ROMAN[token] if token in _ROMAN else int(token)


def _quarters(text: str, year: int) -> Window | None:
    rest = _QUARTER.replace("(", "(?:", 1)
    pattern = rf"(?:tu )?quy {_QUARTER}((?:{_SEP}(?:quy )?{rest})*)(?:(?: nam |\s*/\s*)(\d{{4}}))?"
    match = re.fullmatch(pattern, text)
    if not match:
        return None
    year = int(match.group(3)) if match.group(3) else year
    tokens = [match.group(1), *re.findall(_QUARTER, match.group(2) or "")]
    numbers = [_quarter_number(t) for t in tokens]
    first, last = min(numbers), max(numbers)
    return Window(date(year, 3 * first - 2, 1), month_end(year, 3 * last))


def _months(text: str, year: int) -> Window | None:
    pattern = rf"(?:tu )?thang (\d{{1,2}})((?:{_SEP}(?:thang )?\d{{1,2}})*)(?:(?: nam |\s*/\s*)(\d{{4}}))?"
    match = re.fullmatch(pattern, text)
    if not match:
        return None
    year = int(match.group(3)) if match.group(3) else year
    numbers = [int(match.group(1)), *map(int, re.findall(r"\d{1,2}", match.group(2) or ""))]
    if not all(1 <= m <= 12 for m in numbers):
        return None
    return Window(date(year, min(numbers), 1), month_end(year, max(numbers)))


def _before(text: str, year: int) -> Window | None:
    pattern = r"(?:(?:hoan thanh )?truoc|den(?: het)?)(?: ngay)? (\d{1,2})/(\d{1,2})(?:/(\d{4}))?"
    match = re.fullmatch(pattern, text)
    if not match:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    year = int(match.group(3)) if match.group(3) else year
    try:
        due = date(year, month, day)
    except ValueError:
        return None
    return Window(date(year, 1, 1), due)


def _years(text: str, year: int) -> Window | None:
    match = re.fullmatch(r"(?:nam|giai doan|trong nam) (\d{4})(?:\s*-\s*(\d{4}))?", text)
    if not match:
        return None
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else first
    if last < first:
        return None
    return Window(date(first, 1, 1), date(last, 12, 31))


def _iso_range(text: str, year: int) -> Window | None:
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})", text)
    if not match:
        return None
    try:
        return Window(date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2)))
    except ValueError:
        return None


def _fixed(text: str, year: int) -> Window | None:
    if text in ("ca nam", "thuong xuyen", "trong nam", "hang nam", "hang quy", "hang thang"):
        return Window(date(year, 1, 1), date(year, 12, 31))
    half = re.fullmatch(r"6 thang (dau|cuoi) nam(?:\s*/?\s*(\d{4}))?", text)
    if half:
        year = int(half.group(2)) if half.group(2) else year
        first = half.group(1) == "dau"
        return Window(
            date(year, 1 if first else 7, 1), date(year, 6 if first else 12, 30 if first else 31)
        )
    return None


_PARSERS = (_fixed, _quarters, _months, _before, _years, _iso_range)


def parse_schedule(text: str, year: int) -> Window:
    """Map a "Tiến độ" expression in a plan of `year` to its start and due dates.

    >>> parse_schedule("Quý I-II", 2024)
    Window(start=datetime.date(2024, 1, 1), due=datetime.date(2024, 6, 30))
    """
    folded = fold(text).rstrip(".")
    for parser in _PARSERS:
        window = parser(folded, year)
        if window is not None:
            return window
    raise ScheduleError(text)
