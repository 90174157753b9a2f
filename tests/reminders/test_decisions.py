"""What waits for the coordinator's decision goes into the coordinator's digest (issue 22,
point 3): extension requests and done reports awaiting confirmation, with a link to the task
page; escalated after `decision_escalate_days` working days (the coordinator unit's head is
told); gone once decided; never twice the same day; on SQLite and Postgres."""

from __future__ import annotations

from datetime import date, datetime, time
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from kehoach_flow.db.queries import find_task
from kehoach_flow.db.tables import OUTBOX
from kehoach_flow.loading import load_path
from kehoach_flow.mail.transport import FileTransport
from kehoach_flow.reminders.decisions import waiting_at
from kehoach_flow.reminders.planner import DECISION_RULES, Decision, Reminder, Rule, describe
from kehoach_flow.reminders.sweep import SweepResult, plan_day, sweep
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.extensions import ExtensionRule, decide_extension, request_extension
from kehoach_flow.tracking.history import Author, UpdateIn, load_history, record_update
from kehoach_flow.tracking.review import confirm_done
from kehoach_flow.tracking.state import end_of_day
from kehoach_flow.tracking.status import Status
from kehoach_flow.workdays import vietnam_calendar
from tests.tracking.helpers import LATENESS_PLAN, LATENESS_YAML, write_lateness_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RULE = ExtensionRule(vietnam_calendar([2024]), notice_days=5)
OTHER = "khac-2024"  # the same tasks, coordinated by Phòng KH-TC
REVIEWED = "xac-nhan-2024"  # the same tasks, done reports confirmed by Phòng QL TCĐLCL
COORDINATOR = "qltcdlcl@skhcn.example.vn"
HEAD = "truongphong.qltcdlcl@skhcn.example.vn"
OTHER_COORDINATOR = "khtc@skhcn.example.vn"


def on(day: date, actor: str = "kh-tc") -> Author:
    return Author(actor, "cli", datetime.combine(day, time(9), tzinfo=TZ))


def clock(day: date) -> datetime:
    return datetime.combine(day, time(18), tzinfo=TZ)


@pytest.fixture
def plans(engine: Engine, definitions_copy: Path) -> Engine:
    write_lateness_plan(definitions_copy)
    for key, old, new in (
        (OTHER, "coordinator: qltcdlcl", "coordinator: kh-tc"),
        (REVIEWED, "review: false", "review: true"),
    ):
        text = (
            LATENESS_YAML.replace(f"key: {LATENESS_PLAN}", f"key: {key}")
            .replace(old, new)
            .replace("trễ hạn", key)
        )
        (definitions_copy / "plans" / f"{key}.yaml").write_text(text, encoding="utf-8")
    load_path(engine, definitions_copy)
    return engine


def _id(engine: Engine, ref: str) -> int:
    return int(find_task(engine, ref)["id"])


def ask(engine: Engine, plan: str, task: str, day: date, to: date) -> int:
    return request_extension(
        engine,
        _id(engine, f"{plan}/{task}"),
        to,
        "Chờ số liệu quý II",
        on(day),
        RULE,
        now=clock(day),
    ).update_id


def decisions(engine: Engine, settings: Settings, day: date) -> list[Reminder]:
    return [r for r in plan_day(engine, settings, day).reminders if r.rule in DECISION_RULES]


def run(engine: Engine, settings: Settings, day: date) -> SweepResult:
    return sweep(engine, settings, FileTransport(settings.data_dir / "outbox"), day)


def mails(engine: Engine, day: date) -> dict[str, list[object]]:
    """The day's messages by recipient, parsed, oldest first."""
    found: dict[str, list[object]] = {}
    query = select(OUTBOX).where(OUTBOX.c.day == day).order_by(OUTBOX.c.id)
    with engine.connect() as conn:
        for row in conn.execute(query):
            found.setdefault(row.recipient, []).append(message_from_bytes(row.raw, policy=default))
    return found


def text_of(message: object) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[attr-defined]


