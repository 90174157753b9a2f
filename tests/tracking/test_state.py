"""Derived state: pure, depends only on the history and the reference date."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach_flow.schedule import Window
from kehoach_flow.tracking.state import (
    EXTENSION_KINDS,
    Category,
    Derived,
    EntryKind,
    HistoryEntry,
    TaskState,
    category,
    derive,
    elapsed_percent,
    end_of_day,
    state_at,
)
from kehoach_flow.tracking.status import Status
from kehoach_flow.workdays import WorkCalendar

TZ = "Asia/Ho_Chi_Minh"
PLAIN = WorkCalendar(holidays={}, working_weekends={})
YEAR = Window(date(2024, 1, 1), date(2024, 12, 31))


def entry(day: date, status: Status, progress: int | None = None, version: int = 2) -> HistoryEntry:
    at = datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo(TZ))
    return HistoryEntry(
        at=at,
        version=version,
        status=status,
        progress=progress,
        completed_on=day if status == Status.DONE else None,
    )


def test_no_history_means_not_started() -> None:
    state = state_at([], end_of_day(date(2024, 6, 14), TZ))
    assert (state.status, state.progress) == (Status.NOT_STARTED, 0)
    assert category(YEAR, state, date(2024, 6, 14)) == Category.NOT_STARTED


def test_state_at_a_past_date_ignores_later_entries() -> None:
    history = [
        entry(date(2024, 3, 1), Status.IN_PROGRESS, 30, 2),
        entry(date(2024, 9, 1), Status.DONE, None, 3),
    ]
    assert state_at(history, end_of_day(date(2024, 6, 14), TZ)).status == Status.IN_PROGRESS
    assert state_at(history, end_of_day(date(2024, 9, 1), TZ)).status == Status.DONE


def test_an_update_late_in_the_evening_counts_for_that_local_day() -> None:
    at = datetime(2024, 6, 14, 23, 30, tzinfo=ZoneInfo(TZ))
    history = [HistoryEntry(at=at, version=2, status=Status.IN_PROGRESS, progress=10)]
    assert state_at(history, end_of_day(date(2024, 6, 14), TZ)).status == Status.IN_PROGRESS
    assert state_at(history, end_of_day(date(2024, 6, 13), TZ)).status == Status.NOT_STARTED


@pytest.mark.parametrize(
    ("window", "state", "ref", "deps_open", "expected"),
    [
        (
            YEAR,
            TaskState(Status.DONE, 100, date(2024, 12, 20)),
            date(2025, 1, 5),
            False,
            Derived.DONE_ON_TIME,
        ),
        (
            YEAR,
            TaskState(Status.DONE, 100, date(2025, 1, 3)),
            date(2025, 1, 5),
            False,
            Derived.DONE_LATE,
        ),
        (YEAR, TaskState(Status.IN_PROGRESS, 50), date(2025, 1, 2), False, Derived.OVERDUE),
        (YEAR, TaskState(Status.NOT_STARTED), date(2024, 6, 1), True, Derived.BLOCKED),
        (YEAR, TaskState(Status.IN_PROGRESS, 40), date(2024, 12, 24), False, Derived.AT_RISK),
        (YEAR, TaskState(Status.IN_PROGRESS, 99), date(2024, 12, 24), False, Derived.ON_TRACK),
        (YEAR, TaskState(Status.IN_PROGRESS, 10), date(2024, 6, 1), False, Derived.ON_TRACK),
        (YEAR, TaskState(Status.ON_HOLD, 10), date(2024, 6, 1), False, Derived.ON_HOLD),
        (YEAR, TaskState(Status.CANCELLED), date(2025, 6, 1), False, Derived.CANCELLED),
    ],
)
def test_derived_state(
    window: Window, state: TaskState, ref: date, deps_open: bool, expected: Derived
) -> None:
    assert derive(window, state, ref, PLAIN, deps_open) == expected


@pytest.mark.parametrize(
    ("state", "ref", "expected"),
    [
        (TaskState(Status.DONE, 100, date(2024, 12, 31)), date(2025, 1, 5), Category.DONE_ON_TIME),
        (TaskState(Status.DONE, 100, date(2025, 1, 2)), date(2025, 1, 5), Category.DONE_LATE),
        (TaskState(Status.IN_PROGRESS, 50), date(2024, 12, 31), Category.IN_PROGRESS_ON_TIME),
        (TaskState(Status.ON_HOLD, 50), date(2025, 1, 1), Category.IN_PROGRESS_LATE),
        (TaskState(Status.NOT_STARTED), date(2025, 1, 1), Category.NOT_STARTED),
        (TaskState(Status.CANCELLED), date(2025, 1, 1), None),
    ],
)
def test_government_category(state: TaskState, ref: date, expected: Category | None) -> None:
    assert category(YEAR, state, ref) == expected


def test_at_risk_counts_working_days_so_tet_widens_the_warning() -> None:
    """Ten calendar days before a due date just after Tết hold only a few working days."""
    tet = WorkCalendar(
        holidays={date(2024, 2, d): "Tết" for d in range(8, 15)}, working_weekends={}
    )
    window = Window(date(2024, 1, 1), date(2024, 2, 16))
    state = TaskState(Status.IN_PROGRESS, 50)
    ref = date(2024, 2, 6)
    assert derive(window, state, ref, PLAIN, at_risk_days=5) == Derived.ON_TRACK
    assert derive(window, state, ref, tet, at_risk_days=5) == Derived.AT_RISK


def test_elapsed_percent_is_bounded() -> None:
    assert elapsed_percent(YEAR, date(2023, 6, 1)) == 0.0
    assert elapsed_percent(YEAR, date(2024, 12, 31)) == 100.0
    assert 49 < elapsed_percent(YEAR, date(2024, 7, 1)) < 51


statuses = st.sampled_from(list(Status))
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 3, 31))
# Every kind of entry: updates, extension requests and their decisions (approved to a date
# within or beyond the year, refused), completion reviews confirmed or returned.
entries = st.builds(
    lambda day, minutes, status, progress, version, kind, moved, request: HistoryEntry(
        at=datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(TZ)) + timedelta(minutes=minutes),
        version=version,
        status=status,
        progress=progress,
        completed_on=day if status in (Status.DONE, Status.AWAITING_REVIEW) else None,
        kind=kind,
        actor="lanh-dao" if kind == EntryKind.EXTENSION_APPROVED else "don-vi",
        requested_due=moved if kind == EntryKind.EXTENSION_REQUEST else None,
        decided_due=moved if kind == EntryKind.EXTENSION_APPROVED else None,
        request=request if kind in EXTENSION_KINDS - {EntryKind.EXTENSION_REQUEST} else None,
    ),
    days,
    st.integers(0, 24 * 60 - 1),
    statuses,
    st.one_of(st.none(), st.integers(0, 100)),
    st.integers(2, 10_000),
    st.sampled_from(list(EntryKind)),
    st.dates(min_value=date(2024, 6, 1), max_value=date(2025, 6, 30)),
    st.integers(2, 10_000),
)


@settings(max_examples=200, deadline=None)
@given(
    history=st.lists(entries, max_size=12, unique_by=lambda e: e.version),
    later=st.lists(entries, max_size=4),
    ref=days,
    data=st.data(),
)
def test_derived_state_depends_only_on_history_and_reference_date(
    history: list[HistoryEntry], later: list[HistoryEntry], ref: date, data: st.DataObject
) -> None:
    moment = end_of_day(ref, TZ)
    expected_state = state_at(history, moment)
    expected = (derive(YEAR, expected_state, ref, PLAIN), category(YEAR, expected_state, ref))
    shuffled = data.draw(st.permutations(history))
    after = [e for e in later if e.at > moment]  # recorded after the reference date
    state = state_at([*shuffled, *after], moment)
    assert state == expected_state
    assert (derive(YEAR, state, ref, PLAIN), category(YEAR, state, ref)) == expected


@settings(max_examples=200, deadline=None)
@given(history=st.lists(entries, max_size=10, unique_by=lambda e: e.version))
def test_a_returned_done_goes_back_to_the_progress_reported_before_it(
    history: list[HistoryEntry],
) -> None:
    """Whatever came before, a done report then its return leave the task in progress at
    the progress it stood at before the report (not the report's 100%)."""
    last = max((e.at for e in history), default=datetime(2024, 1, 1, tzinfo=ZoneInfo(TZ)))
    before = state_at(history, last)
    finished = before.status in (Status.DONE, Status.AWAITING_REVIEW)
    reported = HistoryEntry(
        last + timedelta(hours=1), 20_001, Status.AWAITING_REVIEW, completed_on=last.date()
    )
    returned = HistoryEntry(
        last + timedelta(hours=2),
        20_002,
        Status.IN_PROGRESS,
        progress=100,  # what the task row held when it was returned
        kind=EntryKind.REVIEW_RETURNED,
        note="Thiếu biên bản",
    )
    waiting = state_at([*history, reported], last + timedelta(hours=1))
    assert waiting.progress == 100
    state = state_at([returned, *history, reported], last + timedelta(hours=2))
    assert state.status == Status.IN_PROGRESS and state.completed_on is None
    assert state.progress == (before.progress_before_done if finished else before.progress)
