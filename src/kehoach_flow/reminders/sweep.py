"""One day's reminder sweep: plan, build digests, store them in the outbox, deliver.

Safe to run again the same day (nothing new is stored or sent) and after a crash (what was
stored is sent by the next run). Each reminder is stored at most once a day: a run for some
plans, then one for others (or with new items), stores per recipient only what the day's
earlier digests lack, as a follow-up digest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import TYPE_CHECKING, cast

from sqlalchemy import Engine

from kehoach_flow.errors import KehoachError
from kehoach_flow.mail.transport import Transport
from kehoach_flow.reminders.sender import SendPolicy, SendReport, deliver
from kehoach_flow.settings import Settings

# Planning and rendering (the calendar, the templates, the task states) are imported when a
# day is planned: a rerun that finds nothing changed (reminders.rerun) never needs them.
if TYPE_CHECKING:
    from kehoach_flow.reminders.digest import Digest
    from kehoach_flow.reminders.planner import Reminder


@dataclass
class SweepResult:
    day: date
    working_day: bool
    reminders: list[Reminder] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    queued: int = 0  # digests stored by this run, follow-ups included
    already_queued: int = 0  # recipients whose reminders the day's earlier digests all hold
    follow_ups: int = 0  # of `queued`, digests to a recipient who already had one that day
    delivery: SendReport = field(default_factory=SendReport)
    day_off: str | None = None  # why `day` is not a working day: a holiday's name or "cuối tuần"
    reminder_count: int = 0  # the day's reminders, also when a rerun did not plan them again
    planned: bool = True  # False: the day's last full run planned from the same inputs


def plan_day(
    engine: Engine, settings: Settings, day: date, plans: list[str] | None = None
) -> SweepResult:
    """Who gets what on `day` (nothing stored)."""
    from kehoach_flow.db.queries import list_plans
    from kehoach_flow.reminders.decisions import coordinator_head, waiting_tasks
    from kehoach_flow.reminders.digest import group_digests
    from kehoach_flow.reminders.inputs import read_inputs, reminder_tasks
    from kehoach_flow.reminders.planner import (
        DayCounts,
        plan_decisions,
        plan_reminders,
        reminder_order,
    )
    from kehoach_flow.reports.periods import plan_cutoff_day, report_cutoffs
    from kehoach_flow.tracking.task_views import BoardOptions
    from kehoach_flow.tracking.workcalendar import work_calendar

    calendar = work_calendar(settings)
    options = BoardOptions(calendar, settings.timezone, settings.at_risk_days)
    keys = plans or [p["key"] for p in list_plans(engine)]
    inputs = read_inputs(engine, keys)  # units, rules and partners of every plan, read once
    counts = DayCounts(calendar)  # working days between the same dates, counted once
    reminders = []
    for key in keys:  # each plan may have its own reporting cut-off day
        header = dict(inputs.plans[key].header or {})
        cutoffs = report_cutoffs(day.year, plan_cutoff_day(header, settings.report_cutoff_day))
        tasks = reminder_tasks(engine, key, day, options, inputs)
        reminders += plan_reminders(tasks, day, calendar, cutoffs, counts)
        waiting = waiting_tasks(inputs, key, day, settings.timezone)  # for the coordinator
        if waiting:
            head = coordinator_head(inputs, key)
            escalate = settings.decision_escalate_days
            reminders += plan_decisions(waiting, day, calendar, escalate, head, counts)
    reminders.sort(key=reminder_order)
    working = calendar.is_working_day(day)
    day_off = None if working else (calendar.holiday_name(day) or "nghỉ cuối tuần")
    digests = group_digests(reminders)
    return SweepResult(
        day, working, reminders, digests, day_off=day_off, reminder_count=len(reminders)
    )


def queue_day(
    engine: Engine, settings: Settings, day: date, plans: list[str] | None = None
) -> SweepResult:
    """Plan `day` and store in the outbox what no digest of the day holds yet."""
    result = plan_day(engine, settings, day, plans)
    queued = queue_reminders(engine, settings, day, result.reminders)
    result.queued, result.already_queued = queued.queued, queued.already_queued
    result.follow_ups = queued.follow_ups
    return result


# Each retry follows another run's digest stored meanwhile; this many in a row means a loop.
_ATTEMPTS = 20


class OutboxContentionError(KehoachError):
    """Other runs kept storing digests for the same recipients; run the reminders again."""


@dataclass
class Queued:
    queued: int = 0  # digests stored, follow-ups included
    already_queued: int = 0  # recipients whose reminders the day's earlier digests all hold
    follow_ups: int = 0  # of `queued`, digests to a recipient who already had one that day


def queue_reminders(
    engine: Engine, settings: Settings, day: date, reminders: Iterable[Reminder]
) -> Queued:
    """Store `day`'s reminders in the outbox, at most once each that day: per recipient, the
    reminders no digest of the day holds become one digest (a follow-up after the first).

    Race-safe: a digest's key is (recipient, day, its number that day); two runs at once
    numbering the same digest collide on the key, and the loser looks again at what the
    winner stored. One outbox query per attempt; only new digests are rendered.
    """
    from kehoach_flow.reminders.digest import (
        Digest,
        Links,
        MailContext,
        build_digest,
        group_digests,
    )
    from kehoach_flow.reminders.outbox import queued_on, store

    context = MailContext(
        settings.base_url,
        settings.resolved_secret_key(),
        settings.mail_from,
        settings.link_max_age_days,
        settings.timezone,
    )
    links = Links(context)
    counts = Queued()
    pending = {d.email: d.reminders for d in group_digests(reminders)}
    recipients: list[str] | None = None  # the first look reads the whole day, in one query
    for _ in range(_ATTEMPTS):
        if not pending:
            return counts
        held = queued_on(engine, day, recipients)
        digests = []
        for email, items in pending.items():
            earlier = held.get(email)
            new = [r for r in items if earlier is None or r.dedupe_key not in earlier.reminder_keys]
            if not new:
                counts.already_queued += 1
                continue
            sequence = earlier.last_sequence + 1 if earlier else 1
            digests.append(Digest(email, day, new[0].recipient, tuple(new), sequence))
        # The digests' bytes, built directly; the outbox reads them as it reads a message.
        built = [(d, cast(EmailMessage, build_digest(d, context, links))) for d in digests]
        stored = store(engine, built)
        won = [d for d in digests if d.dedupe_key in stored]
        counts.queued += len(won)
        counts.follow_ups += sum(1 for d in won if d.sequence > 1)
        pending = {d.email: d.reminders for d in digests if d.dedupe_key not in stored}
        recipients = list(pending)
    if not pending:
        return counts
    raise OutboxContentionError(
        f"Không xếp được thư nhắc việc cho {len(pending)} người nhận vì nhiều lần chạy "
        "cùng lúc; hãy chạy lại."
    )


def sweep(
    engine: Engine,
    settings: Settings,
    transport: Transport,
    day: date,
    plans: list[str] | None = None,
    policy: SendPolicy | None = None,
) -> SweepResult:
    """Plan `day`, store its digests in the outbox, then deliver everything due.

    A run of every plan records what it planned from; a later run of the day that finds the
    same inputs and the same outbox rows skips planning (all it would store is stored) and
    only delivers (reminders.rerun)."""
    if plans is None:
        result = _queue_all(engine, settings, day)
    else:
        result = queue_day(engine, settings, day, plans)
    result.delivery = deliver(engine, transport, policy or SendPolicy.from_settings(settings))
    return result


def _queue_all(engine: Engine, settings: Settings, day: date) -> SweepResult:
    from kehoach_flow.reminders import rerun

    inputs = rerun.inputs_digest(engine, settings, day)  # read before planning: a change
    last = rerun.recorded(settings, day)  # made while planning shows at the next run
    if (
        last is not None
        and last.inputs == inputs
        and last.outbox == rerun.outbox_mark(engine, day)
        and rerun.code_unchanged(last.code)
    ):
        return SweepResult(
            day,
            last.working_day,
            already_queued=last.recipients,
            day_off=last.day_off,
            reminder_count=last.reminders,
            planned=False,
        )
    result = queue_day(engine, settings, day)
    done = rerun.DayRecord(
        inputs,
        rerun.outbox_mark(engine, day),  # after storing: every planned reminder is in it
        result.reminder_count,
        len(result.digests),
        result.working_day,
        result.day_off,
        rerun.code_files(),  # the code the plans came from, imported by now
    )
    rerun.record(settings, day, done)
    return result
