"""Each report run records the working-day calendar it was counted on; `kehoach reports` and
/bao-cao say when the calendar has changed since, so a regeneration would differ."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.workcalendar import work_calendar
from kehoach_flow.web.app import create_app
from kehoach_flow.workdays import calendar_changed, calendar_hash
from tests.conftest import SEED_PLAN, run_cli
from tests.web.conftest import PASSWORD, sign_in

EXTRA_DAY_OFF = """calendar:
  holidays:
    - {date: %s, name: Nghỉ thêm theo quyết định của tỉnh}
  working_days: []
  not_holidays: []
"""


def _with_extra_day_off(settings: Settings, tmp_path: Path, day: str) -> Settings:
    path = tmp_path / f"calendar-{day}.yaml"
    path.write_text(EXTRA_DAY_OFF % day, encoding="utf-8")
    return settings.model_copy(update={"calendar_file": path})


def test_the_calendar_hash_names_its_years_and_changes_with_a_day_off(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    recorded = calendar_hash(work_calendar(sqlite_settings), 2023, 2024)
    assert recorded.startswith("2023-2024:")
    assert calendar_hash(work_calendar(sqlite_settings), 2023, 2024) == recorded
    assert calendar_changed(work_calendar(sqlite_settings), recorded) is False
    in_2024 = work_calendar(_with_extra_day_off(sqlite_settings, tmp_path, "2024-06-12"))
    assert calendar_changed(in_2024, recorded) is True
    in_2026 = work_calendar(_with_extra_day_off(sqlite_settings, tmp_path, "2026-06-12"))
    assert calendar_changed(in_2026, recorded) is False  # not a year the report counted in
    assert calendar_changed(in_2024, None) is None  # a run from before calendars were kept


def test_reports_say_when_a_regeneration_would_differ(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    assert run_cli(settings, "load").exit_code == 0
    made = run_cli(
        settings,
        *("report", "--plan", SEED_PLAN, "--period", "q2", "--year", "2024"),
        *("--format", "md", "--out", str(tmp_path)),
    )
    assert made.exit_code == 0, made.stderr
    (run,) = list_runs(engine, SEED_PLAN)
    assert str(run["calendar_hash"]).startswith("2024-2024:")  # 15/3/2024 to 14/6/2024

    same = run_cli(settings, "reports")
    assert same.exit_code == 0, same.stderr
    assert "lịch ngày nghỉ đã đổi" not in same.stdout
    assert json.loads(run_cli(settings, "reports", "--json").stdout)[0]["calendar_changed"] is False

    changed = _with_extra_day_off(settings, tmp_path, "2024-06-12")
    listing = run_cli(changed, "reports")
    assert listing.exit_code == 0, listing.stderr
    said = " ".join(listing.stdout.split())  # the console wraps long lines
    assert "lịch ngày nghỉ đã đổi từ lần soạn này" in said
    assert "soạn lại sẽ ra kết quả khác" in said
    as_json = json.loads(run_cli(changed, "reports", "--json").stdout)
    assert as_json[0]["calendar_changed"] is True

    add_user(engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    web_settings = changed.model_copy(update={"secret_key": "test-secret", "cookie_secure": False})
    web = TestClient(create_app(web_settings, engine), follow_redirects=False)
    sign_in(web)
    page = web.get("/bao-cao").text
    assert "Lịch ngày nghỉ đã đổi từ lần soạn này" in page
    plain = TestClient(
        create_app(
            settings.model_copy(
                update=web_settings.model_dump(include={"secret_key", "cookie_secure"})
            ),
            engine,
        ),
        follow_redirects=False,
    )
    sign_in(plain)
    assert "Lịch ngày nghỉ đã đổi" not in plain.get("/bao-cao").text
