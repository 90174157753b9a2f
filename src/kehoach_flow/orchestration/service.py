"""`kehoach serve`: the web app and an APScheduler scheduler in one process.

The scheduler fires the flows of deploy/prefect.yaml on their schedules, with Prefect in local
mode. Each firing first claims its slot (job, scheduled time) in the database, so a slot runs
once. At start the service warms Prefect up with one flow (loading the definitions), then runs
each job's latest slot missed within the grace period once (a machine switched on at 09:00
still sends the 07:30 reminders, once, however many days it was off), then schedules the rest.
"""

from __future__ import annotations

import fcntl
import inspect
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler

from kehoach_flow.errors import KehoachError
from kehoach_flow.orchestration import runs
from kehoach_flow.orchestration.schedules import Job, Schedule, last_slot
from kehoach_flow.settings import Settings

log = logging.getLogger("kehoach.serve")
Runner = Callable[..., Any]  # (job, **parameter overrides) -> the flow's summary


def prepare_prefect(settings: Settings) -> None:
    """Prefect's home under the data directory and no analytics, unless set otherwise; must
    run before prefect is imported."""
    os.environ.setdefault("PREFECT_HOME", str((settings.ensure_data_dir() / "prefect").resolve()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


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

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "serve.lock"
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
        handle.write(f"pid {os.getpid()} từ {datetime.now():%d/%m/%Y %H:%M}")
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
    state: str = "starting"  # starting, running, stopping, stopped
    caught_up: list[str] = field(default_factory=list)
    _scheduler: BackgroundScheduler | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, now: datetime | None = None, warm_up: bool = True) -> None:
        """Warm up, catch up, then schedule; returns once the scheduler runs."""
        if warm_up:
            self._warm_up()
        self.catch_up(now or datetime.now(UTC))
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
        slot = last_slot(schedule, datetime.now(UTC), self.grace)
        if slot is not None:
            self._run(job, slot)

    def _run(self, job: Job, slot: datetime) -> bool:
        if not runs.claim(self.engine, job.name, slot):
            return False
        log.info("chạy %s (lịch %s)", job.name, slot.isoformat())
        # The slot's own day, unless the deployment fixes one: a 07:30 slot caught up at 09:00
        # still reminds for its day, and a report slot caught up late still picks its period.
        day = slot.astimezone(ZoneInfo(self.settings.timezone)).date().isoformat()
        try:
            self.runner(job, **({} if "day" in job.parameters else {"day": day}))
        except Exception as exc:
            runs.settle(self.engine, job.name, slot, "failed", str(exc)[:2000])
            log.error("%s lỗi: %s", job.name, exc)
        else:
            runs.settle(self.engine, job.name, slot, "completed")
        return True

    def next_runs(self) -> list[dict[str, Any]]:
        if self._scheduler is None:
            return [{"job": j.name, "next_run": None} for j in self.jobs if j.schedules]
        return [
            {"job": j.name, "next_run": j.next_run_time.isoformat() if j.next_run_time else None}
            for j in self._scheduler.get_jobs()
        ]

    def stop(self) -> None:
        """Waits for a running job to finish: its outbox rows are settled, not abandoned."""
        with self._lock:
            self.state = "stopping"
            scheduler = self._scheduler
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        self.state = "stopped"