def test_a_request_goes_to_its_plans_coordinator_with_a_link_to_decide(
    plans: Engine, settings: Settings
) -> None:
    ask(plans, OTHER, "a2", date(2024, 7, 1), date(2024, 8, 30))  # due 12/7, coordinator KH-TC
    found = decisions(plans, settings, date(2024, 7, 2))
    assert [(r.email, r.rule, r.task.plan, r.task.key, r.days) for r in found] == [
        (OTHER_COORDINATOR, Rule.EXTENSION_WAITING, OTHER, "a2", 1)
    ]  # not the coordinator of the other plans
    result = run(plans, settings, date(2024, 7, 2))
    assert result.delivery.sent == len(mails(plans, date(2024, 7, 2)))
    [message] = mails(plans, date(2024, 7, 2))[OTHER_COORDINATOR]
    body = text_of(message)
    assert "Chờ quyết định:" in body and "Trong đó 1 việc chờ quyết định." in body
    assert "Đề nghị gia hạn đến 30/8/2024 (hạn hiện tại 12/7/2024); lý do: Chờ số liệu" in body
    assert "đã chờ 1 ngày làm việc (từ ngày 1/7/2024)" in body
    assert f"Xem và quyết định: {settings.base_url}/nhiem-vu/{OTHER}/a2" in body
    assert "1 việc chờ quyết định" in str(message["Subject"])  # type: ignore[index]
    assert "Quá hạn xử lý" not in body
    html = message.get_body(("html",)).get_content()  # type: ignore[attr-defined]
    assert f'href="{settings.base_url}/nhiem-vu/{OTHER}/a2"' in html
    for address in (COORDINATOR, HEAD):
        assert all(
            "nhiem-vu" not in text_of(m) for m in mails(plans, date(2024, 7, 2)).get(address, [])
        )


def test_a_decision_waiting_too_long_is_escalated_and_gone_once_decided(
    plans: Engine, settings: Settings
) -> None:
    settings = settings.model_copy(update={"decision_escalate_days": 3})
    request = ask(plans, LATENESS_PLAN, "b2", date(2024, 7, 1), date(2024, 8, 30))

    def seen(day: date) -> list[tuple[str, Rule, int, bool]]:
        return [(r.email, r.rule, r.days, r.escalated) for r in decisions(plans, settings, day)]

    assert seen(date(2024, 7, 1)) == [(COORDINATOR, Rule.EXTENSION_WAITING, 0, False)]
    assert seen(date(2024, 7, 3)) == [(COORDINATOR, Rule.EXTENSION_WAITING, 2, False)]
    assert seen(date(2024, 7, 6)) == []  # a Saturday: no reminders
    assert seen(date(2024, 7, 4)) == [
        (COORDINATOR, Rule.EXTENSION_WAITING, 3, True),
        (HEAD, Rule.EXTENSION_ESCALATION, 3, True),
    ]
    escalated = decisions(plans, settings, date(2024, 7, 4))
    assert [describe(r) for r in escalated] == [  # as `kehoach remind --dry-run` lists them
        "quá hạn xử lý: đề nghị gia hạn đến 30/8/2024; đã chờ 3 ngày làm việc",
        "báo cáo lãnh đạo: điều phối viên chưa quyết định, đề nghị gia hạn đến 30/8/2024; "
        "đã chờ 3 ngày làm việc",
    ]
    # the head again every 3 working days (the plan's overdue_every), the coordinator daily
    assert seen(date(2024, 7, 5)) == [(COORDINATOR, Rule.EXTENSION_WAITING, 4, True)]
    assert [e for e, *_ in seen(date(2024, 7, 9))] == [COORDINATOR, HEAD]
    run(plans, settings, date(2024, 7, 4))
    [message] = mails(plans, date(2024, 7, 4))[COORDINATOR]
    assert str(message["Subject"]).startswith("[Quá hạn xử lý] ")  # type: ignore[index]
    body = text_of(message)
    assert body.index("Quá hạn xử lý (chờ quyết định quá lâu):") < body.index("Việc B2")
    assert "Trong đó 1 việc chờ quyết định, 1 việc đã quá hạn xử lý." in body
    [copy] = mails(plans, date(2024, 7, 4))[HEAD]
    assert "Phòng Quản lý TCĐLCL chưa quyết định, đã chờ 3 ngày làm việc" in text_of(copy)
    assert f"Xem nhiệm vụ: {settings.base_url}/nhiem-vu/{LATENESS_PLAN}/b2" in text_of(copy)
    decide_extension(
        plans,
        request,
        False,
        on(date(2024, 7, 8), "lanh-dao"),
        reason="Không",
        now=clock(date(2024, 7, 8)),
    )
    assert seen(date(2024, 7, 8)) == seen(date(2024, 7, 9)) == []


