"""Finding the appendix table in a document and reading its rows, whatever the wording.

`find_appendix` picks, from the raw tables of `documents.read_document`, the rows under a
header row that names the usual columns in any of their wordings, skips the header where it
repeats after a page break, and joins a row that a page break cut in two (its continuation
has no number of its own).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kehoach_flow.errors import KehoachError
from kehoach_flow.importing.documents import Cell, RawTable
from kehoach_flow.numbers import MoneyUnit
from kehoach_flow.text import fold, shorten

# Column roles and the folded words that name them in a header cell, most specific first.
ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("number", ("stt", "tt", "so tt")),
    ("funding", ("nguon kinh phi", "nguon von", "nguon kp", "nguon")),
    ("amount", ("kinh phi", "du toan", "so tien")),
    ("content", ("noi dung", "ten nhiem vu", "nhiem vu", "cong viec")),
    ("result", ("ket qua", "san pham")),
    ("lead", ("chu tri", "don vi thuc hien", "co quan thuc hien", "bo phan thuc hien")),
    ("partners", ("phoi hop",)),
    ("start", ("bat dau", "tu ngay")),
    ("end", ("hoan thanh", "ket thuc", "den ngay")),
    ("schedule", ("tien do", "thoi gian", "thoi han")),
    ("note", ("ghi chu",)),
)
# The unit of money (a key of numbers.MONEY_UNITS), as a table's header or its "Đơn vị tính"
# line says it (folded text); đồng when a line names none of these but says đồng.
UNIT_PATTERNS: tuple[tuple[MoneyUnit, re.Pattern[str]], ...] = (
    ("ty", re.compile(r"\bty dong\b|\(\s*ty\s*\)|\bty\b(?! le)")),
    ("trieu", re.compile(r"\btrieu\b|\btr\s*\.?\s*(d|dong)\b|\(\s*tr\s*\.?\s*\)|\btrd\b")),
    ("nghin", re.compile(r"\bnghin\b|\bngan\b|\b1\.?000 (d|dong)\b")),
)
_UNIT_LINE = re.compile(r"\b(don vi tinh|dvt|dv tinh|don vi)\b\s*:?")


@dataclass
class Row:
    cells: dict[str, str]  # role -> text, line breaks kept as "\n"
    bold: bool
    where: str  # "bảng 1, dòng 5": for messages the coordinator can find in the file
    text: str = ""  # every cell of the row, merged ones included, for "Tổng cộng" and the like
    label: str = ""  # the first cell with text: a heading merged across the row sits there
    # (column header, text) of columns with no role ("Địa điểm", "NSTW"): kept in the note
    extra: list[tuple[str, str]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # what reading the row changed

    def get(self, role: str) -> str:
        """The cell's text on one line."""
        return " ".join(self.lines(role))

    def lines(self, role: str) -> list[str]:
        return [line for line in self.cells.get(role, "").split("\n") if line]


@dataclass
class Appendix:
    columns: tuple[str, ...]  # the roles found, in column order
    rows: list[Row] = field(default_factory=list)
    money_unit: MoneyUnit = "dong"
    money_unit_said: bool = False  # False: no unit written anywhere, đồng assumed
    preamble: list[str] = field(default_factory=list)  # the document's text above the table
    closing: list[str] = field(default_factory=list)  # paragraphs after the last table
    # (where, what): tables and text left out (a signature block, a summary, "Phụ lục II")
    skipped: list[tuple[str, str]] = field(default_factory=list)


_SPLIT = ("lead", "schedule")  # header cells that a second header row may split


def role_of(text: str) -> str | None:
    """The role a header cell's text names, if any."""
    words = fold(text)
    for role, names in ROLES:
        if any(_names(words, name) for name in names):
            return role
    return None


def header_roles(cells: Sequence[Cell]) -> dict[int, str] | None:
    """Column index -> role when these cells read as the appendix's header row."""
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        words = fold(cell.text)
        for role, names in ROLES:
            if role in found.values():
                continue
            if any(_names(words, name) for name in names):
                found[index] = role
                break
    return found if "content" in found.values() and len(found) >= 3 else None


def _names(words: str, name: str) -> bool:
    if len(name) <= 3:  # "tt", "stt": the whole cell, not a piece of another word
        return words.strip(" .") == name
    return name in words


