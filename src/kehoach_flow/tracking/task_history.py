"""A task's history as people read it: each stored entry (history.py) with its author as a
unit's or account's name and the channel in Vietnamese (authors.py), and the figures it
reported, totals to date (figures.py). For `kehoach show`, the task page and the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from kehoach_flow.tracking.authors import Directory, read_directory
from kehoach_flow.tracking.figures import TaskFigures, task_figures
from kehoach_flow.tracking.history import history_rows

_NO_FIGURES: dict[str, Any] = {"actuals": [], "spending": [], "text": ""}


def readable_history(
    engine: Engine,
    task_id: int,
    figures: TaskFigures | None = None,
    directory: Directory | None = None,
) -> list[dict[str, Any]]:
    """The task's history, newest first, as stored, plus per entry "author" (name, via,
    kind, text) and "figures" (actuals, spending, text; empty lists when it reported none).
    `figures` and `directory` are read when not given."""
    figures = task_figures(engine, task_id) if figures is None else figures
    directory = read_directory(engine) if directory is None else directory
    reported = {entry.report.version: entry for entry in figures.history}
    rows = history_rows(engine, task_id)
    for row in rows:
        row["author"] = directory.author(row["actor"], row["channel"]).as_dict()
        entry = reported.get(row["version"])
        if entry is None:
            row["figures"] = dict(_NO_FIGURES)
        else:
            stored = entry.as_dict()
            row["figures"] = {
                "actuals": stored["actuals"],
                "spending": stored["spending"],
                "text": entry.text,
            }
    return rows
