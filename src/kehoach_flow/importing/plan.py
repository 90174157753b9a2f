"""An appendix table read into a plan definition file, with every guess marked for review.

Rows become sections and tasks by their numbering (I, II / 1, 2 / a), b) / -) and bold text;
unit names become unit keys; funding text becomes declared sources; amounts in the table's
unit become đồng; a "Tổng cộng" row becomes the plan's total and a total written in words is
checked against it. What cannot be mapped is kept as written and reported, never dropped.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kehoach_flow.definitions.catalog import UnitDef
from kehoach_flow.errors import KehoachError
from kehoach_flow.importing.appendix import find_appendix
from kehoach_flow.importing.assembly import plan_sections, write_plan
from kehoach_flow.importing.cells import CellReader
from kehoach_flow.importing.documents import read_document
from kehoach_flow.importing.header import (
    HeaderValues,
    check_words,
    money_unit_note,
    plan_coordinator,
    plan_header,
    plan_title,
    plan_total,
    plan_year,
)
from kehoach_flow.importing.imported import Finding, Imported
from kehoach_flow.importing.outline import outline, table_parts
from kehoach_flow.importing.reconcile import Previous, changes_from_previous, match_previous
from kehoach_flow.importing.units import UnitKeys
from kehoach_flow.importing.values import FundingSources


def import_plan(
    path: Path,
    plan_key: str,
    units: dict[str, UnitDef],
    *,
    today: date,
    year: int | None = None,
    coordinator: str | None = None,
    previous: Previous | None = None,
) -> Imported:
    """The plan file for the appendix of the document at `path`. `today` dates the file's
    opening comment; `year` and `coordinator` are guessed from the document when not given;
    `previous`, the plan file being replaced, gives its task keys and hand edits back."""
    previous = previous or Previous()
    appendix = find_appendix(read_document(path))
    parts = table_parts(appendix)
    findings = [Finding(where, message) for where, message in appendix.skipped]
    if not parts.rows:
        raise KehoachError(
            "bảng phụ lục chỉ có dòng tiêu đề, không có dòng nhiệm vụ nào: không có gì để nhập"
        )
    title = plan_title(appendix.preamble, plan_key)
    year_guess = plan_year(year, title.value, appendix)
    roots = outline(parts.rows)
    unit_keys = UnitKeys(units)
    lead = plan_coordinator(coordinator, previous.coordinator, roots, unit_keys)
    kept = match_previous(previous, roots)
    columns = frozenset(appendix.columns)
    cells = CellReader(
        columns,
        appendix.money_unit,
        year_guess.value,
        FundingSources(previous.funding_sources),
        findings,
    )
    body = plan_sections(
        roots,
        cells=cells,
        units=unit_keys,
        previous=previous,
        kept=kept,
        coordinator=lead.value,
        findings=findings,
    )
    findings += changes_from_previous(previous, kept, body.written)
    money_note, money_finding = money_unit_note(appendix, cells.amounts, cells.largest)
    if money_finding is not None:
        findings.append(money_finding)
    total = plan_total(parts, appendix.money_unit)
    header = plan_header(
        HeaderValues(
            plan_key=plan_key,
            title=title,
            year=year_guess,
            coordinator=lead,
            kept=previous.header,
            money_note=money_note,
            sources=cells.sources,
            total=total,
        )
    )
    findings += check_words(parts.words, total, appendix.money_unit)
    writer = write_plan(
        file_name=path.name,
        today=today,
        columns=columns,
        coordinator=lead.value,
        header=header,
        body=body,
    )
    return Imported(
        plan_key=plan_key,
        plan_text=writer.text(),
        line_sources=writer.sources,
        units_entries=unit_keys.new_units_entries(),
        file_name=path.name,
        new_units=unit_keys.new_units,
        findings=findings,
        sections=body.section_count,
        tasks=body.task_count,
        source_table=appendix.rows[0].where.split(",")[0] if appendix.rows else "",
    )
