"""The reminder planner: right person, right (working) day, every rule."""

from __future__ import annotations

from datetime import date

import pytest

from kehoach_flow.definitions.reminder_rules import ReminderRules
from kehoach_flow.errors import KehoachError
from kehoach_flow.reminders.planner import (
    ReminderTask,
    Role,
    Rule,
    describe,
    plan_reminders,
)
from kehoach_flow.reports.periods import report_cutoffs
from kehoach_flow.workdays import WorkCalendar, vietnam_calendar
from tests.reminders.helpers import NO_MAIL, task

CAL = vietnam_calendar(range(2023, 2027))


def rules_on(day: date, *tasks: ReminderTask) -> set[tuple[str, Rule, int]]:
    return {
        (r.email, r.rule, r.days) for r in plan_reminders(tasks, day, CAL, report_cutoffs(day.year))
    }


def test_before_due_reminders_come_7_3_and_1_working_days_ahead() -> None:
    due = date(2024, 10, 31)  # Thursday
    assert rules_on(date(2024, 10, 22), task(due)) == {("ttkt@example.vn", Rule.BEFORE_DUE, 7)}
    assert rules_on(date(2024, 10, 28), task(due)) == {("ttkt@example.vn", Rule.BEFORE_DUE, 3)}
    assert rules_on(date(2024, 10, 30), task(due)) == {("ttkt@example.vn", Rule.BEFORE_DUE, 1)}
    assert rules_on(date(2024, 10, 29), task(due)) == set()


def test_due_day_goes_to_the_lead_with_a_copy_to_partners_that_have_mail() -> None:
    found = rules_on(date(2024, 10, 31), task(date(2024, 10, 31)))
    assert found == {
        ("ttkt@example.vn", Rule.DUE_TODAY, 0),
        ("khtc@example.vn", Rule.PARTNER_COPY, 0),
    }


def test_a_reminder_due_on_the_first_day_of_tet_goes_out_after_the_holiday() -> None:
    mung_1 = date(2024, 2, 10)
    assert plan_reminders([task(mung_1)], mung_1, CAL) == []
    assert plan_reminders([task(mung_1)], date(2024, 2, 14), CAL) == []  # still Tết
    assert rules_on(date(2024, 2, 15), task(mung_1)) == {
        ("ttkt@example.vn", Rule.DUE_TODAY, 0),
        ("khtc@example.vn", Rule.PARTNER_COPY, 0),  # the partner's copy goes out with it
    }


def test_a_make_up_saturday_is_a_working_day() -> None:
    due = date(2024, 5, 7)  # Tuesday; Saturday 4/5/2024 was worked in exchange for 29/4
    assert rules_on(date(2024, 5, 3), task(due)) == {("ttkt@example.vn", Rule.BEFORE_DUE, 3)}
    two_days = task(due, rules=ReminderRules(before_due=(2,)))
    assert rules_on(date(2024, 5, 4), two_days) == {("ttkt@example.vn", Rule.BEFORE_DUE, 2)}
    assert plan_reminders([task(due)], date(2024, 5, 5), CAL) == []  # an ordinary Sunday


def test_overdue_every_three_working_days_and_escalation_after_five() -> None:
    due = date(2024, 10, 31)
    assert rules_on(date(2024, 11, 5), task(due)) == {("ttkt@example.vn", Rule.OVERDUE, 3)}
    assert rules_on(date(2024, 11, 7), task(due)) == {
        ("gd.ttkt@example.vn", Rule.ESCALATION, 5),
        ("qltcdlcl@example.vn", Rule.ESCALATION, 5),
    }
    assert rules_on(date(2024, 11, 8), task(due)) == {
        ("ttkt@example.vn", Rule.OVERDUE, 6),
        ("gd.ttkt@example.vn", Rule.ESCALATION, 6),
        ("qltcdlcl@example.vn", Rule.ESCALATION, 6),
    }
    assert rules_on(date(2024, 11, 6), task(due)) == set()


def test_a_lead_without_mail_is_chased_through_the_coordinator() -> None:
    [reminder] = plan_reminders([task(date(2024, 10, 31), lead=NO_MAIL)], date(2024, 10, 22), CAL)
    assert (reminder.email, reminder.role, reminder.lead_without_mail) == (
        "qltcdlcl@example.vn",
        Role.COORDINATOR,
        True,
    )
    assert "đơn vị chủ trì chưa có địa chỉ thư" in describe(reminder)


def test_progress_is_requested_five_working_days_before_each_cut_off() -> None:
    far = task(date(2024, 12, 31))
    assert rules_on(date(2024, 6, 7), far) == {
        ("ttkt@example.vn", Rule.PROGRESS_REQUEST, 0)
    }  # 14/6 is a Friday
    assert rules_on(date(2024, 6, 6), far) == set()


def test_per_task_rules_override_the_defaults() -> None:
    custom = task(
        date(2024, 10, 31),
        rules=ReminderRules().merged({"before_due": [10], "partners_on_due": False}),
    )
    assert rules_on(date(2024, 10, 17), custom) == {("ttkt@example.vn", Rule.BEFORE_DUE, 10)}
    assert rules_on(date(2024, 10, 31), custom) == {("ttkt@example.vn", Rule.DUE_TODAY, 0)}
    with pytest.raises(KehoachError, match="khóa nhắc việc không có: truoc_han"):
        ReminderRules().merged({"truoc_han": [3]})


def test_nothing_goes_out_on_a_weekend_or_holiday() -> None:
    tasks = [task(date(2024, 9, 2), key="a"), task(date(2024, 9, 9), key="b")]
    for day in (date(2024, 8, 31), date(2024, 9, 1), date(2024, 9, 2), date(2024, 9, 3)):
        assert plan_reminders(tasks, day, CAL) == []


def test_same_recipient_rule_task_and_day_share_a_dedupe_key() -> None:
    plain = WorkCalendar(holidays={}, working_weekends={})
    first = plan_reminders([task(date(2024, 10, 31))], date(2024, 10, 22), plain)
    again = plan_reminders([task(date(2024, 10, 31))], date(2024, 10, 22), plain)
    assert [r.dedupe_key for r in first] == [r.dedupe_key for r in again]
    assert first[0].dedupe_key == "ttkt@example.vn|before_due|p/t1|2024-10-22"
