"""Importing a plan's appendix table from .docx, .xlsx or .csv into a plan definition file."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kehoach_flow.definitions import read_catalog
from kehoach_flow.definitions.reader import definitions_root
from kehoach_flow.errors import DefinitionError
from kehoach_flow.importing.imported import Finding, Imported, NewUnit
from kehoach_flow.importing.plan import import_plan
from kehoach_flow.importing.reconcile import Previous, plan_key_of

__all__ = [
    "Finding",
    "Imported",
    "NewUnit",
    "PlanProblem",
    "Previous",
    "check_imported",
    "import_plan",
    "plan_key_of",
    "units_path_for",
]


@dataclass(frozen=True)
class PlanProblem:
    """A validation fault of the imported file, with the appendix row its line came from."""

    line: int
    column: int
    message: str
    where: str | None  # the appendix row of a line of the plan file
    file: str | None = None  # None: the plan file; else a units file's name


def units_path_for(output: Path, plan_key: str) -> Path:
    """Where new units are proposed: units.KEY.yaml beside the definitions' units.yaml (read
    with it by `kehoach validate` and `kehoach load`), or beside the output file."""
    root = definitions_root(output.parent) if output.parent.exists() else None
    return (root or output.parent) / f"units.{plan_key}.yaml"


def check_imported(
    imported: Imported, definitions: Path, units_text: str | None = None
) -> list[PlanProblem]:
    """Validate the imported plan as `kehoach validate` would, against the units and
    programmes of `definitions` plus the proposed units file `units_text`, in a scratch copy."""
    with tempfile.TemporaryDirectory(prefix="kehoach-import-") as scratch:
        root = Path(scratch)
        if definitions.is_dir():
            for shared in [definitions / "units.yaml", *definitions.glob("units.*.y*ml")]:
                if shared.name != f"units.{imported.plan_key}.yaml":
                    with contextlib.suppress(FileNotFoundError):  # removed meanwhile
                        shutil.copy(shared, root / shared.name)
            if (definitions / "programmes").is_dir():
                shutil.copytree(definitions / "programmes", root / "programmes")
        if not (root / "units.yaml").exists():
            (root / "units.yaml").write_text("units: {}\n", encoding="utf-8")
        if units_text:
            units_file = root / f"units.{imported.plan_key}.yaml"
            units_file.write_text(units_text, encoding="utf-8")
        plan_file = root / "plans" / f"{imported.plan_key}.yaml"
        plan_file.parent.mkdir()
        plan_file.write_text(imported.plan_text, encoding="utf-8")
        try:
            read_catalog(plan_file, workers=0)
        except DefinitionError as exc:
            return [_located(imported, p.file, p.line, p.column, p.message) for p in exc.problems]
    return []


def _located(imported: Imported, file: str, line: int, column: int, message: str) -> PlanProblem:
    name = Path(file).name
    if name.startswith("units"):
        return PlanProblem(line, column, message, None, name)
    if Path(file).parent.name == "programmes":
        return PlanProblem(line, column, message, None, f"programmes/{name}")
    sources = imported.line_sources
    where = sources[line - 1] if 0 < line <= len(sources) else None
    return PlanProblem(line, column, message, where)
