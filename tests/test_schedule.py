"""The "Tiến độ" parser: every form written in real plans, and what it refuses."""

from __future__ import annotations

from datetime import date

import pytest

from kehoach_flow.errors import ScheduleError
from kehoach_flow.schedule import ACCEPTED_FORMS, parse_schedule

CASES = [
    ("Cả năm", (date(2024, 1, 1), date(2024, 12, 31))),
    ("cả  năm", (date(2024, 1, 1), date(2024, 12, 31))),
    ("CẢ NĂM", (date(2024, 1, 1), date(2024, 12, 31))),
    ("Ca nam", (date(2024, 1, 1), date(2024, 12, 31))),
    ("Thường xuyên", (date(2024, 1, 1), date(2024, 12, 31))),
    ("Trong năm 2024", (date(2024, 1, 1), date(2024, 12, 31))),
    ("Trong năm 2025", (date(2025, 1, 1), date(2025, 12, 31))),
    ("Quý 1", (date(2024, 1, 1), date(2024, 3, 31))),
    ("Quý I", (date(2024, 1, 1), date(2024, 3, 31))),
    ("Quý IV", (date(2024, 10, 1), date(2024, 12, 31))),
    ("Quý 1-2", (date(2024, 1, 1), date(2024, 6, 30))),
    ("Quý I-II", (date(2024, 1, 1), date(2024, 6, 30))),
    ("Quý I, II", (date(2024, 1, 1), date(2024, 6, 30))),
    ("Quý II - III", (date(2024, 4, 1), date(2024, 9, 30))),
    ("quý iii", (date(2024, 7, 1), date(2024, 9, 30))),
    ("6 tháng đầu năm", (date(2024, 1, 1), date(2024, 6, 30))),
    ("6 tháng cuối năm", (date(2024, 7, 1), date(2024, 12, 31))),
    ("Tháng 3", (date(2024, 3, 1), date(2024, 3, 31))),
    ("Tháng 2", (date(2024, 2, 1), date(2024, 2, 29))),
    ("Tháng 3-5", (date(2024, 3, 1), date(2024, 5, 31))),
    ("Tháng 3, 4", (date(2024, 3, 1), date(2024, 4, 30))),
    ("Trước 30/6", (date(2024, 1, 1), date(2024, 6, 30))),
    ("Trước ngày 30/6/2024", (date(2024, 1, 1), date(2024, 6, 30))),
    ("Hoàn thành trước 30/6", (date(2024, 1, 1), date(2024, 6, 30))),
    ("Năm 2024-2025", (date(2024, 1, 1), date(2025, 12, 31))),
    ("Giai đoạn 2024-2025", (date(2024, 1, 1), date(2025, 12, 31))),
    ("Giai đoạn 2024 - 2026", (date(2024, 1, 1), date(2026, 12, 31))),
    ("2024-03-01..2024-05-15", (date(2024, 3, 1), date(2024, 5, 15))),
    # forms met when importing appendices
    ("Quý I/2025", (date(2025, 1, 1), date(2025, 3, 31))),
    ("Quý IV / 2024", (date(2024, 10, 1), date(2024, 12, 31))),
    ("Quý II - Quý IV", (date(2024, 4, 1), date(2024, 12, 31))),
    ("Từ quý II đến quý III", (date(2024, 4, 1), date(2024, 9, 30))),
    ("Từ tháng 3 đến tháng 6", (date(2024, 3, 1), date(2024, 6, 30))),
    ("Tháng 3 - tháng 5/2025", (date(2025, 3, 1), date(2025, 5, 31))),
    ("Tháng 6/2025", (date(2025, 6, 1), date(2025, 6, 30))),
    ("Hằng quý", (date(2024, 1, 1), date(2024, 12, 31))),
    ("Hàng tháng", (date(2024, 1, 1), date(2024, 12, 31))),
    ("6 tháng đầu năm 2025", (date(2025, 1, 1), date(2025, 6, 30))),
    ("6 tháng cuối năm", (date(2024, 7, 1), date(2024, 12, 31))),
    ("Đến hết 30/6/2025", (date(2025, 1, 1), date(2025, 6, 30))),
    ("Đến ngày 15/10", (date(2024, 1, 1), date(2024, 10, 15))),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_schedule_expression_maps_to_start_and_due(text: str, expected: tuple[date, date]) -> None:
    window = parse_schedule(text, 2024)
    assert (window.start, window.due) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Sớm",
        "Quý 5",
        "Tháng 13",
        "Trước 31/2",
        "Năm 2025-2024",
        "2024-05-15..",
        "",
        "Quý",
        "Quý I/25",
        "Tháng 3/12",
    ],
)
def test_unknown_schedule_is_refused_with_the_text(text: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, 2024)
    assert caught.value.text == text


def test_every_documented_form_is_accepted() -> None:
    for form in ACCEPTED_FORMS:
        for variant in form.split(" / "):
            parse_schedule(variant, 2024)
