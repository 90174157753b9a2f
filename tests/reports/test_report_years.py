"""Reports only for the years a plan (or a programme's plans) covers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.reports.runs import list_runs, plan_years, programme_years
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN, run_cli


def test_the_seed_plan_covers_its_year_and_the_next_one_its_multi_year_task_runs_into(
    settings: Settings, engine: Engine
) -> None:
    assert run_cli(settings, "load").exit_code == 0
    assert plan_years(engine, SEED_PLAN) == range(2024, 2026)
    assert programme_years(engine, "de-an-996") == range(2024, 2026)


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        (
            ("--plan", SEED_PLAN),
            f'Lỗi: kế hoạch "{SEED_PLAN}" thực hiện trong các năm 2024-2025; '
            "không soạn báo cáo năm 1999",
        ),
        (
            ("--programme", "de-an-996"),
            'Lỗi: các kế hoạch của chương trình "de-an-996" thực hiện trong các năm 2024-2025; '
            "không soạn báo cáo tổng hợp năm 1999",
        ),
    ],
)
def test_a_report_for_a_year_outside_the_plan_exits_2_writes_and_records_nothing(
    settings: Settings,
    engine: Engine,
    tmp_path: Path,
    subject: tuple[str, str],
    message: str,
) -> None:
    assert run_cli(settings, "load").exit_code == 0
    out = tmp_path / "reports"
    result = run_cli(
        settings, "report", *subject, "--period", "q2", "--year", "1999", "--out", str(out)
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert result.stdout == ""
    assert not out.exists()
    assert list_runs(engine) == []


def test_a_report_for_a_covered_year_is_still_written(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    assert run_cli(settings, "load").exit_code == 0
    args = ("--period", "year", "--year", "2025", "--format", "md", "--out", str(tmp_path))
    result = run_cli(settings, "report", "--plan", SEED_PLAN, *args)
    assert result.exit_code == 0, result.stderr
    assert [(r["subject"], r["year"]) for r in list_runs(engine)] == [(SEED_PLAN, 2025)]


def test_the_scheduled_report_skips_a_plan_in_a_year_it_does_not_cover(
    settings: Settings, engine: Engine
) -> None:
    """After the half-year cut-off of 2027 the 2024 plan (still active) has no report due, so the
    build_report flow does not fail on it; in 2024 its report is due as before."""
    from datetime import date

    from kehoach_flow.context import AppContext
    from kehoach_flow.reports.service import due_period

    assert run_cli(settings, "load").exit_code == 0
    rt = AppContext(settings, engine)
    due = due_period(rt, SEED_PLAN, date(2024, 6, 15))
    assert due is not None and (due.kind, due.year) == ("6m", 2024)
    assert due_period(rt, SEED_PLAN, date(2027, 6, 15)) is None
