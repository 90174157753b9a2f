"""One day's reminder sweep: plan, build digests, store them in the outbox, deliver.

Safe to run again the same day (nothing new is stored or sent) and after a crash (what was
stored is sent by the next run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from kehoach_flow.db.queries import list_plans, plan_header
from kehoach_flow.mail.transport import Transport
from kehoach_flow.reminders.digest import Digest, MailContext, group_digests, render_digest
from kehoach_flow.reminders.inputs import reminder_tasks
from kehoach_flow.reminders.outbox import enqueue
from kehoach_flow.reminders.planner import Reminder, plan_reminders, reminder_order
from kehoach_flow.reminders.sender import SendPolicy, SendReport, deliver
from kehoach_flow.reports.periods import plan_cutoff_day, report_cutoffs
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.board import BoardOptions
from kehoach_flow.tracking.workcalendar import work_calendar


@dataclass
class SweepResult:
    day: date
    working_day: bool
    reminders: list[Reminder] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    queued: int = 0
    already_queued: int = 0
    delivery: SendReport = field(default_factory=SendReport)
    day_off: str | None = None  # why `day` is not a working day: a holiday's name or "cuối tuần"


def plan_day(
    engine: Engine, settings: Settings, day: date, plans: list[str] | None = None
) -> SweepResult:
    """Who gets what on `day` (nothing stored)."""
    calendar = work_calendar(settings)
    options = BoardOptions(calendar, settings.timezone, settings.at_risk_days)
    keys = plans or [p["key"] for p in list_plans(engine)]
    reminders = []
    for key in keys:  # each plan may have its own reporting cut-off day
        cutoff_day = plan_cutoff_day(plan_header(engine, key), settings.report_cutoff_day)
        tasks = reminder_tasks(engine, key, day, options)
        reminders += plan_reminders(tasks, day, calendar, report_cutoffs(day.year, cutoff_day))
    reminders.sort(key=reminder_order)
    working = calendar.is_working_day(day)
    day_off = None if working else (calendar.holiday_name(day) or "nghỉ cuối tuần")
    return SweepResult(day, working, reminders, group_digests(reminders), day_off=day_off)


def queue_day(
    engine: Engine, settings: Settings, day: date, plans: list[str] | None = None
) -> SweepResult:
    """Plan `day` and store its digests in the outbox (a digest already there is left alone)."""
    result = plan_day(engine, settings, day, plans)
    context = MailContext(
        settings.base_url,
        settings.resolved_secret_key(),
        settings.mail_from,
        settings.link_max_age_days,
        settings.timezone,
    )
    built = [(digest, render_digest(digest, context)) for digest in result.digests]
    result.queued, result.already_queued = enqueue(engine, built)
    return result


def sweep(
    engine: Engine,
    settings: Settings,
    transport: Transport,
    day: date,
    plans: list[str] | None = None,
    policy: SendPolicy | None = None,
) -> SweepResult:
    """Plan `day`, store its digests in the outbox, then deliver everything due."""
    result = queue_day(engine, settings, day, plans)
    result.delivery = deliver(engine, transport, policy or SendPolicy.from_settings(settings))
    return result
