"""A task's state at any moment, folded from its history, and what that state means.

Everything here is pure: history entries and dates in, states out. The same history and
reference date always give the same answer, so a report for a past date never changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from kehoach_flow.schedule import Window
from kehoach_flow.tracking.status import Status
from kehoach_flow.workdays import WorkCalendar


class EntryKind(StrEnum):
    """What a history entry records: a unit's update, or a step of an extension request or
    of a completion review (tracking.extensions, tracking.review)."""

    UPDATE = "update"
    EXTENSION_REQUEST = "extension_request"  # requested_due, note: the reason
    EXTENSION_APPROVED = "extension_approved"  # request, decided_due, note: the comment
    EXTENSION_REFUSED = "extension_refused"  # request, note: the reason
    REVIEW_CONFIRMED = "review_confirmed"  # done, on the completion date the unit reported
    REVIEW_RETURNED = "review_returned"  # back in progress, note: the comment

    @property
    def label(self) -> str:
        return ENTRY_LABELS[self]


ENTRY_LABELS = {
    EntryKind.UPDATE: "Cập nhật",
    EntryKind.EXTENSION_REQUEST: "Đề nghị gia hạn",
    EntryKind.EXTENSION_APPROVED: "Đồng ý gia hạn",
    EntryKind.EXTENSION_REFUSED: "Không đồng ý gia hạn",
    EntryKind.REVIEW_CONFIRMED: "Xác nhận hoàn thành",
    EntryKind.REVIEW_RETURNED: "Trả lại, chưa xác nhận hoàn thành",
}
EXTENSION_KINDS = frozenset(
    {EntryKind.EXTENSION_REQUEST, EntryKind.EXTENSION_APPROVED, EntryKind.EXTENSION_REFUSED}
)


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded entry, as plain values."""

    at: datetime
    version: int
    status: Status
    progress: int | None = None
    completed_on: date | None = None
    actuals: Mapping[int, int] = field(default_factory=dict)  # target id -> quantity
    spending: Mapping[int, int] = field(default_factory=dict)  # funding line id -> đồng to date
    note: str | None = None
    difficulties: str | None = None
    proposals: str | None = None
    kind: EntryKind = EntryKind.UPDATE
    actor: str | None = None
    requested_due: date | None = None  # an extension request's new due date
    decided_due: date | None = None  # an approval's due date (the requested one or another)
    request: int | None = None  # a decision's request, by the request entry's version


@dataclass(frozen=True)
class TaskState:
    """Where a task stood at a moment."""

    status: Status = Status.NOT_STARTED
    progress: int = 0
    completed_on: date | None = None
    actuals: Mapping[int, int] = field(default_factory=dict)
    spending: Mapping[int, int] = field(default_factory=dict)
    note: str | None = None
    difficulties: str | None = None
    proposals: str | None = None
    version: int = 1
    # The due date in force after approved extensions (None: the plan's), how many were
    # approved, by whom the last one, and the date asked by a request still undecided.
    due: date | None = None
    extensions: int = 0
    approved_by: str | None = None
    pending_due: date | None = None
    # The progress last reported before the task was reported done: a done the coordinator
    # returns goes back to it, not to the 100% of the report.
    progress_before_done: int = 0


def end_of_day(day: date, timezone: str) -> datetime:
    """The last instant of `day` where the plan is run: updates until then count for it."""
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(timezone))


def state_at(history: Iterable[HistoryEntry], moment: datetime) -> TaskState:
    """Fold the entries recorded up to `moment` (in time order) into the task's state."""
    state = TaskState()
    for entry in sorted((e for e in history if e.at <= moment), key=lambda e: (e.at, e.version)):
        state = _apply(state, entry)
    return state


def _apply(state: TaskState, entry: HistoryEntry) -> TaskState:
    if entry.kind == EntryKind.EXTENSION_REQUEST:
        return replace(state, pending_due=entry.requested_due, version=entry.version)
    if entry.kind == EntryKind.EXTENSION_APPROVED:
        return replace(
            state,
            due=entry.decided_due or state.due,
            extensions=state.extensions + 1,
            approved_by=entry.actor,
            pending_due=None,
            version=entry.version,
        )
    if entry.kind == EntryKind.EXTENSION_REFUSED:
        return replace(state, pending_due=None, version=entry.version)
    finished = entry.status in (Status.DONE, Status.AWAITING_REVIEW)
    was_finished = state.status in (Status.DONE, Status.AWAITING_REVIEW)
    if finished:
        progress = 100
    elif entry.kind == EntryKind.REVIEW_RETURNED:
        progress = state.progress_before_done  # the unit's own figure, not the report's 100%
    else:
        progress = entry.progress if entry.progress is not None else state.progress
    # a review's comment is the coordinator's, not the unit's note on the task
    comment = entry.kind in (EntryKind.REVIEW_RETURNED, EntryKind.REVIEW_CONFIRMED)
    return replace(
        state,
        status=entry.status,
        progress=progress,
        completed_on=(entry.completed_on or entry.at.date()) if finished else None,
        actuals={**state.actuals, **entry.actuals},
        spending={**state.spending, **entry.spending},
        note=state.note if comment else (entry.note or state.note),
        difficulties=entry.difficulties or state.difficulties,
        proposals=entry.proposals or state.proposals,
        version=entry.version,
        progress_before_done=state.progress
        if finished and not was_finished
        else state.progress_before_done,
    )


def in_force(window: Window, state: TaskState) -> Window:
    """The task's window with the due date in force: the last approved extension's, else
    the plan's."""
    return Window(window.start, state.due) if state.due is not None else window


