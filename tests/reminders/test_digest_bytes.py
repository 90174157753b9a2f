"""Digest bytes built directly read, with email.policy.default, as the EmailMessage built
from the same subject, text and HTML; and the outbox stores and sends them as they are."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, compat32, default
from email.utils import format_datetime, formataddr

import pytest

from kehoach_flow.reminders.digest import (
    Digest,
    MailContext,
    dated,
    digest_bytes,
    digest_parts,
    group_digests,
)
from kehoach_flow.reminders.planner import Contact, plan_reminders
from kehoach_flow.workdays import WorkCalendar
from tests.reminders.helpers import LEAD, task

PLAIN = WorkCalendar(holidays={}, working_weekends={})
CONTEXT = MailContext(
    "https://kehoach.example.vn", "bi-mat", "Kế hoạch <kehoach@example.vn>", link_days=30
)
NAMES = [
    "Trung tâm KT",
    "Phòng Kế hoạch - Tài chính",
    "Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng Sở Khoa học và Công nghệ tỉnh Quảng Nam",
    'Đơn vị (thử), "ngoặc"',
    "Unit A. Smith",
]


def _digest(name: str, sequence: int = 1) -> Digest:
    lead = Contact(LEAD.unit, name, LEAD.email)
    tasks = [task(date(2024, 10, 31), lead=lead, key=k) for k in ("a", "b")]
    [digest] = [
        d
        for d in group_digests(plan_reminders(tasks, date(2024, 11, 5), PLAIN))
        if d.email == LEAD.email
    ]
    return replace(digest, sequence=sequence)


def _email_message(digest: Digest, subject: str, text: str, html: str) -> EmailMessage:
    """The message as render_digest built it with the email package before."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = CONTEXT.mail_from
    message["To"] = formataddr((digest.recipient.name, digest.email))
    message["Message-ID"] = "<1.20241105@kehoach.local>"
    message["Date"] = format_datetime(dated(digest.day, CONTEXT.timezone))
    message.set_content(text, cte="8bit")
    message.add_alternative(html, subtype="html", cte="8bit")
    return message


def _read(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=default)  # type: ignore[return-value]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("sequence", [1, 2])
def test_built_bytes_read_as_the_email_message_built_from_the_same_parts(
    name: str, sequence: int
) -> None:
    digest = _digest(name, sequence)
    subject, text, html = digest_parts(digest, CONTEXT)
    built = digest_bytes(digest, CONTEXT, subject, text, html)
    before = _read(_email_message(digest, subject, text, html).as_bytes(policy=SMTP))
    after = _read(built.raw)
    assert after.defects == [] and all(part.defects == [] for part in after.walk())
    # The email package's folding can drop a space between encoded words of a long
    # Vietnamese subject or name; the bytes built directly keep it, so both are compared
    # with what was meant as well as with each other's parsed values.
    assert str(after["Subject"]) == subject == built.subject
    [to] = after["To"].addresses
    assert (to.display_name, to.addr_spec) == (name, digest.email)
    [before_to] = before["To"].addresses
    assert before_to.addr_spec == to.addr_spec
    for header in ("From", "Date", "MIME-Version"):
        assert str(after[header]) == str(before[header])
    assert after["Message-ID"] == built.message_id and built.message_id.endswith("@kehoach.local>")
    assert after.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        new, old = after.get_body((kind,)), before.get_body((kind,))
        assert new is not None and old is not None
        assert new.get_content() == old.get_content()
        assert new.get_content_charset() == old.get_content_charset() == "utf-8"
        assert new["Content-Transfer-Encoding"] == old["Content-Transfer-Encoding"] == "8bit"
    assert [p.get_content_type() for p in after.iter_parts()] == ["text/plain", "text/html"]


def test_built_bytes_have_crlf_lines_within_smtp_limits_and_parse_with_compat32() -> None:
    digest = _digest(NAMES[2])
    built = digest_bytes(digest, CONTEXT, *digest_parts(digest, CONTEXT))
    lines = built.raw.split(b"\r\n")
    assert built.raw.endswith(b"\r\n") and b"\n" not in built.raw.replace(b"\r\n", b"")
    header_end = lines.index(b"")
    assert all(line.isascii() for line in lines[:header_end])
    subject_lines = lines[: next(i for i, x in enumerate(lines) if x.startswith(b"From:"))]
    assert all(len(line) <= 78 for line in subject_lines)
    assert all(len(line) <= 998 for line in lines)
    outbox_view = message_from_bytes(built.raw, policy=compat32)
    assert outbox_view["Message-ID"] == built.message_id
    assert outbox_view.get_content_type() == "multipart/alternative"
