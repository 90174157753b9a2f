"""Who gets which reminder on a given day: a pure function of tasks, rules and the calendar.

Each rule has a nominal day; a nominal day that is a weekend or holiday moves to the next
working day, and nothing is planned on a day that is not a working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

from kehoach_flow.definitions.reminder_rules import ReminderRules
from kehoach_flow.workdays import WorkCalendar


class Rule(StrEnum):
    BEFORE_DUE = "before_due"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    PROGRESS_REQUEST = "progress_request"
    PARTNER_COPY = "partner_copy"
    # What waits for the coordinator's decision (issue 22): told each working day while it
    # waits; the coordinator unit's head is told too once it has waited too long.
    EXTENSION_WAITING = "extension_waiting"
    REVIEW_WAITING = "review_waiting"
    EXTENSION_ESCALATION = "extension_escalation"
    REVIEW_ESCALATION = "review_escalation"


DECISION_RULES = frozenset(
    {Rule.EXTENSION_WAITING, Rule.REVIEW_WAITING, Rule.EXTENSION_ESCALATION, Rule.REVIEW_ESCALATION}
)


class Role(StrEnum):
    LEAD = "lead"
    COORDINATOR = "coordinator"  # also stands in for a lead unit without a mailbox
    HEAD = "head"
    PARTNER = "partner"


@dataclass(frozen=True)
class Contact:
    unit: str
    name: str
    email: str | None


@dataclass(frozen=True)
class ReminderTask:
    """An open task with everything a reminder needs, as plain values."""

    plan: str
    key: str
    title: str
    section: str
    start: date
    due: date
    progress: int
    lead: Contact
    lead_head: Contact | None
    coordinator: Contact
    partners: tuple[Contact, ...] = ()
    rules: ReminderRules = field(default_factory=ReminderRules)
    plan_title: str = ""


@dataclass(frozen=True)
class Decision:
    """A decision the plan's coordinator owes on a task: an extension request (the date
    asked, the reason) or a done report to confirm (the completion date reported)."""

    kind: Literal["extension", "review"]
    since: date  # the day the request or the report arrived, where the plan runs
    requested_due: date | None = None
    reason: str | None = None
    completed_on: date | None = None


@dataclass(frozen=True)
class Reminder:
    """One line of one recipient's digest for one day."""

    day: date
    email: str
    recipient: Contact
    role: Role
    rule: Rule
    task: ReminderTask
    days: int  # working days left (before due) or overdue; 0 on the due day; or waited
    lead_without_mail: bool = False
    decision: Decision | None = None  # the rules of DECISION_RULES: what waits
    escalated: bool = False  # a decision waiting `escalate_after` working days or more

    @property
    def dedupe_key(self) -> str:
        """Same recipient, rule, task and day: the same reminder, sent at most once."""
        return f"{self.email}|{self.rule.value}|{self.task.plan}/{self.task.key}|{self.day.isoformat()}"


class DayCounts:
    """The calendar arithmetic of planning reminders, each answer computed once: many tasks
    (of many plans) share a due date, and so the working days between it and the day."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._next: dict[date, date] = {}
        self._between: dict[tuple[date, date], int] = {}
        self.requests: dict[tuple[int, tuple[date, ...]], frozenset[date]] = {}

    def next_working_day(self, d: date) -> date:
        found = self._next.get(d)
        if found is None:
            found = self._next[d] = self.calendar.next_working_day(d)
        return found

    def between(self, start: date, end: date) -> int:
        found = self._between.get((start, end))
        if found is None:
            found = self._between[(start, end)] = self.calendar.working_days_between(start, end)
        return found


def plan_reminders(
    tasks: Iterable[ReminderTask],
    day: date,
    calendar: WorkCalendar,
    cutoffs: Sequence[date] = (),
    counts: DayCounts | None = None,
) -> list[Reminder]:
    """Every reminder due on `day` for these open tasks; none on a day off. `counts` shares
    the calendar arithmetic between calls (one per plan) on the same calendar."""
    if not calendar.is_working_day(day):
        return []
    if counts is None or counts.calendar is not calendar:
        counts = DayCounts(calendar)
    found: list[Reminder] = []
    for task in tasks:
        found += _for_task(task, day, counts, tuple(cutoffs))
    return sorted(found, key=reminder_order)


def reminder_order(r: Reminder) -> tuple[str, str, date, str, str]:
    """By recipient, then plan, due date, task and rule: the order of a digest's lines."""
    return (r.email, r.task.plan, r.task.due, r.task.key, r.rule)  # a StrEnum: by its value


def _for_task(
    task: ReminderTask, day: date, counts: DayCounts, cutoffs: tuple[date, ...]
) -> list[Reminder]:
    rules = task.rules
    found: list[Reminder] = []
    due_day = counts.next_working_day(task.due)
    if day < due_day:
        left = counts.between(day, task.due)
        if left in rules.before_due:
            found += _to_lead(task, day, Rule.BEFORE_DUE, left)
    elif day == due_day and rules.on_due:
        found += _to_lead(task, day, Rule.DUE_TODAY, 0)
        if rules.partners_on_due:
            found += [
                _reminder(task, day, p, Role.PARTNER, Rule.PARTNER_COPY, 0)
                for p in task.partners
                if p.email
            ]
    else:
        late = counts.between(due_day, day)
        if rules.overdue_every and late % rules.overdue_every == 0:
            found += _to_lead(task, day, Rule.OVERDUE, late)
        if late >= rules.escalate_after and (
            late == rules.escalate_after or late % rules.overdue_every == 0
        ):
            found += _escalation(task, day, late)
    ahead = (rules.progress_request, cutoffs)
    if ahead not in counts.requests:
        counts.requests[ahead] = _request_days(counts.calendar, cutoffs, ahead[0])
    if day in counts.requests[ahead]:
        found += _to_lead(task, day, Rule.PROGRESS_REQUEST, 0)
    return found


