"""Finding the appendix table in a document and reading its rows, whatever the wording.

A document is read into raw tables (cells as text, with whether the cell is bold) by
`read_document`; `find_appendix` picks the rows under a header row that names the usual
columns in any of their wordings, skips the header where it repeats after a page break, and
joins a row that a page break cut in two (its continuation has no number of its own).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kehoach_flow.errors import KehoachError
from kehoach_flow.text import fold

# Column roles and the folded words that name them in a header cell, most specific first.
ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("number", ("stt", "tt", "so tt")),
    ("funding", ("nguon kinh phi", "nguon von")),
    ("amount", ("kinh phi", "du toan", "so tien")),
    ("content", ("noi dung", "ten nhiem vu", "nhiem vu", "cong viec")),
    ("result", ("ket qua", "san pham")),
    ("lead", ("chu tri",)),
    ("partners", ("phoi hop",)),
    ("schedule", ("tien do", "thoi gian", "thoi han")),
    ("note", ("ghi chu",)),
)
MILLION = re.compile(r"(don vi tinh|dvt)\s*:?\s*trieu|\(\s*tr\.?\s*d\s*\)|trieu dong")
THOUSAND = re.compile(r"(don vi tinh|dvt)\s*:?\s*nghin|nghin dong")


@dataclass(frozen=True)
class Cell:
    text: str
    bold: bool = False


@dataclass
class RawTable:
    """One table as found in the file, with the paragraphs around it: the unit of money is
    often just above, the plan's title further up, a total in words just below."""

    rows: list[list[Cell]]
    where: str  # "bảng 2" / "trang tính Sheet1"
    before: list[str] = field(default_factory=list)  # every paragraph since the last table
    after: list[str] = field(default_factory=list)  # paragraphs up to the next table


@dataclass
class Row:
    cells: dict[str, str]  # role -> text, line breaks kept as "\n"
    bold: bool
    where: str  # "bảng 1, dòng 5": for messages the coordinator can find in the file
    text: str = ""  # every cell of the row, merged ones included, for "Tổng cộng" and the like

    def get(self, role: str) -> str:
        """The cell's text on one line."""
        return " ".join(self.lines(role))

    def lines(self, role: str) -> list[str]:
        return [line for line in self.cells.get(role, "").split("\n") if line]


@dataclass
class Appendix:
    columns: tuple[str, ...]  # the roles found, in column order
    rows: list[Row] = field(default_factory=list)
    money_unit: str = "dong"  # dong | nghin | trieu
    preamble: list[str] = field(default_factory=list)  # the document's text above the table
    closing: list[str] = field(default_factory=list)  # paragraphs after the last table


