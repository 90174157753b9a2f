"""Delivering over several SMTP connections: each message once, and a sender killed in the
middle of a batch repeats at most the messages it had in flight, one per connection."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from kehoach_flow.loading import load_path
from kehoach_flow.mail.transport import SmtpTransport, transport_from_settings
from kehoach_flow.reminders.outbox import outbox_rows
from kehoach_flow.reminders.sender import SendPolicy, deliver
from kehoach_flow.reminders.sweep import queue_day
from kehoach_flow.settings import Settings
from tests.conftest import DEFINITIONS
from tests.mail.conftest import SmtpSink

DAYS = (date(2024, 12, 20), date(2024, 12, 26), date(2024, 12, 30), date(2024, 12, 31))
CONNECTIONS = 3

KILLABLE_SENDER = """
import sys
from kehoach_flow.db.engine import create_db_engine
from kehoach_flow.mail.transport import SmtpTransport
from kehoach_flow.reminders.sender import SendPolicy, deliver

engine = create_db_engine(sys.argv[1])
transport = SmtpTransport(
    "127.0.0.1", int(sys.argv[2]), timeout=30, mail_from="k@example.vn", connections=int(sys.argv[3])
)
deliver(engine, transport, SendPolicy(batch_size=100))
"""


@pytest.fixture
def filled(settings: Settings, engine: Engine) -> Engine:
    """The seed plan's digests of four days, pending in the outbox."""
    load_path(engine, DEFINITIONS)
    for day in DAYS:
        queue_day(engine, settings, day)
    return engine


def test_the_settings_name_how_many_connections(settings: Settings) -> None:
    chosen = settings.model_copy(update={"mail_transport": "smtp", "smtp_connections": 5})
    made = transport_from_settings(chosen)
    assert isinstance(made, SmtpTransport) and made.connections == 5
    assert Settings(_env_file=None).smtp_connections == 3


def test_every_message_goes_once_over_the_connections(filled: Engine, smtp_sink: SmtpSink) -> None:
    total = len(outbox_rows(filled, "pending"))
    smtp_sink.stall_every_data(0.02)
    sent = SmtpTransport(
        smtp_sink.host, smtp_sink.port, timeout=5, mail_from="k@example.vn", connections=3
    )
    report = deliver(filled, sent, SendPolicy(batch_size=5))
    assert report.sent == total == len(outbox_rows(filled, "sent"))
    ids = smtp_sink.ids()
    assert sorted(ids) == sorted(row["message_id"] for row in outbox_rows(filled))
    assert len({r.peer for r in smtp_sink.received}) > 1


def test_a_sender_killed_mid_batch_repeats_at_most_one_message_per_connection(
    filled: Engine, settings: Settings, smtp_sink: SmtpSink
) -> None:
    total = len(outbox_rows(filled, "pending"))
    smtp_sink.stall_every_data(0.15)  # slow enough to be killed in the middle of the batch
    url = settings.resolved_database_url()
    command = [sys.executable, "-c", KILLABLE_SENDER, url, str(smtp_sink.port), str(CONNECTIONS)]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 60
    while len(smtp_sink.received) < 5 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 5 <= len(smtp_sink.received) < total, "the sender must die in the middle of the batch"
    smtp_sink.stall_every_data(0.0)
    restarted = SmtpTransport(smtp_sink.host, smtp_sink.port, timeout=5, mail_from="k@example.vn")
    deliver(filled, restarted, SendPolicy(lease=timedelta(0)))
    ids = smtp_sink.ids()
    assert set(ids) == {row["message_id"] for row in outbox_rows(filled)}
    assert len(ids) - len(set(ids)) <= CONNECTIONS
    assert len(outbox_rows(filled, "sent")) == total
