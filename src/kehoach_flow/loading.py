"""Loading definitions: read and check a path while storing it, in one transaction."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select

from kehoach_flow.db.sync import UNIT, CatalogWriter, LoadSummary
from kehoach_flow.definitions import open_definitions
from kehoach_flow.definitions.reader import display_path
from kehoach_flow.errors import DefinitionError


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    A national load creates about a million YAML nodes, dicts and rows; with the collector on,
    its repeated scans of the growing heap took three quarters of the load time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Preview(Exception):
    """Raised inside the load's transaction to roll it back after computing the changes."""


def load_path(
    engine: Engine, path: Path, workers: int | None = None, preview: bool = False
) -> LoadSummary:
    """Validate everything under `path` and store it; on any fault raise DefinitionError.

    Plans are stored as they are read (worker processes read the next ones meanwhile); the
    first fault stops the writing, the rest of the files are still checked so every fault is
    reported, and the transaction is rolled back: a faulty path changes nothing. With
    `preview`, the same writes are made and the summary of changes returned, then rolled back.
    """
    with engine.connect() as conn:
        known_units = set(conn.execute(select(UNIT.c.key)).scalars())
    with bulk_allocation():
        definitions = open_definitions(path, known_units, workers)
        problems = list(definitions.problems)
        try:
            with engine.begin() as conn:
                writer = CatalogWriter(conn)
                if not problems:
                    writer.write_shared(definitions.shared)
                for result in definitions.plans():
                    problems += result.problems
                    if not problems and result.plan is not None:
                        writer.write_plan(result.plan)
                if problems:
                    raise DefinitionError(problems)
                if preview:
                    raise _Preview
                writer.record(display_path(path))
        except _Preview:
            pass
    return writer.summary
