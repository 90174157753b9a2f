"""Plan definition files: schema, YAML reading with positions, validation, resolution."""

from __future__ import annotations

from pathlib import Path

from kehoach_flow.definitions.catalog import Catalog, ProgrammeDef
from kehoach_flow.definitions.stream import DefinitionSet, PlanResult, open_definitions
from kehoach_flow.errors import DefinitionError, Problem

__all__ = ["Catalog", "DefinitionSet", "PlanResult", "open_definitions", "read_catalog"]


def read_catalog(
    path: Path,
    known_units: set[str] | None = None,
    workers: int | None = None,
    shared_root: Path | None = None,
    known_programmes: dict[str, ProgrammeDef] | None = None,
) -> Catalog:
    """Read and check every definition file under `path`; raise DefinitionError listing all faults.

    `known_units` and `known_programmes` are those already in the database, accepted as
    references; a path outside any definitions tree takes the shared files of `shared_root`.
    """
    definitions = open_definitions(path, known_units, workers, shared_root, known_programmes)
    catalog = definitions.shared
    problems: list[Problem] = list(definitions.problems)
    for result in definitions.plans():
        problems += result.problems
        if result.plan is not None:
            catalog.plans[result.plan.key] = result.plan
    if problems:
        raise DefinitionError(problems)
    return catalog
