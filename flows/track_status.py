"""Every morning: derive each plan's states, store the day's snapshot, publish what to chase."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, task

from kehoach_flow.orchestration.daily import (
    Runtime,
    TrackSummary,
    open_runtime,
    track_markdown,
    track_plan,
)
from kehoach_flow.orchestration.flowkit import NO_CACHE, each, finish, publish


@task(cache_policy=NO_CACHE, task_run_name="track {plan}")
def track_one(rt: Runtime, plan: str, day: date) -> TrackSummary:
    return track_plan(rt, plan, day)


@flow(name="track_status")
def track_status(plan: str | None = None, day: str | None = None) -> dict[str, Any]:
    rt = open_runtime()
    on = rt.day(day)
    tracked, failed = each(track_one, ((p, (rt, p, on)) for p in rt.plans(plan)))
    publish(
        f"tinh-hinh-{on.isoformat()}",
        track_markdown(tracked, failed),
        f"Tình hình ngày {on:%d/%m/%Y}",
    )
    summary = {"day": on.isoformat(), "plans": [t.as_dict() for t in tracked], "failed": failed}
    overdue = sum(len(t.as_dict()["overdue"]) for t in tracked)
    return finish(summary, failed, lambda: f"{len(tracked)} kế hoạch, {overdue} nhiệm vụ quá hạn.")
