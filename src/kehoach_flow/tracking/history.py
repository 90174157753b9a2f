"""Recording updates to a task's append-only history, and reading that history back.

A task row carries a cache of its latest state and a version; an update names the version
it was based on and is refused if someone else changed the task since (optimistic locking,
the same on SQLite and Postgres: a conditional UPDATE that matches no row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, insert, select, update

from kehoach_flow.db.tables import (
    ACTUAL,
    DEPENDENCY,
    EVIDENCE,
    LINE,
    PLAN,
    SOURCE,
    SPENDING,
    TARGET,
    TASK,
    UPDATE,
)
from kehoach_flow.errors import DependencyOpenError, StaleVersionError, UpdateError
from kehoach_flow.text import fold
from kehoach_flow.timefmt import shown
from kehoach_flow.tracking.evidence import StoredFile
from kehoach_flow.tracking.state import EntryKind, HistoryEntry
from kehoach_flow.tracking.status import Status, check_transition

CHANNELS = ("cli", "web", "api", "import")
_RETRIES = 3


@dataclass(frozen=True)
class UpdateIn:
    """What a unit reports; every field is optional, None means unchanged."""

    status: Status | None = None
    progress: int | None = None
    actuals: Mapping[str, int] = field(default_factory=dict)  # target position or unit word
    spending: Mapping[str, int] = field(default_factory=dict)  # funding source key -> đồng
    note: str | None = None
    difficulties: str | None = None
    proposals: str | None = None
    completed_on: date | None = None


@dataclass(frozen=True)
class UpdateResult:
    task_id: int
    update_id: int
    version: int
    status: Status
    progress: int


@dataclass(frozen=True)
class Author:
    """Who reports, through what, and as of when (None: now)."""

    actor: str
    channel: str = "cli"
    at: datetime | None = None
    timezone: str = "Asia/Ho_Chi_Minh"


def record_update(
    engine: Engine,
    task_id: int,
    change: UpdateIn,
    author: Author,
    expected_version: int | None = None,
    force_reason: str | None = None,
    evidence: Iterable[StoredFile] = (),
    now: datetime | None = None,
) -> UpdateResult:
    """Append one update to the task's history and refresh its cached state.

    With `expected_version`, the update is refused (StaleVersionError) if the task changed
    since; without it, a concurrent change is re-read and the update re-checked against it.
    `now` is the clock (default: the machine's): an update dated after its day, where the
    plan runs, is refused, and so is one dated before the task's latest entry (see
    `_check_dates`).
    """
    if author.channel not in CHANNELS:
        raise UpdateError(f'kênh "{author.channel}" không hợp lệ; có: {", ".join(CHANNELS)}')
    files = list(evidence)
    for attempt in range(_RETRIES):
        with engine.begin() as conn:
            task = _task_row(conn, task_id)
            based_on = task.version if expected_version is None else expected_version
            if based_on != task.version:
                raise _stale(task, based_on, author.timezone)
            result = _apply(conn, task, change, author, force_reason, files, now)
            if result is not None:
                return result
        if expected_version is not None or attempt == _RETRIES - 1:
            with engine.connect() as conn:
                raise _stale(_task_row(conn, task_id), based_on, author.timezone)
    raise AssertionError("unreachable")  # pragma: no cover


def _task_row(conn: Connection, task_id: int) -> Any:
    row = conn.execute(select(TASK).where(TASK.c.id == task_id)).first()
    if row is None:
        raise UpdateError(f"không có nhiệm vụ mã số {task_id}")
    return row


def _stale(task: Any, based_on: int, timezone: str) -> StaleVersionError:
    at = shown(task.updated_at, timezone, "%H:%M ngày %d/%m/%Y") if task.updated_at else None
    return StaleVersionError(task.key, based_on, task.version, task.updated_by, at)


def _apply(
    conn: Connection,
    task: Any,
    change: UpdateIn,
    author: Author,
    force_reason: str | None,
    files: list[StoredFile],
    clock: datetime | None,
) -> UpdateResult | None:
    now = clock or datetime.now(UTC)
    at = _check_dates(conn, task, change, author, author.at or now, now)
    old = Status(task.status)
    new = change.status or old
    check_transition(old, new)
    forced = _check_dependencies(conn, task, old, new, force_reason)
    if new == Status.DONE and old != Status.DONE and _reviewed(conn, task.plan_id):
        new = Status.AWAITING_REVIEW  # done once the coordinator confirms it (review.py)
    progress = _progress(change, task, new)
    local_day = at.astimezone(ZoneInfo(author.timezone)).date()
    finished = new in FINISHED
    completed_on = (change.completed_on or local_day) if finished else None
    if finished and Status(task.status) in FINISHED and change.completed_on is None:
        completed_on = task.completed_on or completed_on
    actuals = _target_ids(conn, task, change.actuals)
    spending = _line_ids(conn, task, change.spending)
    if not _advance(conn, task, new, progress, completed_on, now, author.actor):
        return None  # someone else got there first: caller decides
    update_id = _insert_entry(
        conn,
        task,
        (old.value, new),
        progress,
        completed_on,
        author,
        at,
        now,
        note=change.note,
        difficulties=change.difficulties,
        proposals=change.proposals,
        forced=forced,
        force_reason=force_reason if forced else None,
    )
    _insert_children(conn, update_id, actuals, spending, files)
    return UpdateResult(task.id, update_id, task.version + 1, new, progress)


FINISHED = (Status.DONE, Status.AWAITING_REVIEW)  # reported done: progress 100, a date


def _reviewed(conn: Connection, plan_id: int) -> bool:
    """The plan's `review:` setting: a done report waits for the coordinator."""
    return bool(conn.execute(select(PLAN.c.review).where(PLAN.c.id == plan_id)).scalar_one())


