"""Each delivery outcome lands on the message that had it: slow servers, unknown outcomes,
the retry commands, the lease setting (SQLite and Postgres, a real aiosmtpd server)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from kehoach_flow.errors import KehoachError
from kehoach_flow.loading import load_path
from kehoach_flow.mail.transport import SmtpTransport
from kehoach_flow.reminders.outbox import OUTBOX, claim, outbox_rows
from kehoach_flow.reminders.sender import SendPolicy, deliver
from kehoach_flow.reminders.sweep import queue_day, sweep
from kehoach_flow.settings import Settings, load_settings
from tests.conftest import DEFINITIONS, CliResult, run_cli
from tests.mail.conftest import SmtpSink

DAY = date(2024, 12, 20)  # four digests on the seed plan
DAYS = (DAY, date(2024, 12, 26), date(2024, 12, 30), date(2024, 12, 31))
TIMEOUT = 1.0  # the sink stalls 5 s: every stall is a timeout
LATER = SendPolicy(first_retry=timedelta(0), lease=timedelta(hours=1))


@pytest.fixture
def seeded(settings: Settings, engine: Engine) -> Engine:
    load_path(engine, DEFINITIONS)
    return engine


def smtp(sink: SmtpSink) -> SmtpTransport:
    return SmtpTransport(sink.host, sink.port, timeout=TIMEOUT, mail_from="kehoach@example.vn")


def smtp_settings(settings: Settings, sink: SmtpSink, **more: object) -> Settings:
    update = {"mail_transport": "smtp", "smtp_host": sink.host, "smtp_port": sink.port}
    return settings.model_copy(update=update | {"smtp_timeout": TIMEOUT} | more)


def lease_passes(engine: Engine) -> None:
    """As if the lease had run out for every row waiting on it."""
    with engine.begin() as conn:
        conn.execute(update(OUTBOX).values(next_attempt_at=OUTBOX.c.created_at))


def flat(result: CliResult) -> str:
    """The output with the terminal's line wrapping undone."""
    return " ".join(result.stdout.split())


def statuses(engine: Engine) -> Counter[str]:
    return Counter(row["status"] for row in outbox_rows(engine))


def test_a_slow_server_fails_no_row_that_was_never_offered(
    seeded: Engine, settings: Settings, smtp_sink: SmtpSink
) -> None:
    for day in DAYS:
        queue_day(seeded, settings, day)
    total = len(outbox_rows(seeded))
    smtp_sink.stall_every_data(5.0)  # keeps each message, answers after the client gave up
    policy = SendPolicy(batch_size=4, max_attempts=3, first_retry=timedelta(0))

    for _ in range(3):  # before: every row failed after max_attempts sweeps
        deliver(seeded, smtp(smtp_sink), policy)

    offered = set(smtp_sink.ids())
    rows = outbox_rows(seeded)
    assert len(offered) == len(smtp_sink.ids()) == 6  # two timeouts in a row end a sweep
    assert total > len(offered)
    for row in rows:
        if row["message_id"] in offered:
            assert (row["status"], row["attempts"]) == ("unknown", 1), row
        else:
            assert (row["status"], row["attempts"]) == ("pending", 0), row
    smtp_sink.stall_every_data(0.0)
    deliver(seeded, smtp(smtp_sink), policy)  # the unknown ones wait out the lease
    assert Counter(smtp_sink.ids()).most_common(1)[0][1] == 1
    assert statuses(seeded) == {"sent": total - 6, "unknown": 6}


def test_an_unknown_outcome_is_sent_again_once_after_the_lease(
    seeded: Engine, settings: Settings, smtp_sink: SmtpSink
) -> None:
    smtp_sink.stall_next_data(5.0)  # the first digest is kept, but the answer comes too late

    first = sweep(seeded, settings, smtp(smtp_sink), DAY, policy=LATER)

    d = first.delivery
    assert (d.sent, d.unknown, d.retrying, d.failed, d.deferred) == (3, 1, 0, 0, 0)
    [unknown] = outbox_rows(seeded, "unknown")
    assert "chưa rõ đã nhận hay chưa" in unknown["last_error"]
    again = sweep(seeded, settings, smtp(smtp_sink), DAY, policy=LATER)
    assert again.delivery.sent == 0  # within the lease: not sent again
    assert len(smtp_sink.ids()) == len(set(smtp_sink.ids())) == 4
    lease_passes(seeded)
    assert deliver(seeded, smtp(smtp_sink), LATER).sent == 1
    assert deliver(seeded, smtp(smtp_sink), LATER).sent == 0
    # The one documented repeat: the message whose outcome was unknown, once.
    assert Counter(smtp_sink.ids()) == Counter(
        {m: 1 for m in set(smtp_sink.ids())} | {unknown["message_id"]: 2}
    )
    assert statuses(seeded) == {"sent": 4}
    listed = run_cli(settings, "outbox", "--status", "sent")
    assert listed.stdout.count("có thể đã đến hai lần") == 1


