"""The files a recorded report run wrote, for the page and the API that offer them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from kehoach_flow.db.tables import REPORT_RUN

MAX_RUN_ID = 2**31 - 1  # what every database stores as an integer id


def run_file(engine: Engine, run_id: int, name: str) -> Path | None:
    """The file called `name` that run `run_id` wrote, if the run is recorded and the file is
    still on disk; None otherwise (an id no database could hold included)."""
    if not 0 < run_id <= MAX_RUN_ID:
        return None
    with engine.connect() as conn:
        files = conn.execute(
            select(REPORT_RUN.c.files).where(REPORT_RUN.c.id == run_id)
        ).scalar_one_or_none()
    path = next((Path(f) for f in files or [] if Path(f).name == name), None)
    return path if path is not None and path.is_file() else None