def append_entry(
    engine: Engine,
    task_id: int,
    author: Author,
    build: Callable[[Connection, Any, datetime], EntryRow],
    expected_version: int | None = None,
    now: datetime | None = None,
) -> UpdateResult:
    """Append one entry that is not a unit's update (an extension request or decision, a
    review) and refresh the task's cache, with the same optimistic lock as `record_update`.

    `build(conn, task, at)` checks the entry against the task as it stands (raising an error
    a user reads) and says what to store. When someone else changes the task between the
    read and the write, the entry is built again on the fresh task: a second decision on a
    request then finds the first one and `build` refuses it.
    """
    for attempt in range(_RETRIES):
        with engine.begin() as conn:
            task = _task_row(conn, task_id)
            based_on = task.version if expected_version is None else expected_version
            if based_on != task.version:
                raise _stale(task, based_on, author.timezone)
            clock = now or datetime.now(UTC)
            at = _check_dates(conn, task, UpdateIn(), author, author.at or clock, clock)
            entry = build(conn, task, at)
            status = entry.status or Status(task.status)
            progress = task.progress if entry.progress is None else entry.progress
            if entry.status is None:  # the status stays, and its completion date with it
                completed_on = task.completed_on
            else:
                completed_on = entry.completed_on if status in FINISHED else None
            if _advance(conn, task, status, progress, completed_on, clock, author.actor):
                entry_id = _insert_entry(
                    conn,
                    task,
                    (task.status, status),
                    progress,
                    completed_on,
                    author,
                    at,
                    clock,
                    note=entry.note,
                    forced=entry.forced,
                    force_reason=entry.force_reason,
                    kind=entry.kind.value,
                    requested_due=entry.requested_due,
                    decided_due=entry.decided_due,
                    request_id=entry.request_id,
                )
                if entry.after is not None:
                    entry.after(conn, task, entry_id)
                return UpdateResult(task.id, entry_id, task.version + 1, status, progress)
        if expected_version is not None or attempt == _RETRIES - 1:
            with engine.connect() as conn:
                raise _stale(_task_row(conn, task_id), based_on, author.timezone)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class EntryRow:
    """What `append_entry` stores: the kind and its fields; status and progress None keep
    the task's; `after(conn, task, entry_id)` runs in the same transaction (a mail queued)."""

    kind: EntryKind
    status: Status | None = None
    progress: int | None = None
    completed_on: date | None = None
    note: str | None = None
    requested_due: date | None = None
    decided_due: date | None = None
    request_id: int | None = None
    forced: bool = False
    force_reason: str | None = None
    after: Callable[[Connection, Any, int], None] | None = None


def _check_dates(
    conn: Connection, task: Any, change: UpdateIn, author: Author, at: datetime, now: datetime
) -> datetime:
    """When the update is recorded as of: never after today, never before the latest entry.

    The task's cached state is its latest entry; an update slipped in before it would change
    that cache while the history, folded in time order, says otherwise. So an earlier date is
    refused. On the latest entry's own day the update is placed just after it.
    """
    zone = ZoneInfo(author.timezone)
    day, today = at.astimezone(zone).date(), now.astimezone(zone).date()
    if day > today:
        raise UpdateError(
            f"ngày ghi nhận {day:%d/%m/%Y} chưa đến (hôm nay là {today:%d/%m/%Y}); "
            "chỉ ghi được cập nhật đến hôm nay"
        )
    if change.completed_on is not None and change.completed_on > day:
        raise UpdateError(
            f"ngày hoàn thành {change.completed_on:%d/%m/%Y} sau ngày ghi nhận {day:%d/%m/%Y}; "
            "chỉ ghi được việc đã hoàn thành"
        )
    latest = conn.execute(
        select(UPDATE.c.at).where(UPDATE.c.task_id == task.id).order_by(UPDATE.c.at.desc())
    ).first()
    if latest is None:
        return at
    last = latest.at
    last_day = last.astimezone(zone).date()
    if day < last_day:
        raise UpdateError(
            f'nhiệm vụ "{task.key}" đã có cập nhật ngày {last_day:%d/%m/%Y}; '
            f"không ghi được cập nhật ngày {day:%d/%m/%Y} trước đó"
        )
    return max(at, last)


