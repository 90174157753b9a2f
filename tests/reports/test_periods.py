"""Reporting periods and their data windows under Nghị định 09/2019/NĐ-CP."""

from __future__ import annotations

from datetime import date

import pytest

from kehoach_flow.errors import KehoachError
from kehoach_flow.reports.periods import period, period_for_day


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