def test_a_done_awaiting_confirmation_waits_for_the_coordinator_until_confirmed(
    plans: Engine, settings: Settings
) -> None:
    b1 = _id(plans, f"{REVIEWED}/b1")
    done = UpdateIn(status=Status.DONE, completed_on=date(2024, 6, 27))
    record_update(plans, b1, done, on(date(2024, 7, 1)), now=clock(date(2024, 7, 1)))
    [waiting] = decisions(plans, settings, date(2024, 7, 2))
    assert (waiting.email, waiting.rule, waiting.days) == (COORDINATOR, Rule.REVIEW_WAITING, 1)
    run(plans, settings, date(2024, 7, 2))
    body = text_of(mails(plans, date(2024, 7, 2))[COORDINATOR][0])
    assert "Báo hoàn thành ngày 27/6/2024 (hạn 28/6/2024), chờ xác nhận" in body
    assert f"/nhiem-vu/{REVIEWED}/b1" in body
    confirm_done(plans, b1, on(date(2024, 7, 3), "lanh-dao"), now=clock(date(2024, 7, 3)))
    assert decisions(plans, settings, date(2024, 7, 3)) == []
    # a day caught up later says what waited then
    assert [r.rule for r in decisions(plans, settings, date(2024, 7, 2))] == [Rule.REVIEW_WAITING]


def test_a_rerun_sends_nothing_twice_and_notices_a_new_request(
    plans: Engine, settings: Settings
) -> None:
    day = date(2024, 7, 2)
    ask(plans, LATENESS_PLAN, "b2", date(2024, 7, 1), date(2024, 8, 30))
    first = run(plans, settings, day)
    assert first.planned and first.delivery.sent > 0
    again = run(plans, settings, day)
    assert (again.planned, again.queued, again.delivery.sent) == (False, 0, 0)
    ask(plans, OTHER, "b2", day, date(2024, 8, 30))  # a new request that day
    later = run(plans, settings, day)
    assert later.planned is True  # the rerun record noticed it: no skip
    assert (later.queued, later.follow_ups) == (1, 1)
    held = mails(plans, day)
    [follow_up] = held[OTHER_COORDINATOR][1:]
    assert "(bổ sung)" in str(follow_up["Subject"])  # type: ignore[index]
    assert f"/nhiem-vu/{OTHER}/b2" in text_of(follow_up)
    assert len(held[COORDINATOR]) == 1  # the first request's line is not sent again
    assert run(plans, settings, day).delivery.sent == 0


def test_what_waits_is_folded_from_history_up_to_the_day(plans: Engine) -> None:
    b2 = _id(plans, f"{LATENESS_PLAN}/b2")
    request = ask(plans, LATENESS_PLAN, "b2", date(2024, 7, 1), date(2024, 8, 30))
    decide_extension(
        plans, request, True, on(date(2024, 7, 3), "lanh-dao"), now=clock(date(2024, 7, 3))
    )
    with plans.connect() as conn:
        history = load_history(conn, select(1).scalar_subquery() == 1)[b2]
    tz = "Asia/Ho_Chi_Minh"
    assert waiting_at(history, end_of_day(date(2024, 7, 2), tz), tz) == [
        Decision("extension", date(2024, 7, 1), date(2024, 8, 30), "Chờ số liệu quý II")
    ]
    assert waiting_at(history, end_of_day(date(2024, 7, 3), tz), tz) == []


