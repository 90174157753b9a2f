"""A same-day rerun of the daily job: nothing planned again while nothing changed, and still
exactly once: whatever is new that day goes out, in a follow-up digest."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, update

from kehoach_flow.db.tables import OUTBOX, UNIT
from kehoach_flow.loading import load_path
from kehoach_flow.mail.transport import FileTransport
from kehoach_flow.reminders.outbox import outbox_rows
from kehoach_flow.reminders.rerun import RECORD_FILE
from kehoach_flow.reminders.sweep import SweepResult, sweep
from kehoach_flow.settings import Settings
from tests.conftest import run_cli
from tests.reminders.helpers import with_copy

DAY = date(2024, 6, 7)  # 7 reminders of the seed plan, to 4 recipients


@pytest.fixture
def seeded(settings: Settings, engine: Engine, definitions_copy: Path) -> Engine:
    load_path(engine, definitions_copy)
    return engine


def run(engine: Engine, settings: Settings) -> SweepResult:
    return sweep(engine, settings, FileTransport(settings.data_dir / "outbox"), DAY)


def subjects(engine: Engine) -> list[str]:
    return sorted(row["subject"] for row in outbox_rows(engine))


def test_a_rerun_with_nothing_new_does_not_plan_again_and_says_what_the_day_holds(
    seeded: Engine, settings: Settings
) -> None:
    first = run(seeded, settings)
    assert (first.planned, first.reminder_count, first.queued, first.delivery.sent) == (
        True,
        7,
        4,
        4,
    )
    again = run(seeded, settings)
    assert (again.planned, again.reminder_count, again.queued, again.already_queued) == (
        False,
        7,
        0,
        4,
    )
    assert again.working_day and again.delivery.sent == 0
    assert len(outbox_rows(seeded)) == 4


def test_a_plan_loaded_later_that_day_goes_out_in_follow_up_digests(
    seeded: Engine, settings: Settings, definitions_copy: Path
) -> None:
    run(seeded, settings)
    load_path(seeded, with_copy(definitions_copy))  # the same people, seven more reminders
    later = run(seeded, settings)
    assert (later.planned, later.reminder_count, later.queued, later.follow_ups) == (
        True,
        14,
        4,
        4,
    )
    assert later.delivery.sent == 4
    assert sum("(bổ sung)" in s for s in subjects(seeded)) == 4
    assert run(seeded, settings).planned is False  # and then nothing is new again


def test_an_update_that_day_plans_again(seeded: Engine, settings: Settings) -> None:
    run(seeded, settings)
    done = run_cli(settings, "update", "chuan-do-luong", "--status", "done", "--date", "2024-06-07")
    assert done.exit_code == 0, done.stderr
    assert run(seeded, settings).planned is True


def test_a_unit_with_a_new_address_gets_its_reminders_there(
    seeded: Engine, settings: Settings
) -> None:
    run(seeded, settings)
    address = "qltcdlcl@skhcn.example.vn"  # a lead with three reminders that day
    assert address in {row["recipient"] for row in outbox_rows(seeded)}
    with seeded.begin() as conn:  # as a units file loaded alone: no plan is touched
        conn.execute(update(UNIT).where(UNIT.c.email == address).values(email="moi@example.vn"))
    again = run(seeded, settings)
    assert again.planned is True and again.queued == 1
    assert "moi@example.vn" in {row["recipient"] for row in outbox_rows(seeded)}


def test_rows_gone_from_the_outbox_are_stored_and_sent_again(
    seeded: Engine, settings: Settings
) -> None:
    run(seeded, settings)
    with seeded.begin() as conn:
        conn.execute(delete(OUTBOX))
    again = run(seeded, settings)
    assert (again.planned, again.queued, again.delivery.sent) == (True, 4, 4)


def test_another_runs_digests_of_the_day_make_the_rerun_plan_again(
    seeded: Engine, settings: Settings, definitions_copy: Path
) -> None:
    load_path(seeded, with_copy(definitions_copy))
    sweep(seeded, settings, FileTransport(settings.data_dir / "outbox"), DAY, ["qt-copy-2024"])
    assert not (settings.data_dir / RECORD_FILE).exists()  # a run of some plans records nothing
    first = run(seeded, settings)
    assert (first.planned, first.queued, first.follow_ups) == (True, 4, 4)
    sweep(seeded, settings, FileTransport(settings.data_dir / "outbox"), DAY, ["qt-copy-2024"])
    assert run(seeded, settings).planned is False  # that run stored nothing new
    with seeded.begin() as conn:  # as if another host's run stored a row meanwhile
        row = conn.execute(select(OUTBOX).limit(1)).mappings().one()
        copy = {k: v for k, v in row.items() if k != "id"} | {"dedupe_key": "x|2024-06-07"}
        conn.execute(OUTBOX.insert().values(**copy))
    assert run(seeded, settings).planned is True


def test_an_unreadable_record_costs_one_full_planning(seeded: Engine, settings: Settings) -> None:
    run(seeded, settings)
    (settings.data_dir / RECORD_FILE).write_text("{không phải json", encoding="utf-8")
    again = run(seeded, settings)
    assert (again.planned, again.queued, again.already_queued) == (True, 0, 4)
    assert run(seeded, settings).planned is False


def test_an_edit_of_the_code_the_day_was_planned_with_plans_again(
    seeded: Engine, settings: Settings
) -> None:
    run(seeded, settings)
    path = settings.data_dir / RECORD_FILE
    records = json.loads(path.read_text(encoding="utf-8"))
    code = records[DAY.isoformat()]["code"]
    planner = next(p for p in code if p.endswith("planner.py"))  # as if edited since
    code[planner][1] -= 1
    path.write_text(json.dumps(records), encoding="utf-8")
    assert run(seeded, settings).planned is True
    assert run(seeded, settings).planned is False
