"""The "hôm nay" view's changes: updates received, tasks newly overdue, reminders sent since
the last working day, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert

from kehoach_flow.db.queries import find_task
from kehoach_flow.db.tables import OUTBOX
from kehoach_flow.loading import load_path
from kehoach_flow.tracking.day_changes import day_changes
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar
from tests.tracking.helpers import LATENESS_PLAN, write_lateness_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPTIONS = BoardOptions(vietnam_calendar([2024]))
MONDAY = date(2024, 7, 15)  # the last working day before it: Friday 12/7


def record(
    engine: Engine, key: str, at: datetime, change: UpdateIn, on: date | None = None
) -> None:
    """An update received at `at`, recorded as of `on` (default: that day)."""
    task_id = int(find_task(engine, f"{LATENESS_PLAN}/{key}")["id"])
    as_of = datetime.combine(on, time(9), tzinfo=TZ) if on else at
    record_update(engine, task_id, change, Author("kh-tc", "web", as_of), now=at)


def outbox(engine: Engine, day: date, recipient: str, status: str, keys: int = 1) -> None:
    moment = datetime.combine(day, time(1), tzinfo=UTC)
    row = {
        "dedupe_key": f"{recipient}:{day}:{status}",
        "day": day,
        "recipient": recipient,
        "subject": f"Nhắc việc ngày {day:%d/%m/%Y}",
        "message_id": f"<{day}.{status}@kehoach>",
        "raw": b"",
        "reminder_keys": [f"k{i}" for i in range(keys)],
        "status": status,
        "next_attempt_at": moment,
        "created_at": moment,
        "sent_at": moment if status == "sent" else None,
    }
    with engine.begin() as conn:
        conn.execute(insert(OUTBOX), [row])


@pytest.fixture
def plan(engine: Engine, definitions_copy: Path) -> Engine:
    load_path(engine, write_lateness_plan(definitions_copy))
    return engine


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def test_updates_received_since_the_last_working_day(plan: Engine) -> None:
    record(plan, "c1", at(date(2024, 7, 11), 16), UpdateIn(status=Status.IN_PROGRESS))
    record(plan, "c1", at(date(2024, 7, 12), 9), UpdateIn(progress=20))
    record(plan, "c1", at(date(2024, 7, 13), 10), UpdateIn(progress=30))  # a Saturday
    # received on Monday, reported as of 1/7: received today all the same
    record(plan, "a1", at(MONDAY, 8), UpdateIn(status=Status.IN_PROGRESS), on=date(2024, 7, 1))
    changes = day_changes(plan, [LATENESS_PLAN], MONDAY, OPTIONS)

    assert (changes.since, changes.today) == (date(2024, 7, 12), MONDAY)
    assert [(u.task, u.version, u.progress) for u in changes.updates] == [
        ("a1", 2, 0),
        ("c1", 4, 30),
        ("c1", 3, 20),
    ]
    newest = changes.updates[0]
    assert newest.author.text == "Phòng KH-TC qua trang web"
    assert newest.change == "Chưa thực hiện → Đang thực hiện"
    assert changes.updates[1].change == "Đang thực hiện"


def test_tasks_newly_overdue_are_those_due_within_the_window(plan: Engine) -> None:
    changes = day_changes(plan, [LATENESS_PLAN], MONDAY, OPTIONS)
    # A2 and B2 were due Friday 12/7; A1, B1 (28/6) and S1 (10/7) were overdue before
    assert [(t.task, t.lead_name, t.due) for t in changes.newly_overdue] == [
        ("a2", "Phòng Quản lý TCĐLCL", date(2024, 7, 12)),
        ("b2", "Phòng KH-TC", date(2024, 7, 12)),
    ]
    record(plan, "b2", at(date(2024, 7, 12), 9), UpdateIn(status=Status.DONE))
    again = day_changes(plan, [LATENESS_PLAN], MONDAY, OPTIONS)
    assert [t.task for t in again.newly_overdue] == ["a2"]


def test_reminders_sent_for_a_day_of_the_window(plan: Engine) -> None:
    outbox(plan, date(2024, 7, 11), "khtc@skhcn.example.vn", "sent")  # before the window
    outbox(plan, date(2024, 7, 12), "khtc@skhcn.example.vn", "sent", keys=3)
    outbox(plan, MONDAY, "qltcdlcl@skhcn.example.vn", "sent", keys=2)
    outbox(plan, MONDAY, "khtc@skhcn.example.vn", "pending")  # not sent yet
    outbox(plan, MONDAY, "ai-do@example.vn", "sent")
    reminders = day_changes(plan, [LATENESS_PLAN], MONDAY, OPTIONS).reminders
    assert [(r.day, r.recipient_name, r.reminders) for r in reminders] == [
        (MONDAY, None, 1),
        (MONDAY, "Phòng Quản lý TCĐLCL", 2),
        (date(2024, 7, 12), "Phòng KH-TC", 3),
    ]


def test_after_a_holiday_the_window_reaches_back_to_the_last_working_day(plan: Engine) -> None:
    # Quốc khánh 2024: Monday 2/9 and Tuesday 3/9 off; the Wednesday looks back to Friday 30/8
    changes = day_changes(plan, [LATENESS_PLAN], date(2024, 9, 4), OPTIONS)
    assert changes.since == date(2024, 8, 30)
    assert changes.as_dict()["since"] == "2024-08-30"
    quiet = day_changes(plan, [LATENESS_PLAN], date(2024, 6, 20), OPTIONS)
    assert quiet.empty and quiet.as_dict()["updates"] == []


def test_extension_and_review_steps_read_as_what_they_did(
    engine: Engine, definitions_copy: Path
) -> None:
    from kehoach_flow.tracking.extensions import (
        ExtensionRule,
        decide_extension,
        request_extension,
    )
    from kehoach_flow.tracking.review import confirm_done, return_done
    from tests.tracking.helpers import LATENESS_YAML

    reviewed = "xac-nhan-2024"
    text = (
        LATENESS_YAML.replace(f"key: {LATENESS_PLAN}", f"key: {reviewed}")
        .replace("review: false", "review: true")
        .replace("trễ hạn", "xác nhận")
    )
    (write_lateness_plan(definitions_copy) / "plans" / "xac-nhan.yaml").write_text(text, "utf-8")
    load_path(engine, definitions_copy)
    rule = ExtensionRule(OPTIONS.calendar)
    friday, monday = date(2024, 7, 12), MONDAY

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=TZ)

    def author(actor: str, day: date, hour: int) -> Author:
        return Author(actor, "web", at(day, hour))

    def tid(plan: str, key: str) -> int:
        return int(find_task(engine, f"{plan}/{key}")["id"])

    c1, s2 = tid(LATENESS_PLAN, "c1"), tid(LATENESS_PLAN, "s2")
    b1, b2 = tid(reviewed, "b1"), tid(reviewed, "b2")
    asked = request_extension(
        engine,
        c1,
        date(2025, 1, 31),
        "Chờ số liệu",
        author("ttkt", friday, 9),
        rule,
        now=at(friday, 9),
    )
    refused = request_extension(
        engine,
        s2,
        date(2025, 3, 31),
        "Thiếu người",
        author("ncgdmst", friday, 9),
        rule,
        now=at(friday, 9),
    )
    record_update(
        engine, b1, UpdateIn(status=Status.DONE), author("kh-tc", friday, 10), now=at(friday, 10)
    )
    progress = UpdateIn(status=Status.IN_PROGRESS, progress=40)
    record_update(engine, b2, progress, author("kh-tc", friday, 10), now=at(friday, 10))
    record_update(
        engine, b2, UpdateIn(status=Status.DONE), author("kh-tc", friday, 11), now=at(friday, 11)
    )
    decide_extension(
        engine,
        asked.update_id,
        True,
        author("lanh-dao", monday, 9),
        to=date(2025, 1, 15),
        now=at(monday, 9),
    )
    decide_extension(
        engine,
        refused.update_id,
        False,
        author("lanh-dao", monday, 9),
        reason="Chưa đủ\ncăn cứ",
        now=at(monday, 9),
    )
    confirm_done(engine, b1, author("lanh-dao", monday, 10), now=at(monday, 10))
    return_done(
        engine,
        b2,
        author("lanh-dao", monday, 11),
        "Thiếu biên bản nghiệm thu",
        now=at(monday, 11),
    )
    changes = day_changes(engine, [LATENESS_PLAN, reviewed], monday, OPTIONS)
    assert [(u.task, u.change, u.progress) for u in reversed(changes.updates)] == [
        ("c1", "đề nghị gia hạn đến 31/1/2025", None),
        ("s2", "đề nghị gia hạn đến 31/3/2025", None),
        ("b1", "Chưa thực hiện → Chờ xác nhận", 100),
        ("b2", "Chưa thực hiện → Đang thực hiện", 40),
        ("b2", "Đang thực hiện → Chờ xác nhận", 100),
        ("c1", "được duyệt gia hạn đến 15/1/2025", None),
        ("s2", "không được gia hạn: Chưa đủ căn cứ", None),
        ("b1", "đã xác nhận hoàn thành", None),
        ("b2", "trả lại: Thiếu biên bản nghiệm thu", 40),  # back at the unit's 40%
    ]
    assert changes.as_dict()["updates"][0]["kind"] == "review_returned"
