"""Amounts of money as written in plans, read into integer đồng."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehoach_flow.errors import AmountError
from kehoach_flow.numbers import amount_in_words, format_number, number_in_words, parse_amount


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
        ("1,5", "ty", 1_500_000_000),
        (2, "ty", 2_000_000_000),
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
        ("100.000.000.000 tỷ", "quá lớn"),  # would not fit the database's 64-bit integers
        (10**16, "quá lớn"),
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


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "Không"),
        (5, "Năm"),
        (10, "Mười"),
        (15, "Mười lăm"),
        (21, "Hai mươi mốt"),
        (25, "Hai mươi lăm"),
        (105, "Một trăm linh năm"),
        (110, "Một trăm mười"),
        (1_050, "Một nghìn không trăm năm mươi"),
        (2_024, "Hai nghìn không trăm hai mươi bốn"),
        (1_005_000, "Một triệu không trăm linh năm nghìn"),
        (1_000_000_005, "Một tỷ không trăm linh năm"),
        (1_977_000_000, "Một tỷ chín trăm bảy mươi bảy triệu"),
        (1_000_000_000_000, "Một nghìn tỷ"),
        (10**15, "Một triệu tỷ"),
    ],
)
def test_number_in_words(value: int, words: str) -> None:
    assert number_in_words(value) == words


def test_amount_in_words_ends_with_dong() -> None:
    assert amount_in_words(1_977_000_000) == "Một tỷ chín trăm bảy mươi bảy triệu đồng"


def _read_words(text: str) -> int:
    """An independent reader of Vietnamese number words, to check the writer against."""
    names = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
    digits = {w: i for i, w in enumerate(names)} | {"mốt": 1, "lăm": 5}
    words = text.lower().split()
    total = part = group = 0
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if word in digits:
            group += digits[word] * {"trăm": 100, "mươi": 10}.get(after, 1)
        elif word == "mười":
            group += 10
        elif word == "nghìn":
            part, group = part + group * 1000, 0
        elif word == "triệu":
            part, group = part + group * 1_000_000, 0
        elif word == "tỷ":
            total, part, group = (total + part + group) * 1_000_000_000, 0, 0
    return total + part + group


@given(st.integers(min_value=0, max_value=10**15))
def test_words_read_back_for_every_number_up_to_a_million_billion(value: int) -> None:
    assert _read_words(number_in_words(value)) == value


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_each_thousand_group_reads_the_same_wherever_it_stands(high: int, low: int) -> None:
    words = number_in_words(high * 1000 + low).lower()
    assert words.startswith(number_in_words(high).lower() + " nghìn")
    if low:
        tail = words.removeprefix(number_in_words(high).lower() + " nghìn ")
        assert tail.startswith("không trăm") == (low < 100)
