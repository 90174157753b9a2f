"""The plan's header as the import writes it: title, year and coordinating unit (given or
guessed from the document), the unit money was written in, funding sources, the declared
total, and the total written in words checked against it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kehoach_flow.errors import KehoachError
from kehoach_flow.importing.appendix import Appendix
from kehoach_flow.importing.cells import amount_in
from kehoach_flow.importing.imported import Finding
from kehoach_flow.importing.outline import IN_WORDS, InWords, Node, TableParts, all_rows
from kehoach_flow.importing.units import UnitKeys
from kehoach_flow.importing.values import FundingSources
from kehoach_flow.importing.yamlout import Mapping, plain_value
from kehoach_flow.numbers import (
    MONEY_UNIT_BY_KEY,
    MoneyUnit,
    amount_in_words,
    format_number,
    parse_number_words,
)
from kehoach_flow.text import fold

T = TypeVar("T")


@dataclass(frozen=True)
class Guess(Generic[T]):
    """A header value, with the review note the file carries when the import guessed it."""

    value: T
    note: str | None = None


@dataclass(frozen=True)
class Total:
    """The amount of the table's "Tổng cộng" row, in đồng, and the row."""

    amount: int
    where: str


def plan_title(preamble: list[str], plan_key: str) -> Guess[str]:
    """The line after "KẾ HOẠCH" (or the rest of a "Kế hoạch ..." line), else the first long
    line of the document."""
    for n, line in enumerate(preamble):
        folded = fold(line)
        if folded == "ke hoach" and n + 1 < len(preamble):
            return Guess(preamble[n + 1])
        if folded.startswith("ke hoach ") and len(folded) > 20:
            return Guess(line[len("kế hoạch") :].strip(" :"))
    for line in preamble:
        folded = fold(line)
        if len(folded) > 20 and not folded.startswith(("phu luc", "don vi tinh", "(ban hanh")):
            return Guess(line, "tên kế hoạch lấy từ dòng đầu của tệp")
    return Guess(f"Kế hoạch {plan_key}", "không thấy tên kế hoạch trong tệp: ghi tên đầy đủ")


def plan_year(given: int | None, title: str, appendix: Appendix) -> Guess[int]:
    """The year given, else from the plan's title ("... năm 2025"), else the year its rows
    name most (a plan cites last year's documents, so the rest of the text comes last)."""
    if given is not None:
        return Guess(given)
    table = [r.get(role) for r in appendix.rows for role in ("schedule", "funding")]
    for texts, said in (
        ([title], "tên kế hoạch"),
        (table, "tiến độ và nguồn kinh phí trong bảng"),
        (appendix.preamble, "phần đầu văn bản"),
    ):
        years = Counter(int(y) for t in texts for y in re.findall(r"\b(20\d\d)\b", t))
        if years:
            year = years.most_common(1)[0][0]
            return Guess(year, f"năm {year} lấy từ {said}; nếu sai, nhập lại với --year")
    raise KehoachError("không thấy năm của kế hoạch trong tệp: thêm --year, ví dụ --year 2025")


def plan_coordinator(
    given: str | None, kept: str | None, roots: list[Node], units: UnitKeys
) -> Guess[str]:
    """The unit given (by key or name), else the one the file being replaced names, else
    the department's own unit the table names most."""
    if not given and kept in units.units:
        return Guess(kept)  # as the file being replaced says
    if given:
        if given in units.units:
            return Guess(given)
        match = units.matcher.match(given)
        if match is None or match.key is None:
            raise KehoachError(
                f'--coordinator "{given}": không có đơn vị này trong units.yaml (ghi khóa, ví dụ qltcdlcl)'
            )
        return Guess(match.key)
    counts: Counter[str] = Counter()
    for row in all_rows(roots):
        for role in ("lead", "partners"):
            for match in units.matcher.split(row.cells.get(role, "")):
                unit = units.units.get(match.key or "")
                if unit is not None and unit.kind == "internal":
                    counts[unit.key] += 1
    if not counts:
        raise KehoachError("không đoán được phòng chủ trì kế hoạch: thêm --coordinator KHÓA_ĐƠN_VỊ")
    key = counts.most_common(1)[0][0]
    return Guess(key, "đơn vị được nêu nhiều nhất trong bảng; sửa nếu phòng khác chủ trì kế hoạch")


