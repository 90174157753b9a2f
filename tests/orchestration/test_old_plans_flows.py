"""The scheduled flows without a day, KEHOACH_TODAY at 30/11/2026, plans of 2024 and
2024-2025: the working-day calendar covers the years the plans span (issue 15, defect 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.outbox import outbox_rows
from tests.conftest import SEED_PLAN
from tests.old_plans import CLOCK, TWO_YEAR_PLAN, with_two_year_plan
from tests.orchestration.helpers import flow


@pytest.fixture
def in_2026(prefect_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """KEHOACH_* for the flows (read as a worker would), the clock included; both plans
    loaded in a SQLite file."""
    definitions = with_two_year_plan(tmp_path / "definitions")
    url = f"sqlite:///{tmp_path / 'kehoach.db'}"
    monkeypatch.setenv("KEHOACH_DATABASE_URL", url)
    monkeypatch.setenv("KEHOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KEHOACH_DEFINITIONS", str(definitions))
    monkeypatch.setenv("KEHOACH_SECRET_KEY", "test-secret")
    monkeypatch.setenv("KEHOACH_TODAY", CLOCK.isoformat())
    engine = create_db_engine(url)
    upgrade(engine)
    load_path(engine, definitions)
    return engine


def test_send_reminders_without_a_day_runs_on_the_clocks_day_over_past_plans(
    in_2026: Engine,
) -> None:
    summary = flow("send_reminders")()
    assert summary["day"] == "2026-11-30"  # a Monday, a working day
    assert summary["failed_plans"] == {}
    assert summary["queued"] == len(outbox_rows(in_2026))


def test_track_status_without_a_day_judges_past_plans_on_the_clocks_day(
    in_2026: Engine,
) -> None:
    summary = flow("track_status")()
    assert summary["day"] == "2026-11-30" and summary["failed"] == {}
    overdue = {p["plan"]: len(p["overdue"]) for p in summary["plans"]}
    assert overdue == {SEED_PLAN: 7, TWO_YEAR_PLAN: 7}


def test_the_clock_not_the_machine_sets_the_flows_day(
    in_2026: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEHOACH_TODAY", "2025-01-10")
    summary = flow("track_status")()
    assert summary["day"] == "2025-01-10"
    overdue = {p["plan"]: len(p["overdue"]) for p in summary["plans"]}
    assert overdue == {SEED_PLAN: 6, TWO_YEAR_PLAN: 1}  # due 31/12/2024; due 30/6/2024
