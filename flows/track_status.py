"""Every morning: derive each plan's states, store the day's snapshot, publish what to chase."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, task

from kehoach_flow.context import AppContext, open_context
from kehoach_flow.orchestration.flowkit import NO_CACHE, each, finish, publish
from kehoach_flow.orchestration.track_status import TrackSummary, track_markdown, track_plan


@task(cache_policy=NO_CACHE, task_run_name="track {plan}")
def track_one(ctx: AppContext, plan: str, day: date) -> TrackSummary:
    return track_plan(ctx, plan, day)


@flow(name="track_status")
def track_status(plan: str | None = None, day: str | None = None) -> dict[str, Any]:
    ctx = open_context()
    on = ctx.day(day)
    tracked, failed = each(track_one, ((p, (ctx, p, on)) for p in ctx.plans(plan)))
    publish(
        f"tinh-hinh-{on.isoformat()}",
        track_markdown(tracked, failed),
        f"Tình hình ngày {on:%d/%m/%Y}",
    )
    summary = {"day": on.isoformat(), "plans": [t.as_dict() for t in tracked], "failed": failed}
    overdue = sum(len(t.as_dict()["overdue"]) for t in tracked)
    return finish(summary, failed, lambda: f"{len(tracked)} kế hoạch, {overdue} nhiệm vụ quá hạn.")
