"""Whom a recorded report run is about, for the page and the API that must check the reader's
scope (accounts/scope.py `Scope.sees_report`) before offering its files."""

from __future__ import annotations

from sqlalchemy import Engine, select

from kehoach_flow.db.tables import REPORT_RUN
from kehoach_flow.reports.run_files import MAX_RUN_ID


def run_subject(engine: Engine, run_id: int) -> str | None:
    """The run's subject (a plan key, or programme:KEY for a rollup); None for no such run
    (an id no database could hold included)."""
    if not 0 < run_id <= MAX_RUN_ID:
        return None
    with engine.connect() as conn:
        subject: str | None = conn.execute(
            select(REPORT_RUN.c.subject).where(REPORT_RUN.c.id == run_id)
        ).scalar_one_or_none()
    return subject
