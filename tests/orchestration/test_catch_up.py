"""The embedded scheduler's catch-up: a missed slot runs once at start, not zero or three times."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from kehoach_flow.orchestration.runs import recent_runs
from kehoach_flow.orchestration.schedules import Schedule, last_slot, read_jobs
from kehoach_flow.orchestration.service import Service, flow_runner
from kehoach_flow.reminders.outbox import outbox_rows
from kehoach_flow.settings import Settings
from tests.conftest import ROOT

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEDULES = ROOT / "deploy" / "prefect.yaml"


def service(settings: Settings, engine: Engine) -> Service:
    ours = settings.model_copy(update={"schedule_file": SCHEDULES})
    return Service(ours, engine, read_jobs(SCHEDULES), flow_runner(ours), timedelta(hours=12))


def test_a_missed_0730_job_runs_once_when_the_service_starts_at_0900(
    env: Settings,
    engine: Engine,
) -> None:
    first = service(env, engine)
    first.start(now=datetime(2024, 12, 20, 9, 0, tzinfo=VN), warm_up=False)
    first.stop()
    assert sorted(first.caught_up) == [
        "send-reminders@2024-12-20T07:30:00+07:00",
        "track-status@2024-12-20T06:30:00+07:00",
    ]
    assert len(outbox_rows(engine, "sent")) == 4  # the 20/12 reminders went out
    restarted = service(env, engine)  # a restart at 09:05 runs nothing again
    restarted.start(now=datetime(2024, 12, 20, 9, 5, tzinfo=VN), warm_up=False)
    restarted.stop()
    assert restarted.caught_up == []
    runs = recent_runs(engine)
    assert sorted((r["job"], r["state"]) for r in runs) == [
        ("send-reminders", "completed"),
        ("track-status", "completed"),
    ]
    assert len(outbox_rows(engine)) == 4


def test_after_three_days_off_only_the_latest_slot_runs(
    env: Settings,
    engine: Engine,
) -> None:
    back = service(env, engine)
    back.start(now=datetime(2024, 12, 23, 9, 0, tzinfo=VN), warm_up=False)  # Monday
    back.stop()
    assert sorted(back.caught_up) == [
        "send-reminders@2024-12-23T07:30:00+07:00",
        "track-status@2024-12-23T06:30:00+07:00",
    ]


def test_last_slot_is_the_latest_fire_time_inside_the_window() -> None:
    daily = Schedule(cron="30 7 * * *")
    now = datetime(2024, 12, 20, 9, 0, tzinfo=VN)
    assert last_slot(daily, now, timedelta(hours=12)) == datetime(2024, 12, 20, 7, 30, tzinfo=VN)
    assert last_slot(daily, now, timedelta(hours=1)) is None  # outside the grace period
    early = datetime(2024, 12, 20, 7, 29, tzinfo=VN)
    assert last_slot(daily, early, timedelta(hours=12)) is None


def test_the_service_reads_four_deployments_from_prefect_yaml() -> None:
    jobs = {j.name: j for j in read_jobs(SCHEDULES)}
    assert set(jobs) == {"track-status", "send-reminders", "build-report", "load-definitions"}
    assert [s.cron for s in jobs["track-status"].schedules] == ["30 6 * * *"]
    assert jobs["build-report"].schedules[0].cron == "0 7 15 3,6,9,12 *"
    assert all(Path(ROOT, j.entrypoint.split(":")[0]).is_file() for j in jobs.values())


def test_a_malformed_schedule_file_is_one_clear_error(tmp_path: Path) -> None:
    from kehoach_flow.errors import KehoachError

    bad = tmp_path / "prefect.yaml"
    bad.write_text(
        "deployments:\n  - name: x\n    entrypoint: flows/x.py:x\n    schedules:\n      - cron: '99 * * * *'\n",
        encoding="utf-8",
    )
    with pytest.raises(KehoachError, match="deployment x: lịch"):
        read_jobs(bad)
