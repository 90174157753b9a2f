"""When an update may be dated: not after today, not before the task's latest entry."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from kehoach_flow.accounts import add_user, issue_token
from kehoach_flow.db.queries import find_task
from kehoach_flow.errors import UpdateError
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import (
    UPDATE,
    Author,
    UpdateIn,
    history_rows,
    load_history,
    record_update,
)
from kehoach_flow.tracking.state import end_of_day, state_at
from kehoach_flow.tracking.status import Status
from kehoach_flow.web.app import create_app
from tests.conftest import DEFINITIONS, SEED_PLAN, run_cli

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TASK = "khao-sat-30-dn"
# The clock the library tests run on: 30/11/2024, 10:00 where the plan runs.
NOW = datetime(2024, 11, 30, 10, tzinfo=TZ)


def at(day: date, hour: int = 9) -> Author:
    return Author("qltcdlcl", "cli", datetime.combine(day, time(hour), tzinfo=TZ))


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    load_path(engine, DEFINITIONS)
    return engine


def _task_id(engine: Engine) -> int:
    return int(find_task(engine, TASK)["id"])


def _entries(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(UPDATE)).scalar_one())


def test_an_update_dated_after_today_is_refused_and_records_nothing(seeded: Engine) -> None:
    change = UpdateIn(status=Status.IN_PROGRESS, progress=10)
    with pytest.raises(UpdateError, match=r"ngày ghi nhận 01/12/2024 chưa đến"):
        record_update(seeded, _task_id(seeded), change, at(date(2024, 12, 1), 0), now=NOW)
    assert _entries(seeded) == 0
    # Today itself, even later in the day than the clock, is accepted.
    record_update(seeded, _task_id(seeded), change, at(date(2024, 11, 30), 23), now=NOW)
    assert _entries(seeded) == 1


def test_today_is_the_day_where_the_plan_runs_not_in_utc(seeded: Engine) -> None:
    """At 01:00 on 1/12 in Hà Nội it is still 30/11 in UTC: 1/12 is today, not the future."""
    clock = datetime(2024, 11, 30, 18, tzinfo=UTC)  # 01:00 on 01/12/2024 in Asia/Ho_Chi_Minh
    change = UpdateIn(status=Status.IN_PROGRESS, progress=10)
    record_update(seeded, _task_id(seeded), change, at(date(2024, 12, 1), 0), now=clock)
    with pytest.raises(UpdateError, match="02/12/2024"):
        record_update(seeded, _task_id(seeded), change, at(date(2024, 12, 2), 0), now=clock)


def test_a_completion_date_after_the_update_day_is_refused(seeded: Engine) -> None:
    change = UpdateIn(status=Status.DONE, completed_on=date(2024, 12, 5))
    with pytest.raises(UpdateError, match="ngày hoàn thành 05/12/2024 sau ngày ghi nhận"):
        record_update(seeded, _task_id(seeded), change, at(date(2024, 11, 20)), now=NOW)
    assert _entries(seeded) == 0 and find_task(seeded, TASK)["status"] == "not_started"


def test_an_update_dated_before_the_latest_entry_is_refused_and_the_state_kept(
    seeded: Engine,
) -> None:
    task_id = _task_id(seeded)
    record_update(seeded, task_id, UpdateIn(status=Status.DONE), at(date(2024, 11, 20)), now=NOW)
    with pytest.raises(UpdateError) as refused:
        record_update(seeded, task_id, UpdateIn(progress=60), at(date(2024, 6, 1)), now=NOW)
    assert "đã có cập nhật ngày 20/11/2024" in refused.value.message
    assert "01/06/2024" in refused.value.message
    assert _entries(seeded) == 1
    task = find_task(seeded, TASK)
    # the seed plan has completion review: the done report waits for the coordinator
    assert (task["status"], task["progress"], task["version"]) == ("awaiting_review", 100, 2)


def test_an_update_on_the_latest_entrys_day_comes_after_it_in_the_history(
    seeded: Engine,
) -> None:
    """The CLI dates `--date` updates at noon; an entry made at 15:00 the same day stays
    before it, so the history folded at any moment agrees with the task's cached state."""
    task_id = _task_id(seeded)
    day = date(2024, 6, 3)
    record_update(
        seeded, task_id, UpdateIn(status=Status.IN_PROGRESS, progress=30), at(day, 15), now=NOW
    )
    record_update(seeded, task_id, UpdateIn(progress=60), at(day, 12), now=NOW)
    with seeded.connect() as conn:
        history = load_history(conn, UPDATE.c.task_id == task_id)[task_id]  # type: ignore[index]
    folded = state_at(history, end_of_day(day, "Asia/Ho_Chi_Minh"))
    assert (folded.status, folded.progress) == (Status.IN_PROGRESS, 60)
    assert find_task(seeded, TASK)["progress"] == 60


