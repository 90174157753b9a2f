"""Task statuses, the transitions allowed between them, and the labels users read."""

from __future__ import annotations

from enum import StrEnum

from kehoach_flow.errors import TransitionError


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"
    # Reported done on a plan with `review: true`: not done until a coordinator confirms it
    # (tracking.review). Nobody reports it directly: a unit reports done.
    AWAITING_REVIEW = "awaiting_review"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Status.NOT_STARTED: "Chưa thực hiện",
    Status.IN_PROGRESS: "Đang thực hiện",
    Status.DONE: "Hoàn thành",
    Status.ON_HOLD: "Tạm dừng",
    Status.CANCELLED: "Hủy",
    Status.AWAITING_REVIEW: "Chờ xác nhận",
}

# What a unit can report (the forms' and the CLI's choices): "chờ xác nhận" follows from
# reporting done on a plan with review.
REPORTABLE = (
    Status.NOT_STARTED,
    Status.IN_PROGRESS,
    Status.DONE,
    Status.ON_HOLD,
    Status.CANCELLED,
)

# Reopening is done -> in_progress and cancelled -> in_progress; a task never goes back to
# not_started, because work once begun stays in its history.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NOT_STARTED: frozenset(
        {Status.IN_PROGRESS, Status.DONE, Status.ON_HOLD, Status.CANCELLED}
    ),
    Status.IN_PROGRESS: frozenset({Status.DONE, Status.ON_HOLD, Status.CANCELLED}),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.DONE, Status.CANCELLED}),
    Status.DONE: frozenset({Status.IN_PROGRESS}),
    Status.CANCELLED: frozenset({Status.IN_PROGRESS}),
    # Done again keeps it waiting (a corrected completion date); the coordinator's
    # confirmation makes it done (tracking.review), not a unit's update.
    Status.AWAITING_REVIEW: frozenset(
        {Status.IN_PROGRESS, Status.DONE, Status.ON_HOLD, Status.CANCELLED}
    ),
}


def parse_status(value: str) -> Status:
    """A status by its code ("done") or its Vietnamese label ("Hoàn thành"), any case."""
    from kehoach_flow.text import fold

    wanted = fold(value).replace(" ", "_")
    for status in Status:
        if wanted in (status.value, fold(status.label).replace(" ", "_")):
            return status
    choices = ", ".join(f"{s.value} ({s.label})" for s in REPORTABLE)
    raise TransitionError(f'trạng thái "{value}" không có; chọn một trong: {choices}')


def check_transition(old: Status, new: Status) -> None:
    """Raise TransitionError unless `old` -> `new` is allowed (staying put always is)."""
    if new != old and new not in TRANSITIONS[old]:
        allowed = ", ".join(s.label for s in sorted(TRANSITIONS[old]))
        raise TransitionError(
            f'không thể chuyển từ "{old.label}" sang "{new.label}"; từ "{old.label}" chỉ chuyển được sang: {allowed}'
        )


def status_label(value: str) -> str:
    """The label of a stored status; an unknown value is shown as it is."""
    try:
        return Status(value).label
    except ValueError:
        return value
