"""Extension requests, their decisions and completion reviews, recorded in a task's history
on SQLite and Postgres: the due date in force moves reminders and derived states; a second
decision is a conflict; a returned "done" mails the unit; a confirmed one counts on the date
the unit reported; a plan without review behaves as before."""

from __future__ import annotations

import threading
from datetime import date, datetime, time
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from kehoach_flow.db.queries import find_task
from kehoach_flow.db.tables import OUTBOX, PLAN
from kehoach_flow.errors import UpdateError
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.inputs import reminder_tasks
from kehoach_flow.reminders.planner import Rule, plan_reminders
from kehoach_flow.tracking import history
from kehoach_flow.tracking.extensions import (
    DecisionConflictError,
    ExtensionRule,
    decide_extension,
    request_extension,
)
from kehoach_flow.tracking.history import Author, UpdateIn, history_rows, record_update
from kehoach_flow.tracking.review import confirm_done, return_done
from kehoach_flow.tracking.state import Category, Derived
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import BoardOptions, plan_board
from kehoach_flow.workdays import vietnam_calendar
from tests.tracking.helpers import LATENESS_PLAN, LATENESS_YAML, write_lateness_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = vietnam_calendar([2024])
RULE = ExtensionRule(CALENDAR, notice_days=5)
OPTIONS = BoardOptions(CALENDAR)
REVIEW_PLAN = "xac-nhan-2024"


def on(day: date, actor: str = "qltcdlcl", hour: int = 9) -> Author:
    return Author(actor, "cli", datetime.combine(day, time(hour), tzinfo=TZ))


def clock(day: date) -> datetime:
    return datetime.combine(day, time(18), tzinfo=TZ)


@pytest.fixture
def plans(engine: Engine, definitions_copy: Path) -> Engine:
    write_lateness_plan(definitions_copy)
    reviewed = (
        LATENESS_YAML.replace(f"key: {LATENESS_PLAN}", f"key: {REVIEW_PLAN}")
        .replace("  review: false\n", "")  # no `review:` line: review is on by default
        .replace("trễ hạn", "xác nhận")
    )
    (definitions_copy / "plans" / "xac-nhan.yaml").write_text(reviewed, encoding="utf-8")
    load_path(engine, definitions_copy)
    return engine


def _id(engine: Engine, ref: str) -> int:
    return int(find_task(engine, ref)["id"])


def _view(engine: Engine, plan: str, key: str, ref: date):  # type: ignore[no-untyped-def]
    return next(v for v in plan_board(engine, plan, ref, OPTIONS) if v.key == key)


def test_a_request_in_time_approved_moves_reminders_and_state(plans: Engine) -> None:
    a1 = _id(plans, f"{LATENESS_PLAN}/a1")  # due Friday 28/6/2024
    start = UpdateIn(status=Status.IN_PROGRESS, progress=50)
    record_update(plans, a1, start, on(date(2024, 6, 3)), now=clock(date(2024, 6, 3)))
    asked = request_extension(
        plans,
        a1,
        date(2024, 7, 31),
        "Chờ số liệu quý II",
        on(date(2024, 6, 20)),
        RULE,
        now=clock(date(2024, 6, 20)),
    )
    decide_extension(
        plans,
        asked.update_id,
        True,
        on(date(2024, 6, 21), "lanh-dao"),
        reason="Đồng ý",
        now=clock(date(2024, 6, 21)),
    )
    view = _view(plans, LATENESS_PLAN, "a1", date(2024, 7, 1))
    assert view.window.due == date(2024, 7, 31) and view.original_due == date(2024, 6, 28)
    assert view.derived != Derived.OVERDUE
    assert view.category == Category.IN_PROGRESS_ON_TIME
    assert view.state.extensions == 1 and view.state.approved_by == "lanh-dao"
    # before the decision the plan's date held: the report for 28/6 is unchanged
    assert _view(plans, LATENESS_PLAN, "a1", date(2024, 6, 20)).window.due == date(2024, 6, 28)
    # reminders: 3/7 would be the old date's first overdue reminder (every 3 working days);
    # the new date's reminders come instead: 7 working days before, on the day, 3 after
    tasks = {t.key: t for t in reminder_tasks(plans, LATENESS_PLAN, date(2024, 7, 3), OPTIONS)}
    assert tasks["a1"].due == date(2024, 7, 31)

    def rules(day: date) -> list[Rule]:
        found = plan_reminders([tasks["a1"]], day, CALENDAR)
        return [r.rule for r in found if r.role.value == "lead"]

    assert rules(date(2024, 7, 3)) == []
    assert rules(date(2024, 7, 22)) == [Rule.BEFORE_DUE]
    assert rules(date(2024, 7, 31)) == [Rule.DUE_TODAY]
    assert rules(date(2024, 8, 5)) == [Rule.OVERDUE]
    rows = history_rows(plans, a1)
    assert [(r["kind"], r["actor"]) for r in rows] == [
        ("extension_approved", "lanh-dao"),
        ("extension_request", "qltcdlcl"),
        ("update", "qltcdlcl"),
    ]
    assert rows[1]["requested_due"] == date(2024, 7, 31) and rows[1]["note"] == "Chờ số liệu quý II"
    assert rows[0]["decided_due"] == date(2024, 7, 31) and rows[0]["request_id"] == asked.update_id
    # done within the extension: on time
    record_update(
        plans, a1, UpdateIn(status=Status.DONE), on(date(2024, 7, 20)), now=clock(date(2024, 7, 20))
    )
    done = _view(plans, LATENESS_PLAN, "a1", date(2024, 12, 31))
    assert done.category == Category.DONE_ON_TIME and done.extended_on_time