def plan_total(parts: TableParts, money_unit: MoneyUnit) -> Total | None:
    if parts.total is None:
        return None
    amount = amount_in(parts.total, money_unit)
    return None if amount is None else Total(amount, parts.total.where)


def money_unit_note(
    appendix: Appendix, amounts: int, largest: int
) -> tuple[str | None, Finding | None]:
    """The review note on `money_unit: dong` (amounts were converted, or no unit was said),
    and a finding when, with no unit said, every amount is too small to be in đồng."""
    unit = appendix.money_unit
    if unit != "dong":
        label = MONEY_UNIT_BY_KEY[unit].label
        return f"bảng ghi số tiền bằng {label}; ở đây đã đổi ra đồng", None
    if appendix.money_unit_said or not amounts:
        return None, None
    note = (
        "bảng không ghi đơn vị tính: số tiền hiểu là đồng; nếu bảng tính bằng triệu "
        'đồng, thêm dòng "Đơn vị tính: triệu đồng" rồi nhập lại'
    )
    if largest >= 100_000:
        return note, None
    message = (
        "bảng không ghi đơn vị tính và mọi số tiền đều dưới 100.000 đồng: có lẽ "
        'bảng tính bằng triệu đồng; thêm dòng "Đơn vị tính: triệu đồng" rồi nhập lại'
    )
    return note, Finding(None, message)


@dataclass(frozen=True)
class HeaderValues:
    """What the header is written from, each step's result."""

    plan_key: str
    title: Guess[str]
    year: Guess[int]
    coordinator: Guess[str]
    kept: dict[str, Any]  # fields of the replaced file's header that an import never writes
    money_note: str | None
    sources: FundingSources
    total: Total | None


def plan_header(values: HeaderValues) -> Mapping:
    """The `plan:` mapping, in the order of the format's example, with its review notes."""
    header = Mapping()
    header.add("key", values.plan_key)
    header.add("title", values.title.value, values.title.note)
    for name, value in values.kept.items():
        header.add(name, plain_value(value))
    header.add("year", values.year.value, values.year.note)
    header.add("coordinator", values.coordinator.value, values.coordinator.note)
    header.add("money_unit", "dong", values.money_note)
    sources = Mapping()
    for source in values.sources.used():
        others = [s for s in source.spellings if s != source.title]
        note = "gộp các cách viết: " + "; ".join(f'"{s}"' for s in others) if others else None
        sources.add(source.key, source.title, note)
    header.add("funding_sources", sources if sources.entries else None)
    if values.total is not None:
        header.add("total", values.total.amount)
        header.entries[-1].where = values.total.where
    return header


def check_words(words: InWords | None, total: Total | None, money_unit: MoneyUnit) -> list[Finding]:
    """The total written in words against the "Tổng cộng" row (in đồng, or in the table's
    unit, as "Bằng chữ" may count)."""
    if words is None:
        return []
    written = IN_WORDS.split(fold(words.text), maxsplit=1)[-1]
    value = parse_number_words(written)
    if value is None:
        return [Finding(words.where, f'không đọc được số tiền viết bằng chữ "{words.text}"')]
    if total is None:
        message = "có dòng viết bằng chữ nhưng không có dòng tổng cộng để đối chiếu"
        return [Finding(words.where, message)]
    factor = MONEY_UNIT_BY_KEY[money_unit].factor
    if value == total.amount or value * factor == total.amount:
        return []
    message = (
        f"số viết bằng chữ ({format_number(value)}) khác tổng cộng "
        f"{format_number(total.amount)} đ ({amount_in_words(total.amount)})"
    )
    return [Finding(words.where, message, True)]