def find_appendix(tables: Iterable[RawTable]) -> Appendix:
    """The appendix: the rows under the first header row that names the usual columns.

    The header may take two rows (a "Kinh phí" over "Tổng số", "NSTW", "NSĐP"); it may be
    repeated after a page break, where a row cut in two is joined to its start. A later
    table continues the appendix when it repeats the header or has as many columns; any
    other table (a signature block, a summary sheet) is left out, and said so."""
    reader = _AppendixReader()
    for table in tables:
        reader.table(table)
    return reader.finish()


class _AppendixReader:
    def __init__(self) -> None:
        self.appendix: Appendix | None = None
        self.roles: dict[int, str] = {}
        self.header: list[str] = []  # folded header texts, by column
        self.names: dict[int, str] = {}  # header texts of the columns with no role
        self.width = 0
        self.preamble: list[str] = []
        self.unit_texts: list[str] = []
        self.closed = False  # a heading "Phụ lục II" ended the appendix

    def table(self, table: RawTable) -> None:
        if self.appendix is None:
            self.preamble += table.before
        elif self.closed:
            return
        else:
            heading = next((t for t in table.before if fold(t).startswith("phu luc")), None)
            if heading is not None:  # "Phụ lục II": another appendix, for another purpose
                self.closed = True
                message = f'sau "{shorten(heading, 80)}" là phụ lục khác: không nhập từ đây'
                self.appendix.skipped.append((table.where, message))
                return
            if table.before:
                text = shorten(" ".join(table.before), 80)
                message = f'đoạn văn giữa hai phần của bảng không nhập: "{text}"'
                self.appendix.skipped.append((table.where, message))
        in_header = after_break = False
        data_rows = 0
        for number, cells in enumerate(table.rows, start=1):
            if not any(c.text for c in cells):
                continue
            where = f"{table.where}, dòng {number}"
            found = header_roles(cells)
            if self.appendix is None:
                if found is None:  # a title or "Đơn vị tính" line above the header in a sheet
                    self.preamble.append(" ".join(c.text for c in cells if c.text))
                    continue
                self._start(cells, found)
                in_header = after_break = True
                continue
            if in_header and self._subheader(cells):
                continue
            in_header = False
            if found is not None and self._same_header(cells, found):
                in_header = after_break = True
                continue
            if data_rows == 0 and not after_break and (found or len(cells) != self.width):
                # another table, not the appendix: a summary with a header of its own, or
                # a table of another shape (a signature block, a list)
                message = (
                    "bảng này không cùng cột với bảng phụ lục: không nhập "
                    "(xem lại nếu đây là một phần của phụ lục)"
                )
                self.appendix.skipped.append((where, message))
                return
            self._row(cells, where, after_break)
            data_rows += 1
            after_break = False
        if self.appendix is not None and (data_rows or after_break):
            self.appendix.closing = list(table.after)

    def _start(self, cells: list[Cell], found: dict[int, str]) -> None:
        self.roles = found
        self.header = [fold(c.text) for c in cells]
        self.names = {i: c.text for i, c in enumerate(cells) if c.text and i not in found}
        self.width = len(cells)
        self.appendix = Appendix(tuple(found[i] for i in sorted(found)))
        self.unit_texts = [*_unit_lines(self.preamble[-5:]), *_money_headers(cells, found)]

    def _same_header(self, cells: list[Cell], found: dict[int, str]) -> bool:
        """The header again (after a page break): the same columns, worded the same."""
        return found == self.roles and all(
            fold(cells[i].text) == self.header[i] for i in found if i < len(cells)
        )

    def _subheader(self, cells: list[Cell]) -> bool:
        """The header's second row: cells merged down from the first, or labels splitting a
        column ("Tổng số", "NSTW", "NSĐP" under "Kinh phí"). The total's column becomes the
        amount; the other labels name extra columns, kept in the note."""
        labels: dict[int, str] = {}
        for i, cell in enumerate(cells):
            text = fold(cell.text)
            if not text or cell.merged_above or (i < len(self.header) and text == self.header[i]):
                continue
            if re.fullmatch(r"[\d.,\s-]+", text) or self.roles.get(i) in ("number", "content"):
                return False  # a number or a task's title: data, not a header
            labels[i] = cell.text
        amount = next((i for i, r in self.roles.items() if r == "amount"), None)
        total = next((i for i, t in labels.items() if fold(t).startswith("tong")), None)
        if amount is not None and total is not None and total != amount:
            del self.roles[amount]
            self.roles[total] = "amount"
            self.names.pop(total, None)
            self.names[amount] = labels.get(amount, "")
        for i, label in labels.items():
            role = role_of(label)
            # "Chủ trì" / "Phối hợp" under "Đơn vị thực hiện", "Bắt đầu" / "Hoàn thành" under
            # "Thời gian thực hiện": the split columns take those roles
            if role is not None and (
                role not in self.roles.values() or self.roles.get(i) in _SPLIT
            ):
                self.roles = {k: r for k, r in self.roles.items() if r != role}
                self.roles[i] = role
                self.names.pop(i, None)
            elif i not in self.roles:
                self.names[i] = label
        self.names = {i: n for i, n in self.names.items() if n}
        return True

    def _row(self, cells: list[Cell], where: str, after_break: bool) -> None:
        assert self.appendix is not None
        roles = self.roles
        values = {roles[i]: cells[i].text for i in roles if i < len(cells) and cells[i].text}
        texts = [c.text.replace("\n", " ") for c in cells if c.text]
        content = next((i for i, r in roles.items() if r == "content"), None)
        bold = (  # a heading's title is bold even where its other cells are not
            cells[content].bold
            if content is not None and content < len(cells) and cells[content].text
            else all(c.bold for c in cells if c.text)
        )
        row = Row(values, bold, where, " ".join(texts), texts[0])
        amount = next((i for i, r in roles.items() if r == "amount"), None)
        if amount is not None and amount < len(cells) and cells[amount].merged_above:
            row.cells.pop("amount", None)  # one amount for several rows: kept on the first
            row.remarks.append("ô kinh phí gộp với dòng trên: số tiền chỉ tính ở dòng đầu")
        for i, cell in enumerate(cells):
            if i not in roles and cell.text and not cell.merged_above:
                row.extra.append((self.names.get(i, f"cột {i + 1}"), cell.text.replace("\n", " ")))
        rows = self.appendix.rows
        if after_break and rows and not row.get("number") and _continues(row):
            _join(rows[-1], row)
        else:
            rows.append(row)

    def finish(self) -> Appendix:
        appendix = self.appendix
        if appendix is None:
            raise KehoachError(
                "không thấy bảng phụ lục: cần một dòng tiêu đề có các cột như "
                '"Nội dung công việc", "Đơn vị chủ trì", "Tiến độ"'
            )
        appendix.preamble = self.preamble
        unit = money_unit(self.unit_texts)
        appendix.money_unit = unit or "dong"
        appendix.money_unit_said = unit is not None
        return appendix


