"""Delivering the outbox: claim a batch, send it over one connection, record each outcome."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from kehoach_flow.mail.transport import Delivery, Transport
from kehoach_flow.reminders.outbox import (
    Claimed,
    claim,
    mark_failed,
    mark_sent,
    mark_unknown,
    put_back,
)

if TYPE_CHECKING:
    from kehoach_flow.settings import Settings

UNKNOWN_TWICE = "; lần gửi lại cũng chưa rõ: không tự gửi lại nữa để tránh gửi trùng"


@dataclass(frozen=True)
class SendPolicy:
    batch_size: int = 100
    max_attempts: int = 6
    first_retry: timedelta = timedelta(minutes=2)
    # A "sending" row claimed longer ago than this is taken again (its sender is taken for
    # dead), and a message whose outcome is unknown is sent again, once, after this long.
    lease: timedelta = timedelta(minutes=10)

    @classmethod
    def from_settings(cls, settings: Settings) -> SendPolicy:
        """The policy with the lease KEHOACH_OUTBOX_LEASE_SECONDS sets."""
        return cls(lease=timedelta(seconds=settings.outbox_lease_seconds))


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0  # temporary failure: pending again after a backoff
    failed: int = 0
    unknown: int = 0  # the server may have it: sent again once, after the lease
    deferred: int = 0  # never offered (no connection): pending again, no attempt spent


def backoff(policy: SendPolicy, attempts: int) -> timedelta:
    """2, 4, 8, ... minutes, at most two hours."""
    return min(policy.first_retry * (2 ** max(0, attempts - 1)), timedelta(hours=2))


def deliver(engine: Engine, transport: Transport, policy: SendPolicy | None = None) -> SendReport:
    """Send every message due when the call starts, batch by batch, each at most once per call.

    Each outcome is recorded as soon as the server answers, before the next message goes
    on that connection, so a sender killed mid-batch can repeat at most the messages it was
    sending: one per connection (KEHOACH_SMTP_CONNECTIONS). When the server cannot be
    reached, the call stops: later batches would not get through either.
    """
    policy = policy or SendPolicy()
    report = SendReport()
    started = datetime.now(UTC)  # a message that fails now waits for a later call
    # One connection records every outcome of the call, one short transaction each: the
    # commit is what lets a killed sender repeat only the message in flight, and it costs
    # less than a tenth of the SMTP round trip (the pool checkout per outcome was as much).
    with engine.connect() as conn:
        while batch := claim(engine, policy.batch_size, policy.lease, now=started):
            rows = {str(row.message["Message-ID"]).strip(): row for row in batch}
            deferred = report.deferred

            def record(outcome: Delivery, rows: dict[str, Claimed] = rows) -> None:
                if outcome.message_id in rows:  # outbox messages always carry their Message-ID
                    _record(conn, policy, rows[outcome.message_id], outcome, report)

            asyncio.run(transport.send_batch([row.message for row in batch], record))
            if report.deferred > deferred:
                break
    return report


def _record(
    conn: Connection, policy: SendPolicy, row: Claimed, outcome: Delivery, report: SendReport
) -> None:
    now = datetime.now(UTC)
    error = outcome.error or ""
    if outcome.ok:
        mark_sent(conn, row.id, now)
        report.sent += 1
    elif not outcome.offered:
        put_back(conn, row.id, error, now)
        report.deferred += 1
    elif outcome.outcome_unknown and row.unknown_before:
        mark_failed(conn, row, error + UNKNOWN_TWICE, None)
        report.failed += 1
    elif outcome.outcome_unknown:
        mark_unknown(conn, row, error, now + policy.lease)
        report.unknown += 1
    elif outcome.permanent or row.attempts + 1 >= policy.max_attempts:
        mark_failed(conn, row, outcome.error or "", None)
        report.failed += 1
    else:
        mark_failed(conn, row, outcome.error or "", now + backoff(policy, row.attempts + 1))
        report.retrying += 1
