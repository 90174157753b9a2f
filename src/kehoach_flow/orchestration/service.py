"""`kehoach serve`: the web app and an APScheduler scheduler in one process.

The scheduler fires the flows of deploy/prefect.yaml on their schedules, against the one
Prefect server the service supervises (prefect_server.PrefectSupervisor). Each firing first
claims its slot (job, scheduled time) in the database, so a slot runs once. At start the
service waits for that server to answer, loads the definitions, then runs each job's latest
slot missed within the grace period once (a machine switched on at 09:00 still sends the 07:30
reminders, once, however many days it was off), then schedules the rest.

A job failing for a reason that can pass (Prefect, the database or the mail server down or
busy) is tried again, waiting longer each time, until its slot's grace period ends; a job that
fails for good is recorded "failed" and mailed to the coordinators and the operator.
"""

from __future__ import annotations

import fcntl
import inspect
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler

from kehoach_flow.errors import KehoachError
from kehoach_flow.orchestration import alerts, runs
from kehoach_flow.orchestration.schedules import Job, Schedule, last_slot
from kehoach_flow.orchestration.transient import can_pass
from kehoach_flow.settings import Settings
from kehoach_flow.timefmt import shown

log = logging.getLogger("kehoach.serve")
Runner = Callable[..., Any]  # (job, **parameter overrides) -> the flow's summary


MAX_RETRY_WAIT = 600.0  # seconds between two tries of a job, at most


def prefect_home(settings: Settings) -> Path:
    return (settings.ensure_data_dir() / "prefect").resolve()


def prepare_prefect(settings: Settings, api_url: str | None = None) -> None:
    """Prefect's home under the data directory and no analytics, unless set otherwise, and
    the API of `api_url` when given; must run before prefect is imported."""
    os.environ.setdefault("PREFECT_HOME", str(prefect_home(settings)))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if api_url is not None:
        os.environ["PREFECT_API_URL"] = api_url


def project_root(schedule_file: Path) -> Path:
    """Entrypoints are relative to the project root: the directory above deploy/."""
    return schedule_file.resolve().parent.parent


def flow_runner(settings: Settings) -> Runner:
    """Runs a job's flow in this process (Prefect local mode) with the job's parameters."""
    root = project_root(settings.schedule_file)

    def run(job: Job, **overrides: Any) -> Any:
        from prefect.flows import load_flow_from_entrypoint

        flow: Any = load_flow_from_entrypoint(str(root / job.entrypoint))
        accepted = inspect.signature(flow.fn).parameters
        given = {k: v for k, v in overrides.items() if v is not None and k in accepted}
        return flow(**{**job.parameters, **given})

    return run


class ServiceLock:
    """One `kehoach serve` per data directory: a second one is refused, naming the first."""

    def __init__(self, data_dir: Path, timezone: str) -> None:
        self.path = data_dir / "serve.lock"
        self.timezone = timezone
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise KehoachError(
                f"kehoach serve đang chạy trên dữ liệu này ({holder}, khóa {self.path}); "
                "dừng dịch vụ đó trước, hoặc đặt KEHOACH_DATA_DIR khác"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} từ {shown(datetime.now(UTC), self.timezone)}")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


