"""Completion review (xác nhận hoàn thành): on a plan with `review: true`, a task reported
done waits ("chờ xác nhận") until a coordinator confirms it, when it counts as done on the
date the unit reported, or returns it with a comment: back in progress, and the lead unit is
told by mail (reminders.review_mail, queued in the same transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from kehoach_flow.errors import UpdateError
from kehoach_flow.tracking.extensions import DecisionConflictError
from kehoach_flow.tracking.history import Author, EntryRow, UpdateResult, append_entry
from kehoach_flow.tracking.state import EntryKind
from kehoach_flow.tracking.status import Status


def confirm_done(
    engine: Engine,
    task_id: int,
    author: Author,
    comment: str | None = None,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> UpdateResult:
    """Confirm a task awaiting confirmation: done, on the completion date the unit reported."""

    def build(conn: Connection, task: Any, at: datetime) -> EntryRow:
        _check_awaiting(task)
        return EntryRow(
            kind=EntryKind.REVIEW_CONFIRMED,
            status=Status.DONE,
            progress=100,
            completed_on=task.completed_on,
            note=comment.strip() if comment and comment.strip() else None,
        )

    return append_entry(engine, task_id, author, build, expected_version, now)


def return_done(
    engine: Engine,
    task_id: int,
    author: Author,
    comment: str,
    *,
    base_url: str = "",
    mail_from: str = "kehoach@localhost",
    secret: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> UpdateResult:
    """Return a task awaiting confirmation to its unit with `comment`: in progress again; a
    mail to the lead unit (its address, else its head's) is queued with the entry."""
    from kehoach_flow.reminders.review_mail import queue_returned

    if not comment or not comment.strip():
        raise UpdateError("trả lại nhiệm vụ cần nêu nhận xét để đơn vị biết phải làm gì thêm")
    text = comment.strip()

    def build(conn: Connection, task: Any, at: datetime) -> EntryRow:
        _check_awaiting(task)

        def mail(conn: Connection, task: Any, entry_id: int) -> None:
            queue_returned(conn, task, entry_id, text, author, at, base_url, mail_from, secret)

        return EntryRow(
            kind=EntryKind.REVIEW_RETURNED,
            status=Status.IN_PROGRESS,
            progress=_before_done(conn, task, at),  # as the fold says (state._apply)
            note=text,
            after=mail,
        )

    return append_entry(engine, task_id, author, build, expected_version, now)


def _before_done(conn: Connection, task: Any, at: datetime) -> int:
    """The progress the unit reported before its done report: where a returned task stands."""
    from kehoach_flow.db.tables import TASK
    from kehoach_flow.tracking.history import load_history
    from kehoach_flow.tracking.state import state_at

    history = load_history(conn, TASK.c.id == task.id).get(task.id, [])
    return state_at(history, at).progress_before_done


def _check_awaiting(task: Any) -> None:
    if task.status != Status.AWAITING_REVIEW.value:
        label = Status(task.status).label
        raise DecisionConflictError(
            f'nhiệm vụ "{task.key}" không chờ xác nhận hoàn thành (đang "{label}"'
            + (f", cập nhật bởi {task.updated_by}" if task.updated_by else "")
            + "); không xác nhận hay trả lại được"
        )
