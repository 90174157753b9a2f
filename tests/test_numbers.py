"""Amounts of money as written in plans, read into integer đồng."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehoach_flow.errors import AmountError
from kehoach_flow.numbers import format_number, parse_amount


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("466 triệu", "dong", 466_000_000),
        ("1,5 tỷ", "dong", 1_500_000_000),
        ("49.000.000 đ", "dong", 49_000_000),
        ("39 tr.đ", "dong", 39_000_000),
        ("39 Triệu đồng", "dong", 39_000_000),
        ("500 nghìn", "dong", 500_000),
        ("1.977,5 triệu", "dong", 1_977_500_000),
        (10, "trieu", 10_000_000),
        (10, "nghin", 10_000),
        (10, "dong", 10),
        ("10", "trieu", 10_000_000),
        (0, "dong", 0),
    ],
)
def test_amount_is_read_into_dong(value: object, unit: str, expected: int) -> None:
    assert parse_amount(value, unit) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (-5, "âm"),
        ("-5 triệu", "âm"),
        ("nhiều tiền", "không phải là số"),
        ("5 đô la", "đơn vị tiền không rõ"),
        ("1.5 triệu", "số viết sai"),
        ("0,5 đ", "tròn đồng"),
        (1.5, "cần một số"),
        (True, "cần một số"),
    ],
)
def test_bad_amount_is_refused_with_a_reason(value: object, reason: str) -> None:
    with pytest.raises(AmountError, match=reason):
        parse_amount(value)


@given(st.integers(min_value=0, max_value=10**15))
def test_formatted_number_reads_back(value: int) -> None:
    assert parse_amount(f"{format_number(value)} đ") == value


def test_format_number_uses_dots_for_thousands() -> None:
    assert format_number(1_977_000_000) == "1.977.000.000"