def test_a_request_too_late_is_refused_with_the_rule_unless_a_coordinator_records_it(
    plans: Engine,
) -> None:
    a1 = _id(plans, f"{LATENESS_PLAN}/a1")  # 24/6 -> 28/6: 4 working days left
    with pytest.raises(UpdateError, match="ít nhất 5 ngày làm việc") as refused:
        request_extension(
            plans,
            a1,
            date(2024, 7, 31),
            "Muộn",
            on(date(2024, 6, 24)),
            RULE,
            now=clock(date(2024, 6, 24)),
        )
    assert "còn 4 ngày làm việc" in str(refused.value)
    assert history_rows(plans, a1) == []
    recorded = request_extension(
        plans,
        a1,
        date(2024, 7, 31),
        "Muộn",
        on(date(2024, 6, 24), "dieu-phoi"),
        RULE,
        by_coordinator=True,
        now=clock(date(2024, 6, 24)),
    )
    row = history_rows(plans, a1)[0]
    assert row["id"] == recorded.update_id and row["forced"] and row["force_reason"]


def test_a_different_date_approved_and_a_refusal(plans: Engine) -> None:
    a2, b2 = _id(plans, f"{LATENESS_PLAN}/a2"), _id(plans, f"{LATENESS_PLAN}/b2")
    asked = request_extension(
        plans,
        a2,
        date(2024, 9, 30),
        "Thiếu kinh phí",
        on(date(2024, 7, 1)),
        RULE,
        now=clock(date(2024, 7, 1)),
    )
    decide_extension(
        plans,
        asked.update_id,
        True,
        on(date(2024, 7, 2), "lanh-dao"),
        to=date(2024, 8, 15),
        now=clock(date(2024, 7, 2)),
    )
    assert _view(plans, LATENESS_PLAN, "a2", date(2024, 8, 1)).window.due == date(2024, 8, 15)
    other = request_extension(
        plans,
        b2,
        date(2024, 9, 30),
        "Chưa bố trí được",
        on(date(2024, 7, 1), "kh-tc"),
        RULE,
        now=clock(date(2024, 7, 1)),
    )
    with pytest.raises(UpdateError, match="cần nêu lý do"):
        decide_extension(plans, other.update_id, False, on(date(2024, 7, 2), "lanh-dao"))
    decide_extension(
        plans,
        other.update_id,
        False,
        on(date(2024, 7, 2), "lanh-dao"),
        reason="Không có căn cứ",
        now=clock(date(2024, 7, 2)),
    )
    refused = _view(plans, LATENESS_PLAN, "b2", date(2024, 7, 15))
    assert refused.window.due == date(2024, 7, 12) and refused.derived == Derived.OVERDUE
    assert history_rows(plans, b2)[0]["kind"] == "extension_refused"
    with pytest.raises(DecisionConflictError, match="đã được quyết định"):
        decide_extension(
            plans,
            other.update_id,
            True,
            on(date(2024, 7, 3), "lanh-dao"),
            now=clock(date(2024, 7, 3)),
        )