def read_document(path: Path) -> list[RawTable]:
    suffix = path.suffix.lower()
    if suffix in (".docx", ".xlsx", ".csv"):
        _ensure_exists(path)
    if suffix == ".docx":
        return _read_docx(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = [[Cell(_text(c)) for c in row] for row in csv.reader(handle)]
        except UnicodeDecodeError:
            raise KehoachError(
                f'"{path.name}" không phải văn bản UTF-8: lưu lại CSV dạng UTF-8'
            ) from None
        return [RawTable(rows, "tệp CSV")]
    raise KehoachError(f'không đọc được "{path.name}": chỉ nhận .docx, .xlsx hoặc .csv')


def _ensure_exists(path: Path) -> None:
    if not path.is_file():
        raise KehoachError(f'không thấy tệp "{path}"')


def _read_docx(path: Path) -> list[RawTable]:
    from docx import Document

    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise KehoachError(f'không mở được "{path.name}" như một tệp Word (.docx): {exc}') from None
    tables: list[RawTable] = []
    paragraphs: list[str] = []
    body = document.element.body
    by_element = {p._p: p for p in document.paragraphs}
    docx_tables = {t._tbl: t for t in document.tables}
    for child in body.iterchildren():
        if child in by_element:
            text = _text(by_element[child].text)
            if text:
                paragraphs.append(text)
        elif child in docx_tables:
            if tables:
                tables[-1].after = paragraphs
            rows = [_merged_once(row.cells) for row in docx_tables[child].rows]
            tables.append(RawTable(rows, f"bảng {len(tables) + 1}", paragraphs))
            paragraphs = []
    if tables:
        tables[-1].after = paragraphs
    return tables


def _merged_once(cells: Sequence[Any]) -> list[Cell]:
    """A merged cell repeats in python-docx's row.cells, once per grid column it spans: keep
    its text in the first column only, so every column stays under its header."""
    seen: set[int] = set()
    row = []
    for cell in cells:
        if id(cell._tc) in seen:
            row.append(Cell(""))
            continue
        seen.add(id(cell._tc))
        row.append(Cell(_text(cell.text), _bold(cell)))
    return row


def _bold(cell: Any) -> bool:
    runs = [r for p in cell.paragraphs for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _read_xlsx(path: Path) -> list[RawTable]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged file
        raise KehoachError(
            f'không mở được "{path.name}" như một tệp Excel (.xlsx): {exc}'
        ) from None
    tables = []
    for sheet in book.worksheets:
        rows = [
            [Cell(_text(_cell_value(c.value)), bool(c.font and c.font.b)) for c in row]
            for row in sheet.iter_rows()
        ]
        tables.append(RawTable(rows, f"trang tính {sheet.title}"))
    return tables


def _cell_value(value: object) -> str:
    """A spreadsheet value as the plan would write it: 1500.0 -> "1500", 12.5 -> "12,5",
    a date -> "31/12/2024"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _text(value: str) -> str:
    """Spaces folded, line breaks kept (partners are often one per line)."""
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in value.splitlines())
    return "\n".join(line for line in lines if line)


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
    """The appendix rows of every table whose header names its columns; a header repeated
    after a page break is skipped, and a row cut by the break is joined to its start."""
    appendix: Appendix | None = None
    roles: dict[int, str] = {}
    preamble: list[str] = []
    unit_context: list[str] = []
    for table in tables:
        if appendix is None:
            preamble += table.before
        after_break = False
        for number, cells in enumerate(table.rows, start=1):
            found = header_roles(cells)
            if found is not None:
                if appendix is None:
                    roles = found
                    appendix = Appendix(tuple(found[i] for i in sorted(found)))
                    unit_context = [*preamble[-5:], *(c.text for c in cells)]
                after_break = True
                continue
            if not any(c.text for c in cells):
                continue
            if appendix is None:  # a title or "Đơn vị tính" line above the header in a sheet
                preamble.append(" ".join(c.text for c in cells if c.text))
                continue
            values = {roles[i]: cells[i].text for i in roles if i < len(cells) and cells[i].text}
            text = " ".join(c.text for c in cells if c.text).replace("\n", " ")
            where = f"{table.where}, dòng {number}"
            row = Row(values, all(c.bold for c in cells if c.text), where, text)
            if after_break and appendix.rows and not row.get("number") and _continues(row):
                _join(appendix.rows[-1], row)
            else:
                appendix.rows.append(row)
            after_break = False
        if appendix is not None and table.rows:
            appendix.closing = list(table.after)
    if appendix is None:
        raise KehoachError(
            "không thấy bảng phụ lục: cần một dòng tiêu đề có các cột như "
            '"Nội dung công việc", "Đơn vị chủ trì", "Tiến độ"'
        )
    appendix.preamble = preamble
    folded = fold(" ".join(unit_context))
    appendix.money_unit = (
        "trieu" if MILLION.search(folded) else "nghin" if THOUSAND.search(folded) else "dong"
    )
    return appendix


def _continues(row: Row) -> bool:
    """A page break's second half: no number, and text that reads as the end of a sentence
    begun above (not a new "-" item or a numbered section)."""
    content = row.get("content")
    return not content.startswith(("-", "+", "•")) and not re.match(
        r"^([IVX]+|\d+|[a-zđ])[.)]\s", content
    )


def _join(first: Row, rest: Row) -> None:
    for role, text in rest.cells.items():
        first.cells[role] = f"{first.cells[role]} {text}".strip() if role in first.cells else text
    first.text = f"{first.text} {rest.text}"
