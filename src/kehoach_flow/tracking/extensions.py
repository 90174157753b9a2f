"""Extension requests (đề nghị gia hạn) and their decisions, as entries of a task's history.

A lead unit asks for a new due date with a reason, at least `extension_notice_days` working
days before the due date in force (a coordinator may record a later one); a coordinator
approves it (the date asked or another) or refuses it with a reason. One decision per
request: a second one, even at the same instant from another session, is refused with
`DecisionConflictError` (409 on the web). The due date in force is folded from the history
(tracking.state.due_at); the plan's own date is kept on the task row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from kehoach_flow.db.tables import EVIDENCE, UPDATE
from kehoach_flow.errors import KehoachError, NotFoundError, UpdateError
from kehoach_flow.timefmt import shown
from kehoach_flow.tracking.evidence import StoredFile
from kehoach_flow.tracking.history import (
    Author,
    EntryRow,
    UpdateResult,
    append_entry,
    attach_evidence,
    load_history,
)
from kehoach_flow.tracking.state import EntryKind, state_at
from kehoach_flow.tracking.status import Status
from kehoach_flow.workdays import WorkCalendar


class DecisionConflictError(KehoachError):
    """A decision on a request already decided, or a review on a task no longer awaiting
    one: someone decided first (409 on the web)."""


@dataclass(frozen=True)
class ExtensionRule:
    """How early a request must arrive, counted on the plan's working calendar."""

    calendar: WorkCalendar
    notice_days: int = 5


def request_extension(
    engine: Engine,
    task_id: int,
    to: date,
    reason: str,
    author: Author,
    rule: ExtensionRule,
    *,
    by_coordinator: bool = False,
    expected_version: int | None = None,
    now: datetime | None = None,
    evidence: Iterable[StoredFile] = (),
) -> UpdateResult:
    """Record a request to move the task's due date to `to`. Refused (UpdateError, the rule
    in the message) when it arrives later than the rule allows, unless a coordinator records
    it; refused too for a task done or cancelled, a date not after the due date in force, or
    while another request of the task waits for its decision.

    `evidence`: files already in the store (tracking.evidence.store_evidence), attached to
    the request entry as an update's are, in the same transaction: a refused request
    attaches nothing."""
    if not reason or not reason.strip():
        raise UpdateError("đề nghị gia hạn cần nêu lý do")
    files = list(evidence)

    def attach(conn: Connection, task: Any, entry_id: int) -> None:
        attach_evidence(conn, entry_id, files)

    def build(conn: Connection, task: Any, at: datetime) -> EntryRow:
        state = _state(conn, task, at)
        due = state.due or task.due
        if Status(task.status) in (Status.DONE, Status.CANCELLED, Status.AWAITING_REVIEW):
            raise UpdateError(
                f'nhiệm vụ "{task.key}" đang ở trạng thái "{Status(task.status).label}"; '
                "không đề nghị gia hạn được"
            )
        if state.pending_due is not None:
            raise UpdateError(
                f'nhiệm vụ "{task.key}" đã có đề nghị gia hạn đến {state.pending_due:%d/%m/%Y} '
                "đang chờ quyết định; chờ quyết định rồi mới đề nghị tiếp"
            )
        if to <= due:
            raise UpdateError(
                f"hạn mới {to:%d/%m/%Y} phải sau hạn hiện tại {due:%d/%m/%Y} của nhiệm vụ"
            )
        day = at.astimezone(_zone(author)).date()
        left = rule.calendar.working_days_between(day, due)
        late = left < rule.notice_days
        if late and not by_coordinator:
            raise UpdateError(
                f"đề nghị gia hạn phải gửi trước hạn hiện tại ({due:%d/%m/%Y}) ít nhất "
                f"{rule.notice_days} ngày làm việc; ngày {day:%d/%m/%Y} chỉ còn "
                f"{max(left, 0)} ngày làm việc. Đề nghị muộn hơn do điều phối viên ghi nhận"
            )
        return EntryRow(
            kind=EntryKind.EXTENSION_REQUEST,
            note=reason.strip(),
            requested_due=to,
            forced=late,
            force_reason="đề nghị muộn, điều phối viên ghi nhận" if late else None,
            after=attach,
        )

    return append_entry(engine, task_id, author, build, expected_version, now)


