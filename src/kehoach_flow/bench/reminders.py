"""Reminder figures for `kehoach bench`: planning a busy day, the daily job as cron runs it
(and again the same day), delivering 2,000 digests; each beside raw aiosmtplib in the same run."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import subprocess
import sys
import time
from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select

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
        daily = _daily_job(engine, settings, port)
        raw_s = asyncio.run(_raw_loop(port, messages))
        _enqueue(engine, messages)
        transport = SmtpTransport(
            "127.0.0.1",
            port,
            timeout=30,
            mail_from="bench@example.vn",
            connections=settings.smtp_connections,  # as the daily job sends
        )
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
    } | daily


def _daily_job(engine: Engine, settings: Settings, port: int) -> dict[str, float]:
    """`kehoach remind` for the busy day, twice, as cron runs it, into the sink; the raw
    figure sends as many pre-built messages of the digests' mean size over one connection."""
    first_s = _remind(engine, settings, port)
    rerun_s = _remind(engine, settings, port)
    with engine.connect() as conn:
        raws = list(conn.execute(select(OUTBOX.c.raw).where(OUTBOX.c.day == BUSY_DAY)).scalars())
    if not raws:
        raise RuntimeError("kehoach remind không xếp thư nào cho ngày bận")
    raw_mean = sum(len(r) for r in raws) / len(raws)
    body_mean = sum(_body_bytes(r) for r in raws) / len(raws)
    sized = [_message(i, size=int(raw_mean)) for i in range(len(raws))]
    raw_s = asyncio.run(_raw_loop(port, sized))
    return {
        "daily_job_s": first_s,
        "daily_job_raw_s": raw_s,
        "daily_job_ratio_to_raw": first_s / raw_s,
        "daily_job_digests": float(len(raws)),
        "daily_rerun_s": rerun_s,
        "daily_rerun_ratio_to_raw": rerun_s / raw_s,
        "digest_bytes_mean": body_mean,
        "digest_raw_bytes_mean": raw_mean,
    }


def _remind(engine: Engine, settings: Settings, port: int) -> float:
    """One whole `kehoach remind` process, start to exit, in seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHOACH_")}
    env |= {
        "KEHOACH_DATABASE_URL": str(engine.url),
        "KEHOACH_DATA_DIR": str(settings.data_dir),
        "KEHOACH_SECRET_KEY": settings.resolved_secret_key(),
        "KEHOACH_MAIL_TRANSPORT": "smtp",
        "KEHOACH_SMTP_HOST": "127.0.0.1",
        "KEHOACH_SMTP_PORT": str(port),
        "KEHOACH_MAIL_FROM": "bench@example.vn",
    }
    # Python's compiled modules, as an installed service has them (pip compiles them at
    # install, or the first run writes them): without them every run compiles some 850
    # modules from source first (PYTHONDONTWRITEBYTECODE, a venv without __pycache__),
    # which is start-up, not the job. A dry run of the day compiles them, untimed.
    pycache = settings.data_dir.parent / "pycache"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "kehoach_flow", "remind", "--date", BUSY_DAY.isoformat()]
    if not pycache.exists():
        warm_up = [*command, "--dry-run"]
        subprocess.run(warm_up, env=env, cwd=settings.data_dir, check=True, capture_output=True)
    started = time.perf_counter()
    # cwd: the data directory, so no project .env reaches the job
    subprocess.run(command, env=env, cwd=settings.data_dir, check=True, capture_output=True)
    return time.perf_counter() - started


def _body_bytes(raw: bytes) -> int:
    """The bytes of a digest's text and HTML parts, decoded: what its reader gets."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [message.get_body((kind,)) for kind in ("plain", "html")]
    return sum(len(p.get_content().encode()) for p in parts if p is not None)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _message(i: int, size: int = 0) -> EmailMessage:
    """A pre-built reminder; with `size`, padded to about that many bytes."""
    message = EmailMessage()
    message["Subject"] = f"Nhắc việc ngày 7/6/2024: {i % 7 + 1} nhiệm vụ"
    message["From"] = "bench@example.vn"
    message["To"] = f"don-vi-{i}@example.vn"
    message["Message-ID"] = make_msgid(idstring=f"bench{i}", domain="kehoach.local")
    repeat = max(5, (size - 640) // 209)  # headers ~640 bytes, text + HTML 209 a repeat
    message.set_content("Kính gửi đơn vị,\nHệ thống xin nhắc các việc sắp đến hạn.\n" * repeat)
    message.add_alternative(
        "<p>Kính gửi đơn vị,</p><p>Hệ thống xin nhắc các việc sắp đến hạn.</p>\n" * repeat,
        subtype="html",
    )
    return message


async def _raw_loop(port: int, messages: list[EmailMessage]) -> float:
    """The baseline: the same messages, their bytes built before the clock starts (as the
    outbox stores them), sent as they are over one connection, nothing recorded."""
    prepared = [(str(m["To"]), m.as_bytes(policy=email.policy.SMTP)) for m in messages]
    started = time.perf_counter()
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30)
    await client.connect()
    for to, data in prepared:
        options = [] if data.isascii() else ["BODY=8BITMIME"]
        await client.sendmail("bench@example.vn", [to], data, mail_options=options)
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
