"""What changed since the last working day, for the "hôm nay" view a manager opens every
morning: the updates received, the tasks newly overdue, the reminders sent.

The window runs from the start of the last working day before today (on the working calendar)
to the end of today, where the plans run. So on a Monday it covers Friday, the weekend and
Monday; after Tết it reaches back to the last day before the holiday. "Today" is the caller's
(the one clock, `kehoach_flow.clock`), never the machine's date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, or_, select

from kehoach_flow.db.tables import OUTBOX, PLAN, TASK, UNIT, UPDATE
from kehoach_flow.tracking.authors import AuthorName, read_directory
from kehoach_flow.tracking.state import Derived, EntryKind, end_of_day
from kehoach_flow.tracking.status import status_label
from kehoach_flow.tracking.task_views import BoardOptions, TaskView, plan_board

SENT = "sent"  # an outbox row delivered (reminders/outbox.py)


@dataclass(frozen=True)
class ReceivedUpdate:
    """An update recorded in the window."""

    plan: str
    task: str
    title: str
    version: int
    recorded_at: datetime
    author: AuthorName
    old_status: str
    new_status: str
    progress: int | None  # None for an entry that reports no progress (a request, ...)
    kind: str = EntryKind.UPDATE.value  # a unit's update, or an extension or review step
    requested_due: date | None = None
    decided_due: date | None = None
    note: str | None = None  # a refusal's reason, a return's comment

    @property
    def change(self) -> str:
        """ "Chưa thực hiện → Đang thực hiện", or the status alone when it stayed; for an
        extension or a review step what it did: "đề nghị gia hạn đến 30/8/2024", ..."""
        step = _step_text(self)
        if step is not None:
            return step
        old, new = status_label(self.old_status), status_label(self.new_status)
        return new if old == new else f"{old} → {new}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "task": self.task,
            "title": self.title,
            "version": self.version,
            "recorded_at": self.recorded_at.isoformat(),
            "author": self.author.as_dict(),
            "old_status": self.old_status,
            "new_status": self.new_status,
            "change": self.change,
            "progress": self.progress,
            "kind": self.kind,
        }


def _day(d: date | None) -> str:
    return f"{d.day}/{d.month}/{d.year}" if d else ""


def _said(text: str | None, limit: int = 200) -> str:
    """A reason or comment on one line, cut short when long (the task page has it whole)."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _step_text(update: ReceivedUpdate) -> str | None:
    """What an extension or review step did, as the "hôm nay" view says it; None for an
    update."""
    kind = update.kind
    if kind == EntryKind.EXTENSION_REQUEST:
        return f"đề nghị gia hạn đến {_day(update.requested_due)}"
    if kind == EntryKind.EXTENSION_APPROVED:
        return f"được duyệt gia hạn đến {_day(update.decided_due)}"
    if kind == EntryKind.EXTENSION_REFUSED:
        reason = _said(update.note)
        return f"không được gia hạn: {reason}" if reason else "không được gia hạn"
    if kind == EntryKind.REVIEW_CONFIRMED:
        return "đã xác nhận hoàn thành"
    if kind == EntryKind.REVIEW_RETURNED:
        comment = _said(update.note)
        return f"trả lại: {comment}" if comment else "trả lại, chưa xác nhận hoàn thành"
    return None


@dataclass(frozen=True)
class NewlyOverdue:
    """A task overdue today that was not at the start of the window."""

    plan: str
    task: str
    title: str
    lead: str
    lead_name: str
    due: date

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "task": self.task,
            "title": self.title,
            "lead": self.lead,
            "lead_name": self.lead_name,
            "due": self.due.isoformat(),
        }


@dataclass(frozen=True)
class SentReminder:
    """A reminder message delivered for a day of the window."""

    day: date
    recipient: str
    recipient_name: str | None  # the unit (or its head) the address belongs to
    subject: str
    reminders: int  # how many reminders the message carried
    sent_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "recipient": self.recipient,
            "recipient_name": self.recipient_name,
            "subject": self.subject,
            "reminders": self.reminders,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


@dataclass(frozen=True)
class DayChanges:
    since: date  # the last working day before today
    today: date
    updates: tuple[ReceivedUpdate, ...]  # newest first
    newly_overdue: tuple[NewlyOverdue, ...]  # in plan order
    reminders: tuple[SentReminder, ...]  # newest first

    @property
    def empty(self) -> bool:
        return not (self.updates or self.newly_overdue or self.reminders)

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "today": self.today.isoformat(),
            "updates": [u.as_dict() for u in self.updates],
            "newly_overdue": [t.as_dict() for t in self.newly_overdue],
            "reminders": [r.as_dict() for r in self.reminders],
        }


