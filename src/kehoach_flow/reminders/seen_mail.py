"""Reminder mail as one account may see it (accounts/scope.py `Scope.sees_message`): the outbox
page, a unit's mail, the reminders sent in the "hôm nay" view.

A message's plans are named only in its `reminder_keys` (JSON), so the messages are read
newest first in batches and kept by the caller's rule until enough are kept; `keep` None
(a whole-installation account) keeps every message and reads one batch, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, or_, select

from kehoach_flow.db.tables import OUTBOX
from kehoach_flow.reminders.outbox import _SUMMARY  # what the outbox pages show of a message
from kehoach_flow.tracking.day_changes import SentReminder, sent_reminders

Keep = Callable[[Iterable[str] | None], bool]  # Scope.sees_message
BATCH = 2000


def _kept(
    engine: Engine,
    columns: tuple[Any, ...],
    where: list[ColumnElement[bool]],
    keep: Keep | None,
    limit: int,
) -> Iterator[dict[str, Any]]:
    """Rows newest first (by id) that `keep` keeps, up to `limit`, without reminder_keys."""
    last: int | None = None
    found = 0
    while found < limit:
        query = select(*columns, OUTBOX.c.reminder_keys).where(*where)
        if last is not None:
            query = query.where(OUTBOX.c.id < last)
        query = query.order_by(OUTBOX.c.id.desc()).limit(limit if keep is None else BATCH)
        with engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            keys = row.pop("reminder_keys")
            if keep is None or keep(keys):
                found += 1
                yield row
                if found >= limit:
                    return
        if keep is None or len(rows) < BATCH:
            return
        last = rows[-1]["id"]


def outbox_seen(
    engine: Engine, status: str | None = None, limit: int = 500, keep: Keep | None = None
) -> list[dict[str, Any]]:
    """`outbox.outbox_summaries` with only the messages `keep` keeps."""
    where = [OUTBOX.c.status == status] if status else []
    return list(_kept(engine, _SUMMARY, where, keep, limit))


def mail_to_seen(
    engine: Engine, addresses: list[str], keep: Keep | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """`outbox.mail_to` (the latest messages to these addresses, by day, newest first) with
    only the messages `keep` keeps."""
    if not addresses:
        return []
    columns = (OUTBOX.c.id, OUTBOX.c.day, OUTBOX.c.recipient, OUTBOX.c.subject, OUTBOX.c.status)
    where = [or_(*(OUTBOX.c.recipient == a for a in addresses))]
    rows = list(_kept(engine, columns, where, keep, limit))
    rows.sort(key=lambda r: r["day"], reverse=True)
    for row in rows:
        del row["id"]
    return rows


def reminders_sent_seen(
    engine: Engine, since: date, today: date, keep: Keep | None = None
) -> tuple[SentReminder, ...]:
    """The reminder messages sent for a day from `since` to `today` (day_changes's list),
    only those `keep` keeps, newest first."""
    with engine.connect() as conn:
        return sent_reminders(conn, since, today, keep)
