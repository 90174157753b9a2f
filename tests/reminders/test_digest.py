"""Digests: one message per recipient and day, Vietnamese, text and HTML, signed links."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from kehoach_flow.reminders.digest import MailContext, group_digests, render_digest, vn_day
from kehoach_flow.reminders.links import read_token
from kehoach_flow.reminders.planner import plan_reminders
from kehoach_flow.workdays import WorkCalendar
from tests.reminders.helpers import COORD, NO_MAIL, task

PLAIN = WorkCalendar(holidays={}, working_weekends={})
CONTEXT = MailContext(
    "https://kehoach.example.vn", "bi-mat", "Kế hoạch <kehoach@example.vn>", link_days=30
)


def _parsed(message: EmailMessage) -> EmailMessage:
    return message_from_bytes(message.as_bytes(), policy=default)  # type: ignore[return-value]


def test_one_digest_per_recipient_and_day_with_every_task() -> None:
    tasks = [
        task(date(2024, 10, 31), key="a"),
        task(date(2024, 10, 31), key="b"),
        task(date(2024, 10, 31), lead=NO_MAIL, key="c"),
    ]
    digests = group_digests(plan_reminders(tasks, date(2024, 10, 22), PLAIN))
    assert [(d.email, len(d.reminders)) for d in digests] == [
        ("qltcdlcl@example.vn", 1),
        ("ttkt@example.vn", 2),
    ]
    assert digests[1].dedupe_key == "ttkt@example.vn|2024-10-22"


def test_rendered_digest_reads_back_in_vietnamese_with_both_parts_and_a_working_link() -> None:
    late = task(date(2024, 10, 31), key="khao-sat")
    [digest] = group_digests(plan_reminders([late], date(2024, 11, 5), PLAIN))
    message = _parsed(render_digest(digest, CONTEXT))
    assert message["Subject"] == "[Quá hạn] Nhắc việc ngày 5/11/2024: 1 nhiệm vụ"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Kính gửi Trung tâm KT" in text and "quá hạn 3 ngày làm việc" in text
    assert "hạn 31/10/2024; quá hạn 3 ngày làm việc" in text
    assert "Phòng QL TCĐLCL (qltcdlcl@example.vn)" in text
    link = next(
        word for word in text.split() if word.startswith("https://kehoach.example.vn/cap-nhat/")
    )
    grant = read_token("bi-mat", link.rsplit("/", 1)[1], max_age_days=30)
    assert (grant.task, grant.unit) == ("p/khao-sat", "ttkt")
    assert link in html


def test_lead_without_mail_reaches_the_coordinator_marked_so() -> None:
    [digest] = group_digests(
        plan_reminders([task(date(2024, 10, 31), lead=NO_MAIL)], date(2024, 10, 22), PLAIN)
    )
    assert digest.email == COORD.email
    text = render_digest(digest, CONTEXT).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "đơn vị chủ trì chưa có địa chỉ thư: Các doanh nghiệp" in text


def test_html_escapes_a_title_with_markup() -> None:
    hostile = task(date(2024, 10, 31))
    hostile = hostile.__class__(
        **{**hostile.__dict__, "title": 'Khảo sát <script>alert("x")</script> & đo lường'}
    )
    [digest] = group_digests(plan_reminders([hostile], date(2024, 10, 22), PLAIN))
    html = render_digest(digest, CONTEXT).get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp; đo lường" in html


def test_dates_in_text_have_no_leading_zero() -> None:
    assert vn_day(date(2024, 3, 5)) == "ngày 5/3/2024"
