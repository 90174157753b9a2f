"""What waits for a coordinator's decision on a day, read from the tasks' history as the
planner reads everything else: an extension request not yet decided, a done report not yet
confirmed or returned (issue 22, point 3). The pages read the same through
tracking.waiting; here the history is folded up to the end of the day planned, so a day
caught up later says what waited then, and no query is added to the day's planning (the
rerun record's plan stamps already change with each request and decision)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kehoach_flow.definitions.reminder_rules import ReminderRules
from kehoach_flow.reminders.inputs import ReminderInputs, reminder_task
from kehoach_flow.reminders.planner import Contact, Decision, ReminderTask
from kehoach_flow.tracking.state import EntryKind, HistoryEntry, end_of_day, state_at
from kehoach_flow.tracking.status import Status

_DECIDED = (EntryKind.EXTENSION_APPROVED, EntryKind.EXTENSION_REFUSED)
_STEPS = (EntryKind.EXTENSION_REQUEST, *_DECIDED)


def waiting_at(history: Iterable[HistoryEntry], moment: datetime, timezone: str) -> list[Decision]:
    """The decisions a task's history leaves waiting at `moment` (pure): its undecided
    extension request, and its done report while the task awaits confirmation, each since
    the day it arrived (the last arrival into "chờ xác nhận" for a report)."""
    zone = ZoneInfo(timezone)
    request: HistoryEntry | None = None
    reported: HistoryEntry | None = None  # set while the task awaits confirmation
    for entry in sorted((e for e in history if e.at <= moment), key=lambda e: (e.at, e.version)):
        if entry.kind == EntryKind.EXTENSION_REQUEST:
            request = entry
        elif entry.kind in _DECIDED and request is not None:
            if entry.request in (None, request.version):
                request = None
        elif entry.kind in _STEPS:
            continue
        elif entry.status != Status.AWAITING_REVIEW:
            reported = None
        elif reported is None:
            reported = entry
        else:  # still awaiting since the first report, with the latest completion date
            reported = replace(reported, completed_on=entry.completed_on or reported.completed_on)
    found = []
    if request is not None:
        found.append(
            Decision(
                "extension",
                request.at.astimezone(zone).date(),
                requested_due=request.requested_due,
                reason=request.note,
            )
        )
    if reported is not None:
        found.append(
            Decision(
                "review",
                reported.at.astimezone(zone).date(),
                completed_on=reported.completed_on,
            )
        )
    return found


def waiting_tasks(
    inputs: ReminderInputs, plan_key: str, day: date, timezone: str
) -> list[tuple[ReminderTask, Decision]]:
    """Every decision waiting at the end of `day` in the plan, with its task as the planner
    takes it (its due date in force, its own progress)."""
    plan = inputs.plans[plan_key]
    moment = end_of_day(day, timezone)
    plan_rules: ReminderRules | None = None
    found = []
    for task in inputs.tasks[plan.id]:
        history = inputs.history.get(task.id)
        if not history or not any(
            e.kind == EntryKind.EXTENSION_REQUEST or e.status == Status.AWAITING_REVIEW
            for e in history
        ):
            continue  # most tasks: nothing ever waited, no fold needed
        decisions = waiting_at(history, moment, timezone)
        if not decisions:
            continue
        if plan_rules is None:
            plan_rules = ReminderRules().merged((plan.header or {}).get("reminders"))
        state = state_at(history, moment)
        planned = reminder_task(inputs, plan_key, plan_rules, task, state.due, state.progress)
        found += [(planned, decision) for decision in decisions]
    return found


def coordinator_head(inputs: ReminderInputs, plan_key: str) -> Contact | None:
    """The head of the plan's coordinator unit: told of decisions waiting too long."""
    return inputs.heads[inputs.coordinators[inputs.plans[plan_key].coordinator_id]]
