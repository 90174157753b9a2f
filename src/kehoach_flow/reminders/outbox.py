"""The outbox: built messages stored before sending, each under a unique dedupe key.

Writing a digest twice (a sweep run again, or after a crash) inserts nothing the second
time. Senders claim pending rows with one conditional UPDATE, so two senders at once never
claim the same row. A message can go out twice in one case only: its outcome is unknown (the
server took its data but never answered, or its sender was killed while sending it). Such a
row ("unknown", or left "sending") is sent again after the lease, once.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, and_, bindparam, func, or_, select, update

from kehoach_flow.db.tables import OUTBOX
from kehoach_flow.mail.transport import StoredMessage

if TYPE_CHECKING:  # the digests' module (templates, planner, calendar) is not needed to send
    from kehoach_flow.reminders.digest import Digest

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
UNKNOWN = "unknown"  # the server may have accepted it: sent again once, after the lease
STATUS_LABELS = {
    PENDING: "Chờ gửi",
    SENDING: "Đang gửi",
    UNKNOWN: "Chưa rõ",
    SENT: "Đã gửi",
    FAILED: "Lỗi",
}


@dataclass(frozen=True)
class Claimed:
    id: int
    attempts: int
    message: EmailMessage
    unknown_before: bool = False  # an earlier try ended with an unknown outcome


def enqueue(engine: Engine, digests: Iterable[tuple[Digest, EmailMessage]]) -> tuple[int, int]:
    """Store each built digest unless its key is already there; (new, already there).

    Exact when other runs store the same keys at the same time: the rows this call inserted
    are the ones the database returns."""
    built = list(digests)
    stored = store(engine, built)
    return len(stored), len(built) - len(stored)


def store(engine: Engine, digests: Iterable[tuple[Digest, EmailMessage]]) -> set[str]:
    """Insert the built digests whose key no row holds yet; the keys this call inserted."""
    now = datetime.now(UTC)
    rows = [outbox_row(digest, message, now) for digest, message in digests]
    if not rows:
        return set()
    with engine.begin() as conn:
        insert = _insert_ignoring_duplicates(conn).returning(OUTBOX.c.dedupe_key)
        return set(conn.execute(insert, rows).scalars())


def outbox_row(digest: Digest, message: EmailMessage, now: datetime) -> dict[str, Any]:
    """The pending outbox row of a built digest."""
    return {
        "dedupe_key": digest.dedupe_key,
        "day": digest.day,
        "recipient": digest.email,
        "subject": str(message["Subject"]),
        "message_id": str(message["Message-ID"]),
        "raw": message.as_bytes(policy=SMTP),
        "reminder_keys": [r.dedupe_key for r in digest.reminders],
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


@dataclass(frozen=True)
class DayQueue:
    """What one recipient's digests of a day already hold."""

    reminder_keys: frozenset[str]
    last_sequence: int  # of the day's digests to this recipient: 1 for the first, then 2, ...


def queued_on(
    engine: Engine, day: date, recipients: Iterable[str] | None = None
) -> dict[str, DayQueue]:
    """Per recipient, the reminders the outbox already holds for `day` (sent or not), in one
    query; a reminder stored once is never stored again that day."""
    from kehoach_flow.reminders.digest import digest_sequence

    query = select(OUTBOX.c.recipient, OUTBOX.c.dedupe_key, OUTBOX.c.reminder_keys).where(
        OUTBOX.c.day == day
    )
    if recipients is not None:
        query = query.where(OUTBOX.c.recipient.in_(sorted(set(recipients))))
    keys: dict[str, set[str]] = defaultdict(set)
    last: dict[str, int] = defaultdict(int)
    with engine.connect() as conn:
        for row in conn.execute(query):
            keys[row.recipient].update(row.reminder_keys or ())
            sequence = digest_sequence(row.dedupe_key, row.recipient, day)
            last[row.recipient] = max(last[row.recipient], sequence or 0)
    return {email: DayQueue(frozenset(keys[email]), last[email]) for email in keys}


def _insert_ignoring_duplicates(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as dialect
    else:
        from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
    return dialect.insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"])


def claim(
    engine: Engine, limit: int, lease: timedelta, now: datetime | None = None
) -> list[Claimed]:
    """Take up to `limit` rows due for sending; no other sender gets the same rows."""
    now = now or datetime.now(UTC)
    token = uuid.uuid4().hex
    due = or_(
        and_(OUTBOX.c.status.in_([PENDING, UNKNOWN]), OUTBOX.c.next_attempt_at <= now),
        and_(OUTBOX.c.status == SENDING, OUTBOX.c.claimed_at <= now - lease),
    )
    candidates = select(OUTBOX.c.id).where(due).order_by(OUTBOX.c.id).limit(limit)
    with engine.begin() as conn:
        ids = list(conn.execute(candidates).scalars())
        if not ids:
            return []
        # The condition is checked again row by row: a row another sender took meanwhile
        # no longer matches, on SQLite (one writer) and on Postgres (re-check after lock).
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids), due)
            .values(status=SENDING, claimed_by=token, claimed_at=now)
        )
        rows = conn.execute(
            select(OUTBOX.c.id, OUTBOX.c.attempts, OUTBOX.c.raw, OUTBOX.c.unknown_at)
            .where(OUTBOX.c.claimed_by == token, OUTBOX.c.status == SENDING)
            .order_by(OUTBOX.c.id)
        )
        return [Claimed(r.id, r.attempts, _parse(r.raw), r.unknown_at is not None) for r in rows]