def test_the_plan_with_a_decision_waiting_too_long_heads_the_digest() -> None:
    from dataclasses import replace

    from kehoach_flow.reminders.digest import MailContext, group_digests, render_digest
    from kehoach_flow.reminders.planner import Contact, plan_decisions
    from kehoach_flow.workdays import WorkCalendar
    from tests.reminders.helpers import COORD, task

    plain = WorkCalendar(holidays={}, working_weekends={})
    day = date(2024, 7, 10)  # a Wednesday
    early = replace(task(date(2024, 7, 31), key="a1"), plan="a-plan", plan_title="Kế hoạch A")
    late = replace(task(date(2024, 7, 31), key="z1"), plan="z-plan", plan_title="Kế hoạch Z")
    waiting = [
        (early, Decision("review", date(2024, 7, 9), completed_on=date(2024, 7, 8))),
        (late, Decision("extension", date(2024, 7, 1), date(2024, 9, 30), "Lý do\ndài")),
    ]
    head = Contact(COORD.unit, "Trưởng phòng", "tp@example.vn")
    found = plan_decisions(waiting, day, plain, 3, head)
    assert [(r.email, r.task.key, r.days, r.escalated) for r in found] == [
        (COORD.email, "a1", 1, False),
        (COORD.email, "z1", 7, True),  # the head: on the 3rd working day, then the 6th, 9th
    ]
    assert [r.email for r in plan_decisions(waiting[1:], date(2024, 7, 9), plain, 3, head)] == [
        COORD.email,
        "tp@example.vn",
    ]
    digest = next(d for d in group_digests(found) if d.email == COORD.email)
    context = MailContext("https://kehoach.example.vn", "bi-mat", "kehoach@example.vn")
    body = render_digest(digest, context).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.index("== Kế hoạch Z ==") < body.index("== Kế hoạch A ==")
    assert "lý do: Lý do dài" in body  # on one line
    # a coordinator unit without an address: its head is told instead
    no_mail = replace(early, coordinator=Contact(COORD.unit, COORD.name, None))
    [instead] = plan_decisions([(no_mail, waiting[0][1])], day, plain, 3, head)
    assert (instead.email, instead.role.value) == ("tp@example.vn", "head")


def test_how_long_a_decision_may_wait_is_a_setting(
    plans: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEHOACH_DECISION_ESCALATE_DAYS", "5")
    assert Settings(_env_file=None).decision_escalate_days == 5  # type: ignore[call-arg]
    assert Settings.model_fields["decision_escalate_days"].default == 3
    patient = settings.model_copy(update={"decision_escalate_days": 5})
    ask(plans, LATENESS_PLAN, "b2", date(2024, 7, 1), date(2024, 8, 30))
    assert [r.escalated for r in decisions(plans, patient, date(2024, 7, 5))] == [False]
    assert [r.escalated for r in decisions(plans, patient, date(2024, 7, 8))] == [True, True]


def test_the_digest_and_the_pages_count_the_same_days(plans: Engine, settings: Settings) -> None:
    from kehoach_flow.tracking.waiting import waiting_decisions
    from kehoach_flow.tracking.workcalendar import work_calendar

    ask(plans, OTHER, "a2", date(2024, 7, 1), date(2024, 8, 30))
    b1 = _id(plans, f"{REVIEWED}/b1")
    record_update(
        plans, b1, UpdateIn(status=Status.DONE), on(date(2024, 7, 3)), now=clock(date(2024, 7, 3))
    )
    day = date(2024, 7, 9)
    digest = {
        (r.task.plan, r.task.key, r.decision.kind, r.days)
        for r in decisions(plans, settings, day)
        if r.decision
    }
    pages = waiting_decisions(plans, day, work_calendar(settings))
    assert (
        digest
        == {(w.plan, w.task, w.kind, w.days) for w in pages}
        == {
            (OTHER, "a2", "extension", 6),
            (REVIEWED, "b1", "review", 4),
        }
    )


def test_a_digest_stored_before_a_crash_is_sent_by_the_next_run_once(
    plans: Engine, settings: Settings
) -> None:
    from kehoach_flow.reminders.sweep import queue_day

    day = date(2024, 7, 2)
    ask(plans, OTHER, "a2", date(2024, 7, 1), date(2024, 8, 30))
    stored = queue_day(plans, settings, day)  # stored, then the run died before delivering
    assert stored.queued == len(mails(plans, day))
    after = run(plans, settings, day)
    assert after.queued == 0 and after.delivery.sent == stored.queued
    with plans.connect() as conn:
        rows = list(conn.execute(select(OUTBOX.c.status, OUTBOX.c.reminder_keys)))
    assert {status for status, _ in rows} == {"sent"}
    keys = [k for _, held in rows for k in held if "|extension_waiting|" in k]
    assert keys == [f"{OTHER_COORDINATOR}|extension_waiting|{OTHER}/a2|2024-07-02"]
