"""Delivering the outbox: claim a batch, send it over one connection, record each outcome."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from kehoach_flow.mail.transport import Transport
from kehoach_flow.reminders.outbox import claim, mark_failed, mark_sent


@dataclass(frozen=True)
class SendPolicy:
    batch_size: int = 100
    max_attempts: int = 6
    first_retry: timedelta = timedelta(minutes=2)
    lease: timedelta = timedelta(minutes=10)  # a "sending" row older than this is taken again


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(policy: SendPolicy, attempts: int) -> timedelta:
    """2, 4, 8, ... minutes, at most two hours."""
    return min(policy.first_retry * (2 ** max(0, attempts - 1)), timedelta(hours=2))


def deliver(engine: Engine, transport: Transport, policy: SendPolicy | None = None) -> SendReport:
    """Send every message due when the call starts, batch by batch, each at most once per call."""
    policy = policy or SendPolicy()
    report = SendReport()
    started = datetime.now(UTC)  # a message that fails now waits for a later call
    while batch := claim(engine, policy.batch_size, policy.lease, now=started):
        outcomes = asyncio.run(transport.send_batch([row.message for row in batch]))
        now = datetime.now(UTC)
        for row, outcome in zip(batch, outcomes, strict=True):
            if outcome.ok:
                mark_sent(engine, row.id, now)
                report.sent += 1
            elif outcome.permanent or row.attempts + 1 >= policy.max_attempts:
                mark_failed(engine, row, outcome.error or "", None)
                report.failed += 1
            else:
                mark_failed(
                    engine, row, outcome.error or "", now + backoff(policy, row.attempts + 1)
                )
                report.retrying += 1
    return report