def bump_plan_revision(conn: Connection, plan_id: int) -> None:
    """Tell the pages' caches that something derived from this plan may have changed."""
    conn.execute(update(PLAN).where(PLAN.c.id == plan_id).values(revision=PLAN.c.revision + 1))


def _check_dependencies(
    conn: Connection, task: Any, old: Status, new: Status, reason: str | None
) -> bool:
    if new != Status.DONE or old == Status.DONE:
        return False
    other = TASK.alias("other")
    query = (
        select(other.c.key)
        .join(DEPENDENCY, DEPENDENCY.c.depends_on_id == other.c.id)
        .where(
            DEPENDENCY.c.task_id == task.id,
            other.c.status.notin_([Status.DONE.value, Status.CANCELLED.value]),
        )
        .order_by(other.c.key)
    )
    open_keys = list(conn.execute(query).scalars())
    if not open_keys:
        return False
    if not reason or not reason.strip():
        raise DependencyOpenError(task.key, open_keys)
    return True


def _progress(change: UpdateIn, task: Any, new: Status) -> int:
    if new in FINISHED:
        return 100
    progress = task.progress if change.progress is None else change.progress
    if not 0 <= progress <= 100:
        raise UpdateError(f"tiến độ phải từ 0 đến 100 (%), không phải {progress}")
    return int(progress)


def _target_ids(conn: Connection, task: Any, actuals: Mapping[str, int]) -> dict[int, int]:
    if not actuals:
        return {}
    targets = list(
        conn.execute(select(TARGET).where(TARGET.c.task_id == task.id).order_by(TARGET.c.position))
    )
    found: dict[int, int] = {}
    for name, quantity in actuals.items():
        match = [
            t
            for i, t in enumerate(targets, 1)
            if name.strip() == str(i) or fold(name) == fold(t.unit_label)
        ]
        if len(match) != 1:
            known = (
                "; ".join(f"{i}. {t.unit_label} ({t.quantity})" for i, t in enumerate(targets, 1))
                or "không có chỉ tiêu nào"
            )
            raise UpdateError(f'nhiệm vụ "{task.key}" không có chỉ tiêu "{name}"; có: {known}')
        if quantity < 0:
            raise UpdateError(f'số lượng thực hiện của "{name}" không được âm')
        found[match[0].id] = quantity
    return found


def _line_ids(conn: Connection, task: Any, spending: Mapping[str, int]) -> dict[int, int]:
    if not spending:
        return {}
    query = (
        select(LINE.c.id, SOURCE.c.key)
        .join(SOURCE, SOURCE.c.id == LINE.c.source_id)
        .where(LINE.c.task_id == task.id)
    )
    lines = {row.key: row.id for row in conn.execute(query)}
    found: dict[int, int] = {}
    for source, amount in spending.items():
        if source not in lines:
            known = ", ".join(lines) or "nhiệm vụ chưa có nguồn kinh phí"
            raise UpdateError(
                f'nhiệm vụ "{task.key}" không dùng nguồn kinh phí "{source}"; có: {known}'
            )
        if amount < 0:
            raise UpdateError(f'số tiền đã chi của "{source}" không được âm')
        found[lines[source]] = amount
    return found


def _advance(
    conn: Connection,
    task: Any,
    status: Status,
    progress: int,
    completed_on: date | None,
    now: datetime,
    actor: str,
) -> bool:
    """The task's cached state moved on one version, under the optimistic lock, and its
    plan's revision bumped; False (nothing written) when someone else changed it first."""
    changed = conn.execute(
        update(TASK)
        .where(TASK.c.id == task.id, TASK.c.version == task.version)
        .values(
            status=status.value,
            progress=progress,
            completed_on=completed_on,
            version=task.version + 1,
            updated_at=now,
            updated_by=actor,
        )
    )
    if changed.rowcount != 1:
        return False
    bump_plan_revision(conn, task.plan_id)
    return True


