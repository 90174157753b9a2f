"""The transports against a real SMTP server (aiosmtpd) and a real outbox folder."""

from __future__ import annotations

import asyncio
import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from kehoach_flow.mail.transport import (
    Delivery,
    FileTransport,
    SmtpTransport,
    transport_from_settings,
)
from kehoach_flow.settings import Settings
from tests.mail.conftest import HTML, LEAD, SUBJECT, TEXT, SmtpSink, free_port, reminder_message


def assert_intact(message: EmailMessage) -> None:
    assert message["Subject"] == SUBJECT
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    # On the wire and in .eml files lines end in CRLF; the words must come back unchanged.
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert html.get_content().strip() == HTML


def test_batch_goes_over_one_connection_and_arrives_intact(smtp_sink: SmtpSink) -> None:
    messages = [reminder_message(n) for n in (1, 2, 3)]

    deliveries = asyncio.run(smtp_sink.transport().send_batch(messages))

    assert deliveries == [Delivery.sent(f"<nhac-viec-{n}@kehoach.test>") for n in (1, 2, 3)]
    assert [r.message["Message-ID"] for r in smtp_sink.received] == [
        f"<nhac-viec-{n}@kehoach.test>" for n in (1, 2, 3)
    ]
    assert len({r.peer for r in smtp_sink.received}) == 1
    for received in smtp_sink.received:
        assert received.mail_from == "kehoach@skhcn.example.vn"
        assert received.rcpt_tos == [LEAD]
        assert_intact(received.message)


def test_temporary_reply_fails_softly_then_a_later_send_delivers(smtp_sink: SmtpSink) -> None:
    smtp_sink.reply_next("451 4.3.0 try again later")
    transport = smtp_sink.transport()

    first = asyncio.run(transport.send_batch([reminder_message()]))
    second = asyncio.run(transport.send_batch([reminder_message()]))

    assert first == [
        Delivery("<nhac-viec-1@kehoach.test>", False, False, "451 4.3.0 try again later")
    ]
    assert second == [Delivery.sent("<nhac-viec-1@kehoach.test>")]
    assert len(smtp_sink.received) == 1


def test_permanent_reply_fails_hard_and_the_batch_goes_on(smtp_sink: SmtpSink) -> None:
    smtp_sink.reply_next("550 5.1.1 mailbox unavailable")

    deliveries = asyncio.run(
        smtp_sink.transport().send_batch([reminder_message(1), reminder_message(2)])
    )

    assert deliveries[0] == Delivery(
        "<nhac-viec-1@kehoach.test>", False, True, "550 5.1.1 mailbox unavailable"
    )
    assert deliveries[1].ok
    assert [r.message["Message-ID"] for r in smtp_sink.received] == ["<nhac-viec-2@kehoach.test>"]


