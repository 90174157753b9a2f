"""Reporting periods and their data windows under Nghị định 09/2019/NĐ-CP."""

from __future__ import annotations

from datetime import date

import pytest

from kehoach_flow.errors import KehoachError
from kehoach_flow.reports.periods import period, period_for_day, plan_cutoff_day, report_cutoffs


@pytest.mark.parametrize(
    ("kind", "start", "cutoff", "title"),
    [
        ("q1", date(2023, 12, 15), date(2024, 3, 14), "quý I năm 2024"),
        ("q2", date(2024, 3, 15), date(2024, 6, 14), "quý II năm 2024"),
        ("q3", date(2024, 6, 15), date(2024, 9, 14), "quý III năm 2024"),
        ("q4", date(2024, 9, 15), date(2024, 12, 14), "quý IV năm 2024"),
        ("6m", date(2023, 12, 15), date(2024, 6, 14), "6 tháng đầu năm 2024"),
        ("9m", date(2023, 12, 15), date(2024, 9, 14), "9 tháng đầu năm 2024"),
        ("year", date(2023, 12, 15), date(2024, 12, 14), "năm 2024"),
    ],
)
def test_period_windows(kind: str, start: date, cutoff: date, title: str) -> None:
    p = period(kind, 2024)
    assert (p.start, p.cutoff) == (start, cutoff)
    assert p.title == title


def test_unknown_period_lists_the_choices() -> None:
    with pytest.raises(KehoachError, match="q1, q2"):
        period("q5", 2024)


def test_the_report_due_the_day_after_a_cut_off() -> None:
    assert period_for_day(date(2024, 3, 15)).kind == "q1"  # type: ignore[union-attr]
    assert period_for_day(date(2024, 6, 15)).kind == "6m"  # type: ignore[union-attr]
    assert period_for_day(date(2024, 12, 15)).kind == "year"  # type: ignore[union-attr]
    assert period_for_day(date(2024, 12, 16)) is None


@pytest.mark.parametrize(
    ("kind", "start", "cutoff"),
    [
        ("q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("q2", date(2024, 4, 1), date(2024, 6, 30)),
        ("q4", date(2024, 10, 1), date(2024, 12, 31)),
        ("6m", date(2024, 1, 1), date(2024, 6, 30)),
        ("year", date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_calendar_periods_with_cutoff_at_month_end(kind: str, start: date, cutoff: date) -> None:
    p = period(kind, 2024, "end")
    assert (p.start, p.cutoff) == (start, cutoff)


def test_another_cutoff_day_moves_both_ends_of_the_window() -> None:
    p = period("q3", 2024, 20)
    assert (p.start, p.cutoff) == (date(2024, 6, 21), date(2024, 9, 20))
    assert report_cutoffs(2024, 20) == [date(2024, m, 20) for m in (3, 6, 9, 12)]
    assert report_cutoffs(2024) == [date(2024, m, 14) for m in (3, 6, 9, 12)]
    assert report_cutoffs(2025, "end")[0] == date(2025, 3, 31)


@pytest.mark.parametrize("bad", [0, 29, 31, "cuối", True])
def test_a_cutoff_day_outside_1_to_28_or_end_is_refused(bad: object) -> None:
    with pytest.raises(KehoachError, match="từ 1 đến 28"):
        period("q1", 2024, bad)  # type: ignore[arg-type]


def test_the_yearly_report_of_calendar_periods_is_due_on_new_year() -> None:
    due = period_for_day(date(2025, 1, 1), "end")
    assert due is not None and (due.kind, due.year) == ("year", 2024)
    assert period_for_day(date(2024, 7, 1), "end").kind == "6m"  # type: ignore[union-attr]


def test_a_plan_cutoff_day_wins_over_the_installation() -> None:
    assert plan_cutoff_day({"report_cutoff_day": "end"}, 14) == "end"
    assert plan_cutoff_day({"report_cutoff_day": None}, 20) == 20
    assert plan_cutoff_day(None) == 14
