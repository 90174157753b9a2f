"""Loading definitions: read and check a path while storing it, in one transaction."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from kehoach_flow.db.sync import CatalogWriter, LoadSummary
from kehoach_flow.db.tables import PROGRAMME, UNIT
from kehoach_flow.definitions import open_definitions
from kehoach_flow.definitions.catalog import ProgrammeDef
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


def known_definitions(conn: Connection) -> tuple[set[str], dict[str, ProgrammeDef]]:
    """The unit keys and programmes already in the database, accepted as references."""
    units = set(conn.execute(select(UNIT.c.key)).scalars())
    programmes = {
        row.key: ProgrammeDef(
            row.key,
            row.title,
            row.decision_code,
            row.decision_date,
            dict(row.groups or {}),
            row.report,
            row.owner_key,
        )
        for row in conn.execute(select(PROGRAMME))
    }
    return units, programmes


def stored_definitions(url: str) -> tuple[set[str], dict[str, ProgrammeDef]]:
    """`known_definitions` for a check that writes nothing (`kehoach validate`): none when
    the database is missing, not migrated or unreachable, and a missing SQLite file is not
    created."""
    from sqlalchemy.exc import SQLAlchemyError

    from kehoach_flow.db.engine import open_database, sqlite_file
    from kehoach_flow.errors import KehoachError

    file = sqlite_file(url)
    if file is not None and not file.is_file():
        return set(), {}
    # A read-only or damaged database is no reason to stop a check: it is only one input.
    try:
        engine = open_database(url, creates=False, writes=False, setting="KEHOACH_DATABASE_URL")
    except KehoachError:
        return set(), {}
    try:
        with engine.connect() as conn:
            return known_definitions(conn)
    except (SQLAlchemyError, KehoachError):
        return set(), {}
    finally:
        engine.dispose()


def load_path(
    engine: Engine,
    path: Path,
    workers: int | None = None,
    preview: bool = False,
    definitions_dir: Path | None = None,
) -> LoadSummary:
    """Validate everything under `path` and store it; on any fault raise DefinitionError.

    Plans are stored as they are read (worker processes read the next ones meanwhile); the
    first fault stops the writing, the rest of the files are still checked so every fault is
    reported, and the transaction is rolled back: a faulty path changes nothing. With
    `preview`, the same writes are made and the summary of changes returned, then rolled back.
    A plan file outside any definitions tree is checked against the units and programmes of
    `definitions_dir` (the configured one) and those already in the database.
    """
    with engine.connect() as conn:
        known_units, known_programmes = known_definitions(conn)
    with bulk_allocation():
        definitions = open_definitions(
            path, known_units, workers, definitions_dir, known_programmes
        )
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