def test_two_decisions_at_once_one_wins_the_other_is_a_conflict(
    plans: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    a2 = _id(plans, f"{LATENESS_PLAN}/a2")
    asked = request_extension(
        plans,
        a2,
        date(2024, 9, 30),
        "Thiếu kinh phí",
        on(date(2024, 7, 1)),
        RULE,
        now=clock(date(2024, 7, 1)),
    )
    barrier = threading.Barrier(2, timeout=20)
    read_task = history._task_row
    waited = threading.local()

    def read_then_wait(conn, tid):  # type: ignore[no-untyped-def]
        row = read_task(conn, tid)
        if not getattr(waited, "done", False):  # only the first read of each session
            waited.done = True
            barrier.wait()
        return row

    monkeypatch.setattr(history, "_task_row", read_then_wait)
    outcomes: list[object] = []

    def session(name: str, approve: bool) -> None:
        try:
            outcomes.append(
                decide_extension(
                    plans,
                    asked.update_id,
                    approve,
                    on(date(2024, 7, 2), name),
                    reason="Quyết định",
                    now=clock(date(2024, 7, 2)),
                )
            )
        except DecisionConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=session, args=args) for args in (("A", True), ("B", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    conflicts = [o for o in outcomes if isinstance(o, DecisionConflictError)]
    assert len(outcomes) == 2 and len(conflicts) == 1
    decisions = [r for r in history_rows(plans, a2) if r["request_id"] == asked.update_id]
    assert len(decisions) == 1
    assert decisions[0]["actor"] in str(conflicts[0])


def test_a_done_returned_with_a_comment_is_in_progress_and_the_unit_is_mailed(
    plans: Engine,
) -> None:
    b1 = _id(plans, f"{REVIEW_PLAN}/b1")  # lead kh-tc, due 28/6
    reported = record_update(
        plans,
        b1,
        UpdateIn(status=Status.DONE),
        on(date(2024, 6, 20), "kh-tc"),
        now=clock(date(2024, 6, 20)),
    )
    assert reported.status == Status.AWAITING_REVIEW and reported.progress == 100
    waiting = _view(plans, REVIEW_PLAN, "b1", date(2024, 6, 21))
    assert waiting.derived == Derived.AWAITING_REVIEW
    assert waiting.category == Category.IN_PROGRESS_ON_TIME
    # not reminded while awaiting: the unit reported done
    assert "b1" not in {
        t.key for t in reminder_tasks(plans, REVIEW_PLAN, date(2024, 6, 21), OPTIONS)
    }
    with pytest.raises(UpdateError, match="nhận xét"):
        return_done(plans, b1, on(date(2024, 6, 21), "lanh-dao"), " ")
    return_done(
        plans,
        b1,
        on(date(2024, 6, 21), "lanh-dao"),
        "Thiếu biên bản nghiệm thu",
        now=clock(date(2024, 6, 21)),
    )
    back = _view(plans, REVIEW_PLAN, "b1", date(2024, 6, 21))
    assert back.state.status == Status.IN_PROGRESS and back.derived != Derived.AWAITING_REVIEW
    assert find_task(plans, f"{REVIEW_PLAN}/b1")["status"] == "in_progress"
    with plans.connect() as conn:
        mails = list(conn.execute(select(OUTBOX)))
    assert [m.recipient for m in mails] == ["khtc@skhcn.example.vn"]
    message = message_from_bytes(mails[0].raw, policy=default)
    body = message.get_body().get_content()  # type: ignore[union-attr]
    assert "chưa được xác nhận" in str(message["Subject"])
    assert "Thiếu biên bản nghiệm thu" in body and "Đang thực hiện" in body
    assert history_rows(plans, b1)[0]["kind"] == "review_returned"
    # a second return of the same report: nothing awaits any more
    with pytest.raises(DecisionConflictError, match="không chờ xác nhận"):
        confirm_done(plans, b1, on(date(2024, 6, 22), "lanh-dao"), now=clock(date(2024, 6, 22)))


def test_a_confirmed_done_counts_on_the_date_the_unit_reported(plans: Engine) -> None:
    b1 = _id(plans, f"{REVIEW_PLAN}/b1")  # due 28/6
    record_update(
        plans,
        b1,
        UpdateIn(status=Status.DONE, completed_on=date(2024, 6, 27)),
        on(date(2024, 6, 27), "kh-tc"),
        now=clock(date(2024, 6, 27)),
    )
    late_waiting = _view(plans, REVIEW_PLAN, "b1", date(2024, 7, 3))
    assert late_waiting.category == Category.IN_PROGRESS_LATE
    confirm_done(plans, b1, on(date(2024, 7, 4), "lanh-dao"), now=clock(date(2024, 7, 4)))
    done = _view(plans, REVIEW_PLAN, "b1", date(2024, 7, 4))
    assert done.state.status == Status.DONE and done.state.completed_on == date(2024, 6, 27)
    assert done.category == Category.DONE_ON_TIME and done.derived == Derived.DONE_ON_TIME
    # the report as of 3/7 still says what stood then
    assert _view(plans, REVIEW_PLAN, "b1", date(2024, 7, 3)).category == Category.IN_PROGRESS_LATE
    assert [r["kind"] for r in history_rows(plans, b1)] == ["review_confirmed", "update"]


def test_a_plan_file_without_review_has_review_on(plans: Engine) -> None:
    assert "review:" not in (LATENESS_YAML.replace("  review: false\n", ""))
    with plans.connect() as conn:
        review = dict(conn.execute(select(PLAN.c.key, PLAN.c.review)).tuples().all())
    assert review[REVIEW_PLAN] is True and review[LATENESS_PLAN] is False
    b1 = _id(plans, f"{REVIEW_PLAN}/b1")
    done = UpdateIn(status=Status.DONE, completed_on=date(2024, 6, 20))
    result = record_update(plans, b1, done, on(date(2024, 6, 20), "kh-tc"))
    assert result.status == Status.AWAITING_REVIEW
    assert _view(plans, REVIEW_PLAN, "b1", date(2024, 6, 21)).derived == Derived.AWAITING_REVIEW


def test_a_plan_with_review_false_counts_done_at_once(plans: Engine) -> None:
    assert "  review: false\n" in LATENESS_YAML
    b1 = _id(plans, f"{LATENESS_PLAN}/b1")
    result = record_update(
        plans,
        b1,
        UpdateIn(status=Status.DONE),
        on(date(2024, 6, 20), "kh-tc"),
        now=clock(date(2024, 6, 20)),
    )
    assert result.status == Status.DONE
    assert _view(plans, LATENESS_PLAN, "b1", date(2024, 6, 21)).category == Category.DONE_ON_TIME
    with pytest.raises(DecisionConflictError):
        confirm_done(plans, b1, on(date(2024, 6, 21), "lanh-dao"), now=clock(date(2024, 6, 21)))


def test_a_confirmation_and_a_return_at_once_one_wins(
    plans: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    b1 = _id(plans, f"{REVIEW_PLAN}/b1")
    record_update(
        plans,
        b1,
        UpdateIn(status=Status.DONE),
        on(date(2024, 6, 20), "kh-tc"),
        now=clock(date(2024, 6, 20)),
    )
    barrier = threading.Barrier(2, timeout=20)
    read_task = history._task_row
    waited = threading.local()

    def read_then_wait(conn, tid):  # type: ignore[no-untyped-def]
        row = read_task(conn, tid)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return row

    monkeypatch.setattr(history, "_task_row", read_then_wait)
    outcomes: list[object] = []

    def confirm() -> None:
        try:
            outcomes.append(
                confirm_done(plans, b1, on(date(2024, 6, 21), "A"), now=clock(date(2024, 6, 21)))
            )
        except DecisionConflictError as exc:
            outcomes.append(exc)

    def give_back() -> None:
        try:
            outcomes.append(
                return_done(
                    plans, b1, on(date(2024, 6, 21), "B"), "Thiếu", now=clock(date(2024, 6, 21))
                )
            )
        except DecisionConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=confirm), threading.Thread(target=give_back)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    conflicts = [o for o in outcomes if isinstance(o, DecisionConflictError)]
    assert len(outcomes) == 2 and len(conflicts) == 1
    kinds = [r["kind"] for r in history_rows(plans, b1)]
    assert kinds.count("review_confirmed") + kinds.count("review_returned") == 1
    with plans.connect() as conn:
        mails = list(conn.execute(select(OUTBOX)))
    # a mail only when the return won
    assert len(mails) == (1 if "review_returned" in kinds else 0)


def test_what_waits_for_a_decision_and_for_how_long(plans: Engine) -> None:
    from kehoach_flow.tracking.waiting import waiting_decisions

    a2, b1 = _id(plans, f"{LATENESS_PLAN}/a2"), _id(plans, f"{REVIEW_PLAN}/b1")
    asked = request_extension(
        plans,
        a2,
        date(2024, 9, 30),
        "Thiếu kinh phí",
        on(date(2024, 7, 1)),
        RULE,
        now=clock(date(2024, 7, 1)),
    )
    record_update(
        plans,
        b1,
        UpdateIn(status=Status.DONE, completed_on=date(2024, 6, 27)),
        on(date(2024, 7, 3), "kh-tc"),
        now=clock(date(2024, 7, 3)),
    )
    found = waiting_decisions(plans, date(2024, 7, 8), CALENDAR)
    assert [(w.kind, w.plan, w.task, w.since, w.days) for w in found] == [
        ("extension", LATENESS_PLAN, "a2", date(2024, 7, 1), 5),
        ("review", REVIEW_PLAN, "b1", date(2024, 7, 3), 3),
    ]
    assert found[0].request_id == asked.update_id and found[0].requested_due == date(2024, 9, 30)
    assert found[0].label == "Đề nghị gia hạn" and found[1].completed_on == date(2024, 6, 27)
    assert waiting_decisions(plans, date(2024, 7, 8), CALENDAR, [REVIEW_PLAN])[0].task == "b1"
    decide_extension(
        plans, asked.update_id, True, on(date(2024, 7, 8), "lanh-dao"), now=clock(date(2024, 7, 8))
    )
    confirm_done(plans, b1, on(date(2024, 7, 8), "lanh-dao"), now=clock(date(2024, 7, 8)))
    assert waiting_decisions(plans, date(2024, 7, 8), CALENDAR) == []


def test_a_decision_after_the_task_is_done_keeps_its_completion_date(plans: Engine) -> None:
    """Asked in time, done late, approved afterwards: done on time within the extension."""
    a2 = _id(plans, f"{LATENESS_PLAN}/a2")  # due 12/7
    asked = request_extension(
        plans,
        a2,
        date(2024, 7, 31),
        "Chờ số liệu",
        on(date(2024, 7, 1)),
        RULE,
        now=clock(date(2024, 7, 1)),
    )
    record_update(
        plans, a2, UpdateIn(status=Status.DONE), on(date(2024, 7, 20)), now=clock(date(2024, 7, 20))
    )
    decide_extension(
        plans,
        asked.update_id,
        True,
        on(date(2024, 7, 22), "lanh-dao"),
        now=clock(date(2024, 7, 22)),
    )
    assert find_task(plans, f"{LATENESS_PLAN}/a2")["completed_on"] == "2024-07-20"
    view = _view(plans, LATENESS_PLAN, "a2", date(2024, 7, 22))
    assert view.state.completed_on == date(2024, 7, 20)
    assert view.category == Category.DONE_ON_TIME and view.extended_on_time
    assert _view(plans, LATENESS_PLAN, "a2", date(2024, 7, 21)).category == Category.DONE_LATE


def test_a_returned_done_is_back_at_the_progress_the_unit_reported_before(plans: Engine) -> None:
    b1 = _id(plans, f"{REVIEW_PLAN}/b1")
    for day, change in (
        (date(2024, 6, 17), UpdateIn(status=Status.IN_PROGRESS, progress=40)),
        (date(2024, 6, 20), UpdateIn(status=Status.DONE)),
    ):
        record_update(plans, b1, change, on(day, "kh-tc"), now=clock(day))
    assert find_task(plans, f"{REVIEW_PLAN}/b1")["progress"] == 100
    returned = return_done(
        plans, b1, on(date(2024, 6, 21), "lanh-dao"), "Thiếu", now=clock(date(2024, 6, 21))
    )
    assert returned.progress == 40
    assert find_task(plans, f"{REVIEW_PLAN}/b1")["progress"] == 40  # the row, as the fold
    assert _view(plans, REVIEW_PLAN, "b1", date(2024, 6, 21)).state.progress == 40
    assert history_rows(plans, b1)[0]["progress"] == 40