def due_at(history: Iterable[HistoryEntry], moment: datetime, planned: date) -> date:
    """The due date in force at `moment`: the last extension approved by then, else `planned`."""
    return state_at(history, moment).due or planned


def on_time_by_extension(window: Window, state: TaskState) -> bool:
    """Done after the plan's due date but within an approved extension: counted on time,
    said "(có gia hạn)" in the report."""
    return (
        state.status == Status.DONE
        and state.completed_on is not None
        and state.completed_on > window.due
        and state.due is not None
        and state.completed_on <= state.due
    )


def rolled_up(own: TaskState, subtasks: Sequence[TaskState]) -> TaskState:
    """A parent task's state from its subtasks' (already rolled up) states, as a person
    counts them: done when every live subtask is done (on the day the last one was), in
    progress as soon as one has started or is done, cancelled when all are. Only while none
    of them has started does the parent's own update say where it stands."""
    live = [s for s in subtasks if s.status != Status.CANCELLED]
    if not subtasks:
        return own
    if not live:
        return replace(own, status=Status.CANCELLED, completed_on=None)
    statuses = {s.status for s in live}
    if statuses == {Status.NOT_STARTED}:
        return own
    if statuses <= {Status.DONE, Status.AWAITING_REVIEW}:  # done; awaiting while one waits
        days = [s.completed_on for s in live if s.completed_on is not None]
        finished = Status.DONE if statuses == {Status.DONE} else Status.AWAITING_REVIEW
        return replace(own, status=finished, completed_on=max(days) if days else None)
    status = Status.ON_HOLD if statuses <= {Status.ON_HOLD, Status.NOT_STARTED} else None
    return replace(own, status=status or Status.IN_PROGRESS, completed_on=None)


class Derived(StrEnum):
    """What a state means at a reference date, for people chasing the work."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    BLOCKED = "blocked"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"
    AWAITING_REVIEW = "awaiting_review"

    @property
    def label(self) -> str:
        return DERIVED_LABELS[self]


DERIVED_LABELS = {
    Derived.ON_TRACK: "Đúng tiến độ",
    Derived.AT_RISK: "Có nguy cơ chậm",
    Derived.OVERDUE: "Quá hạn",
    Derived.BLOCKED: "Chờ nhiệm vụ phụ thuộc",
    Derived.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Derived.DONE_LATE: "Hoàn thành quá hạn",
    Derived.ON_HOLD: "Tạm dừng",
    Derived.CANCELLED: "Hủy",
    Derived.AWAITING_REVIEW: "Chờ xác nhận hoàn thành",
}


class Category(StrEnum):
    """The government's report categories."""

    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    IN_PROGRESS_ON_TIME = "in_progress_on_time"
    IN_PROGRESS_LATE = "in_progress_late"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Category.DONE_LATE: "Hoàn thành quá hạn",
    Category.IN_PROGRESS_ON_TIME: "Đang thực hiện trong hạn",
    Category.IN_PROGRESS_LATE: "Đang thực hiện quá hạn",
    Category.NOT_STARTED: "Chưa thực hiện",
}


def derive(
    window: Window,
    state: TaskState,
    ref: date,
    calendar: WorkCalendar,
    deps_open: bool = False,
    at_risk_days: int = 5,
) -> Derived:
    """The task's meaning at `ref`: done on time or late, overdue, blocked, at risk, on track;
    reckoned against the due date in force (`in_force`)."""
    window = in_force(window, state)
    if state.status == Status.DONE:
        late = state.completed_on is not None and state.completed_on > window.due
        return Derived.DONE_LATE if late else Derived.DONE_ON_TIME
    if state.status == Status.CANCELLED:
        return Derived.CANCELLED
    if state.status == Status.AWAITING_REVIEW:
        return Derived.AWAITING_REVIEW
    if ref > window.due:
        return Derived.OVERDUE
    if deps_open:
        return Derived.BLOCKED
    if state.status == Status.ON_HOLD:
        return Derived.ON_HOLD
    if _at_risk(window, state, ref, calendar, at_risk_days):
        return Derived.AT_RISK
    return Derived.ON_TRACK


def _at_risk(
    window: Window, state: TaskState, ref: date, calendar: WorkCalendar, days: int
) -> bool:
    if ref < window.start or calendar.working_days_between(ref, window.due) > days:
        return False
    return state.progress < elapsed_percent(window, ref)


def elapsed_percent(window: Window, ref: date) -> float:
    """How much of the planned time has passed at `ref`, 0-100."""
    span = (window.due - window.start).days + 1
    passed = (ref - window.start).days + 1
    return max(0.0, min(100.0, 100.0 * passed / span))


def category(window: Window, state: TaskState, ref: date) -> Category | None:
    """The government's category at `ref`, against the due date in force; a cancelled task
    is in none of them, one awaiting confirmation is still in progress."""
    window = in_force(window, state)
    if state.status == Status.CANCELLED:
        return None
    if state.status == Status.DONE:
        late = state.completed_on is not None and state.completed_on > window.due
        return Category.DONE_LATE if late else Category.DONE_ON_TIME
    if state.status == Status.NOT_STARTED:
        return Category.NOT_STARTED
    return Category.IN_PROGRESS_LATE if ref > window.due else Category.IN_PROGRESS_ON_TIME


def open_dependencies(depends_on: Sequence[str], states: Mapping[str, TaskState]) -> list[str]:
    """Dependencies not done (cancelled ones no longer hold anything up)."""
    return [
        key
        for key in depends_on
        if key in states and states[key].status not in (Status.DONE, Status.CANCELLED)
    ]