def test_cli_update_dated_in_the_future_exits_2_with_one_line(
    settings: Settings, engine: Engine
) -> None:
    load_path(engine, DEFINITIONS)
    on_the_day = settings.model_copy(update={"today": date(2024, 6, 14)})  # KEHOACH_TODAY
    result = run_cli(on_the_day, "update", TASK, "--progress", "10", "--date", "2024-06-15")
    assert result.exit_code == 2, result.stdout
    assert result.stderr.strip() == (
        "Lỗi: ngày ghi nhận 15/06/2024 chưa đến (hôm nay là 14/06/2024); "
        "chỉ ghi được cập nhật đến hôm nay"
    )
    assert _entries(engine) == 0
    assert run_cli(on_the_day, "update", TASK, "--progress", "10").exit_code == 0
    [entry] = history_rows(engine, _task_id(engine))
    assert entry["at"].astimezone(TZ).date() == date(2024, 6, 14)  # undated: the clock's today


def test_cli_update_dated_after_the_machines_today_is_refused_without_a_set_clock(
    settings: Settings, engine: Engine
) -> None:
    load_path(engine, DEFINITIONS)
    later = datetime.now(TZ).date() + timedelta(days=2)  # ahead whatever the machine's date
    result = run_cli(settings, "update", TASK, "--progress", "10", "--date", later.isoformat())
    assert result.exit_code == 2 and f"ngày ghi nhận {later:%d/%m/%Y} chưa đến" in result.stderr
    assert _entries(engine) == 0


def test_cli_update_dated_before_a_later_done_is_refused_and_keeps_the_60_from_being_lost(
    settings: Settings, engine: Engine
) -> None:
    load_path(engine, DEFINITIONS)
    done = run_cli(settings, "update", TASK, "--status", "done", "--date", "2024-11-20")
    assert done.exit_code == 0, done.stderr
    result = run_cli(settings, "update", TASK, "--progress", "60", "--date", "2024-06-01")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f'Lỗi: nhiệm vụ "{TASK}" đã có cập nhật ngày 20/11/2024; '
        "không ghi được cập nhật ngày 01/06/2024 trước đó"
    )
    assert "Hoàn thành" not in result.stdout
    assert _entries(engine) == 1


def test_api_update_with_a_future_completion_date_is_a_400_in_vietnamese(
    settings: Settings, engine: Engine
) -> None:
    load_path(engine, DEFINITIONS)
    add_user(engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", "mat-khau-du-dai")
    web_settings = settings.model_copy(
        update={"secret_key": "s", "cookie_secure": False, "today": date(2024, 6, 14)}
    )
    client = TestClient(create_app(web_settings, engine))
    headers = {"Authorization": f"Bearer {issue_token(engine, 'phongkh', 'test')}"}
    url = f"/api/tasks/{SEED_PLAN}/{TASK}/updates"
    body = {"version": 1, "status": "done", "completed_on": "2024-06-20"}
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "ngày hoàn thành 20/06/2024 sau ngày ghi nhận 14/06/2024; chỉ ghi được việc đã hoàn thành"
    )
    assert _entries(engine) == 0
    done = client.post(url, json={**body, "completed_on": "2024-06-10"}, headers=headers)
    assert done.status_code == 201, done.text
