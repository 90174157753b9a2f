"""A real SMTP server (aiosmtpd) on a free port that keeps what it receives and fails on cue."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from kehoach_flow.mail.transport import SmtpTransport

SUBJECT = "Nhắc việc: 3 nhiệm vụ sắp đến hạn"
TEXT = (
    "Kính gửi Phòng Quản lý Khoa học,\n\n"
    "Có 3 nhiệm vụ do đơn vị chủ trì sắp đến hạn:\n"
    "- Xây dựng kế hoạch đo lường năm 2025 (hạn 08/11/2024)\n"
    "- Kiểm định phương tiện đo nhóm 2 (hạn 12/11/2024)\n"
    "- Báo cáo tiến độ quý IV (hạn 14/11/2024)\n"
)
HTML = (
    "<p>Kính gửi Phòng Quản lý Khoa học,</p>"
    "<p>Có 3 nhiệm vụ do đơn vị chủ trì sắp đến hạn:</p><ul>"
    "<li>Xây dựng kế hoạch đo lường năm 2025 (hạn 08/11/2024)</li>"
    "<li>Kiểm định phương tiện đo nhóm 2 (hạn 12/11/2024)</li>"
    "<li>Báo cáo tiến độ quý IV (hạn 14/11/2024)</li></ul>"
)
LEAD = "truong.phong@qlkh.example.vn"


def reminder_message(n: int = 1, *, to: str = LEAD) -> EmailMessage:
    """A reminder as the builder makes one: Vietnamese text and HTML, Message-ID n."""
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = "Kế hoạch Sở KH&CN <kehoach@skhcn.example.vn>"
    message["To"] = to
    sent_at = datetime(2024, 11, 4, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = f"<nhac-viec-{n}@kehoach.test>"
    message.set_content(TEXT)
    message.add_alternative(HTML, subtype="html")
    return message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    peer: tuple[str, int]  # the client's address: one per connection


@dataclass
class SinkHandler:
    """aiosmtpd handler: stores accepted messages, follows the script for the next commands."""

    received: list[Received] = field(default_factory=list)
    data_replies: deque[str] = field(default_factory=deque)
    mail_drops: int = 0
    drops_after: int = 0
    refused: dict[str, str] = field(default_factory=dict)
    data_stalls: deque[float] = field(default_factory=deque)
    slow_data: float = 0.0  # every DATA answered this late, once no stall is queued
    mail_stalls: deque[float] = field(default_factory=deque)
    hang_up_at: int = 0  # hang up after keeping the message that makes this many

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.mail_stalls:
            await asyncio.sleep(self.mail_stalls.popleft())
        if self.mail_drops and len(self.received) >= self.drops_after:
            self.mail_drops -= 1
            server.transport.close()  # hang up without a reply, as a crashing server does
            return "421 4.3.2 closing"  # never reaches the client: the line is already down
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stall = self.data_stalls.popleft() if self.data_stalls else self.slow_data
        if self.data_replies:
            await asyncio.sleep(stall)
            return self.data_replies.popleft()
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        host, port = session.peer[:2]
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, (host, port))
        # Kept before the answer, as a real server queues a message and then may be slow to
        # say so, or lose the line: the client cannot tell whether it arrived.
        self.received.append(received)
        await asyncio.sleep(stall)
        if self.hang_up_at == len(self.received):
            server.transport.close()
            return "421 4.3.2 closing"  # never reaches the client
        return "250 2.0.0 OK"


@dataclass
class SmtpSink:
    host: str
    port: int
    handler: SinkHandler

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def reply_next(self, reply: str, count: int = 1) -> None:
        """Answer the next `count` DATA commands with `reply` instead of accepting them."""
        self.handler.data_replies.extend([reply] * count)

    def drop_next_mail(self, count: int = 1, *, after_received: int = 0) -> None:
        """Hang up on the next `count` MAIL FROM commands once `after_received` messages are in."""
        self.handler.mail_drops += count
        self.handler.drops_after = after_received

    def stall_next_data(self, seconds: float) -> None:
        """Keep the next message, then stay silent for `seconds` before answering its DATA."""
        self.handler.data_stalls.append(seconds)

    def stall_every_data(self, seconds: float) -> None:
        """A slow server: every message is kept, and answered `seconds` late."""
        self.handler.slow_data = seconds

    def stall_next_mail(self, seconds: float) -> None:
        """Stay silent for `seconds` before answering the next MAIL FROM."""
        self.handler.mail_stalls.append(seconds)

    def hang_up_after_data(self, nth: int) -> None:
        """Keep the `nth` message received, then hang up instead of answering its DATA."""
        self.handler.hang_up_at = nth

    def ids(self) -> list[str]:
        """The Message-IDs received, in order, repeats included."""
        return [str(r.message["Message-ID"]) for r in self.received]

    def refuse(self, address: str, reply: str) -> None:
        self.handler.refused[address] = reply

    def transport(self) -> SmtpTransport:
        return SmtpTransport(
            self.host, self.port, timeout=5.0, mail_from="kehoach@skhcn.example.vn"
        )


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpSink(controller.hostname, controller.port, handler)
    finally:
        controller.stop()