def day_changes(
    engine: Engine,
    plans: Sequence[str],
    today: date,
    options: BoardOptions,
    boards: Mapping[str, Sequence[TaskView]] | None = None,
) -> DayChanges:
    """What changed in `plans` from the start of the last working day before `today` to the
    end of `today` (reminders: every message sent for a day of the window). `boards`: the
    plans' task views at `today` when the caller has them already."""
    since = options.calendar.add_working_days(today, -1)
    start = end_of_day(since - timedelta(days=1), options.timezone)
    end = end_of_day(today, options.timezone)
    with engine.connect() as conn:
        updates = _updates(conn, plans, start, end)
        reminders = sent_reminders(conn, since, today)
    overdue: list[NewlyOverdue] = []
    for plan in plans:
        now = boards[plan] if boards else plan_board(engine, plan, today, options)
        before = plan_board(engine, plan, since - timedelta(days=1), options)
        overdue.extend(newly_overdue(before, now))
    return DayChanges(since, today, updates, tuple(overdue), reminders)


def _updates(
    conn: Connection, plans: Sequence[str], start: datetime, end: datetime
) -> tuple[ReceivedUpdate, ...]:
    query = (
        select(UPDATE, PLAN.c.key.label("plan_key"), TASK.c.key.label("task_key"), TASK.c.title)
        .join(TASK, TASK.c.id == UPDATE.c.task_id)
        .join(PLAN, PLAN.c.id == TASK.c.plan_id)
        .where(PLAN.c.key.in_(list(plans)), UPDATE.c.recorded_at > start)
        .where(UPDATE.c.recorded_at <= end)
        .order_by(UPDATE.c.recorded_at.desc(), UPDATE.c.id.desc())
    )
    directory = read_directory(conn)
    return tuple(
        ReceivedUpdate(
            plan=row.plan_key,
            task=row.task_key,
            title=row.title,
            version=row.version,
            recorded_at=row.recorded_at,
            author=directory.author(row.actor, row.channel),
            old_status=row.old_status,
            new_status=row.new_status,
            # a request, a decision or a confirmation reports no progress of the unit's; a
            # return says where the task stands again
            progress=None if row.kind in _NO_PROGRESS else row.progress,
            kind=row.kind,
            requested_due=row.requested_due,
            decided_due=row.decided_due,
            note=row.note,
        )
        for row in conn.execute(query)
    )


_NO_PROGRESS = frozenset(
    {
        EntryKind.EXTENSION_REQUEST.value,
        EntryKind.EXTENSION_APPROVED.value,
        EntryKind.EXTENSION_REFUSED.value,
        EntryKind.REVIEW_CONFIRMED.value,
    }
)


def newly_overdue(before: Iterable[TaskView], now: Iterable[TaskView]) -> Iterable[NewlyOverdue]:
    """The tasks overdue in `now` (a plan's views) that were not in `before`."""
    was = {(v.plan, v.key) for v in before if v.derived == Derived.OVERDUE}
    for view in now:
        if view.derived == Derived.OVERDUE and (view.plan, view.key) not in was:
            yield NewlyOverdue(
                view.plan, view.key, view.title, view.lead, view.lead_name, view.window.due
            )


def sent_reminders(
    conn: Connection,
    since: date,
    today: date,
    keep: Callable[[Iterable[str] | None], bool] | None = None,
) -> tuple[SentReminder, ...]:
    """The reminder messages sent for a day from `since` to `today`, newest first: those
    `keep` keeps (by their reminder keys; None: all), each with its recipient's unit."""
    query = (
        select(OUTBOX.c.day, OUTBOX.c.recipient, OUTBOX.c.subject, OUTBOX.c.reminder_keys)
        .add_columns(OUTBOX.c.sent_at)
        .where(OUTBOX.c.status == SENT, OUTBOX.c.day >= since, OUTBOX.c.day <= today)
        .order_by(OUTBOX.c.day.desc(), OUTBOX.c.id.desc())
    )
    rows = [r for r in conn.execute(query) if keep is None or keep(r.reminder_keys)]
    names = _unit_names(conn, {row.recipient for row in rows})
    return tuple(
        SentReminder(
            row.day,
            row.recipient,
            names.get(row.recipient.lower()),
            row.subject,
            len(row.reminder_keys or ()),
            row.sent_at,
        )
        for row in rows
    )


def _unit_names(conn: Connection, addresses: set[str]) -> dict[str, str]:
    """Address (lower case) -> the unit it belongs to, as the unit's own or its head's."""
    if not addresses:
        return {}
    wanted = {a.lower() for a in addresses}
    query = select(UNIT.c.name, UNIT.c.short, UNIT.c.email, UNIT.c.head_email).where(
        or_(UNIT.c.email.is_not(None), UNIT.c.head_email.is_not(None))
    )
    found: dict[str, str] = {}
    for row in conn.execute(query):
        for address in (row.email, row.head_email):
            if address and address.lower() in wanted:
                found.setdefault(address.lower(), row.short or row.name)
    return found
