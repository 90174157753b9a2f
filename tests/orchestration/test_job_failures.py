"""No day lost: a job failing for a reason that can pass is tried again within its slot's
grace period and recorded once; one that fails for good is mailed once (coordinator units and
the operator) and shown as a red line on / and /luong; `kehoach run` says failures in lines."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from kehoach_flow.accounts import add_user
from kehoach_flow.loading import load_path
from kehoach_flow.orchestration.runs import recent_runs
from kehoach_flow.orchestration.schedules import Job, Schedule
from kehoach_flow.orchestration.service import Service
from kehoach_flow.orchestration.transient import can_pass
from kehoach_flow.reminders.outbox import outbox_rows
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import run_cli

JOB = Job(
    "track-status",
    "track_status",
    "flows/track_status.py:track_status",
    {},
    (Schedule(cron="30 6 * * *"),),
)
NINE = datetime(2024, 12, 20, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam: the 06:30 slot is missed


class Flaky:
    """Stands in for a flow: fails with the given errors, in turn, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self, job: Job, **parameters: Any) -> dict[str, Any]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True}


def _service(settings: Settings, engine: Engine, runner: Flaky) -> Service:
    quick = settings.model_copy(update={"job_retry_seconds": 0.05})
    return Service(quick, engine, [JOB], runner, timedelta(hours=12))


def test_a_job_failing_twice_for_a_passing_reason_runs_once_and_is_recorded_once(
    settings: Settings, engine: Engine
) -> None:
    busy = OperationalError("UPDATE task", {}, Exception("database is locked"))
    runner = Flaky(ConnectionError("Failed to reach API"), busy)
    service = _service(settings, engine, runner)
    service.start(now=NINE, warm_up=False)
    service.stop()
    assert runner.calls == 3
    runs = recent_runs(engine)
    assert [(r["job"], r["state"]) for r in runs] == [("track-status", "completed")]
    assert runs[0]["message"] == "xong ở lần thử thứ 3"
    assert outbox_rows(engine) == []  # nobody is told of a job that got through


def test_a_job_failing_for_good_is_mailed_once_and_shown_in_red(
    settings: Settings, engine: Engine
) -> None:
    load_path(engine, settings.definitions)
    told = settings.model_copy(
        update={"operator_email": "vanhanh@example.vn", "cookie_secure": False}
    )
    runner = Flaky(ValueError("bảng số liệu hỏng"), ValueError("bảng số liệu hỏng"))
    first = _service(told, engine, runner)
    first.start(now=NINE, warm_up=False)
    first.stop()
    again = _service(told, engine, runner)  # a restart does not run nor mail the slot again
    again.start(now=NINE + timedelta(minutes=5), warm_up=False)
    again.stop()
    assert runner.calls == 1  # a failure that cannot pass is not tried again
    [run] = recent_runs(engine)
    assert run["state"] == "failed"
    assert run["message"] == "bảng số liệu hỏng (lỗi không tự hết)"
    [alert] = outbox_rows(engine)
    assert alert["status"] == "sent"
    [sent] = list((told.data_dir / "outbox").rglob("*.eml"))  # one mail, written once
    mail = message_from_bytes(sent.read_bytes())
    to = str(mail["To"])
    assert "vanhanh@example.vn" in to and to.count("@") >= 2  # the coordinator unit too
    assert "track-status" in str(mail["Subject"])

    add_user(engine, "phongkh", "Phòng", "coordinator", "mat-khau-du-dai")
    from fastapi.testclient import TestClient

    web = TestClient(create_app(told, engine), follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/dang-nhap").text)
    assert token is not None
    form = {"csrf_token": token.group(1), "username": "phongkh"}
    form |= {"password": "mat-khau-du-dai", "next": "/"}
    assert web.post("/dang-nhap", data=form).status_code == 303
    for page in ("/", "/luong"):
        html = web.get(page).text
        assert 'class="card danger job-failure"' in html, page
        assert (
            "Việc “Theo dõi tình trạng nhiệm vụ” theo lịch" in html and "bảng số liệu hỏng" in html
        ), page


def test_a_passing_failure_past_the_grace_period_is_given_up(
    sqlite_settings: Settings, sqlite_engine: Engine
) -> None:
    told = sqlite_settings.model_copy(
        update={"operator_email": "vanhanh@example.vn", "job_retry_seconds": 0.05}
    )
    runner = Flaky(*[ConnectionError("connection refused")] * 50)
    service = Service(told, sqlite_engine, [JOB], runner, timedelta(hours=12))
    late = datetime(2024, 12, 20, 11, 29, 59, 900000, tzinfo=UTC)  # 0.1 s of grace left
    service.start(now=late, warm_up=False)
    service.stop()
    [run] = recent_runs(sqlite_engine)
    assert run["state"] == "failed"
    assert "hết thời gian chờ của lịch" in run["message"]
    assert len(outbox_rows(sqlite_engine)) == 1


def test_prefect_database_and_mail_outages_can_pass_other_failures_cannot(tmp_path: Any) -> None:
    try:
        httpx.get("http://127.0.0.1:9/api/health", timeout=1)
    except httpx.HTTPError as unreachable:
        try:
            raise RuntimeError("Failed to reach API at http://127.0.0.1:9/api/") from unreachable
        except RuntimeError as prefect_down:
            assert can_pass(prefect_down)
    locked = create_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 0})
    with locked.connect() as holder:
        holder.execute(text("CREATE TABLE t (x INT)"))
        holder.execute(text("BEGIN EXCLUSIVE"))
        with pytest.raises(OperationalError) as busy, locked.connect() as other:
            other.execute(text("SELECT * FROM t"))
        holder.execute(text("ROLLBACK"))
    locked.dispose()
    assert can_pass(busy.value)
    from kehoach_flow.orchestration.flowkit import MailServerDownError, PlansFailedError

    assert can_pass(MailServerDownError("máy chủ thư không nhận kết nối"))
    assert not can_pass(ValueError("bảng số liệu hỏng"))
    assert not can_pass(PlansFailedError("1 kế hoạch lỗi: a: connection refused"))


def test_run_names_an_unknown_plan_in_one_line(settings: Settings, engine: Engine) -> None:
    result = run_cli(settings, "run", "track_status", "--plan", "khong-co")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        'Lỗi: không tìm thấy kế hoạch "khong-co"; xem danh sách bằng `kehoach plans`'
    ]
