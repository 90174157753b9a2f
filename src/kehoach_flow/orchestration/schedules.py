"""The schedules of deploy/prefect.yaml, read for `kehoach serve` and `kehoach run`.

The file stays a valid Prefect project file; this reads the parts the embedded service needs:
each deployment's name, entrypoint, parameters and its cron or interval schedules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from kehoach_flow.errors import KehoachError


@dataclass(frozen=True)
class Schedule:
    cron: str | None = None
    interval: float | None = None  # seconds
    anchor: datetime | None = None
    timezone: str = "Asia/Ho_Chi_Minh"

    def trigger(self) -> BaseTrigger:
        zone = ZoneInfo(self.timezone)
        if self.cron is not None:
            return CronTrigger.from_crontab(self.cron, timezone=zone)
        assert self.interval is not None
        anchor = self.anchor or datetime(2020, 1, 1, tzinfo=zone)
        return IntervalTrigger(seconds=self.interval, start_date=anchor, timezone=zone)


@dataclass(frozen=True)
class Job:
    name: str  # the deployment's name
    flow: str  # the flow's function name, from the entrypoint
    entrypoint: str  # "flows/track_status.py:track_status"
    parameters: dict[str, Any] = field(default_factory=dict)
    schedules: tuple[Schedule, ...] = ()


def read_jobs(path: Path) -> list[Job]:
    """Every deployment of a prefect.yaml; a malformed one is a KehoachError naming it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KehoachError(f"không có tệp lịch chạy {path}") from None
    except yaml.YAMLError as exc:
        raise KehoachError(f"{path}: không đọc được YAML: {exc}") from None
    deployments = (data or {}).get("deployments") if isinstance(data, dict) else None
    if not isinstance(deployments, list) or not deployments:
        raise KehoachError(f"{path}: cần danh sách deployments:")
    return [_job(path, i, d) for i, d in enumerate(deployments, start=1)]


def _job(path: Path, number: int, d: Any) -> Job:
    where = f"{path}: deployment thứ {number}"
    if not isinstance(d, dict) or not d.get("name") or not d.get("entrypoint"):
        raise KehoachError(f"{where}: cần name và entrypoint")
    where = f"{path}: deployment {d['name']}"
    entrypoint = str(d["entrypoint"])
    if ":" not in entrypoint:
        raise KehoachError(f'{where}: entrypoint cần dạng "flows/tep.py:ten_luong"')
    parameters = d.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise KehoachError(f"{where}: parameters cần là khối khóa: giá trị")
    schedules = tuple(_schedule(where, s) for s in d.get("schedules") or [])
    return Job(str(d["name"]), entrypoint.rsplit(":", 1)[1], entrypoint, parameters, schedules)


def _schedule(where: str, s: Any) -> Schedule:
    if not isinstance(s, dict):
        raise KehoachError(f"{where}: mỗi lịch cần là khối khóa: giá trị")
    timezone = str(s.get("timezone") or "Asia/Ho_Chi_Minh")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise KehoachError(f'{where}: múi giờ "{timezone}" không có') from None
    if s.get("cron"):
        schedule = Schedule(cron=str(s["cron"]), timezone=timezone)
    elif s.get("interval"):
        anchor = s.get("anchor_date")
        if isinstance(anchor, str):
            anchor = datetime.fromisoformat(anchor)
        schedule = Schedule(interval=float(s["interval"]), anchor=anchor, timezone=timezone)
    else:
        raise KehoachError(f"{where}: lịch cần cron hoặc interval (rrule chưa hỗ trợ)")
    try:
        schedule.trigger()
    except ValueError as exc:
        raise KehoachError(f"{where}: lịch {s} không hợp lệ: {exc}") from None
    return schedule


def last_slot(schedule: Schedule, now: datetime, horizon: timedelta) -> datetime | None:
    """The latest fire time of `schedule` in (now - horizon, now], or None."""
    trigger = schedule.trigger()
    start = now - horizon
    fire = trigger.get_next_fire_time(None, start)
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest


def find_job(jobs: list[Job], name: str) -> Job:
    """A job by deployment name ("send-reminders") or flow name ("send_reminders")."""
    for job in jobs:
        if name in (job.name, job.flow):
            return job
    choices = ", ".join(job.flow for job in jobs)
    raise KehoachError(f'không có luồng "{name}"; chọn một trong: {choices}')
