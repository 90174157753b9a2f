"""Commands that default to today, with the clock at 30/11/2026 and plans of 2024 and
2024-2025: the working-day calendar covers the years the plans span, not a window around
today (issue 15, defect 11)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN, run_cli
from tests.old_plans import CLOCK, TWO_YEAR_PLAN, with_two_year_plan


@pytest.fixture
def in_2026(tmp_path: Path) -> Iterator[Settings]:
    """Both plans loaded in a SQLite file; today is 30/11/2026 by the settings' clock."""
    settings = Settings(
        data_dir=tmp_path / "data",
        definitions=with_two_year_plan(tmp_path / "definitions"),
        today=CLOCK,
        _env_file=None,
    )
    engine: Engine = create_db_engine(settings.resolved_database_url())
    upgrade(engine)
    load_path(engine, settings.definitions)
    yield settings
    engine.dispose()


def test_remind_without_a_date_runs_for_todays_date_over_plans_of_past_years(
    in_2026: Settings,
) -> None:
    dry = run_cli(in_2026, "remind", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.startswith("Ngày 30/11/2026:")
    sent = run_cli(in_2026, "remind")
    assert sent.exit_code == 0, sent.stderr
    assert sent.stdout.startswith("Ngày 30/11/2026:")
    assert "lịch ngày làm việc" not in dry.stderr + sent.stderr


@pytest.mark.parametrize(
    ("plan", "due"), [(SEED_PLAN, "31/12/2024"), (TWO_YEAR_PLAN, "30/06/2024")]
)
def test_status_without_a_date_judges_a_past_plan_on_todays_date(
    in_2026: Settings, plan: str, due: str
) -> None:
    result = run_cli(in_2026, "status", "--plan", plan)
    assert result.exit_code == 0, result.stderr
    assert f"- Quá hạn: tuyen-truyen-996, hạn {due}, 0%" in result.stdout
    assert "- Quá hạn: ctdl-ap-dung, hạn 31/12/2025, 0%" in result.stdout
    as_json = run_cli(in_2026, "status", "--plan", plan, "--json")
    assert as_json.exit_code == 0, as_json.stderr
    assert '"2026-11-30"' in as_json.stdout


@pytest.mark.parametrize("plan", [SEED_PLAN, TWO_YEAR_PLAN])
def test_graph_without_a_date_draws_a_past_plan(in_2026: Settings, plan: str) -> None:
    result = run_cli(in_2026, "graph", "--plan", plan)
    assert result.exit_code == 0, result.stderr
    assert "ctdl-ap-dung" in result.stdout


def test_a_report_of_2024_issued_today_is_dated_today(in_2026: Settings, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = run_cli(
        in_2026, "report", "--plan", SEED_PLAN, "--period", "year", "--year", "2024",
        "--format", "md", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (text,) = [p.read_text(encoding="utf-8") for p in out.glob("*.md")]
    assert "ngày 30 tháng 11 năm 2026" in text


def test_the_settings_clock_not_the_machine_sets_today_for_commands(in_2026: Settings) -> None:
    back_then = in_2026.model_copy(update={"today": date(2025, 1, 10)})
    status = run_cli(back_then, "status", "--plan", SEED_PLAN)
    assert status.exit_code == 0, status.stderr
    assert "- Quá hạn: tuyen-truyen-996, hạn 31/12/2024, 0%" in status.stdout
    assert "ctdl-ap-dung, hạn 31/12/2025" not in status.stdout  # not due yet on 10/01/2025
    remind = run_cli(back_then, "remind", "--dry-run")
    assert remind.exit_code == 0, remind.stderr
    assert remind.stdout.startswith("Ngày 10/01/2025:")
