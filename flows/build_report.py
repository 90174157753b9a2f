"""After each cut-off: every plan's report draft for the period just closed (or the one given)."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, task

from kehoach_flow.context import AppContext, open_context
from kehoach_flow.orchestration.build_report import (
    due_period,
    plan_period,
    report_markdown,
    write_report,
)
from kehoach_flow.orchestration.flowkit import NO_CACHE, each, finish, publish


@task(cache_policy=NO_CACHE, task_run_name="report {plan}")
def report_one(
    ctx: AppContext, plan: str, day: date, period: str | None, year: int | None
) -> dict[str, Any] | None:
    chosen = (
        plan_period(ctx, plan, period, year or day.year) if period else due_period(ctx, plan, day)
    )
    return None if chosen is None else write_report(ctx, plan, chosen, day)


@flow(name="build_report")
def build_report(
    plan: str | None = None,
    period: str | None = None,
    year: int | None = None,
    day: str | None = None,
) -> dict[str, Any]:
    ctx = open_context()
    on = ctx.day(day)
    made, failed = each(report_one, ((p, (ctx, p, on, period, year)) for p in ctx.plans(plan)))
    reports = [r for r in made if r is not None]
    if reports or failed:
        publish(
            f"bao-cao-{on.isoformat()}",
            report_markdown(reports, failed),
            f"Báo cáo soạn ngày {on:%d/%m/%Y}",
        )
    summary = {"day": on.isoformat(), "reports": reports, "failed": failed}
    return finish(summary, failed, lambda: f"Đã soạn {len(reports)} báo cáo.")
