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
    """One table as found in the file, with the text just before it (units are often there)."""

    rows: list[list[Cell]]
    where: str  # "bảng 2" / "trang tính Sheet1"
    before: str = ""


@dataclass
class Row:
    cells: dict[str, str]
    bold: bool
    where: str  # "bảng 1, dòng 5": for messages the coordinator can find in the file

    def get(self, role: str) -> str:
        return self.cells.get(role, "")


@dataclass
class Appendix:
    columns: tuple[str, ...]  # the roles found, in column order
    rows: list[Row] = field(default_factory=list)
    money_unit: str = "dong"  # dong | nghin | trieu


def read_document(path: Path) -> list[RawTable]:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _read_docx(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [[Cell(c.strip()) for c in row] for row in csv.reader(handle)]
        return [RawTable(rows, "tệp CSV")]
    raise KehoachError(f'không đọc được "{path.name}": chỉ nhận .docx, .xlsx hoặc .csv')


def _read_docx(path: Path) -> list[RawTable]:
    from docx import Document

    document = Document(str(path))
    tables: list[RawTable] = []
    before: list[str] = []
    body = document.element.body
    paragraphs = {p._p: p for p in document.paragraphs}
    docx_tables = {t._tbl: t for t in document.tables}
    for child in body.iterchildren():
        if child in paragraphs:
            before.append(paragraphs[child].text)
        elif child in docx_tables:
            rows = []
            for row in docx_tables[child].rows:
                rows.append([Cell(_text(c.text), _bold(c)) for c in _unique_cells(row.cells)])
            tables.append(RawTable(rows, f"bảng {len(tables) + 1}", "\n".join(before[-5:])))
            before = []
    return tables


def _unique_cells(cells: Sequence[Any]) -> list[Any]:
    """Merged cells repeat in python-docx's row.cells; keep each once, in order."""
    seen, unique = set(), []
    for cell in cells:
        key = id(cell._tc)
        if key not in seen:
            seen.add(key)
            unique.append(cell)
    return unique


def _bold(cell: Any) -> bool:
    runs = [r for p in cell.paragraphs for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _read_xlsx(path: Path) -> list[RawTable]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=False, data_only=True)
    tables = []
    for sheet in book.worksheets:
        rows = [
            [
                Cell(_text("" if c.value is None else str(c.value)), bool(c.font and c.font.b))
                for c in row
            ]
            for row in sheet.iter_rows()
        ]
        tables.append(RawTable(rows, f"trang tính {sheet.title}"))
    return tables


def _text(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


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
    context = ""
    for table in tables:
        context += "\n" + table.before
        after_break = False
        for number, cells in enumerate(table.rows, start=1):
            found = header_roles(cells)
            if found is not None:
                context += " " + " ".join(c.text for c in cells)
                if appendix is None:
                    roles = found
                    appendix = Appendix(tuple(found[i] for i in sorted(found)))
                after_break = True
                continue
            if appendix is None or not any(c.text for c in cells):
                continue
            values = {roles[i]: cells[i].text for i in roles if i < len(cells) and cells[i].text}
            row = Row(values, all(c.bold for c in cells if c.text), f"{table.where}, dòng {number}")
            if after_break and appendix.rows and not row.get("number") and _continues(row):
                _join(appendix.rows[-1], row)
            else:
                appendix.rows.append(row)
            after_break = False
    if appendix is None:
        raise KehoachError(
            "không thấy bảng phụ lục: cần một dòng tiêu đề có các cột như "
            '"Nội dung công việc", "Đơn vị chủ trì", "Tiến độ"'
        )
    folded = fold(context)
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
