"""Report figures for `kehoach bench`: a 500-task yearly report, the national rollup."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine

from kehoach_flow.bench import data as benchdata
from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.loading import load_path
from kehoach_flow.reports.periods import period
from kehoach_flow.reports.rollup import build_rollup
from kehoach_flow.reports.runs import generate
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar

YEAR = period("year", 2024)


def report_figures(national: Engine, programme_file: Path, work: Path) -> dict[str, float]:
    """The yearly report of one 510-task plan in docx, md and html; the national rollup."""
    options = BoardOptions(vietnam_calendar(range(2023, 2027)))
    big = benchdata.generate(
        work / "big-plan", programme_file, provinces=1, tasks_per_subsection=34
    )
    engine = create_db_engine(f"sqlite:///{work / 'big-plan.db'}")
    try:
        upgrade(engine)
        load_path(engine, big)
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            generate(engine, "province-01-2024", YEAR, options, Path(out))
            report_s = time.perf_counter() - started
    finally:
        engine.dispose()
    started = time.perf_counter()
    rollup = build_rollup(national, "de-an-996", YEAR, options)
    rollup_s = time.perf_counter() - started
    return {
        "report_year_500_s": report_s,
        "rollup_national_s": rollup_s,
        "rollup_plans": float(len(rollup.rows)),
    }
