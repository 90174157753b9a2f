"""Working-day reminders: plan and queue the day's digests per plan, then deliver the outbox."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task

from kehoach_flow.mail.transport import transport_from_settings
from kehoach_flow.orchestration.daily import Runtime, day_off, open_runtime
from kehoach_flow.orchestration.flowkit import NO_CACHE, each, finish
from kehoach_flow.reminders.sender import SendPolicy, deliver
from kehoach_flow.reminders.sweep import queue_day


@task(cache_policy=NO_CACHE, task_run_name="queue {plan}")
def queue_one(rt: Runtime, plan: str, day: date) -> dict[str, int]:
    result = queue_day(rt.engine, rt.settings, day, [plan])
    return {"reminders": len(result.reminders), "queued": result.queued}


@task(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=60)
def deliver_outbox(rt: Runtime) -> dict[str, int]:
    """Sends what is due; a mail server that is down leaves rows pending for the next try."""
    policy = SendPolicy.from_settings(rt.settings)
    report = deliver(rt.engine, transport_from_settings(rt.settings), policy)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


@flow(name="send_reminders")
def send_reminders(plan: str | None = None, day: str | None = None) -> dict[str, Any]:
    rt = open_runtime()
    on = rt.day(day)
    reason = day_off(rt, on)
    if reason is not None:
        get_run_logger().info(
            "%s là ngày nghỉ (%s): không gửi nhắc việc.", f"{on:%d/%m/%Y}", reason
        )
        return {"day": on.isoformat(), "day_off": reason}
    queued, failed = each(queue_one, ((p, (rt, p, on)) for p in rt.plans(plan)))
    sent = deliver_outbox(rt)
    summary = {
        "day": on.isoformat(),
        "reminders": sum(q["reminders"] for q in queued),
        "queued": sum(q["queued"] for q in queued),
        **sent,
        "failed_plans": failed,
    }
    return finish(
        summary,
        failed,
        lambda: f"Ngày {on:%d/%m/%Y}: xếp {summary['queued']} thư, đã gửi {sent['sent']}.",
    )
