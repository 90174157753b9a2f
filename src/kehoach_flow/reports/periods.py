"""Reporting periods and their data windows (Nghị định 09/2019/NĐ-CP by default).

A quarter's data runs from the 15th of the month before the quarter to the 14th of its last
month; 6 months, 9 months and the year run from 15/12 of the year before to 14/6, 14/9 and
14/12. A report takes every task's state as of the end of the cut-off day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
CUTOFF_DAY = 14


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
        return date.fromordinal(self.cutoff.toordinal() + 1)


def period(kind: str, year: int) -> Period:
    """The period `kind` ("q1".."q4", "6m", "9m", "year") of `year` with its data window."""
    if kind not in KINDS:
        raise KehoachError(f'kỳ báo cáo "{kind}" không có; chọn một trong: {", ".join(KINDS)}')
    last = _LAST_MONTH[kind]
    cutoff = date(year, last, CUTOFF_DAY)
    if kind.startswith("q"):
        first_month = last - 2
        start = (
            date(year - 1, 12, CUTOFF_DAY + 1)
            if first_month == 1
            else date(year, first_month - 1, CUTOFF_DAY + 1)
        )
    else:
        start = date(year - 1, 12, CUTOFF_DAY + 1)
    return Period(kind, year, start, cutoff)


def period_for_day(day: date) -> Period | None:
    """The period whose report is due the day after its cut-off (year wins over q4)."""
    for kind in ("year", "9m", "6m", "q1"):
        candidate = period(kind, day.year)
        if candidate.next_start == day:
            return candidate
    return None
