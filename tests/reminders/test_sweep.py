"""The reminder sweep end to end: outbox, real SMTP server, retries, exactly once."""

from __future__ import annotations

import email.policy
import threading
from datetime import date, timedelta
from email.parser import BytesParser

import pytest
from sqlalchemy import Engine

from kehoach_flow.loading import load_path
from kehoach_flow.mail.transport import FileTransport, SmtpTransport, transport_from_settings
from kehoach_flow.reminders.links import read_token
from kehoach_flow.reminders.outbox import outbox_rows
from kehoach_flow.reminders.sender import SendPolicy, deliver
from kehoach_flow.reminders.sweep import sweep
from kehoach_flow.settings import Settings
from tests.conftest import DEFINITIONS, run_cli

DAY = date(2024, 12, 20)  # five open tasks of the seed plan are 7 working days from due
RECIPIENTS = {
    "khtc@skhcn.example.vn",
    "ncgdmst@skhcn.example.vn",
    "qltcdlcl@skhcn.example.vn",
    "ttkt@skhcn.example.vn",
}


@pytest.fixture
def seeded(settings: Settings, engine: Engine) -> Engine:
    load_path(engine, DEFINITIONS)
    return engine


def smtp(sink) -> SmtpTransport:  # type: ignore[no-untyped-def]
    return SmtpTransport(sink.host, sink.port, timeout=5, mail_from="kehoach@example.vn")


def test_digests_arrive_once_each_in_vietnamese_with_working_links(
    seeded: Engine, settings: Settings, smtp_sink
) -> None:  # type: ignore[no-untyped-def]
    result = sweep(seeded, settings, smtp(smtp_sink), DAY)
    assert (result.queued, result.delivery.sent) == (4, 4)
    received = {m.message["To"].addresses[0].addr_spec: m.message for m in smtp_sink.received}
    assert set(received) == RECIPIENTS
    ttkt = received["ttkt@skhcn.example.vn"]
    assert ttkt["Subject"] == "Nhắc việc ngày 20/12/2024: 2 nhiệm vụ"
    text = ttkt.get_body(("plain",)).get_content()
    assert "Thiết lập duy trì, bảo quản và khai thác các chuẩn đo lường" in text
    assert ttkt.get_body(("html",)) is not None
    link = next(w for w in text.split() if "/cap-nhat/" in w)
    grant = read_token(settings.resolved_secret_key(), link.rsplit("/", 1)[1], 30)
    assert grant.unit == "ttkt-tcdlcl"
    again = sweep(seeded, settings, smtp(smtp_sink), DAY)
    assert (again.queued, again.already_queued, again.delivery.sent) == (0, 4, 0)
    assert len(smtp_sink.received) == 4


