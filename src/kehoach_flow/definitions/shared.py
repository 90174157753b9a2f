"""The shared definitions, units.yaml and programmes/, checked and gathered into the catalog
that every plan file is then resolved against (resolve.py)."""

from __future__ import annotations

from kehoach_flow.definitions.catalog import Catalog, ProgrammeDef, UnitDef
from kehoach_flow.definitions.models import ProgrammeFile, UnitsFile
from kehoach_flow.definitions.reader import ParsedFile
from kehoach_flow.definitions.source import SourceDoc
from kehoach_flow.errors import Problem


def resolve_shared(
    parsed: list[ParsedFile], known_units: set[str] | None = None
) -> tuple[Catalog, set[str], list[Problem]]:
    """Units and programmes, checked; returns the catalog so far and every known unit key."""
    catalog = Catalog(files=[p.doc.file for p in parsed])
    problems: list[Problem] = []
    unit_files = [p for p in parsed if isinstance(p.model, UnitsFile)]
    for item in unit_files:
        problems += _add_units(catalog, item.doc, item.model)  # type: ignore[arg-type]
    unit_keys = set(catalog.units) | (known_units or set())
    for item in unit_files:
        problems += _check_unit_parents(item.doc, item.model, unit_keys)  # type: ignore[arg-type]
    for item in parsed:
        if isinstance(item.model, ProgrammeFile):
            problems += _add_programme(catalog, item.doc, item.model, unit_keys)
    return catalog, unit_keys, problems


def unknown_unit(key: str, role: str) -> str:
    return f'đơn vị "{key}" ({role}) không có trong units.yaml'


def _add_units(catalog: Catalog, doc: SourceDoc, model: UnitsFile) -> list[Problem]:
    problems = []
    for key, unit in model.units.items():
        if key in catalog.units:
            problems.append(doc.problem(("units", key), f'đơn vị "{key}" được khai báo hai lần'))
            continue
        head = unit.head
        catalog.units[key] = UnitDef(
            key=key,
            name=unit.name,
            short=unit.short,
            aliases=tuple(unit.aliases),
            email=unit.email,
            head_name=head.name if head else None,
            head_email=head.email if head else None,
            parent=unit.parent,
            kind=unit.kind,
        )
    return problems


def _check_unit_parents(doc: SourceDoc, model: UnitsFile, unit_keys: set[str]) -> list[Problem]:
    return [
        doc.problem(("units", key, "parent"), unknown_unit(unit.parent, "đơn vị cấp trên"))
        for key, unit in model.units.items()
        if unit.parent and unit.parent not in unit_keys
    ]


def _add_programme(
    catalog: Catalog, doc: SourceDoc, model: ProgrammeFile, unit_keys: set[str]
) -> list[Problem]:
    prog = model.programme
    if prog.key in catalog.programmes:
        return [doc.problem(("programme", "key"), f'chương trình "{prog.key}" bị khai báo hai lần')]
    catalog.programmes[prog.key] = ProgrammeDef(
        key=prog.key,
        title=prog.title,
        decision_code=prog.decision.code if prog.decision else None,
        decision_date=prog.decision.date if prog.decision else None,
        groups=dict(prog.groups),
        report=prog.report.model_dump(mode="json") if prog.report else None,
        owner=prog.owner,
    )
    if prog.owner is not None and prog.owner not in unit_keys:
        message = unknown_unit(prog.owner, "đơn vị chủ quản chương trình")
        return [doc.problem(("programme", "owner"), message)]
    return []
