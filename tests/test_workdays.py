"""Vietnamese working-day arithmetic against the official 2024 and 2025 calendars."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach_flow.errors import CalendarError
from kehoach_flow.workdays import (
    CalendarOverrides,
    WorkCalendar,
    read_overrides,
    vietnam_calendar,
)

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


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


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


def test_the_real_override_file_parses_and_keeps_the_official_calendar() -> None:
    if not REAL_OVERRIDES.exists():
        pytest.skip("definitions/calendar.yaml is not in place yet")
    cal = vietnam_calendar([2024, 2025], read_overrides(REAL_OVERRIDES))
    for year in (2024, 2025):
        assert all(not cal.is_working_day(d) for d in OFFICIAL_DAYS_OFF[year])
        assert all(cal.is_working_day(d) for d in OFFICIAL_MAKE_UP_DAYS[year])
