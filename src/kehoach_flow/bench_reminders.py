"""Reminder figures for `kehoach bench`: planning a busy day, delivering 2,000 digests."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from kehoach_flow.mail.transport import SmtpTransport
from kehoach_flow.reminders.outbox import OUTBOX
from kehoach_flow.reminders.sender import SendPolicy, deliver
from kehoach_flow.reminders.sweep import plan_day
from kehoach_flow.settings import Settings

BUSY_DAY = date(2024, 6, 7)  # progress requests before the 14/6 cut-off, Q2 tasks due soon


class _Sink:
    """Accepts every message and keeps nothing: the far end of the delivery figures."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.count += 1
        return "250 2.0.0 OK"


def reminder_figures(engine: Engine, settings: Settings, digests: int = 2000) -> dict[str, float]:
    started = time.perf_counter()
    planned = plan_day(engine, settings, BUSY_DAY)
    plan_s = time.perf_counter() - started
    messages = [_message(i) for i in range(digests)]
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        raw_s = asyncio.run(_raw_loop(port, messages))
        _enqueue(engine, messages)
        transport = SmtpTransport("127.0.0.1", port, timeout=30, mail_from="bench@example.vn")
        started = time.perf_counter()
        report = deliver(engine, transport, SendPolicy(batch_size=500))
        deliver_s = time.perf_counter() - started
    finally:
        controller.stop()
    return {
        "plan_reminders_s": plan_s,
        "plan_reminders_count": float(len(planned.reminders)),
        "deliver_per_s": report.sent / deliver_s,
        "deliver_raw_per_s": len(messages) / raw_s,
        "deliver_ratio_to_raw": (report.sent / deliver_s) / (len(messages) / raw_s),
    }


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _message(i: int) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Nhắc việc ngày 7/6/2024: {i % 7 + 1} nhiệm vụ"
    message["From"] = "bench@example.vn"
    message["To"] = f"don-vi-{i}@example.vn"
    message["Message-ID"] = make_msgid(idstring=f"bench{i}", domain="kehoach.local")
    message.set_content("Kính gửi đơn vị,\n\nHệ thống xin nhắc các việc sắp đến hạn.\n" * 5)
    message.add_alternative(
        "<p>Kính gửi đơn vị,</p><p>Hệ thống xin nhắc các việc sắp đến hạn.</p>" * 5, subtype="html"
    )
    return message


async def _raw_loop(port: int, messages: list[EmailMessage]) -> float:
    """The baseline: the same pre-built messages over one connection, nothing recorded."""
    started = time.perf_counter()
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30)
    await client.connect()
    for message in messages:
        await client.send_message(message)
    await client.quit()
    return time.perf_counter() - started


def _enqueue(engine: Engine, messages: list[EmailMessage]) -> None:
    from datetime import UTC, datetime
    from email.policy import SMTP

    from sqlalchemy import insert

    now = datetime.now(UTC)
    rows = [
        {
            "dedupe_key": f"bench|{i}",
            "day": BUSY_DAY,
            "recipient": str(m["To"]),
            "subject": str(m["Subject"]),
            "message_id": str(m["Message-ID"]),
            "raw": m.as_bytes(policy=SMTP),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for i, m in enumerate(messages)
    ]
    with engine.begin() as conn:
        conn.execute(insert(OUTBOX), rows)