def money_unit(texts: Iterable[str]) -> MoneyUnit | None:
    """ "ty", "trieu" or "nghin" when one of `texts` names it, "dong" when đồng is named."""
    for text in texts:
        folded = fold(text)
        for unit, pattern in UNIT_PATTERNS:
            if pattern.search(folded):
                return unit
        if re.search(r"\b(dong|vnd|d)\b", _UNIT_LINE.sub("", folded)):
            return "dong"
    return None


def _unit_lines(lines: list[str]) -> list[str]:
    """Lines that state the unit: "Đơn vị tính: Triệu đồng", "(ĐVT: tr.đ)"."""
    return [line for line in lines if _UNIT_LINE.search(fold(line))]


def _money_headers(cells: Sequence[Cell], roles: dict[int, str]) -> list[str]:
    return [cells[i].text for i, role in roles.items() if role in ("amount", "funding")]


_NOT_CONTINUATION = re.compile(
    r"^(tong cong|tong so|tong|cong\b|bang chu|viet bang chu|\(?bang chu)"
)


_LONG_TEXT_ROLES = {"content", "result", "partners", "note", "funding"}


def _continues(row: Row) -> bool:
    """A page break's second half: no number, plain text that reads as the end of a sentence
    begun above (not a new "-" item, a numbered or bold heading, or a total), and only in
    columns whose text is long enough to run over a page (not the lead or the schedule)."""
    content = row.get("content")
    if row.bold or (content.isupper() and len(content) > 3):
        return False
    if not set(row.cells) <= _LONG_TEXT_ROLES:
        return False
    if _NOT_CONTINUATION.match(fold(row.label)):
        return False
    return not content.startswith(("-", "+", "•")) and not re.match(
        r"^([IVX]+|\d+|[a-zđ])[.)]\s", content
    )


def _join(first: Row, rest: Row) -> None:
    for role, text in rest.cells.items():
        first.cells[role] = f"{first.cells[role]} {text}".strip() if role in first.cells else text
    first.text = f"{first.text} {rest.text}"
    first.extra += rest.extra
