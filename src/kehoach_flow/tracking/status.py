"""Task statuses and the Vietnamese labels users read."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Status.NOT_STARTED: "Chưa thực hiện",
    Status.IN_PROGRESS: "Đang thực hiện",
    Status.DONE: "Hoàn thành",
    Status.ON_HOLD: "Tạm dừng",
    Status.CANCELLED: "Hủy",
}


def status_label(value: str) -> str:
    """The label of a stored status; an unknown value is shown as it is."""
    try:
        return Status(value).label
    except ValueError:
        return value
