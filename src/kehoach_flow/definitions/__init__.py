"""Plan definition files: schema, YAML reading with positions, validation, resolution."""

from __future__ import annotations

from pathlib import Path

from kehoach_flow.definitions.catalog import Catalog
from kehoach_flow.definitions.reader import discover, display_path, parse_file
from kehoach_flow.definitions.resolve import resolve
from kehoach_flow.errors import DefinitionError, Problem

__all__ = ["Catalog", "read_catalog"]


def read_catalog(path: Path, known_units: set[str] | None = None) -> Catalog:
    """Read and check every definition file under `path`; raise DefinitionError listing all faults.

    `known_units` are unit keys already in the database, accepted as references when the
    path holds no units.yaml of its own.
    """
    files = discover(path)
    if not files:
        problem = Problem(display_path(path), 1, 1, "không tìm thấy tệp định nghĩa (.yaml) nào")
        raise DefinitionError([problem])
    problems: list[Problem] = []
    parsed = []
    for file in files:
        item, file_problems = parse_file(file)
        problems += file_problems
        if item is not None:
            parsed.append(item)
    catalog, resolve_problems = resolve(parsed, known_units)
    problems += resolve_problems
    if problems:
        raise DefinitionError(problems)
    return catalog