@dataclass
class Service:
    """The scheduler side of `kehoach serve`; the web app asks it for /health."""

    settings: Settings
    engine: Any
    jobs: list[Job]
    runner: Runner
    grace: timedelta = timedelta(hours=12)
    prefect: Any = None  # a PrefectSupervisor: jobs wait for it to answer
    on_failure: Callable[[], None] | None = None  # the start failed: end the service
    state: str = "starting"  # starting, running, stopping, stopped
    failure: str | None = None
    caught_up: list[str] = field(default_factory=list)
    _scheduler: BackgroundScheduler | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopped: threading.Event = field(default_factory=threading.Event)
    _skew: timedelta = timedelta(0)

    def _now(self) -> datetime:
        return datetime.now(UTC) + self._skew

    def start(self, now: datetime | None = None, warm_up: bool = True) -> None:
        """Wait for Prefect, warm up, catch up, then schedule; returns once the scheduler
        runs (or the start failed, or the service was stopped meanwhile)."""
        if self.prefect is not None and not self._prefect_started():
            return
        if warm_up:
            self._warm_up()
        if now is not None:  # a test's "now": the grace periods count from it
            self._skew = now - datetime.now(UTC)
        self.catch_up(self._now())
        with self._lock:
            if self.state != "starting":  # stopped while catching up
                return
            self._scheduler = self._schedule()
            self.state = "running"

    def _schedule(self) -> BackgroundScheduler:
        scheduler = BackgroundScheduler(
            timezone=self.settings.timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        for job in self.jobs:
            for number, schedule in enumerate(job.schedules):
                scheduler.add_job(
                    self._fire,
                    schedule.trigger(),
                    args=[job, schedule],
                    id=f"{job.name}-{number}",
                    name=job.name,
                )
        scheduler.start()
        return scheduler

    def _prefect_started(self) -> bool:
        begun = time.monotonic()
        if self.prefect.wait_healthy(cancel=self._stopped):
            log.info(
                "Prefect server sẵn sàng sau %.0f giây: %s",
                time.monotonic() - begun,
                self.prefect.ui_url,
            )
            return True
        if not self._stopped.is_set():
            self.failure = (
                f"Prefect server không trả lời sau {self.prefect.start_timeout:.0f} giây "
                f"(KEHOACH_PREFECT_START_TIMEOUT); nhật ký: {self.prefect.log_file}"
            )
            log.error(self.failure)
            if self.on_failure is not None:
                self.on_failure()
        return False

    def _warm_up(self) -> None:
        """Prefect's first flow in a process starts its local server (10-20 s); doing it once
        here, with the definitions load, keeps jobs firing together from racing that start."""
        loader = next((j for j in self.jobs if j.flow == "load_definitions"), None)
        if loader is None:
            return
        try:
            self.runner(loader)
        except Exception as exc:  # a broken plan file must not stop the service
            log.error("nạp định nghĩa khi khởi động lỗi: %s", exc)

    def catch_up(self, now: datetime) -> list[str]:
        """Each job's latest missed slot within the grace period, run once, oldest first."""
        missed = []
        for job in self.jobs:
            for schedule in job.schedules:
                slot = last_slot(schedule, now, self.grace)
                if slot is not None:
                    missed.append((slot, job))
        for slot, job in sorted(missed, key=lambda item: item[0]):
            if self.state != "starting":
                break
            if self._run(job, slot):
                self.caught_up.append(f"{job.name}@{slot.isoformat()}")
        return self.caught_up

    def _fire(self, job: Job, schedule: Schedule) -> None:
        slot = last_slot(schedule, self._now(), self.grace)
        if slot is not None:
            self._run(job, slot)

    def _run(self, job: Job, slot: datetime) -> bool:
        """Run a slot once: claimed first; tried again while its failure can pass and its
        grace period lasts; told to people when it fails for good. True if this call ran it."""
        if not runs.claim(self.engine, job.name, slot):
            return False
        log.info("chạy %s (lịch %s)", job.name, slot.isoformat())
        # The slot's own day, unless the deployment fixes one: a 07:30 slot caught up at 09:00
        # still reminds for its day, and a report slot caught up late still picks its period.
        day = slot.astimezone(ZoneInfo(self.settings.timezone)).date().isoformat()
        parameters = {} if "day" in job.parameters else {"day": day}
        ends = slot + self.grace
        wait = self.settings.job_retry_seconds
        attempt = 0
        while True:
            attempt += 1
            error = self._attempt(job, parameters, ends)
            if error is None:
                note = f"xong ở lần thử thứ {attempt}" if attempt > 1 else None
                runs.settle(self.engine, job.name, slot, "completed", note)
                log.info("%s xong%s", job.name, f" ({note})" if note else "")
                return True
            if self._stopped.is_set():  # the next start catches the slot up
                runs.release(self.engine, job.name, slot)
                return True
            passing = can_pass(error)
            if passing and self._now() + timedelta(seconds=wait) < ends:
                log.warning(
                    "%s lỗi lần %d, thử lại sau %.0f giây: %s", job.name, attempt, wait, error
                )
                if self._stopped.wait(wait):
                    runs.release(self.engine, job.name, slot)
                    return True
                wait = min(wait * 2, MAX_RETRY_WAIT)
                continue
            self._give_up(job, slot, error, attempt, passing)
            return True

    def _attempt(self, job: Job, parameters: dict[str, Any], ends: datetime) -> Exception | None:
        """One try of the job; the error it failed with, or None."""
        if self.prefect is not None and not self.prefect.healthy():
            left = (ends - self._now()).total_seconds()
            wait = max(0.0, min(left, self.prefect.start_timeout))
            if not self.prefect.wait_healthy(wait, cancel=self._stopped):
                return ConnectionError(f"Prefect server không trả lời ({self.prefect.api_url})")
        try:
            self.runner(job, **parameters)
        except Exception as exc:
            return exc
        return None

    def _give_up(
        self, job: Job, slot: datetime, error: Exception, attempts: int, passing: bool
    ) -> None:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        why = (
            f"hết thời gian chờ của lịch, sau {attempts} lần thử" if passing else "lỗi không tự hết"
        )
        message = f"{reason} ({why})"[:2000]
        runs.settle(self.engine, job.name, slot, "failed", message)
        log.error("%s lỗi, thôi thử lại: %s", job.name, message)
        try:
            told = alerts.queue_alert(self.engine, self.settings, job.name, slot, message)
        except Exception as exc:  # the red line on / and /luong still says it
            log.error("không lưu được thư báo lỗi: %s", exc)
            return
        if told:
            alerts.deliver_now(self.engine, self.settings)

    def next_runs(self) -> list[dict[str, Any]]:
        if self._scheduler is None:
            return [{"job": j.name, "next_run": None} for j in self.jobs if j.schedules]
        return [
            {"job": j.name, "next_run": j.next_run_time.isoformat() if j.next_run_time else None}
            for j in self._scheduler.get_jobs()
        ]

    def stop(self) -> None:
        """Waits for a running job to finish: its outbox rows are settled, not abandoned."""
        self._stopped.set()
        with self._lock:
            self.state = "stopping"
            scheduler = self._scheduler
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        self.state = "stopped"