def _request_days(calendar: WorkCalendar, cutoffs: Sequence[date], before: int) -> frozenset[date]:
    """The days progress is requested: `before` working days ahead of each cut-off."""
    return frozenset(
        calendar.next_working_day(calendar.add_working_days(c, -before)) for c in cutoffs
    )


def _to_lead(task: ReminderTask, day: date, rule: Rule, days: int) -> list[Reminder]:
    if task.lead.email:
        return [_reminder(task, day, task.lead, Role.LEAD, rule, days)]
    if not task.coordinator.email:
        return []
    return [
        _reminder(task, day, task.coordinator, Role.COORDINATOR, rule, days, lead_without_mail=True)
    ]


def _escalation(task: ReminderTask, day: date, late: int) -> list[Reminder]:
    people = [(task.lead_head, Role.HEAD), (task.coordinator, Role.COORDINATOR)]
    seen: set[str] = set()
    found = []
    for contact, role in people:
        if contact is not None and contact.email and contact.email not in seen:
            seen.add(contact.email)
            found.append(_reminder(task, day, contact, role, Rule.ESCALATION, late))
    return found


def _reminder(
    task: ReminderTask,
    day: date,
    contact: Contact,
    role: Role,
    rule: Rule,
    days: int,
    lead_without_mail: bool = False,
) -> Reminder:
    assert contact.email is not None
    return Reminder(day, contact.email, contact, role, rule, task, days, lead_without_mail)


def plan_decisions(
    waiting: Iterable[tuple[ReminderTask, Decision]],
    day: date,
    calendar: WorkCalendar,
    escalate_after: int,
    coordinator_head: Contact | None = None,
    counts: DayCounts | None = None,
) -> list[Reminder]:
    """The reminders of what waits for the coordinator's decision on `day` (none on a day
    off): each working day to the plan's coordinator (its head when the unit has no address),
    marked escalated once it has waited `escalate_after` working days; from then on the
    coordinator unit's head is told too, that day and every `overdue_every` working days
    after, as an overdue task is escalated to the lead unit's head."""
    if not calendar.is_working_day(day):
        return []
    if counts is None or counts.calendar is not calendar:
        counts = DayCounts(calendar)
    found: list[Reminder] = []
    for task, decision in waiting:
        waited = max(0, counts.between(decision.since, day))
        escalated = waited >= escalate_after
        extension = decision.kind == "extension"
        rule = Rule.EXTENSION_WAITING if extension else Rule.REVIEW_WAITING
        to = task.coordinator if task.coordinator.email else coordinator_head
        told = set()
        if to is not None and to.email:
            told.add(to.email)
            role = Role.COORDINATOR if to is task.coordinator else Role.HEAD
            found.append(
                Reminder(day, to.email, to, role, rule, task, waited, False, decision, escalated)
            )
        every = task.rules.overdue_every
        head_day = waited == escalate_after or (every > 0 and waited % every == 0)
        head = coordinator_head
        if escalated and head_day and head is not None and head.email and head.email not in told:
            rule = Rule.EXTENSION_ESCALATION if extension else Rule.REVIEW_ESCALATION
            found.append(
                Reminder(
                    day, head.email, head, Role.HEAD, rule, task, waited, False, decision, True
                )
            )
    return sorted(found, key=reminder_order)


def describe(reminder: Reminder) -> str:
    """Why this reminder goes out, as the recipient reads it."""
    days = reminder.days
    texts = {
        Rule.BEFORE_DUE: f"sắp đến hạn, còn {days} ngày làm việc",
        Rule.DUE_TODAY: "đến hạn hôm nay",
        Rule.OVERDUE: f"quá hạn {days} ngày làm việc",
        Rule.ESCALATION: f"báo cáo lãnh đạo: quá hạn {days} ngày làm việc",
        Rule.PROGRESS_REQUEST: "đề nghị cập nhật số liệu cho kỳ báo cáo",
        Rule.PARTNER_COPY: "đồng gửi đơn vị phối hợp: đến hạn hôm nay",
    }
    if reminder.decision is not None:
        return decision_text(reminder)
    text = texts[reminder.rule]
    if reminder.lead_without_mail:
        text += f" (đơn vị chủ trì chưa có địa chỉ thư: {reminder.task.lead.name})"
    return text


def short_day(d: date) -> str:
    """ "30/8/2024", as the digest writes a date."""
    return f"{d.day}/{d.month}/{d.year}"


def decision_text(reminder: Reminder) -> str:
    """What waits and for how long, as the coordinator (or the head) reads it."""
    decision = reminder.decision
    assert decision is not None
    if decision.kind == "extension":
        asked = decision.requested_due
        what = f"đề nghị gia hạn đến {short_day(asked)}" if asked else "đề nghị gia hạn"
    else:
        done = decision.completed_on
        what = f"báo hoàn thành ngày {short_day(done)}, chờ xác nhận" if done else "chờ xác nhận"
    waited = f"đã chờ {reminder.days} ngày làm việc" if reminder.days else "gửi hôm nay"
    text = f"{what}; {waited}"
    if reminder.rule in (Rule.EXTENSION_ESCALATION, Rule.REVIEW_ESCALATION):
        return f"báo cáo lãnh đạo: điều phối viên chưa quyết định, {text}"
    return f"quá hạn xử lý: {text}" if reminder.escalated else text
