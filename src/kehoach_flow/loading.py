"""Loading definitions: read and check a path, then apply it to the database."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select

from kehoach_flow.db.sync import UNIT, LoadSummary, apply_catalog
from kehoach_flow.definitions import read_catalog
from kehoach_flow.definitions.reader import display_path


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


def load_path(engine: Engine, path: Path) -> LoadSummary:
    """Validate everything under `path` (raising DefinitionError, nothing written), then store it."""
    with engine.connect() as conn:
        known_units = set(conn.execute(select(UNIT.c.key)).scalars())
    with bulk_allocation():
        catalog = read_catalog(path, known_units)
        return apply_catalog(engine, catalog, display_path(path))
