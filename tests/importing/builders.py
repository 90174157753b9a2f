"""Files built in the tests: Word and Excel appendices, cells marked bold as in the seeds
("<b>text</b>"), and seed 001's appendix as the Word file it was typed from (its rows kept in
tests/importing/data, so the tests need no ../shared)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Font

Cells = Sequence[object]
# Seed 001 from its appendix's first header row to the end, as ../shared/seeds has it
SEED_APPENDIX = Path(__file__).parent / "data" / "seed-001-appendix.txt"


def _bold(value: object) -> tuple[object, bool]:
    if isinstance(value, str) and value.startswith("<b>"):
        return re.sub(r"</?b>", "", value), True
    return value, False


def docx_file(
    path: Path,
    tables: Sequence[Sequence[Cells]],
    before: Sequence[str] = (),
    after: Sequence[str] = (),
) -> Path:
    """A Word file: paragraphs, then each table on a page of its own, then paragraphs."""
    document = Document()
    for text in before:
        document.add_paragraph(text)
    for n, rows in enumerate(tables):
        if n:
            document.add_page_break()
        width = max(len(r) for r in rows)
        table = document.add_table(rows=0, cols=width)
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, [*values, *[""] * (width - len(values))], strict=True):
                text, bold = _bold(value)
                cell.paragraphs[0].add_run("" if text is None else str(text)).bold = bold
    for text in after:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def xlsx_file(path: Path, rows: Sequence[Cells], sheet: str = "Phụ lục") -> Path:
    book = Workbook()
    worksheet = book.active
    assert worksheet is not None
    worksheet.title = sheet
    for values in rows:
        plain = [_bold(v) for v in values]
        worksheet.append([v for v, _ in plain])
        for cell, (_, bold) in zip(worksheet[worksheet.max_row], plain, strict=False):
            cell.font = Font(bold=bold)
    book.save(path)
    return path


def seed_appendix() -> list[list[list[str]]]:
    """Seed 001's appendix as typed: one table per page, the header repeated on each, the
    last row cut by the page break."""
    lines = SEED_APPENDIX.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("<b>TT</b>"), f"{SEED_APPENDIX} starts at the header row"
    tables: list[list[list[str]]] = [[]]
    for line in lines:
        if not line.strip():
            if tables[-1]:
                tables.append([])
            continue
        tables[-1].append(line.split("\t"))
    return [t for t in tables if t]


def seed_docx(path: Path) -> Path:
    title = (
        "Tăng cường, đổi mới hoạt động đo lường hỗ trợ doanh nghiệp nâng cao năng lực cạnh "
        "tranh và hội nhập quốc tế thực hiện năm 2024"
    )
    before = ["KẾ HOẠCH", title, "Phụ lục: Nội dung, tiến độ thực hiện và nguồn kinh phí"]
    return docx_file(path, seed_appendix(), before)
