"""Vietnamese working-day arithmetic against the official 2024 and 2025 calendars."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach_flow.definitions.calendar_file import read_overrides
from kehoach_flow.errors import CalendarError
from kehoach_flow.workdays import CalendarOverrides, WorkCalendar, vietnam_calendar

REAL_OVERRIDES = Path(__file__).resolve().parent.parent / "definitions" / "calendar.yaml"

# Weekdays off for officials, from the government notices, and the make-up weekend days.
OFFICIAL_DAYS_OFF = {
    2024: [
        date(2024, 1, 1),
        *(date(2024, 2, d) for d in (8, 9, 12, 13, 14)),
        date(2024, 4, 18),
        date(2024, 4, 29),
        date(2024, 4, 30),
        date(2024, 5, 1),
        date(2024, 9, 2),
        date(2024, 9, 3),
    ],
    2025: [
        date(2025, 1, 1),
        *(date(2025, 1, d) for d in (27, 28, 29, 30, 31)),
        date(2025, 4, 7),
        date(2025, 4, 30),
        date(2025, 5, 1),
        date(2025, 5, 2),
        date(2025, 9, 1),
        date(2025, 9, 2),
    ],
}
OFFICIAL_MAKE_UP_DAYS = {2024: [date(2024, 5, 4)], 2025: [date(2025, 4, 26)]}


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return vietnam_calendar([2023, 2024, 2025, 2026])


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 2, 7), True),  # Wednesday before Tết
        (date(2024, 2, 8), False),  # 29 Tết, first day off
        (date(2024, 2, 9), False),  # Giao thừa
        (date(2024, 2, 10), False),  # Mùng 1, a Saturday
        (date(2024, 2, 12), False),
        (date(2024, 2, 14), False),  # last day off
        (date(2024, 2, 15), True),  # back to work
        (date(2024, 4, 18), False),  # Giỗ Tổ Hùng Vương
        (date(2024, 4, 29), False),  # Monday swapped off
        (date(2024, 4, 30), False),
        (date(2024, 5, 1), False),
        (date(2024, 5, 4), True),  # make-up Saturday
        (date(2024, 5, 5), False),  # the Sunday after it stays off
        (date(2024, 5, 11), False),  # ordinary Saturday
        (date(2024, 5, 12), False),  # ordinary Sunday
        (date(2024, 5, 13), True),  # ordinary Monday
        (date(2024, 9, 2), False),  # Quốc khánh
        (date(2024, 9, 3), False),
        (date(2024, 9, 4), True),
        (date(2025, 1, 27), False),  # Tết Ất Tỵ
        (date(2025, 2, 3), True),
        (date(2025, 4, 26), True),  # make-up Saturday for Friday 2/5/2025
        (date(2025, 5, 2), False),
    ],
)
def test_is_working_day_follows_the_official_calendar(
    cal: WorkCalendar, day: date, working: bool
) -> None:
    assert cal.is_working_day(day) is working


@pytest.mark.parametrize("year", [2024, 2025])
def test_days_off_and_make_up_days_match_the_notices_exactly(cal: WorkCalendar, year: int) -> None:
    first = date(year, 1, 1)
    days = [first + timedelta(days=k) for k in range((date(year, 12, 31) - first).days + 1)]
    weekdays_off = [d for d in days if d.weekday() < 5 and not cal.is_working_day(d)]
    weekends_worked = [d for d in days if d.weekday() >= 5 and cal.is_working_day(d)]
    assert weekdays_off == OFFICIAL_DAYS_OFF[year]
    assert weekends_worked == OFFICIAL_MAKE_UP_DAYS[year]


def test_holiday_names_are_vietnamese(cal: WorkCalendar) -> None:
    assert cal.holiday_name(date(2024, 2, 10)) == "Tết Nguyên Đán"
    assert cal.holiday_name(date(2024, 4, 18)) == "Ngày Giỗ Tổ Hùng Vương"
    assert cal.holiday_name(date(2024, 5, 13)) is None
    assert cal.working_weekends[date(2024, 5, 4)] == "Làm bù cho ngày 29/04/2024"


def test_three_working_days_after_the_eve_of_tet_skip_the_whole_holiday(cal: WorkCalendar) -> None:
    # 8/2-14/2 off, Thursday 15 and Friday 16 count, the weekend does not, Monday 19 is third.
    assert cal.add_working_days(date(2024, 2, 7), 3) == date(2024, 2, 19)


def test_a_reminder_on_mung_1_moves_to_the_first_day_back(cal: WorkCalendar) -> None:
    assert cal.next_working_day(date(2024, 2, 10)) == date(2024, 2, 15)
    assert cal.next_working_day(date(2024, 2, 15)) == date(2024, 2, 15)


def test_adding_zero_keeps_the_date_even_on_a_day_off(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2024, 2, 10), 0) == date(2024, 2, 10)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 2, 19), -3, date(2024, 2, 7)),
        (date(2024, 2, 10), -1, date(2024, 2, 7)),  # from inside Tết, back to the last day
        (date(2024, 5, 5), -1, date(2024, 5, 4)),  # the make-up Saturday counts
        (date(2024, 5, 6), -3, date(2024, 5, 2)),  # Saturday 4/5 is one of the three
        (date(2024, 5, 6), -4, date(2024, 4, 26)),  # then back over the 27/4-1/5 break
        (date(2024, 4, 26), 1, date(2024, 5, 2)),  # over the five-day 30/4 break
    ],
)
def test_add_working_days_moves_backward_and_forward(
    cal: WorkCalendar, start: date, n: int, expected: date
) -> None:
    assert cal.add_working_days(start, n) == expected


def test_working_days_between_counts_the_make_up_saturday(cal: WorkCalendar) -> None:
    # After Friday 26/4: 2/5, 3/5, Saturday 4/5 and Monday 6/5.
    assert cal.working_days_between(date(2024, 4, 26), date(2024, 5, 6)) == 4
    assert cal.working_days_between(date(2024, 5, 6), date(2024, 4, 26)) == -4
    assert cal.working_days_between(date(2024, 5, 6), date(2024, 5, 6)) == 0


def test_working_days_between_excludes_start_and_includes_end(cal: WorkCalendar) -> None:
    saturday, monday = date(2024, 5, 11), date(2024, 5, 13)
    assert cal.working_days_between(saturday, monday) == 1
    assert cal.working_days_between(monday, saturday) == 0  # only Sunday and Saturday
    assert cal.working_days_between(monday, date(2024, 5, 10)) == -1  # Friday counts
    assert cal.working_days_between(saturday, date(2024, 5, 10)) == -1


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31)),
    n=st.integers(min_value=-120, max_value=120),
)
def test_add_then_count_gives_back_n_and_lands_on_a_working_day(
    cal: WorkCalendar, start: date, n: int
) -> None:
    result = cal.add_working_days(start, n)
    assert cal.working_days_between(start, result) == n
    if n != 0:
        assert cal.is_working_day(result)


def test_a_year_not_built_yet_is_built_the_first_time_one_of_its_dates_is_asked() -> None:
    cal = vietnam_calendar([2024])
    assert cal.years == {2024}
    # 31/12/2024 is a Tuesday, 1/1/2025 is Tết Dương lịch: the next working day is 2/1.
    assert cal.add_working_days(date(2024, 12, 31), 1) == date(2025, 1, 2)
    assert cal.years == {2024, 2025}


def test_a_calendar_built_for_no_year_counts_across_years_like_the_notices() -> None:
    cal = vietnam_calendar()
    # From Friday 20/12/2024 to Friday 10/1/2025: 15 weekdays, less 1/1/2025.
    assert cal.working_days_between(date(2024, 12, 20), date(2025, 1, 10)) == 14
    assert cal.years == {2024, 2025}
    assert cal.is_working_day(date(2025, 4, 26))  # the package's make-up Saturday of 2025
    assert cal.working_weekends[date(2025, 4, 26)] == "Làm bù cho ngày 02/05/2025"


@pytest.mark.parametrize("year", [1900, 2101])
def test_a_year_the_holidays_package_has_no_calendar_for_is_refused(year: int) -> None:
    with pytest.raises(CalendarError, match=f"năm {year}: gói holidays chỉ có lịch Việt Nam"):
        vietnam_calendar().is_working_day(date(year, 6, 1))


def test_a_hand_written_calendar_for_given_years_refuses_the_others() -> None:
    cal = WorkCalendar({}, {}, years=[2024])
    assert cal.is_working_day(date(2024, 12, 31))
    with pytest.raises(CalendarError, match="năm 2025"):
        cal.add_working_days(date(2024, 12, 31), 1)


def test_overrides_apply_to_a_year_built_on_demand() -> None:
    overrides = CalendarOverrides(holidays={date(2026, 6, 1): "Nghỉ bù thử"})
    cal = vietnam_calendar([2024], overrides)
    assert cal.holiday_name(date(2026, 6, 1)) == "Nghỉ bù thử"


def test_overrides_add_days_off_make_up_days_and_working_holidays() -> None:
    overrides = CalendarOverrides(
        holidays={date(2025, 6, 2): "Nghỉ bù thử"},
        working_days={date(2025, 6, 7): "Làm bù cho ngày 2/6/2025"},
        not_holidays=frozenset({date(2025, 1, 1)}),
    )
    cal = vietnam_calendar([2025], overrides)
    assert not cal.is_working_day(date(2025, 6, 2))
    assert cal.holiday_name(date(2025, 6, 2)) == "Nghỉ bù thử"
    assert cal.is_working_day(date(2025, 6, 7))
    assert cal.is_working_day(date(2025, 1, 1))
    assert cal.holiday_name(date(2025, 1, 1)) is None


def test_an_override_day_off_beats_a_package_make_up_day() -> None:
    overrides = CalendarOverrides(holidays={date(2024, 5, 4): "Tỉnh không làm bù"})
    assert not vietnam_calendar([2024], overrides).is_working_day(date(2024, 5, 4))


def test_the_real_override_file_parses_and_keeps_the_official_calendar() -> None:
    if not REAL_OVERRIDES.exists():
        pytest.skip("definitions/calendar.yaml is not in place yet")
    cal = vietnam_calendar([2024, 2025], read_overrides(REAL_OVERRIDES))
    for year in (2024, 2025):
        assert all(not cal.is_working_day(d) for d in OFFICIAL_DAYS_OFF[year])
        assert all(cal.is_working_day(d) for d in OFFICIAL_MAKE_UP_DAYS[year])
