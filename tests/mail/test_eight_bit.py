"""Digests travel as 8-bit UTF-8; a server without 8BITMIME still gets them intact."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import date
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from kehoach_flow.mail.transport import FileTransport, SmtpTransport
from kehoach_flow.reminders.digest import MailContext, group_digests, render_digest
from kehoach_flow.reminders.outbox import _parse
from kehoach_flow.reminders.planner import plan_reminders
from kehoach_flow.workdays import WorkCalendar
from tests.mail.conftest import free_port
from tests.reminders.helpers import task


class _SevenBitSink:
    """decode_data=True: aiosmtpd then does not offer 8BITMIME, as an old relay would."""

    def __init__(self) -> None:
        self.contents: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.contents.append(envelope.content)
        return "250 OK"


def test_a_digest_reaches_a_server_without_8bitmime_with_its_vietnamese_intact() -> None:
    context = MailContext("https://kehoach.example.vn", "bi-mat", "kehoach@example.vn")
    day = date(2024, 11, 5)
    [digest] = group_digests(plan_reminders([task(date(2024, 10, 31))], day, WorkCalendar({}, {})))
    raw = render_digest(digest, context).as_bytes(policy=email.policy.SMTP)
    assert "Kính gửi".encode() in raw  # stored as 8-bit UTF-8, not base64
    sink = _SevenBitSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), decode_data=True)
    controller.start()
    try:
        transport = SmtpTransport("127.0.0.1", controller.port, timeout=5)
        [outcome] = asyncio.run(transport.send_batch([_parse(raw)]))
    finally:
        controller.stop()
    assert outcome.ok
    [content] = sink.contents
    assert content.isascii()  # re-encoded for a 7-bit path
    received = email.message_from_string(content, policy=email.policy.default)
    text = received.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Kính gửi Trung tâm KT" in text and "quá hạn 3 ngày làm việc" in text


class _EightBitSink:
    def __init__(self) -> None:
        self.contents: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.contents.append(envelope.original_content)
        return "250 OK"


def _stored_digest() -> bytes:
    context = MailContext("https://kehoach.example.vn", "bi-mat", "kehoach@example.vn")
    day = date(2024, 11, 5)
    [digest] = group_digests(plan_reminders([task(date(2024, 10, 31))], day, WorkCalendar({}, {})))
    return render_digest(digest, context).as_bytes(policy=email.policy.SMTP)


def test_a_server_with_8bitmime_gets_the_stored_bytes_as_they_are() -> None:
    raw = _stored_digest()
    sink = _EightBitSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        transport = SmtpTransport("127.0.0.1", controller.port, timeout=5)
        [outcome] = asyncio.run(transport.send_batch([_parse(raw)]))
    finally:
        controller.stop()
    assert outcome.ok
    [content] = sink.contents
    # The body goes as stored, byte for byte; aiosmtpd only adds its own trace header.
    assert content.endswith(raw.split(b"\r\n\r\n", 1)[1])
    assert "Kính gửi Trung tâm KT".encode() in content


def test_the_file_outbox_writes_the_stored_bytes_as_they_are(tmp_path: Path) -> None:
    raw = _stored_digest()
    transport = FileTransport(tmp_path)
    message = _parse(raw)
    [outcome] = asyncio.run(transport.send_batch([message]))
    assert outcome.ok
    assert transport.path_for(message).read_bytes() == raw
