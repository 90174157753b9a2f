"""Extensions and completion reviews in the pure fold: the due date in force at a moment, an
awaiting task not done yet, a confirmed one done on the date the unit reported."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from kehoach_flow.schedule import Window
from kehoach_flow.tracking.state import (
    Category,
    Derived,
    EntryKind,
    HistoryEntry,
    category,
    derive,
    due_at,
    end_of_day,
    in_force,
    on_time_by_extension,
    rolled_up,
    state_at,
)
from kehoach_flow.tracking.status import Status
from kehoach_flow.workdays import WorkCalendar

TZ = "Asia/Ho_Chi_Minh"
PLAIN = WorkCalendar(holidays={}, working_weekends={})
PLANNED = Window(date(2024, 1, 2), date(2024, 6, 28))


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(TZ))


def update(day: date, version: int, status: Status, progress: int | None = None) -> HistoryEntry:
    finished = status in (Status.DONE, Status.AWAITING_REVIEW)
    return HistoryEntry(at(day), version, status, progress, completed_on=day if finished else None)


def request(day: date, version: int, to: date) -> HistoryEntry:
    return HistoryEntry(
        at(day),
        version,
        Status.IN_PROGRESS,
        kind=EntryKind.EXTENSION_REQUEST,
        actor="kh-tc",
        requested_due=to,
        note="Chờ số liệu của Tổng cục",
    )


def decision(day: date, version: int, of: int, to: date | None) -> HistoryEntry:
    kind = EntryKind.EXTENSION_APPROVED if to else EntryKind.EXTENSION_REFUSED
    return HistoryEntry(
        at(day, 15),
        version,
        Status.IN_PROGRESS,
        kind=kind,
        actor="lanh-dao",
        decided_due=to,
        request=of,
    )


HISTORY = [
    update(date(2024, 3, 1), 2, Status.IN_PROGRESS, 40),
    request(date(2024, 6, 10), 3, date(2024, 7, 31)),
    decision(date(2024, 6, 12), 4, 3, date(2024, 7, 15)),  # a different date approved
]


def test_an_approved_extension_moves_the_due_date_from_its_moment_on() -> None:
    assert due_at(HISTORY, end_of_day(date(2024, 6, 11), TZ), PLANNED.due) == PLANNED.due
    assert due_at(HISTORY, end_of_day(date(2024, 6, 12), TZ), PLANNED.due) == date(2024, 7, 15)
    before = state_at(HISTORY, end_of_day(date(2024, 6, 11), TZ))
    assert before.pending_due == date(2024, 7, 31) and before.due is None
    after = state_at(HISTORY, end_of_day(date(2024, 7, 1), TZ))
    assert (after.due, after.extensions, after.approved_by) == (date(2024, 7, 15), 1, "lanh-dao")
    assert after.pending_due is None and after.note is None  # the reason is not the task's note
    assert after.progress == 40 and after.status == Status.IN_PROGRESS
    assert in_force(PLANNED, after) == Window(PLANNED.start, date(2024, 7, 15))
    # on 1/7 the task is past the plan's date but within its extension
    assert derive(PLANNED, after, date(2024, 7, 1), PLAIN) != Derived.OVERDUE
    assert category(PLANNED, after, date(2024, 7, 1)) == Category.IN_PROGRESS_ON_TIME
    late = state_at(HISTORY, end_of_day(date(2024, 7, 16), TZ))
    assert derive(PLANNED, late, date(2024, 7, 16), PLAIN) == Derived.OVERDUE
    assert category(PLANNED, late, date(2024, 7, 16)) == Category.IN_PROGRESS_LATE


def test_a_refused_request_leaves_the_due_date() -> None:
    history = [*HISTORY[:2], decision(date(2024, 6, 12), 4, 3, None)]
    state = state_at(history, end_of_day(date(2024, 7, 1), TZ))
    assert (state.due, state.extensions, state.pending_due) == (None, 0, None)
    assert derive(PLANNED, state, date(2024, 7, 1), PLAIN) == Derived.OVERDUE


def test_done_within_the_extension_counts_on_time_and_says_so() -> None:
    history = [*HISTORY, update(date(2024, 7, 10), 5, Status.DONE)]
    state = state_at(history, end_of_day(date(2024, 12, 31), TZ))
    assert category(PLANNED, state, date(2024, 12, 31)) == Category.DONE_ON_TIME
    assert derive(PLANNED, state, date(2024, 12, 31), PLAIN) == Derived.DONE_ON_TIME
    assert on_time_by_extension(PLANNED, state)
    beyond = [*HISTORY, update(date(2024, 7, 20), 5, Status.DONE)]
    state = state_at(beyond, end_of_day(date(2024, 12, 31), TZ))
    assert category(PLANNED, state, date(2024, 12, 31)) == Category.DONE_LATE
    assert not on_time_by_extension(PLANNED, state)


def test_awaiting_confirmation_is_not_done_until_confirmed_on_the_reported_date() -> None:
    reported = update(date(2024, 6, 27), 2, Status.AWAITING_REVIEW)
    confirmed = HistoryEntry(
        at(date(2024, 7, 5)),
        3,
        Status.DONE,
        completed_on=date(2024, 6, 27),
        kind=EntryKind.REVIEW_CONFIRMED,
        actor="lanh-dao",
    )
    waiting = state_at([reported, confirmed], end_of_day(date(2024, 7, 1), TZ))
    assert waiting.status == Status.AWAITING_REVIEW and waiting.progress == 100
    assert derive(PLANNED, waiting, date(2024, 7, 1), PLAIN) == Derived.AWAITING_REVIEW
    assert Derived.AWAITING_REVIEW.label == "Chờ xác nhận hoàn thành"
    assert category(PLANNED, waiting, date(2024, 7, 1)) == Category.IN_PROGRESS_LATE
    assert category(PLANNED, waiting, date(2024, 6, 28)) == Category.IN_PROGRESS_ON_TIME
    done = state_at([reported, confirmed], end_of_day(date(2024, 7, 5), TZ))
    assert done.status == Status.DONE and done.completed_on == date(2024, 6, 27)
    assert category(PLANNED, done, date(2024, 7, 5)) == Category.DONE_ON_TIME


def test_a_returned_done_is_in_progress_again_and_the_comment_is_not_the_unit_note() -> None:
    reported = HistoryEntry(
        at(date(2024, 6, 20)),
        2,
        Status.AWAITING_REVIEW,
        completed_on=date(2024, 6, 20),
        note="Xong",
    )
    returned = HistoryEntry(
        at(date(2024, 6, 21)),
        3,
        Status.IN_PROGRESS,
        progress=100,
        kind=EntryKind.REVIEW_RETURNED,
        actor="lanh-dao",
        note="Thiếu biên bản nghiệm thu",
    )
    state = state_at([reported, returned], end_of_day(date(2024, 6, 21), TZ))
    assert state.status == Status.IN_PROGRESS and state.completed_on is None
    assert state.note == "Xong"
    assert category(PLANNED, state, date(2024, 6, 21)) == Category.IN_PROGRESS_ON_TIME


def test_a_parent_waits_while_a_subtask_waits() -> None:
    done = state_at([update(date(2024, 5, 2), 2, Status.DONE)], end_of_day(date(2024, 6, 1), TZ))
    waiting = state_at(
        [update(date(2024, 5, 9), 2, Status.AWAITING_REVIEW)], end_of_day(date(2024, 6, 1), TZ)
    )
    parent = state_at([], end_of_day(date(2024, 6, 1), TZ))
    assert rolled_up(parent, [done, waiting]).status == Status.AWAITING_REVIEW
    assert rolled_up(parent, [done, done]).status == Status.DONE


def test_a_returned_done_goes_back_to_the_progress_the_unit_reported_before() -> None:
    history = [
        update(date(2024, 5, 2), 2, Status.IN_PROGRESS, 60),
        HistoryEntry(
            at(date(2024, 6, 20)), 3, Status.AWAITING_REVIEW, completed_on=date(2024, 6, 20)
        ),
        HistoryEntry(
            at(date(2024, 6, 21)),
            4,
            Status.IN_PROGRESS,
            progress=100,
            kind=EntryKind.REVIEW_RETURNED,
            actor="lanh-dao",
            note="Thiếu biên bản nghiệm thu",
        ),
    ]
    assert state_at(history, end_of_day(date(2024, 6, 20), TZ)).progress == 100
    back = state_at(history, end_of_day(date(2024, 6, 21), TZ))
    assert (back.status, back.progress) == (Status.IN_PROGRESS, 60)
    # reported done again, returned again: still the unit's 60%, never the report's 100%
    again = [
        *history,
        HistoryEntry(
            at(date(2024, 6, 24)), 5, Status.AWAITING_REVIEW, completed_on=date(2024, 6, 24)
        ),
        HistoryEntry(
            at(date(2024, 6, 25)), 6, Status.IN_PROGRESS, kind=EntryKind.REVIEW_RETURNED, note="Lại"
        ),
    ]
    assert state_at(again, end_of_day(date(2024, 6, 25), TZ)).progress == 60
    # the unit's own update after a return counts as before
    later = [*again, update(date(2024, 6, 26), 7, Status.IN_PROGRESS, 80)]
    assert state_at(later, end_of_day(date(2024, 6, 26), TZ)).progress == 80