def test_a_refused_recipient_fails_the_message_with_its_code(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse("nghi.viec@qlkh.example.vn", "550 5.1.1 mailbox unavailable")
    message = reminder_message(to=f"{LEAD}, nghi.viec@qlkh.example.vn")

    (delivery,) = asyncio.run(smtp_sink.transport().send_batch([message]))

    assert not delivery.ok and delivery.permanent
    assert delivery.error is not None
    assert "nghi.viec@qlkh.example.vn: 550 5.1.1 mailbox unavailable" in delivery.error


def test_server_down_offers_no_message_and_raises_nothing() -> None:
    transport = SmtpTransport("127.0.0.1", free_port(), timeout=2.0)
    messages = [reminder_message(n) for n in (1, 2, 3)]

    deliveries = asyncio.run(transport.send_batch(messages))

    assert [d.message_id for d in deliveries] == [m["Message-ID"] for m in messages]
    for delivery in deliveries:
        assert not delivery.ok and not delivery.permanent and not delivery.offered
        assert delivery.error is not None and "không kết nối được" in delivery.error


def test_a_late_answer_after_the_data_leaves_only_that_message_unknown(
    smtp_sink: SmtpSink,
) -> None:
    smtp_sink.stall_next_data(5.0)  # the server keeps message 1 but answers too late
    transport = SmtpTransport(smtp_sink.host, smtp_sink.port, timeout=1.0)
    messages = [reminder_message(n) for n in (1, 2, 3)]

    first, second, third = asyncio.run(transport.send_batch(messages))

    assert first == Delivery.unknown(
        "<nhac-viec-1@kehoach.test>",
        "máy chủ thư không trả lời sau 1 giây khi đang nhận nội dung thư: chưa rõ đã nhận hay chưa",
    )
    assert first.offered and not first.ok
    assert second == Delivery.sent("<nhac-viec-2@kehoach.test>")
    assert third == Delivery.sent("<nhac-viec-3@kehoach.test>")
    assert smtp_sink.ids() == [m["Message-ID"] for m in messages]  # none twice
    peers = [r.peer for r in smtp_sink.received]
    assert peers[0] != peers[1] == peers[2]  # the rest went on a new connection


def test_a_timeout_before_the_data_fails_only_that_message_softly(
    smtp_sink: SmtpSink,
) -> None:
    smtp_sink.stall_next_mail(5.0)
    transport = SmtpTransport(smtp_sink.host, smtp_sink.port, timeout=1.0)
    messages = [reminder_message(n) for n in (1, 2, 3)]

    first, *rest = asyncio.run(transport.send_batch(messages))

    assert first == Delivery.failed(
        "<nhac-viec-1@kehoach.test>", "máy chủ thư không trả lời sau 1 giây", permanent=False
    )
    assert first.offered and not first.outcome_unknown
    assert rest == [Delivery.sent(m["Message-ID"]) for m in messages[1:]]
    assert smtp_sink.ids() == [m["Message-ID"] for m in messages[1:]]


def test_two_timeouts_in_a_row_leave_the_rest_of_the_batch_not_offered(
    smtp_sink: SmtpSink,
) -> None:
    smtp_sink.stall_every_data(5.0)
    transport = SmtpTransport(smtp_sink.host, smtp_sink.port, timeout=1.0)
    messages = [reminder_message(n) for n in (1, 2, 3, 4)]

    deliveries = asyncio.run(transport.send_batch(messages))

    assert [d.message_id for d in deliveries] == [m["Message-ID"] for m in messages]
    assert [(d.offered, d.outcome_unknown) for d in deliveries] == [
        (True, True),
        (True, True),
        (False, False),
        (False, False),
    ]
    assert not any(d.ok or d.permanent for d in deliveries)
    assert deliveries[2].error == (
        "máy chủ thư không trả lời 2 thư liền (mỗi thư chờ 1 giây); thư này chờ lần gửi sau"
    )
    assert smtp_sink.ids() == [m["Message-ID"] for m in messages[:2]]


def test_a_line_lost_after_the_data_is_unknown_and_not_sent_again(
    smtp_sink: SmtpSink,
) -> None:
    messages = [reminder_message(n) for n in (1, 2, 3)]
    smtp_sink.hang_up_after_data(2)  # on a connection kept open from message 1

    first, second, third = asyncio.run(smtp_sink.transport().send_batch(messages))

    assert first.ok and third.ok
    assert second.outcome_unknown and second.offered and not second.ok
    assert second.error == (
        "máy chủ thư ngắt kết nối khi đang nhận nội dung thư: chưa rõ đã nhận hay chưa"
    )
    assert smtp_sink.ids() == [m["Message-ID"] for m in messages]  # message 2 once


def test_dropped_connection_mid_batch_is_reopened_once(smtp_sink: SmtpSink) -> None:
    messages = [reminder_message(n) for n in (1, 2, 3)]
    smtp_sink.drop_next_mail(after_received=1)

    deliveries = asyncio.run(smtp_sink.transport().send_batch(messages))

    assert all(d.ok for d in deliveries), deliveries
    assert [r.message["Message-ID"] for r in smtp_sink.received] == [
        m["Message-ID"] for m in messages
    ]
    first, second, third = (r.peer for r in smtp_sink.received)
    assert first != second == third


def test_a_connection_dropped_twice_fails_that_message_softly(smtp_sink: SmtpSink) -> None:
    transport = smtp_sink.transport()
    smtp_sink.drop_next_mail(2)

    (delivery,) = asyncio.run(transport.send_batch([reminder_message()]))

    assert not delivery.ok and not delivery.permanent
    assert delivery.error is not None and "ngắt kết nối" in delivery.error


def read_eml(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_file_transport_writes_one_eml_per_message(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path / "outbox")
    messages = [reminder_message(n) for n in (1, 2)]

    deliveries = asyncio.run(transport.send_batch(messages))

    assert deliveries == [Delivery.sent(m["Message-ID"]) for m in messages]
    files = sorted((tmp_path / "outbox").rglob("*.eml"))
    assert [f.relative_to(tmp_path / "outbox").as_posix() for f in files] == [
        "20241104/nhac-viec-1@kehoach.test.eml",
        "20241104/nhac-viec-2@kehoach.test.eml",
    ]
    assert_intact(read_eml(files[0]))
    headers = files[0].read_bytes().split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()  # UTF-8 headers are RFC 2047 encoded, as on the wire


def test_file_transport_replaces_a_message_sent_again(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path / "outbox")
    asyncio.run(transport.send_batch([reminder_message()]))
    again = reminder_message()
    del again["Date"]  # even rebuilt on another day, it lands on the first file
    again["Date"] = "Fri, 08 Nov 2024 09:00:00 +0700"

    asyncio.run(transport.send_batch([again]))

    files = list((tmp_path / "outbox").rglob("*"))
    eml = [f for f in files if f.is_file()]
    assert [f.name for f in eml] == ["nhac-viec-1@kehoach.test.eml"]
    assert read_eml(eml[0])["Date"] == "Fri, 08 Nov 2024 09:00:00 +0700"
    assert_intact(read_eml(eml[0]))


def test_file_transport_refuses_a_message_without_message_id(tmp_path: Path) -> None:
    message = reminder_message()
    del message["Message-ID"]

    (delivery,) = asyncio.run(FileTransport(tmp_path).send_batch([message]))

    assert not delivery.ok and delivery.permanent
    assert list(tmp_path.iterdir()) == []


def test_transport_from_settings_follows_mail_transport(tmp_path: Path) -> None:
    embedded = Settings(data_dir=tmp_path, _env_file=None)
    smtp = Settings(
        data_dir=tmp_path,
        mail_transport="smtp",
        smtp_host="mail.example.vn",
        smtp_port=465,
        smtp_security="tls",
        smtp_username="kehoach",
        smtp_password="mat-khau",
        smtp_timeout=12.5,
        mail_from="kehoach@skhcn.example.vn",
        _env_file=None,
    )

    file_transport = transport_from_settings(embedded)
    smtp_transport = transport_from_settings(smtp)

    assert isinstance(file_transport, FileTransport)
    assert file_transport.directory == tmp_path / "outbox"
    assert isinstance(smtp_transport, SmtpTransport)
    assert (smtp_transport.host, smtp_transport.port, smtp_transport.security) == (
        "mail.example.vn",
        465,
        "tls",
    )
    assert (smtp_transport.username, smtp_transport.timeout) == ("kehoach", 12.5)
    assert smtp_transport.mail_from == "kehoach@skhcn.example.vn"
