"""Vietnamese working days: public holidays, swapped days off and make-up weekend days.

Pure: dates and overrides in, answers out. The override file (definitions/calendar.yaml) is
read by definitions.calendar_file and handed in by the caller (tracking.workcalendar)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

from kehoach_flow.errors import CalendarError

_ONE_DAY = timedelta(days=1)


# One year's days off and make-up weekend days, each with its name.
YearDays = tuple[Mapping[date, str], Mapping[date, str]]


class WorkCalendar:
    """Days off and make-up weekend days ("ngày làm bù"), each year built the first time a
    date of it is asked.

    A working day is Monday to Friday and not a holiday, or a make-up weekend day. With a
    `source`, the calendar asks it for a year's days once, then keeps them, so no caller has
    to know in advance which years its dates fall in; `source` raises CalendarError for a
    year it cannot provide rather than letting it pass for a year without holidays. Without
    one, the calendar is written out by hand: for any year when `years` is None, else only
    for `years`.
    """

    def __init__(
        self,
        holidays: Mapping[date, str],
        working_weekends: Mapping[date, str],
        years: Iterable[int] | None = None,
        *,
        source: Callable[[int], YearDays] | None = None,
    ) -> None:
        self._holidays = dict(holidays)
        self._working = dict(working_weekends)
        self._source = source
        self._any_year = years is None and source is None
        self._fixed = frozenset(years or ())
        self._ready: set[int] = set() if source else set(self._fixed)
        self._lock = threading.Lock()

    @property
    def holidays(self) -> Mapping[date, str]:
        """The days off of the years built so far."""
        return self._holidays

    @property
    def working_weekends(self) -> Mapping[date, str]:
        """The make-up weekend days of the years built so far."""
        return self._working

    @property
    def years(self) -> frozenset[int]:
        """The years built so far."""
        return frozenset(self._ready)

    def is_working_day(self, d: date) -> bool:
        if d.year not in self._ready:
            self._add_year(d.year)
        if d in self._working:
            return True
        return d.weekday() < 5 and d not in self._holidays

    def holiday_name(self, d: date) -> str | None:
        if d.year not in self._ready:
            self._add_year(d.year)
        return self._holidays.get(d)

    def next_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d`, or before it when n < 0; `d` itself never counts.

        So from a Saturday, 1 is the next working day and -1 the last one before it, and
        add_working_days(d, 0) is `d` even on a day off (next_working_day moves off one).
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            remaining -= self.is_working_day(d)
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """The working days met walking from `start` to `end`: start excluded, end included.

        That is the working days in (start, end] when end >= start, and minus those in
        [end, start) when end < start. It is the exact inverse of add_working_days:
        working_days_between(d, add_working_days(d, n)) == n for every d and n. The price:
        swapping the dates flips more than the sign when one of them is a day off.
        """
        if end >= start:
            return self._count(start + _ONE_DAY, end)
        return -self._count(end, start - _ONE_DAY)

    def _count(self, first: date, last: date) -> int:
        """Working days in the closed range [first, last] (0 when it is empty).

        Counted arithmetically (weekdays, less weekday holidays, plus make-up days) rather
        than day by day: deriving a national plan's states asks this for every task.
        """
        if last < first:
            return 0
        for year in range(first.year, last.year + 1):
            if year not in self._ready:
                self._add_year(year)
        holidays, working = self._holidays, self._working  # one consistent pair
        weeks, rest = divmod((last - first).days + 1, 7)
        weekdays = weeks * 5 + sum((first.weekday() + k) % 7 < 5 for k in range(rest))
        off = sum(
            1 for d in holidays if first <= d <= last and d.weekday() < 5 and d not in working
        )
        made_up = sum(1 for d in working if first <= d <= last and d.weekday() >= 5)
        return weekdays - off + made_up

    def _add_year(self, year: int) -> None:
        """Build `year` from the source (once, whichever thread asks first), or refuse it."""
        if self._any_year:
            self._ready.add(year)
            return
        if self._source is None:
            built = ", ".join(str(y) for y in sorted(self._fixed))
            raise CalendarError(f"chưa có ngày nghỉ của năm {year} (lịch dựng cho: {built})")
        with self._lock:
            if year in self._ready:
                return
            days_off, working = self._source(year)
            # New dicts swapped in whole: a count running meanwhile keeps a consistent pair.
            self._holidays = {**self._holidays, **days_off}
            self._working = {**self._working, **working}
            self._ready.add(year)


@dataclass(frozen=True)
class CalendarOverrides:
    """Local corrections to the holidays package: extra days off, make-up days, days worked."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    working_days: Mapping[date, str] = field(default_factory=dict)
    not_holidays: frozenset[date] = frozenset()