def _parse(raw: bytes) -> EmailMessage:
    # Headers only: the stored bytes go out as they are, instead of being parsed into parts
    # and generated again (most of the delivery time after the SMTP round trip).
    return cast(EmailMessage, StoredMessage.from_bytes(raw))


@contextmanager
def _transaction(db: Engine | Connection) -> Iterator[Connection]:
    """One transaction on `db`: an engine lends a pooled connection, a connection the sender
    holds for its whole batch is used as is (no checkout per message); committed on exit."""
    if isinstance(db, Engine):
        with db.begin() as conn:
            yield conn
    else:
        with db.begin():
            yield db


# Built once: one of these goes with every message sent, so it is not built per message.
_MARK_SENT = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"))
    .values(status=SENT, sent_at=bindparam("at"), attempts=OUTBOX.c.attempts + 1, last_error=None)
)


def mark_sent(db: Engine | Connection, row_id: int, now: datetime | None = None) -> None:
    with _transaction(db) as conn:
        conn.execute(_MARK_SENT, {"row_id": row_id, "at": now or datetime.now(UTC)})


def mark_failed(
    db: Engine | Connection, row: Claimed, error: str, retry_at: datetime | None
) -> None:
    """A temporary failure goes back to pending until `retry_at`; None means give up."""
    values: dict[str, Any] = {"attempts": row.attempts + 1, "last_error": error, "claimed_by": None}
    values |= {"status": PENDING, "next_attempt_at": retry_at} if retry_at else {"status": FAILED}
    with _transaction(db) as conn:
        conn.execute(update(OUTBOX).where(OUTBOX.c.id == row.id).values(**values))


def mark_unknown(db: Engine | Connection, row: Claimed, error: str, retry_at: datetime) -> None:
    """The server may have accepted the message: it is sent again once, at `retry_at`."""
    values = {
        "status": UNKNOWN,
        "attempts": row.attempts + 1,
        "last_error": error,
        "claimed_by": None,
        "next_attempt_at": retry_at,
        "unknown_at": datetime.now(UTC),
    }
    with _transaction(db) as conn:
        conn.execute(update(OUTBOX).where(OUTBOX.c.id == row.id).values(**values))


def put_back(db: Engine | Connection, row_id: int, error: str, now: datetime) -> None:
    """A message never offered to the server: pending again, its attempts unchanged."""
    values = {"status": PENDING, "last_error": error, "claimed_by": None, "next_attempt_at": now}
    with _transaction(db) as conn:
        conn.execute(update(OUTBOX).where(OUTBOX.c.id == row_id).values(**values))


def make_due(engine: Engine, *, failed: bool = False, now: datetime | None = None) -> int:
    """Make the pending rows due now (their backoff skipped); with `failed`, put the failed
    rows back to pending too, due now. How many failed rows came back."""
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == PENDING, OUTBOX.c.next_attempt_at > now)
            .values(next_attempt_at=now)
        )
        if not failed:
            return 0
        revived = conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == FAILED)
            .values(status=PENDING, next_attempt_at=now, claimed_by=None)
        )
        return int(revived.rowcount)


def status_counts(engine: Engine) -> dict[str, int]:
    """How many rows the outbox holds in each status (every status, zero included)."""
    query = select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)
    with engine.connect() as conn:
        counts = {status: int(n) for status, n in conn.execute(query)}
    return {status: counts.get(status, 0) for status in STATUS_LABELS}


def outbox_rows(
    engine: Engine, status: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    query = select(OUTBOX).order_by(OUTBOX.c.id.desc()).limit(limit)
    if status:
        query = query.where(OUTBOX.c.status == status)
    with engine.connect() as conn:
        return [
            {k: v for k, v in row._mapping.items() if k not in ("raw", "claimed_by")}
            for row in conn.execute(query)
        ]


# What the outbox pages show of a message: never its stored bytes (20 KB each).
_SUMMARY = (
    OUTBOX.c.id,
    OUTBOX.c.day,
    OUTBOX.c.recipient,
    OUTBOX.c.subject,
    OUTBOX.c.status,
    OUTBOX.c.attempts,
    OUTBOX.c.last_error,
    OUTBOX.c.sent_at,
)


def outbox_summaries(
    engine: Engine, status: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """The latest messages (newest first), `status` only when given, without their bytes."""
    query = select(*_SUMMARY).order_by(OUTBOX.c.id.desc()).limit(limit)
    if status:
        query = query.where(OUTBOX.c.status == status)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def mail_to(engine: Engine, addresses: list[str], limit: int = 100) -> list[dict[str, Any]]:
    """The latest messages to any of these addresses, by day, newest first: (day,
    recipient, subject, status) each."""
    if not addresses:
        return []
    query = (
        select(OUTBOX.c.day, OUTBOX.c.recipient, OUTBOX.c.subject, OUTBOX.c.status)
        .where(or_(*(OUTBOX.c.recipient == a for a in addresses)))
        .order_by(OUTBOX.c.day.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
