"""Working-day reminders: plan each plan's reminders (a broken plan fails alone), then queue
one digest per recipient across all plans, then deliver the outbox."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.utilities.annotations import quote

from kehoach_flow.context import AppContext, open_context
from kehoach_flow.mail.transport import transport_from_settings
from kehoach_flow.orchestration.flowkit import NO_CACHE, MailServerDownError, each, finish
from kehoach_flow.orchestration.send_reminders import day_off
from kehoach_flow.reminders.planner import Reminder
from kehoach_flow.reminders.sender import SendPolicy, deliver
from kehoach_flow.reminders.sweep import plan_day, queue_reminders


@task(cache_policy=NO_CACHE, task_run_name="plan {plan}")
def plan_one(ctx: AppContext, plan: str, day: date) -> list[Reminder]:
    return plan_day(ctx.engine, ctx.settings, day, [plan]).reminders


@task(cache_policy=NO_CACHE)
def queue_digests(ctx: AppContext, day: date, reminders: list[Reminder]) -> dict[str, int]:
    """One digest per recipient for every plan planned; what the outbox holds is left out."""
    done = queue_reminders(ctx.engine, ctx.settings, day, reminders)
    return {
        "queued": done.queued,
        "already_queued": done.already_queued,
        "follow_ups": done.follow_ups,
    }


@task(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=60)
def deliver_outbox(ctx: AppContext) -> dict[str, int]:
    """Sends what is due; a mail server that is down leaves rows pending for the next try."""
    policy = SendPolicy.from_settings(ctx.settings)
    report = deliver(ctx.engine, transport_from_settings(ctx.settings), policy)
    return {
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
        "deferred": report.deferred,
    }


@flow(name="send_reminders")
def send_reminders(plan: str | None = None, day: str | None = None) -> dict[str, Any]:
    ctx = open_context()
    on = ctx.day(day)
    reason = day_off(ctx, on)
    if reason is not None:
        get_run_logger().info(
            "%s là ngày nghỉ (%s): không gửi nhắc việc.", f"{on:%d/%m/%Y}", reason
        )
        return {"day": on.isoformat(), "day_off": reason}
    planned, failed = each(plan_one, ((p, (ctx, p, on)) for p in ctx.plans(plan)))
    reminders = [r for found in planned for r in found]
    quoted: Any = quote(reminders)  # Prefect need not look for futures in each reminder
    queued = queue_digests(ctx, on, quoted)
    sent = deliver_outbox(ctx)
    summary = {
        "day": on.isoformat(),
        "reminders": len(reminders),
        **queued,
        **sent,
        "failed_plans": failed,
    }
    if sent["deferred"]:  # the run is tried again while its slot lasts; the mail is kept
        raise MailServerDownError(
            f"máy chủ thư không nhận kết nối: {sent['deferred']} thư còn chờ gửi, sẽ gửi lại"
        )
    return finish(
        summary,
        failed,
        lambda: f"Ngày {on:%d/%m/%Y}: xếp {summary['queued']} thư, đã gửi {sent['sent']}.",
    )
