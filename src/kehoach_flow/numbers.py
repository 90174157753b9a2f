"""Vietnamese numbers: amounts of money as written in plans, read into integer đồng."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from kehoach_flow.errors import AmountError
from kehoach_flow.text import fold

MoneyUnit = Literal["dong", "nghin", "trieu", "ty"]


@dataclass(frozen=True)
class MoneyUnitDef:
    """A unit of money as plans and their tables write it."""

    key: MoneyUnit
    factor: int  # in đồng
    label: str  # as a table's "Đơn vị tính" says it: "triệu đồng"
    word: str  # written after a number: "1.500,5 triệu"
    spellings: tuple[str, ...]  # the words read after a number, folded: "tr.d", "trieu dong"


# The one table of money units: amounts read by `parse_amount`, tables written by
# `format_money` and appendices imported in any of these units.
MONEY_UNITS: tuple[MoneyUnitDef, ...] = (
    MoneyUnitDef("dong", 1, "đồng", "đ", ("d", "dong", "vnd")),
    MoneyUnitDef(
        "nghin", 1_000, "nghìn đồng", "nghìn", ("nghin", "ngan", "nghin dong", "ngan dong")
    ),
    MoneyUnitDef(
        "trieu", 1_000_000, "triệu đồng", "triệu", ("trieu", "tr", "tr.d", "trd", "trieu dong")
    ),
    MoneyUnitDef("ty", 1_000_000_000, "tỷ đồng", "tỷ", ("ty", "ti", "ty dong", "ti dong")),
)
MONEY_UNIT_BY_KEY: dict[MoneyUnit, MoneyUnitDef] = {unit.key: unit for unit in MONEY_UNITS}
UNIT_FACTORS: dict[str, int] = {unit.key: unit.factor for unit in MONEY_UNITS}
MONEY_UNIT_LABELS: dict[str, str] = {unit.key: unit.label for unit in MONEY_UNITS}
_WORD_FACTORS: dict[str, int] = {
    spelling: unit.factor for unit in MONEY_UNITS for spelling in unit.spellings
}

ACCEPTED_UNIT_WORDS = "đ, đồng, nghìn, triệu, tr.đ, tỷ"
MAX_AMOUNT = 10**15  # a million tỷ: above any plan's line, and sums stay within 64 bits

_NUMBER = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?")


def _parse_number(text: str) -> Decimal | None:
    match = _NUMBER.fullmatch(text)
    if not match:
        return None
    whole = match.group(1).replace(".", "")
    fraction = match.group(2) or "0"
    return Decimal(f"{whole}.{fraction}")


def parse_amount(value: object, money_unit: MoneyUnit = "dong") -> int:
    """Read an amount ("466 triệu", "1,5 tỷ", "49.000.000 đ", or a bare number) into đồng."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise AmountError(str(value), "cần một số hoặc chuỗi như “466 triệu”")
    if isinstance(value, int):
        if value < 0:
            raise AmountError(str(value), "số tiền không được âm")
        if value * UNIT_FACTORS[money_unit] > MAX_AMOUNT:
            raise AmountError(
                str(value), "số tiền quá lớn (hơn một triệu tỷ đồng): kiểm tra đơn vị tính"
            )
        return value * UNIT_FACTORS[money_unit]
    text = value.strip()
    if text.startswith("-"):
        raise AmountError(value, "số tiền không được âm")
    head = re.match(r"[\d.,]+", text)
    if head is None:
        raise AmountError(value, "không phải là số")
    number = _parse_number(head.group(0).rstrip(".,"))
    if number is None:
        raise AmountError(value, "số viết sai; dùng dấu chấm ngăn hàng nghìn, dấu phẩy thập phân")
    word = fold(text[head.end() :]).rstrip(".")
    if word == "":
        factor = UNIT_FACTORS[money_unit]
    elif word in _WORD_FACTORS:
        factor = _WORD_FACTORS[word]
    else:
        raise AmountError(value, f"đơn vị tiền không rõ; dùng {ACCEPTED_UNIT_WORDS}")
    dong = number * factor
    if dong != dong.to_integral_value():
        raise AmountError(value, "số tiền phải tròn đồng")
    if dong > MAX_AMOUNT:
        raise AmountError(value, "số tiền quá lớn (hơn một triệu tỷ đồng): kiểm tra đơn vị tính")
    return int(dong)


