"""Moments are stored in UTC and shown in Vietnam time (UTC+7) on every page and CLI line."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from kehoach_flow.db.queries import find_task
from kehoach_flow.db.tables import ReportRun
from kehoach_flow.orchestration.runs import claim
from kehoach_flow.settings import Settings
from kehoach_flow.timefmt import local, shown
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from tests.conftest import SEED_PLAN, run_cli
from tests.web.conftest import sign_in

AT_0128_UTC = datetime(2024, 5, 10, 1, 28, tzinfo=UTC)


def test_a_naive_moment_is_utc_and_is_shown_seven_hours_later() -> None:
    assert shown(datetime(2024, 5, 10, 1, 28)) == "10/05/2024 08:28"
    assert shown(AT_0128_UTC, "Asia/Ho_Chi_Minh") == "10/05/2024 08:28"
    assert shown("2024-05-09T23:30:00Z") == "10/05/2024 06:30"
    assert shown(date(2024, 5, 10)) == "10/05/2024"
    assert local(datetime(2024, 12, 31, 20, 0)).date() == date(2025, 1, 1)


def test_the_task_history_shows_an_update_at_its_vietnam_time(
    web: TestClient, engine: Engine
) -> None:
    task = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")
    record_update(
        engine,
        task["id"],
        UpdateIn(status=Status("in_progress"), progress=20, note="Bắt đầu khảo sát"),
        Author("qltcdlcl", "web", AT_0128_UTC),
        now=AT_0128_UTC,
    )
    sign_in(web)
    page = web.get(f"/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn").text
    assert "10/05/2024 08:28" in page
    assert "01:28" not in page


def test_flows_page_shows_the_0630_job_at_0630_not_2330_the_day_before(
    web: TestClient, engine: Engine
) -> None:
    assert claim(engine, "track_status", datetime(2024, 5, 9, 23, 30, tzinfo=UTC))
    sign_in(web)
    page = web.get("/luong").text
    assert "10/05/2024 06:30" in page
    assert "09/05/2024 23:30" not in page


def test_report_runs_show_when_they_were_made_in_vietnam_time(
    web: TestClient, engine: Engine, web_settings: Settings
) -> None:
    row = {
        "subject": SEED_PLAN,
        "period": "q2",
        "year": 2024,
        "cutoff": date(2024, 6, 14),
        "generated_at": AT_0128_UTC,
        "content_hash": "0" * 64,
        "files": [],
    }
    with engine.begin() as conn:
        conn.execute(insert(ReportRun.__table__), [row])  # type: ignore[attr-defined]
    sign_in(web)
    page = web.get("/bao-cao").text
    assert "10/05/2024 08:28" in page and "01:28" not in page
    listing = run_cli(web_settings, "reports")
    assert listing.exit_code == 0, listing.stderr
    assert "lúc 10/05/2024 08:28" in listing.stdout
