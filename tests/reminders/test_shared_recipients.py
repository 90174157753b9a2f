"""A recipient in two plans gets every reminder of the day once: whether both plans are queued
together, one after the other (`kehoach remind --plan A` then `--plan B`), or at once."""

from __future__ import annotations

import threading
import time as clock
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from kehoach_flow.db.engine import create_db_engine
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.digest import Digest, MailContext, group_digests, render_digest
from kehoach_flow.reminders.outbox import OUTBOX, enqueue, outbox_rows
from kehoach_flow.reminders.sweep import plan_day, queue_day
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN, run_cli
from tests.reminders.helpers import COPY, delivered_items, with_copy
from tests.reminders.helpers import TWO_PLAN_DAY as DAY


@pytest.fixture
def two_plans(settings: Settings, engine: Engine, definitions_copy: Path) -> Engine:
    load_path(engine, with_copy(definitions_copy))
    return engine


def planned_keys(engine: Engine, settings: Settings) -> set[str]:
    return {r.dedupe_key for r in plan_day(engine, settings, DAY).reminders}


def stored_keys(engine: Engine) -> list[str]:
    return [key for row in outbox_rows(engine) for key in row["reminder_keys"]]


def test_both_plans_queued_together_give_one_digest_per_recipient_with_all_14(
    two_plans: Engine, settings: Settings
) -> None:
    planned = planned_keys(two_plans, settings)
    assert len(planned) == 14 and len({k.split("|")[0] for k in planned}) == 4
    result = queue_day(two_plans, settings, DAY)
    assert (result.queued, result.already_queued, result.follow_ups) == (4, 0, 0)
    assert sorted(stored_keys(two_plans)) == sorted(planned)
    again = queue_day(two_plans, settings, DAY)
    assert (again.queued, again.already_queued) == (0, 4)


def test_remind_plan_a_then_plan_b_delivers_every_reminder_once(
    two_plans: Engine, settings: Settings
) -> None:
    first = run_cli(settings, "remind", "--plan", SEED_PLAN, "--date", DAY.isoformat())
    assert first.exit_code == 0, first.stderr
    second = run_cli(settings, "remind", "--plan", COPY, "--date", DAY.isoformat(), "--json")
    assert second.exit_code == 0, second.stderr
    assert '"queued": 4' in second.stdout and '"follow_ups": 4' in second.stdout
    assert '"already_queued": 0' in second.stdout
    keys = stored_keys(two_plans)
    assert sorted(keys) == sorted(planned_keys(two_plans, settings))  # all 14, none twice
    rows = outbox_rows(two_plans)
    assert len(rows) == 8 and {r["status"] for r in rows} == {"sent"}
    follow_ups = [r for r in rows if "(bổ sung)" in r["subject"]]
    assert {r["recipient"] for r in follow_ups} == {k.split("|")[0] for k in keys}
    delivered = delivered_items(settings)
    assert len(delivered) == 14 and len(set(delivered)) == 14
    for plan in (SEED_PLAN, COPY, None):  # reruns, one plan or all: nothing new, nothing sent
        args = ("--plan", plan) if plan else ()
        rerun = run_cli(settings, "remind", *args, "--date", DAY.isoformat())
        assert "xếp 0 thư mới" in rerun.stdout and "đã gửi 0" in rerun.stdout
    assert len(outbox_rows(two_plans)) == 8 and len(delivered_items(settings)) == 14


def test_the_follow_up_line_of_remind_names_the_follow_up_mails(
    two_plans: Engine, settings: Settings
) -> None:
    run_cli(settings, "remind", "--plan", SEED_PLAN, "--date", DAY.isoformat())
    second = run_cli(settings, "remind", "--plan", COPY, "--date", DAY.isoformat())
    assert "xếp 4 thư mới vào hộp thư đi (4 thư bổ sung cho người đã có thư trong ngày" in (
        " ".join(second.stdout.split())
    )
    mails = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in (settings.data_dir / "outbox").rglob("*.eml")
    ]
    [mail] = [m for m in mails if "bổ sung" in str(m["Subject"]) and "ncgdmst" in str(m["To"])]
    assert mail["Subject"] == "Nhắc việc ngày 7/6/2024 (bổ sung): 1 nhiệm vụ"
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "xin nhắc thêm 1 việc ngày 7/6/2024" in body
    again = run_cli(settings, "remind", "--date", DAY.isoformat())
    assert "xếp 0 thư mới vào hộp thư đi (4 người nhận đã có đủ thư từ lần chạy trước)" in (
        " ".join(again.stdout.split())
    )