def format_number(value: int) -> str:
    """1977000000 -> "1.977.000.000" (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


_SWAP_SEPARATORS = str.maketrans(",.", ".,")


def format_decimal(value: float | Decimal | int, places: int = 1) -> str:
    """1977.5 -> "1.977,5", 53.84 -> "53,8", 50.0 -> "50": Vietnamese thousands "." and
    decimal ",", rounded to `places` (half up), no trailing zeros."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}" if places else f"{rounded:,.0f}"
    if places:
        text = text.rstrip("0").rstrip(".")
    text = text.translate(_SWAP_SEPARATORS)
    return "0" if text in ("-0", "") else text


def format_percent(value: float) -> str:
    """53.84 -> "53,8%", 50.0 -> "50%" (one decimal at most, decimal comma)."""
    return f"{format_decimal(value, 1)}%"


def format_money(dong: int, unit: MoneyUnit = "dong") -> str:
    """An amount in đồng written in `unit`, as a table in that unit shows it:
    1977500000 in "trieu" -> "1.977,5"; in "dong" -> "1.977.500.000". Three decimals at
    most: to the đồng in nghìn đồng, to the nghìn đồng in triệu đồng (where a spending
    reported to the đồng is rounded, as a table in triệu đồng writes it)."""
    factor = UNIT_FACTORS[unit]
    if factor == 1:
        return format_number(dong)
    return format_decimal(Decimal(dong) / factor, 3)


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu")
_BILLION = 1_000_000_000


def _group_words(n: int, full: bool) -> list[str]:
    """Words of 0 < n < 1000; `full` also reads leading zeros ("không trăm linh năm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 5 and tens >= 1:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _below_billion(n: int, full: bool) -> list[str]:
    groups = [n // 1_000_000, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    for value, scale in zip(groups, reversed(_SCALES), strict=True):
        if value:
            words += _group_words(value, full or bool(words))
            if scale:
                words.append(scale)
    return words


def _words(n: int, full: bool = False) -> list[str]:
    if n >= _BILLION:
        head = [*_words(n // _BILLION, full), "tỷ"]
        rest = n % _BILLION
        return head + (_below_billion(rest, True) if rest else [])
    return _below_billion(n, full)


def number_in_words(n: int) -> str:
    """2024 -> "Hai nghìn không trăm hai mươi bốn" (up to 10^15 and beyond, not negative)."""
    if n < 0:
        raise ValueError("số âm")
    text = " ".join(_words(n)) if n else "không"
    return text[0].upper() + text[1:]


def amount_in_words(dong: int) -> str:
    """1977000000 -> "Một tỷ chín trăm bảy mươi bảy triệu đồng"."""
    return f"{number_in_words(dong)} đồng"


_DIGIT_WORDS = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "nham": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
_SCALE_WORDS = {
    "nghin": 1_000,
    "ngan": 1_000,
    "trieu": 1_000_000,
    "ty": 1_000_000_000,
    "ti": 1_000_000_000,
}
_FILLER_WORDS = {"linh", "le", "dong", "chan", "viet", "bang", "chu", "so", "tien", "vnd", "./."}


def parse_number_words(text: str) -> int | None:
    """A number written in words, as under a budget table: "Một tỷ chín trăm bảy mươi bảy
    triệu đồng chẵn" -> 1977000000. Regional spellings (ngàn, tỉ, lăm, tư, mốt) are read;
    None when the text is not a number in words."""
    words = re.findall(r"[a-z]+", fold(text))
    total = 0  # the groups closed by a scale word so far
    group = 0  # the part below a thousand being read
    digit: int | None = None
    seen = False
    for word in words:
        if word in _DIGIT_WORDS:
            if digit is not None:  # "hai ba" is not a number
                return None
            digit = _DIGIT_WORDS[word]
        elif word == "muoi":  # "mười" (ten) alone, or "mươi" (tens) after a digit
            group += 10 * digit if digit is not None else 10
            digit = None
        elif word == "tram":
            if digit is None:
                return None
            group += 100 * digit
            digit = None
        elif word in _SCALE_WORDS:
            scale = _SCALE_WORDS[word]
            value = group + (digit or 0)
            # "một nghìn tỷ": a bigger scale after a smaller one multiplies what came before
            total = (total + value) * scale if total < scale else total + value * scale
            group, digit = 0, None
        elif word in _FILLER_WORDS:
            continue
        else:
            return None
        seen = True
    if not seen:
        return None
    return total + group + (digit or 0)