def test_an_outcome_unknown_twice_fails_and_only_retry_failed_sends_it_again(
    seeded: Engine, settings: Settings, smtp_sink: SmtpSink
) -> None:
    smtp_sink.stall_next_data(5.0)
    sweep(seeded, settings, smtp(smtp_sink), DAY, policy=LATER)
    lease_passes(seeded)
    smtp_sink.stall_next_data(5.0)  # the one retry is left unanswered too

    report = deliver(seeded, smtp(smtp_sink), LATER)

    assert (report.sent, report.failed, report.unknown) == (0, 1, 0)
    [failed] = outbox_rows(seeded, "failed")
    assert "không tự gửi lại nữa" in failed["last_error"]
    lease_passes(seeded)
    assert deliver(seeded, smtp(smtp_sink), LATER).sent == 0
    assert Counter(smtp_sink.ids())[failed["message_id"]] == 2
    resent = run_cli(smtp_settings(settings, smtp_sink), "outbox", "--retry", "--failed")
    assert resent.exit_code == 0, resent.stderr
    assert "Đưa 1 thư lỗi về hàng chờ gửi." in resent.stdout
    assert "Đã gửi 1, chờ gửi lại 0, lỗi 0." in resent.stdout
    assert statuses(seeded) == {"sent": 4}


def test_retry_sends_now_what_waits_in_backoff(
    seeded: Engine, settings: Settings, smtp_sink: SmtpSink
) -> None:
    smtp_sink.reply_next("451 4.3.0 thu lai sau")
    mail = smtp_settings(settings, smtp_sink)

    reminded = run_cli(mail, "remind", "--date", DAY.isoformat())

    assert reminded.exit_code == 0, reminded.stderr
    assert "đã gửi 3, chờ gửi lại 1, lỗi 0." in flat(reminded)
    assert (
        "Hộp thư đi còn 1 thư chờ gửi (xem: kehoach outbox --status pending;"
        " gửi ngay: kehoach outbox --retry)." in reminded.stdout
    )
    assert "--status failed" not in reminded.stdout
    retried = run_cli(mail, "outbox", "--retry")
    assert retried.exit_code == 0, retried.stderr
    assert "Đã gửi 1, chờ gửi lại 0, lỗi 0." in retried.stdout
    assert "Hộp thư đi còn" not in retried.stdout
    assert sorted(smtp_sink.ids()) == sorted(r["message_id"] for r in outbox_rows(seeded))
    assert statuses(seeded) == {"sent": 4}


def test_failed_rows_are_sent_again_by_retry_failed_only(
    seeded: Engine, settings: Settings, smtp_sink: SmtpSink
) -> None:
    smtp_sink.reply_next("550 5.1.1 hop thu khong ton tai")
    mail = smtp_settings(settings, smtp_sink)

    reminded = run_cli(mail, "remind", "--date", DAY.isoformat(), "--json")

    summary = json.loads(reminded.stdout)
    assert (summary["sent"], summary["failed"]) == (3, 1)
    assert summary["outbox"] == {"pending": 0, "sending": 0, "unknown": 0, "sent": 3, "failed": 1}
    plain = run_cli(mail, "outbox", "--retry")
    assert "Đã gửi 0, chờ gửi lại 0, lỗi 0." in plain.stdout
    assert (
        "1 thư lỗi (xem: kehoach outbox --status failed;"
        " gửi lại: kehoach outbox --retry --failed)." in plain.stdout
    )
    again = run_cli(mail, "outbox", "--retry", "--failed", "--json")
    assert again.exit_code == 0, again.stderr
    assert "Đã gửi 1, chờ gửi lại 0, lỗi 0." in again.stderr  # stdout stays JSON
    assert {row["status"] for row in json.loads(again.stdout)} == {"sent"}
    assert len(smtp_sink.ids()) == len(set(smtp_sink.ids())) == 4


def test_failed_without_retry_is_refused_and_changes_nothing(
    seeded: Engine, settings: Settings
) -> None:
    queue_day(seeded, settings, DAY)

    result = run_cli(settings, "outbox", "--failed")

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Lỗi: --failed chỉ dùng cùng --retry; xem `kehoach outbox --help`"
    ]
    assert statuses(seeded) == {"pending": 4}


def test_rows_left_sending_are_counted_and_taken_again_after_the_lease_setting(
    seeded: Engine, settings: Settings
) -> None:
    queue_day(seeded, settings, DAY)
    claim(seeded, 100, timedelta(minutes=10))  # a sender then killed, five minutes ago
    with seeded.begin() as conn:
        conn.execute(update(OUTBOX).values(claimed_at=datetime.now(UTC) - timedelta(minutes=5)))

    rerun = run_cli(settings, "remind", "--date", DAY.isoformat())

    assert "đã gửi 0, chờ gửi lại 0, lỗi 0." in flat(rerun)
    assert (
        "4 thư đang gửi: nếu lần gửi đó đã dừng giữa chừng, thư được gửi lại 10 phút sau"
        " lúc nhận gửi (KEHOACH_OUTBOX_LEASE_SECONDS) (xem: kehoach outbox --status sending)."
        in rerun.stdout
    )
    short = settings.model_copy(update={"outbox_lease_seconds": 120.0})
    retried = run_cli(short, "outbox", "--retry")
    assert "Đã gửi 4, chờ gửi lại 0, lỗi 0." in retried.stdout
    assert statuses(seeded) == {"sent": 4}
    assert len(list((settings.data_dir / "outbox").rglob("*.eml"))) == 4


def test_the_lease_is_read_from_its_variable_and_must_be_positive(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the working tree
    monkeypatch.setenv("KEHOACH_OUTBOX_LEASE_SECONDS", "120")
    assert Settings(_env_file=None).outbox_lease_seconds == 120
    assert SendPolicy.from_settings(Settings(_env_file=None)).lease == timedelta(minutes=2)
    monkeypatch.setenv("KEHOACH_OUTBOX_LEASE_SECONDS", "0")
    with pytest.raises(KehoachError, match="KEHOACH_OUTBOX_LEASE_SECONDS"):
        load_settings()
