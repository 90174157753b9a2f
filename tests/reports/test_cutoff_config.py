"""The reporting cut-off day as configuration: per installation, per plan; reports and the
progress-request reminders both follow it."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from kehoach_flow.loading import load_path
from kehoach_flow.reminders.planner import Rule
from kehoach_flow.reminders.sweep import plan_day
from kehoach_flow.reports.periods import report_cutoffs
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.workcalendar import work_calendar
from tests.conftest import SEED_PLAN, run_cli

PLAN_FILE = Path("plans") / "quang-tri-2024.yaml"


def _with_cutoff(definitions: Path, value: str) -> Path:
    path = definitions / PLAN_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "  coordinator: qltcdlcl\n", f"  coordinator: qltcdlcl\n  report_cutoff_day: {value}\n"
        ),
        encoding="utf-8",
    )
    return definitions


def _q2_cutoff(settings: Settings, out: Path) -> str:
    args = ("report", "--plan", SEED_PLAN, "--period", "q2", "--year", "2024")
    result = run_cli(settings, *args, "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    runs = json.loads(run_cli(settings, "reports", "--plan", SEED_PLAN, "--json").stdout)
    return str(runs[-1]["cutoff"])


def test_the_default_cutoff_is_the_14th(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    load_path(engine, settings.definitions)
    assert _q2_cutoff(settings, tmp_path).startswith("2024-06-14")


def test_the_installation_setting_moves_the_cutoff(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    load_path(engine, settings.definitions)
    calendar = settings.model_copy(update={"report_cutoff_day": "end"})
    assert _q2_cutoff(calendar, tmp_path).startswith("2024-06-30")


def test_a_plan_cutoff_wins_and_reaches_the_report_text(
    settings: Settings, engine: Engine, definitions_copy: Path, tmp_path: Path
) -> None:
    load_path(engine, _with_cutoff(definitions_copy, "20"))
    assert _q2_cutoff(settings, tmp_path).startswith("2024-06-20")
    text = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "số liệu tính đến hết ngày 20/6/2024" in text


def test_progress_requests_follow_the_plan_cutoff(
    settings: Settings, engine: Engine, definitions_copy: Path
) -> None:
    calendar = work_calendar(settings, range(2023, 2026))

    def request_days(cutoff_day: int | str) -> set:  # type: ignore[type-arg]
        return {
            calendar.next_working_day(calendar.add_working_days(c, -5))
            for c in report_cutoffs(2024, cutoff_day)  # type: ignore[arg-type]
        }

    def requested(day) -> bool:  # type: ignore[no-untyped-def]
        return any(
            r.rule == Rule.PROGRESS_REQUEST for r in plan_day(engine, settings, day).reminders
        )

    load_path(engine, settings.definitions)
    default_day = min(d for d in request_days(14) if d.month == 6)
    assert requested(default_day)
    load_path(engine, _with_cutoff(definitions_copy, "end"))
    end_day = min(d for d in request_days("end") if d.month == 6)
    assert end_day != default_day
    assert requested(end_day)
    assert not requested(default_day)


def test_a_bad_plan_cutoff_is_reported_at_its_line(
    settings: Settings, definitions_copy: Path
) -> None:
    _with_cutoff(definitions_copy, "31")
    result = run_cli(settings, "validate", str(definitions_copy))
    assert result.exit_code == 2
    assert "quang-tri-2024.yaml:19:" in result.stderr + result.stdout
    assert "report_cutoff_day" in result.stderr + result.stdout
