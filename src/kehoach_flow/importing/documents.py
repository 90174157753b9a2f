"""Reading a Word, Excel or CSV file into raw tables: cells as text, with whether a cell is
bold or merged with the one above, and the paragraphs around each table."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kehoach_flow.errors import KehoachError


@dataclass(frozen=True)
class Cell:
    text: str
    bold: bool = False
    merged_above: bool = False  # one cell with the row above (merged down the column)


@dataclass
class RawTable:
    """One table as found in the file, with the paragraphs around it: the unit of money is
    often just above, the plan's title further up, a total in words just below."""

    rows: list[list[Cell]]
    where: str  # "bảng 2" / "trang tính Sheet1"
    before: list[str] = field(default_factory=list)  # every paragraph since the last table
    after: list[str] = field(default_factory=list)  # paragraphs up to the next table


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
                sample = handle.read(8192)
                handle.seek(0)
                rows = [
                    [Cell(_text(c)) for c in row] for row in csv.reader(handle, _dialect(sample))
                ]
        except UnicodeDecodeError:
            raise KehoachError(
                f'"{path.name}" không phải văn bản UTF-8: lưu lại CSV dạng UTF-8'
            ) from None
        return [RawTable(rows, "tệp CSV")]
    raise KehoachError(f'không đọc được "{path.name}": chỉ nhận .docx, .xlsx hoặc .csv')


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma, or the semicolon Excel writes where the decimal separator is a comma."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _ensure_exists(path: Path) -> None:
    if not path.is_file():
        raise KehoachError(f'không thấy tệp "{path}"')


def _read_docx(path: Path) -> list[RawTable]:
    from docx import Document

    try:
        document = Document(str(path))
    except Exception:  # python-docx raises several kinds for a damaged file
        raise KehoachError(
            f'không mở được "{path.name}" như một tệp Word .docx (tệp hỏng, rỗng, hoặc là tệp '
            '.doc cũ đổi tên): mở bằng Word hay LibreOffice, "Lưu thành" .docx rồi nhập lại'
        ) from None
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
            paragraphs += _text_boxes(child)
        elif child in docx_tables:
            if tables:
                tables[-1].after = paragraphs
            rows = _docx_rows(docx_tables[child])
            tables.append(RawTable(rows, f"bảng {len(tables) + 1}", paragraphs))
            paragraphs = []
    if tables:
        tables[-1].after = paragraphs
    return tables


def _cell_text(cell: Any) -> str:
    """A cell's text, with a table nested in it as one line per row ("Chợ Đông Hà | 10 cân"):
    python-docx leaves nested tables out of cell.text."""
    lines = [cell.text]
    for nested in cell.tables:
        for row in _docx_rows(nested):
            texts = [c.text.replace("\n", " ") for c in row if c.text]
            if texts:
                lines.append(" | ".join(texts))
    return "\n".join(lines)


def _text_boxes(element: Any) -> list[str]:
    """Paragraphs in the text boxes anchored in a paragraph ("Đơn vị tính" is often one)."""
    found = []
    for box in element.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}txbxContent"
    ):
        for paragraph in box.iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
        ):
            text = _text("".join(t.text or "" for t in paragraph.iter(_W_T)))
            if text and text not in found:  # Word stores a box twice (DrawingML and VML)
                found.append(text)
    return found


_W_T = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"


def _docx_rows(table: Any) -> list[list[Cell]]:
    """A merged cell repeats in python-docx's row.cells, once per grid column it spans and
    once per row it spans: across, its text stays in the first column only, so each column
    stays under its header; down, each row has it, marked as merged with the row above.
    (Cells are compared as the XML elements themselves, held while compared: lxml may reuse
    the id of an element proxy that was let go.)"""
    rows: list[list[Cell]] = []
    above: list[Any] = []
    for docx_row in table.rows:
        elements = [cell._tc for cell in docx_row.cells]
        row = []
        for column, (cell, element) in enumerate(zip(docx_row.cells, elements, strict=True)):
            if any(element is e for e in elements[:column]):
                row.append(Cell(""))
                continue
            down = column < len(above) and above[column] is element
            row.append(Cell(_text(_cell_text(cell)), _bold(cell), down))
        rows.append(row)
        above = elements
    return rows


def _bold(cell: Any) -> bool:
    runs = [r for p in cell.paragraphs for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _read_xlsx(path: Path) -> list[RawTable]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=False, data_only=True)
    except Exception:  # openpyxl raises several kinds for a damaged file
        raise KehoachError(
            f'không mở được "{path.name}" như một tệp Excel .xlsx (tệp hỏng, rỗng, hoặc là tệp '
            '.xls cũ đổi tên): mở bằng Excel hay LibreOffice, "Lưu thành" .xlsx rồi nhập lại'
        ) from None
    formulas = load_workbook(path, read_only=False, data_only=False)
    return [_sheet_table(sheet, formulas[sheet.title]) for sheet in book.worksheets]


def _sheet_table(sheet: Any, written: Any) -> RawTable:
    """One sheet's cells: a cell merged down a column repeats the top cell's value, marked;
    a formula the file holds no computed value for keeps its text ("=E4+E5")."""
    down: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        if merged.min_col == merged.max_col and merged.max_row > merged.min_row:
            top = sheet.cell(row=merged.min_row, column=merged.min_col).value
            for r in range(merged.min_row + 1, merged.max_row + 1):
                down[(r, merged.min_col)] = top
    rows = []
    for row in sheet.iter_rows():
        cells = []
        for c in row:
            if (c.row, c.column) in down:
                cells.append(Cell(_text(_cell_value(down[c.row, c.column])), False, True))
                continue
            value = c.value
            if value is None:
                formula = written.cell(row=c.row, column=c.column).value
                value = formula if isinstance(formula, str) and formula.startswith("=") else None
            cells.append(Cell(_text(_cell_value(value)), bool(c.font and c.font.b)))
        rows.append(cells)
    return RawTable(rows, f"trang tính {sheet.title}")


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


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def _text(value: str) -> str:
    """Composed Unicode (NFC), spaces folded, line breaks kept (partners are often one per
    line)."""
    value = unicodedata.normalize("NFC", _INVISIBLE.sub("", value)).replace("\u00a0", " ")
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in value.splitlines())
    return "\n".join(line for line in lines if line)
