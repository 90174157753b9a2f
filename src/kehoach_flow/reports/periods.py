"""Reporting periods and their data windows (Nghị định 09/2019/NĐ-CP by default).

A quarter's data runs from the 15th of the month before the quarter to the 14th of its last
month; 6 months, 9 months and the year run from 15/12 of the year before to 14/6, 14/9 and
14/12. A report takes every task's state as of the end of the cut-off day.

The cut-off day is configuration (`kehoach_flow.cutoff`): `KEHOACH_REPORT_CUTOFF_DAY` for the
installation and `report_cutoff_day` in a plan's header, each a day of the month from 1 to 28,
or `end` for calendar periods (a quarter from its first day to its last, the year from 1/1 to
31/12).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kehoach_flow.cutoff import CUTOFF_DAY, CutoffDay, check_cutoff_day
from kehoach_flow.errors import KehoachError

KINDS = ("q1", "q2", "q3", "q4", "6m", "9m", "year")
_LAST_MONTH = {"q1": 3, "q2": 6, "q3": 9, "q4": 12, "6m": 6, "9m": 9, "year": 12}
_TITLES = {
    "q1": "quý I năm {}",
    "q2": "quý II năm {}",
    "q3": "quý III năm {}",
    "q4": "quý IV năm {}",
    "6m": "6 tháng đầu năm {}",
    "9m": "9 tháng đầu năm {}",
    "year": "năm {}",
}


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    start: date  # first day of the data window
    cutoff: date  # last day: states are taken at its end

    @property
    def title(self) -> str:
        """ "quý I năm 2024", "6 tháng đầu năm 2024", "năm 2024"."""
        return _TITLES[self.kind].format(self.year)

    @property
    def next_start(self) -> date:
        """The day after the cut-off: where "next period" (phương hướng kỳ tới) begins."""
        return self.cutoff + timedelta(days=1)


def _cutoff_in(year: int, month: int, day: CutoffDay) -> date:
    if day == "end":
        return date(year, month, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def period(kind: str, year: int, cutoff_day: CutoffDay = CUTOFF_DAY) -> Period:
    """The period `kind` ("q1".."q4", "6m", "9m", "year") of `year` with its data window:
    from the day after the previous period's cut-off to this one's."""
    if kind not in KINDS:
        raise KehoachError(f'kỳ báo cáo "{kind}" không có; chọn một trong: {", ".join(KINDS)}')
    cutoff_day = check_cutoff_day(cutoff_day)
    last = _LAST_MONTH[kind]
    first = last - 2 if kind.startswith("q") else 1
    before = (year - 1, 12) if first == 1 else (year, first - 1)
    start = _cutoff_in(*before, cutoff_day) + timedelta(days=1)
    return Period(kind, year, start, _cutoff_in(year, last, cutoff_day))


def report_cutoffs(year: int, cutoff_day: CutoffDay = CUTOFF_DAY) -> list[date]:
    """The four quarterly cut-offs of `year` (14/3, 14/6, 14/9, 14/12 by default)."""
    return [period(kind, year, cutoff_day).cutoff for kind in ("q1", "q2", "q3", "q4")]


def period_for_day(day: date, cutoff_day: CutoffDay = CUTOFF_DAY) -> Period | None:
    """The period whose report is due the day after its cut-off (year wins over q4)."""
    for kind in ("year", "9m", "6m", "q1"):
        candidate = period(
            kind, day.year - (1 if day.month == 1 and day.day == 1 else 0), cutoff_day
        )
        if candidate.next_start == day:
            return candidate
    return None


def plan_cutoff_day(header: Mapping[str, Any] | None, default: CutoffDay = CUTOFF_DAY) -> CutoffDay:
    """The plan's own `report_cutoff_day`, else the installation's."""
    value = (header or {}).get("report_cutoff_day")
    return default if value is None else check_cutoff_day(value)