def vietnam_calendar(
    years: Iterable[int] = (), overrides: CalendarOverrides | None = None
) -> WorkCalendar:
    """The official calendar from the holidays package, corrected by `overrides`.

    Every year the package knows is built when first asked; `years` are built at once. An
    override wins over the package either way: a make-up day listed in the file is worked
    even if the package has it off, a day off listed in the file is off even if the package
    has it as a make-up day.
    """
    calendar = WorkCalendar({}, {}, source=_VietnamYears(overrides or CalendarOverrides()))
    for year in years:
        calendar.holiday_name(date(year, 1, 1))
    return calendar


@dataclass(frozen=True)
class _VietnamYears:
    """One year of the package's Vietnam calendar, corrected by the local overrides."""

    overrides: CalendarOverrides

    def __call__(self, year: int) -> YearDays:
        first, last = _PACKAGE_YEARS
        if not first <= year <= last:
            raise CalendarError(
                f"không có ngày nghỉ của năm {year}: gói holidays chỉ có lịch Việt Nam"
                f" từ năm {first} đến năm {last}"
            )
        extra = self.overrides
        # The neighbouring years too: a make-up day may pay back a day off of another year.
        around = [y for y in (year - 1, year, year + 1) if first <= y <= last]
        official = holidays.country_holidays("VN", years=around, language="vi")
        days_off = {
            d: name
            for d, name in official.items()
            if d.year == year and d not in extra.not_holidays and d not in extra.working_days
        }
        days_off.update(_within(extra.holidays, year))
        working = _package_working_weekends(official, year)
        working.update(_within(extra.working_days, year))
        for d in extra.holidays:
            working.pop(d, None)
        return days_off, working


_PACKAGE_YEARS = (holidays.Vietnam.start_year, holidays.Vietnam.end_year)


def _within(days: Mapping[date, str], year: int) -> dict[date, str]:
    return {d: name for d, name in days.items() if d.year == year}


def _package_working_weekends(official: holidays.HolidayBase, year: int) -> dict[date, str]:
    """The package's make-up weekend days of `year`, named after the day off each one pays
    back.

    The package keeps them as bare dates, some from other years; the pairing with a day off
    exists only in that day's name, "Ngày nghỉ (thay cho ngày 04/05/2024)".
    """
    named: dict[date, str] = {}
    for d in official.weekend_workdays:
        if d.year != year:
            continue
        paid_back = [off for off, name in official.items() if f"{d:%d/%m/%Y}" in name]
        named[d] = f"Làm bù cho ngày {paid_back[0]:%d/%m/%Y}" if paid_back else "Ngày làm bù"
    return named


def calendar_hash(calendar: WorkCalendar, first_year: int, last_year: int) -> str:
    """The calendar a count of working days in `first_year`..`last_year` rests on: those
    years, then a digest of their days off and make-up working days ("2023-2024:9f…"). A
    report run records it, so a later change (a `holidays` upgrade, an edited calendar.yaml)
    that would change the report's figures can be seen."""
    years = range(first_year, last_year + 1)
    for year in years:
        calendar.is_working_day(date(year, 1, 1))  # builds the year
    off = sorted(d for d in calendar.holidays if d.year in years)
    made_up = sorted(d for d in calendar.working_weekends if d.year in years)
    text = "off " + " ".join(map(date.isoformat, off)) + "\nwork "
    text += " ".join(map(date.isoformat, made_up))
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"{first_year}-{last_year}:{digest}"


def calendar_changed(calendar: WorkCalendar, recorded: str | None) -> bool | None:
    """Whether the calendar now differs from the recorded one in the years it covers; None
    when nothing was recorded (a run from before calendars were recorded)."""
    if not recorded or ":" not in recorded:
        return None
    span = recorded.split(":", 1)[0]
    first, _, last = span.partition("-")
    if not (first.isdigit() and last.isdigit()):
        return None
    return calendar_hash(calendar, int(first), int(last)) != recorded