def _insert_entry(
    conn: Connection,
    task: Any,
    statuses: tuple[str, Status],
    progress: int,
    completed_on: date | None,
    author: Author,
    at: datetime,
    now: datetime,
    **fields: Any,
) -> int:
    """The history entry of the task's next version (its status from `statuses[0]` to
    `statuses[1]`), with the entry's own `fields`: its id."""
    row = {
        "task_id": task.id,
        "version": task.version + 1,
        "at": at,
        "recorded_at": now,
        "actor": author.actor,
        "channel": author.channel,
        "old_status": statuses[0],
        "new_status": statuses[1].value,
        "progress": progress,
        "completed_on": completed_on,
        **fields,
    }
    return int(conn.execute(insert(UPDATE).returning(UPDATE.c.id), [row]).scalar_one())


def _insert_children(
    conn: Connection,
    update_id: int,
    actuals: dict[int, int],
    spending: dict[int, int],
    files: list[StoredFile],
) -> None:
    rows = [{"update_id": update_id, "target_id": k, "quantity": v} for k, v in actuals.items()]
    if rows:
        conn.execute(insert(ACTUAL), rows)
    rows = [
        {"update_id": update_id, "funding_line_id": k, "amount": v} for k, v in spending.items()
    ]
    if rows:
        conn.execute(insert(SPENDING), rows)
    attach_evidence(conn, update_id, files)


def attach_evidence(conn: Connection, entry_id: int, files: list[StoredFile]) -> None:
    """The stored files attached to the history entry (an update, an extension request)."""
    rows: list[dict[str, object]] = [
        {
            "update_id": entry_id,
            "sha256": f.sha256,
            "name": f.name,
            "size": f.size,
            "content_type": f.content_type,
        }
        for f in files
    ]
    if rows:
        conn.execute(insert(EVIDENCE), rows)


def load_history(conn: Connection, task_filter: Any) -> dict[int, list[HistoryEntry]]:
    """History of every task matching `task_filter` (a WHERE clause on the task table)."""
    task_ids = select(TASK.c.id).where(task_filter)
    actuals = _per_update(conn, ACTUAL, ACTUAL.c.target_id, ACTUAL.c.quantity, task_ids)
    spending = _per_update(conn, SPENDING, SPENDING.c.funding_line_id, SPENDING.c.amount, task_ids)
    history: dict[int, list[HistoryEntry]] = defaultdict(list)
    rows = list(conn.execute(select(UPDATE).where(UPDATE.c.task_id.in_(task_ids))))
    versions = {row.id: row.version for row in rows if row.requested_due is not None}
    for row in rows:
        history[row.task_id].append(
            HistoryEntry(
                at=row.at,
                version=row.version,
                status=Status(row.new_status),
                progress=row.progress,
                completed_on=row.completed_on,
                actuals=actuals.get(row.id, {}),
                spending=spending.get(row.id, {}),
                note=row.note,
                difficulties=row.difficulties,
                proposals=row.proposals,
                kind=EntryKind(row.kind),
                actor=row.actor,
                requested_due=row.requested_due,
                decided_due=row.decided_due,
                request=versions.get(row.request_id) if row.request_id else None,
            )
        )
    return history


def _per_update(
    conn: Connection, table: Any, key: Any, value: Any, task_ids: Any
) -> dict[int, dict[int, int]]:
    """Update id -> {target or funding line id: value} for the updates of these tasks."""
    query = (
        select(table.c.update_id, key, value)
        .join(UPDATE, UPDATE.c.id == table.c.update_id)
        .where(UPDATE.c.task_id.in_(task_ids))
    )
    found: dict[int, dict[int, int]] = defaultdict(dict)
    for update_id, item, amount in conn.execute(query):
        found[update_id][item] = amount
    return found


def history_rows(engine: Engine, task_id: int) -> list[dict[str, Any]]:
    """A task's history, newest first, for `kehoach show` and the task page."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(UPDATE).where(UPDATE.c.task_id == task_id).order_by(UPDATE.c.version.desc())
        )
        return [dict(row._mapping) for row in rows]


def evidence_named(engine: Engine, sha256: str) -> dict[str, Any] | None:
    """An evidence file's record (name, size, type) by content hash; None when no update
    attached one with that content."""
    query = select(EVIDENCE).where(EVIDENCE.c.sha256 == sha256).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else dict(row._mapping)


def evidence_of_updates(engine: Engine, update_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The evidence records of these updates, by update id (the task page's history)."""
    files: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not update_ids:
        return files
    query = select(EVIDENCE).where(EVIDENCE.c.update_id.in_(update_ids))
    with engine.connect() as conn:
        for row in conn.execute(query):
            files[row.update_id].append(dict(row._mapping))
    return files
