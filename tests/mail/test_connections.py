"""A batch over several SMTP connections at once: each message once, on one of them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from kehoach_flow.mail.transport import Delivery, SmtpTransport
from tests.mail.conftest import SinkHandler, SmtpSink, free_port, reminder_message


def transport(sink: SmtpSink, connections: int) -> SmtpTransport:
    return SmtpTransport(
        sink.host, sink.port, timeout=5.0, mail_from="k@example.vn", connections=connections
    )


def test_a_batch_over_three_connections_arrives_once_each_and_reports_in_order(
    smtp_sink: SmtpSink,
) -> None:
    smtp_sink.stall_every_data(0.02)  # slow enough for the connections to overlap
    messages = [reminder_message(n) for n in range(1, 13)]
    heard: list[Delivery] = []

    deliveries = asyncio.run(transport(smtp_sink, 3).send_batch(messages, heard.append))

    ids = [f"<nhac-viec-{n}@kehoach.test>" for n in range(1, 13)]
    assert deliveries == [Delivery.sent(i) for i in ids]  # in the messages' order
    assert sorted(d.message_id for d in heard) == sorted(ids)  # each heard once
    assert sorted(smtp_sink.ids()) == sorted(ids)  # each arrived once
    assert len({r.peer for r in smtp_sink.received}) == 3


class _OneConnectionSMTP(SMTP):
    """A server that takes one connection per client; another gets 421 and is closed."""

    open = 0

    def connection_made(self, transport: Any) -> None:
        if _OneConnectionSMTP.open >= 1:
            self.refused = True
            transport.write(b"421 4.7.0 Too many connections from your host\r\n")
            transport.close()
            return
        self.refused = False
        _OneConnectionSMTP.open += 1
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if not getattr(self, "refused", True):
            _OneConnectionSMTP.open -= 1
            super().connection_lost(error)


class _OneConnectionController(Controller):
    def factory(self) -> SMTP:
        return _OneConnectionSMTP(self.handler)


@pytest.fixture
def one_connection_sink() -> Iterator[SmtpSink]:
    handler = SinkHandler()
    controller = _OneConnectionController(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    deadline = time.monotonic() + 5
    while _OneConnectionSMTP.open and time.monotonic() < deadline:
        time.sleep(0.01)  # the controller's own start-up probe is closing
    try:
        yield SmtpSink(controller.hostname, controller.port, handler)
    finally:
        controller.stop()


def test_a_server_that_takes_one_connection_gets_the_whole_batch_on_it(
    one_connection_sink: SmtpSink,
) -> None:
    one_connection_sink.stall_every_data(0.02)
    messages = [reminder_message(n) for n in range(1, 7)]

    deliveries = asyncio.run(transport(one_connection_sink, 3).send_batch(messages))

    assert all(d.ok for d in deliveries) and len(deliveries) == 6
    assert sorted(one_connection_sink.ids()) == sorted(str(m["Message-ID"]) for m in messages)
    assert len({r.peer for r in one_connection_sink.received}) == 1


def test_a_server_that_cannot_be_reached_is_tried_once_and_nothing_is_offered() -> None:
    closed = SmtpTransport("127.0.0.1", free_port(), timeout=2.0, connections=3)
    messages = [reminder_message(n) for n in range(1, 5)]

    deliveries = asyncio.run(closed.send_batch(messages))

    assert [d.offered for d in deliveries] == [False] * 4
    assert [d.message_id for d in deliveries] == [str(m["Message-ID"]) for m in messages]
