"""The lifecycle: every transition, allowed and refused."""

from __future__ import annotations

import itertools

import pytest

from kehoach_flow.errors import TransitionError
from kehoach_flow.tracking.status import TRANSITIONS, Status, check_transition, parse_status

ALLOWED = {
    (Status.NOT_STARTED, Status.IN_PROGRESS),
    (Status.NOT_STARTED, Status.DONE),
    (Status.NOT_STARTED, Status.ON_HOLD),
    (Status.NOT_STARTED, Status.CANCELLED),
    (Status.IN_PROGRESS, Status.DONE),
    (Status.IN_PROGRESS, Status.ON_HOLD),
    (Status.IN_PROGRESS, Status.CANCELLED),
    (Status.ON_HOLD, Status.IN_PROGRESS),
    (Status.ON_HOLD, Status.DONE),
    (Status.ON_HOLD, Status.CANCELLED),
    (Status.DONE, Status.IN_PROGRESS),  # reopen
    (Status.CANCELLED, Status.IN_PROGRESS),  # reopen
    # awaiting confirmation: withdrawn, done again (a corrected date), held, cancelled; no
    # update leads into it (reporting done on a plan with review does)
    (Status.AWAITING_REVIEW, Status.IN_PROGRESS),
    (Status.AWAITING_REVIEW, Status.DONE),
    (Status.AWAITING_REVIEW, Status.ON_HOLD),
    (Status.AWAITING_REVIEW, Status.CANCELLED),
}
PAIRS = list(itertools.product(Status, Status))


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_each_transition_is_allowed_or_refused_as_specified(old: Status, new: Status) -> None:
    if old == new or (old, new) in ALLOWED:
        check_transition(old, new)
    else:
        with pytest.raises(
            TransitionError, match=f'không thể chuyển từ "{old.label}" sang "{new.label}"'
        ):
            check_transition(old, new)


def test_the_table_is_the_specification() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("done", Status.DONE),
        ("Hoàn thành", Status.DONE),
        ("đang thực hiện", Status.IN_PROGRESS),
        ("ON_HOLD", Status.ON_HOLD),
        ("Hủy", Status.CANCELLED),
    ],
)
def test_status_is_read_by_code_or_vietnamese_label(text: str, status: Status) -> None:
    assert parse_status(text) == status


def test_unknown_status_lists_the_choices() -> None:
    with pytest.raises(TransitionError, match="in_progress \\(Đang thực hiện\\)"):
        parse_status("xong rồi")