def test_two_plans_queued_at_once_lose_nothing_and_store_nothing_twice(
    two_plans: Engine, settings: Settings
) -> None:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def queue(plan: str) -> None:
        engine = create_db_engine(settings.resolved_database_url())
        try:
            start.wait()
            queue_day(engine, settings, DAY, [plan])
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=queue, args=(p,)) for p in (SEED_PLAN, COPY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(stored_keys(two_plans)) == sorted(planned_keys(two_plans, settings))
    assert len(outbox_rows(two_plans)) == 8


# --- Postgres: two runs that collide on the same digest key ---------------------------------


def lock_waiters(engine: Engine, application: str) -> int:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = :app AND wait_event_type = 'Lock'"
    )
    with engine.connect() as conn:
        return int(conn.execute(query, {"app": application}).scalar_one())


def wait_for_lock_waiters(engine: Engine, application: str, count: int) -> None:
    """Until `count` connections of `application` wait on a row lock (not a timed assertion:
    the deadline only keeps a broken run from hanging)."""
    deadline = clock.monotonic() + 60
    while lock_waiters(engine, application) < count:
        assert clock.monotonic() < deadline, "the other runs never reached their insert"
        clock.sleep(0.02)


def tagged_url(url: str, application: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}application_name={application}"


def held_rows(digests: list[Digest], settings: Settings) -> list[dict[str, Any]]:
    """Outbox rows for these digests, as another run inserts them."""
    now = datetime.now(UTC)
    context = context_of(settings)
    return [
        {
            "dedupe_key": d.dedupe_key,
            "day": d.day,
            "recipient": d.email,
            "subject": "",
            "message_id": f"<{uuid.uuid4().hex}@kehoach.local>",
            "raw": render_digest(d, context).as_bytes(),
            "reminder_keys": [r.dedupe_key for r in d.reminders],
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for d in digests
    ]


def context_of(settings: Settings) -> MailContext:
    return MailContext(settings.base_url, settings.resolved_secret_key(), settings.mail_from)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_enqueues_at_once_on_postgres_count_each_new_row_once(
    two_plans: Engine, settings: Settings
) -> None:
    built = [
        (d, render_digest(d, context_of(settings)))
        for d in plan_day(two_plans, settings, DAY).digests
    ]
    application = f"kf-enqueue-{uuid.uuid4().hex[:8]}"
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        engine = create_db_engine(tagged_url(settings.resolved_database_url(), application))
        try:
            results.append(enqueue(engine, built))
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    # The same keys held by an open transaction: both enqueues count, insert, then wait on it.
    with two_plans.connect() as holder:
        holding = holder.begin()
        holder.execute(OUTBOX.insert(), held_rows([d for d, _ in built], settings))
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(two_plans, application, 2)
        holding.rollback()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(new for new, _ in results) == len(built) == 4
    assert sum(already for _, already in results) == len(built)
    assert len(outbox_rows(two_plans)) == 4


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_run_beaten_to_a_digest_key_on_postgres_stores_a_follow_up(
    two_plans: Engine, settings: Settings
) -> None:
    seed = group_digests(plan_day(two_plans, settings, DAY, [SEED_PLAN]).reminders)
    copy = plan_day(two_plans, settings, DAY, [COPY]).reminders
    from kehoach_flow.reminders.sweep import queue_reminders  # new with follow-up digests

    application = f"kf-queue-{uuid.uuid4().hex[:8]}"
    done: list[object] = []

    def run() -> None:
        engine = create_db_engine(tagged_url(settings.resolved_database_url(), application))
        try:
            done.append(queue_reminders(engine, settings, DAY, copy))
        except BaseException as exc:
            done.append(exc)
        finally:
            engine.dispose()

    # The seed plan's run has inserted its digests, not yet committed: the copy's run sees no
    # digest yet, numbers its own 1 too, and waits on the same keys.
    with two_plans.connect() as winner, winner.begin():
        winner.execute(OUTBOX.insert(), held_rows(seed, settings))
        thread = threading.Thread(target=run)
        thread.start()
        wait_for_lock_waiters(two_plans, application, 1)
    thread.join()
    [outcome] = done
    assert not isinstance(outcome, BaseException), outcome
    assert (outcome.queued, outcome.follow_ups) == (4, 4)  # type: ignore[attr-defined]
    assert sorted(stored_keys(two_plans)) == sorted(planned_keys(two_plans, settings))
    assert len(outbox_rows(two_plans)) == 8