def test_a_451_then_250_delivers_once(seeded: Engine, settings: Settings, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    smtp_sink.reply_next("451 4.3.0 thu lai sau", 1)
    now_policy = SendPolicy(first_retry=timedelta(0))
    first = sweep(
        seeded, settings, smtp(smtp_sink), DAY, policy=SendPolicy(first_retry=timedelta(hours=1))
    )
    assert (first.delivery.sent, first.delivery.retrying) == (3, 1)
    [waiting] = outbox_rows(seeded, "pending")
    assert "451" in waiting["last_error"] and waiting["attempts"] == 1
    assert deliver(seeded, smtp(smtp_sink), now_policy).sent == 0  # not due before its retry time
    from sqlalchemy import update

    from kehoach_flow.reminders.outbox import OUTBOX

    with seeded.begin() as conn:
        conn.execute(update(OUTBOX).values(next_attempt_at=OUTBOX.c.created_at))
    assert deliver(seeded, smtp(smtp_sink), now_policy).sent == 1
    assert len(smtp_sink.received) == 4
    assert sorted(m.message["To"].addresses[0].addr_spec for m in smtp_sink.received) == sorted(
        RECIPIENTS
    )


def test_a_550_fails_at_once_with_the_server_text(
    seeded: Engine, settings: Settings, smtp_sink
) -> None:  # type: ignore[no-untyped-def]
    smtp_sink.reply_next("550 5.1.1 hop thu khong ton tai", 1)
    result = sweep(seeded, settings, smtp(smtp_sink), DAY)
    assert (result.delivery.sent, result.delivery.failed, result.delivery.retrying) == (3, 1, 0)
    [failed] = outbox_rows(seeded, "failed")
    assert "550 5.1.1 hop thu khong ton tai" in failed["last_error"]
    assert deliver(seeded, smtp(smtp_sink)).sent == 0
    listed = run_cli(settings, "outbox", "--status", "failed")
    assert "550 5.1.1 hop thu khong ton tai" in listed.stdout


def test_server_down_then_up_delivers_on_the_next_sweep(
    seeded: Engine, settings: Settings, smtp_sink
) -> None:  # type: ignore[no-untyped-def]
    down = SmtpTransport("127.0.0.1", 1, timeout=2, mail_from="kehoach@example.vn")
    first = sweep(seeded, settings, down, DAY, policy=SendPolicy(first_retry=timedelta(0)))
    assert (first.delivery.sent, first.delivery.deferred) == (0, 4)
    assert {row["attempts"] for row in outbox_rows(seeded, "pending")} == {0}  # never offered
    second = sweep(
        seeded, settings, smtp(smtp_sink), DAY, policy=SendPolicy(first_retry=timedelta(0))
    )
    assert (second.queued, second.delivery.sent) == (0, 4)
    assert len(smtp_sink.received) == 4


def test_two_senders_at_once_send_each_message_once(
    seeded: Engine, settings: Settings, smtp_sink
) -> None:  # type: ignore[no-untyped-def]
    from kehoach_flow.reminders.digest import MailContext, render_digest
    from kehoach_flow.reminders.outbox import enqueue
    from kehoach_flow.reminders.sweep import plan_day

    days = [DAY, date(2024, 12, 26), date(2024, 12, 30), date(2024, 12, 31)]
    context = MailContext(settings.base_url, settings.resolved_secret_key(), settings.mail_from)
    for day in days:
        planned = plan_day(seeded, settings, day)
        enqueue(seeded, [(d, render_digest(d, context)) for d in planned.digests])
    total = len(outbox_rows(seeded, "pending"))
    assert total >= 12
    policy = SendPolicy(batch_size=2)
    threads = [
        threading.Thread(target=deliver, args=(seeded, smtp(smtp_sink), policy)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [m.message["Message-ID"] for m in smtp_sink.received]
    assert len(ids) == total and len(set(ids)) == total
    assert len(outbox_rows(seeded, "sent")) == total


def test_file_transport_is_the_embedded_default(seeded: Engine, settings: Settings) -> None:
    outbox = settings.data_dir / "outbox"
    chosen = transport_from_settings(settings)
    assert type(chosen) is FileTransport and chosen.directory == outbox
    result = run_cli(settings, "remind", "--date", DAY.isoformat())
    assert result.exit_code == 0, result.stderr
    assert "đã gửi 4" in result.stdout
    files = sorted(outbox.rglob("*.eml"))
    assert len(files) == 4
    written = [BytesParser(policy=email.policy.default).parsebytes(f.read_bytes()) for f in files]
    assert {m["To"].addresses[0].addr_spec for m in written} == RECIPIENTS
    assert {m["Message-ID"] for m in written} == {r["message_id"] for r in outbox_rows(seeded)}
    assert {row["status"] for row in outbox_rows(seeded)} == {"sent"}


def test_smtp_transport_when_the_settings_name_it(
    seeded: Engine, settings: Settings, smtp_sink
) -> None:  # type: ignore[no-untyped-def]
    chosen_settings = settings.model_copy(
        update={"mail_transport": "smtp", "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port}
    )
    chosen = transport_from_settings(chosen_settings)
    assert type(chosen) is SmtpTransport
    result = run_cli(chosen_settings, "remind", "--date", DAY.isoformat())
    assert result.exit_code == 0, result.stderr
    assert "đã gửi 4" in result.stdout
    assert {m.message["To"].addresses[0].addr_spec for m in smtp_sink.received} == RECIPIENTS
    assert not (settings.data_dir / "outbox").exists()  # nothing went to files


KILLABLE_SENDER = """
import sys
from kehoach_flow.db.engine import create_db_engine
from kehoach_flow.mail.transport import SmtpTransport
from kehoach_flow.reminders.sender import SendPolicy, deliver

engine = create_db_engine(sys.argv[1])
deliver(engine, SmtpTransport("127.0.0.1", int(sys.argv[2]), timeout=30, mail_from="k@example.vn"), SendPolicy(batch_size=100))
"""


def _fill_outbox(engine: Engine, settings: Settings) -> int:
    from kehoach_flow.reminders.digest import MailContext, render_digest
    from kehoach_flow.reminders.outbox import enqueue
    from kehoach_flow.reminders.sweep import plan_day

    context = MailContext(settings.base_url, settings.resolved_secret_key(), settings.mail_from)
    for day in (DAY, date(2024, 12, 26), date(2024, 12, 30), date(2024, 12, 31)):
        enqueue(
            engine,
            [(d, render_digest(d, context)) for d in plan_day(engine, settings, day).digests],
        )
    return len(outbox_rows(engine, "pending"))


def test_a_sender_killed_mid_batch_and_restarted_delivers_the_rest_at_most_one_twice(
    seeded: Engine,
    settings: Settings,
    smtp_sink,  # type: ignore[no-untyped-def]
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time as clock

    total = _fill_outbox(seeded, settings)
    for _ in range(total):
        smtp_sink.stall_next_data(0.15)  # slow enough to be killed in the middle of the batch
    url = settings.resolved_database_url()
    process = subprocess.Popen([sys.executable, "-c", KILLABLE_SENDER, url, str(smtp_sink.port)])
    deadline = clock.monotonic() + 60
    while len(smtp_sink.received) < 3 and clock.monotonic() < deadline and process.poll() is None:
        clock.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = len(smtp_sink.received)
    assert 3 <= before < total, "the sender must die in the middle of the batch"
    smtp_sink.handler.data_stalls.clear()
    deliver(seeded, smtp(smtp_sink), SendPolicy(lease=timedelta(0)))  # the restarted sender
    ids = [m.message["Message-ID"] for m in smtp_sink.received]
    assert set(ids) == {row["message_id"] for row in outbox_rows(seeded)}
    assert len(ids) - len(set(ids)) <= 1
    assert len(outbox_rows(seeded, "sent")) == total
