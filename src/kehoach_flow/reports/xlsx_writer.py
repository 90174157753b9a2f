"""The report's appendix as a spreadsheet (`kehoach report --format xlsx`): every row of the
appendix with the units' standard columns on extensions and completion (issue 22)."""

from __future__ import annotations

from pathlib import Path

from kehoach_flow.reports.content import Report

XLSX_EXTRA = (
    "Gia hạn - Số lần",
    "Gia hạn - Mốc cũ",
    "Người phê duyệt",
    "Ngày hoàn thành thực tế",
    "Mức độ hoàn thành",
)


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the appendix to `path`: its title, the headers, one line per section or task
    (a section's title in bold); "Mức độ hoàn thành" is the task's category."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Phụ lục"
    sheet.append([f"Phụ lục: {report.appendix_title}"])
    sheet["A1"].font = Font(bold=True)
    if report.appendix_note:
        sheet.append([report.appendix_note])
    sheet.append([*report.appendix_headers, *XLSX_EXTRA])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in report.appendix:
        extra = (
            ("", "", "", "", "")
            if row.is_section
            else (row.extensions, row.original_due, row.approver, row.completed_on, row.status)
        )
        sheet.append([*report.appendix_cells(row), *extra])
        if row.is_section:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {"A": 6, "B": 50, "C": 40}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    book.save(path)
    return path