def decide_extension(
    engine: Engine,
    request_id: int,
    approve: bool,
    author: Author,
    *,
    to: date | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> UpdateResult:
    """A coordinator's decision on request `request_id` (the request entry's id): approve
    (to the date asked, or `to`) with an optional comment, or refuse with a reason."""
    if not approve and not (reason and reason.strip()):
        raise UpdateError("không đồng ý gia hạn cần nêu lý do")
    if not approve and to is not None:
        raise UpdateError("chỉ ghi hạn mới khi đồng ý gia hạn")
    with engine.connect() as conn:
        request = conn.execute(select(UPDATE).where(UPDATE.c.id == request_id)).first()
    if request is None or request.kind != EntryKind.EXTENSION_REQUEST.value:
        raise NotFoundError(
            "đề nghị gia hạn", str(request_id), "xem số đề nghị bằng `kehoach show`"
        )

    def build(conn: Connection, task: Any, at: datetime) -> EntryRow:
        decided = conn.execute(select(UPDATE).where(UPDATE.c.request_id == request_id)).first()
        if decided is not None:
            raise DecisionConflictError(_already(decided, request_id, author.timezone))
        if not approve:
            return EntryRow(
                kind=EntryKind.EXTENSION_REFUSED, note=(reason or "").strip(), request_id=request_id
            )
        new_due = to or request.requested_due
        due = _state(conn, task, at).due or task.due
        if new_due <= due:
            raise UpdateError(
                f"hạn mới {new_due:%d/%m/%Y} phải sau hạn hiện tại {due:%d/%m/%Y} của nhiệm vụ"
            )
        return EntryRow(
            kind=EntryKind.EXTENSION_APPROVED,
            note=reason.strip() if reason and reason.strip() else None,
            decided_due=new_due,
            request_id=request_id,
        )

    return append_entry(engine, request.task_id, author, build, None, now)


def _already(decided: Any, request_id: int, timezone: str) -> str:
    what = "đồng ý" if decided.kind == EntryKind.EXTENSION_APPROVED.value else "không đồng ý"
    when = shown(decided.recorded_at, timezone, "%H:%M ngày %d/%m/%Y")
    return (
        f"đề nghị gia hạn số {request_id} đã được quyết định ({what}) bởi {decided.actor} "
        f"lúc {when}; không quyết định lại được"
    )


def _state(conn: Connection, task: Any, at: datetime) -> Any:
    from kehoach_flow.db.tables import TASK

    history = load_history(conn, TASK.c.id == task.id).get(task.id, [])
    return state_at(history, at)


def _zone(author: Author) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(author.timezone)


def due_story(engine: Engine, task_id: int) -> dict[str, Any]:
    """The task's due date story for `kehoach show`, the task page and the API: the plan's
    date, each request and decision in order (id, kind and its Vietnamese label, when, who,
    the dates, the reason or comment, a request's evidence files), the date in force now and
    a request still waiting."""
    from kehoach_flow.db.tables import TASK
    from kehoach_flow.tracking.authors import read_directory
    from kehoach_flow.tracking.state import ENTRY_LABELS, EXTENSION_KINDS

    kinds = [k.value for k in EXTENSION_KINDS]
    with engine.connect() as conn:
        original = conn.execute(select(TASK.c.due).where(TASK.c.id == task_id)).scalar_one()
        rows = list(
            conn.execute(
                select(UPDATE)
                .where(UPDATE.c.task_id == task_id, UPDATE.c.kind.in_(kinds))
                .order_by(UPDATE.c.version)
            )
        )
        files: dict[int, list[dict[str, Any]]] = defaultdict(list)
        ids = [r.id for r in rows if r.kind == EntryKind.EXTENSION_REQUEST.value]
        if ids:
            query = select(EVIDENCE).where(EVIDENCE.c.update_id.in_(ids)).order_by(EVIDENCE.c.id)
            for f in conn.execute(query):
                files[f.update_id].append({"sha256": f.sha256, "name": f.name, "size": f.size})
    directory = read_directory(engine)
    steps, current, decided = [], original, {r.request_id for r in rows if r.request_id}
    for row in rows:
        kind = EntryKind(row.kind)
        if kind == EntryKind.EXTENSION_APPROVED and row.decided_due is not None:
            current = row.decided_due
        steps.append(
            {
                "id": row.id,
                "kind": kind.value,
                "label": ENTRY_LABELS[kind],
                "at": row.at,
                "actor": row.actor,
                "channel": row.channel,
                "author": directory.author(row.actor, row.channel).as_dict(),
                "requested_due": row.requested_due,
                "decided_due": row.decided_due,
                "request_id": row.request_id,
                "text": row.note,
                "late_recorded": bool(row.forced) if kind == EntryKind.EXTENSION_REQUEST else False,
                "files": files.get(row.id, []),
            }
        )
    pending = [
        s
        for s in steps
        if s["kind"] == EntryKind.EXTENSION_REQUEST.value and s["id"] not in decided
    ]
    approved = [s for s in steps if s["kind"] == EntryKind.EXTENSION_APPROVED.value]
    return {
        "original": original,
        "current": current,
        "extensions": len(approved),
        "steps": steps,
        "pending": pending[-1]["id"] if pending else None,
    }
