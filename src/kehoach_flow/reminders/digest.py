"""Digests: one message per recipient per day, listing all of its reminders; a reminder that
turns up later the same day (another plan, a later run) goes out in a follow-up digest."""

from __future__ import annotations

import email.policy
import functools
import random
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from email import message_from_bytes
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from typing import cast
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kehoach_flow.reminders.links import LinkGrant, LinkSigner, update_url
from kehoach_flow.reminders.planner import (
    DECISION_RULES,
    Contact,
    Reminder,
    Role,
    Rule,
    reminder_order,
    short_day,
)

# Most urgent first, as a unit lead reading on a phone should see them; the CSS class names
# the group's colour in the HTML part's one style sheet. A coordinator's decisions come
# first: those waiting too long ("x"), then the others ("w"), sorted by `_group`.
_DECIDE_LATE = ((), "Quá hạn xử lý (chờ quyết định quá lâu)", "#ad1457", "x")
_DECIDE = ((), "Chờ quyết định", "#6a1b9a", "w")
_GROUPS = (
    _DECIDE_LATE,
    _DECIDE,
    ((Rule.OVERDUE, Rule.ESCALATION), "Quá hạn", "#c62828", "q"),
    ((Rule.DUE_TODAY,), "Đến hạn hôm nay", "#ef6c00", "d"),
    ((Rule.BEFORE_DUE,), "Sắp đến hạn", "#0b57d0", "s"),
    ((Rule.PROGRESS_REQUEST,), "Đề nghị cập nhật số liệu cho kỳ báo cáo", "#2e7d32", "r"),
    ((Rule.PARTNER_COPY,), "Để phối hợp (đồng gửi)", "#555555", "p"),
)


@dataclass(frozen=True)
class Digest:
    email: str
    day: date
    recipient: Contact
    reminders: tuple[Reminder, ...]
    sequence: int = 1  # 2, 3, ...: a follow-up with what the day's earlier digests lacked

    @property
    def dedupe_key(self) -> str:
        return digest_key(self.email, self.day, self.sequence)


def digest_key(email: str, day: date, sequence: int = 1) -> str:
    """The outbox key of a recipient's `sequence`-th digest of a day: one row each."""
    first = f"{email}|{day.isoformat()}"
    return first if sequence == 1 else f"{first}|{sequence}"


def digest_sequence(key: str, email: str, day: date) -> int | None:
    """Which of the recipient's digests of `day` this outbox key is, or None if it is not one."""
    first = digest_key(email, day)
    if key == first:
        return 1
    rest = key.removeprefix(first + "|")
    return int(rest) if rest != key and rest.isdigit() else None


@dataclass(frozen=True)
class MailContext:
    base_url: str
    secret: str
    mail_from: str
    link_days: int = 30
    timezone: str = "Asia/Ho_Chi_Minh"


def dated(day: date, timezone: str) -> datetime:
    """The Date of a digest: now when it is built on its day; for a day caught up later or a
    simulated one, that day at 07:30, the time the reminders go out."""
    zone = ZoneInfo(timezone)
    now = datetime.now(zone)
    return now if now.date() == day else datetime.combine(day, time(7, 30), tzinfo=zone)


def vn_day(d: date) -> str:
    """ "ngày 25/3/2024", as a Vietnamese reader writes a date in running text."""
    return f"ngày {d.day}/{d.month}/{d.year}"


def group_digests(reminders: Iterable[Reminder]) -> list[Digest]:
    """One digest per recipient and day, its lines in digest order."""
    by_key: dict[tuple[str, date], list[Reminder]] = defaultdict(list)
    for r in reminders:
        by_key[(r.email, r.day)].append(r)
    return [
        Digest(email, day, items[0].recipient, tuple(sorted(items, key=reminder_order)))
        for (email, day), items in sorted(by_key.items())
    ]


_environment: Environment | None = None  # built on first use, then kept for the process


def environment() -> Environment:
    """The digest templates' environment: compiled once per process, not once per digest."""
    global _environment
    if _environment is None:
        _environment = Environment(
            loader=PackageLoader("kehoach_flow.mail", "templates"),
            autoescape=select_autoescape(["html", "html.j2"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _environment


def _detail(r: Reminder) -> str:
    """What a line adds to its group's title: the day count, who is told and why."""
    if r.rule == Rule.BEFORE_DUE:
        text = f"còn {r.days} ngày làm việc"
    elif r.rule == Rule.OVERDUE:
        text = f"quá hạn {r.days} ngày làm việc"
    elif r.rule == Rule.ESCALATION:
        text = f"báo cáo lãnh đạo: quá hạn {r.days} ngày làm việc"
    else:  # the group's title says it all
        text = ""
    if r.lead_without_mail:
        text += f"{'; ' if text else ''}đơn vị chủ trì chưa có địa chỉ thư: {r.task.lead.name}"
    return text


def _in_group(r: Reminder, group: tuple[tuple[Rule, ...], str, str, str]) -> bool:
    rules, _, _, css = group
    if r.rule in DECISION_RULES:
        return css == ("x" if r.escalated else "w")
    return r.rule in rules


def task_page(base_url: str, plan: str, task: str) -> str:
    """The task's page on the dashboard, where a coordinator signed in decides."""
    return f"{base_url.rstrip('/')}/nhiem-vu/{plan}/{task}"


def _decision_item(r: Reminder, base_url: str) -> dict[str, object]:
    """A decision waiting: the task, its unit, what waits since when, a link to decide."""
    decision = r.decision
    assert decision is not None
    if decision.kind == "extension":
        asked = decision.requested_due
        what = f"Đề nghị gia hạn đến {short_day(asked)}" if asked else "Đề nghị gia hạn"
        what += f" (hạn hiện tại {short_day(r.task.due)})"
        if decision.reason:
            what += f"; lý do: {_one_line(decision.reason)}"
    else:
        done = decision.completed_on
        what = f"Báo hoàn thành ngày {short_day(done)}" if done else "Báo hoàn thành"
        what += f" (hạn {short_day(r.task.due)}), chờ xác nhận"
    since = vn_day(decision.since)
    waited = f"đã chờ {r.days} ngày làm việc (từ {since})" if r.days else f"gửi {since}"
    if r.rule in (Rule.EXTENSION_ESCALATION, Rule.REVIEW_ESCALATION):
        coordinator = r.task.coordinator.name
        waited = f"{coordinator} chưa quyết định, {waited}"
    return {
        "title": r.task.title,
        "section": r.task.section,
        "decision": True,
        "unit": r.task.lead.name,
        "what": what,
        "waited": waited,
        "link": task_page(base_url, r.task.plan, r.task.key),
        "link_text": "Xem và quyết định" if r.role == Role.COORDINATOR else "Xem nhiệm vụ",
    }


def _one_line(text: str, limit: int = 300) -> str:
    """A unit's reason on one line of the digest, cut short when long (the task page has it)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _item(r: Reminder, link: Links) -> dict[str, object]:
    if r.decision is not None:
        return _decision_item(r, link.base_url)
    can_update = r.role in (Role.LEAD, Role.COORDINATOR) and r.rule != Rule.PARTNER_COPY
    return {
        "title": r.task.title,
        "section": r.task.section,
        "decision": False,
        "due_text": f"{r.task.due.day}/{r.task.due.month}/{r.task.due.year}",
        "why": _detail(r),
        "progress": r.task.progress,
        "link": link(LinkGrant(f"{r.task.plan}/{r.task.key}", r.task.lead.unit))
        if can_update
        else None,
    }


def _plans(digest: Digest, link: Links) -> list[dict[str, object]]:
    """The digest's lines under one heading per plan, by urgency within each plan."""
    by_plan: dict[str, list[Reminder]] = defaultdict(list)
    for r in digest.reminders:
        by_plan[r.task.plan].append(r)
    plans: list[dict[str, object]] = []
    for items in by_plan.values():
        groups = []
        for group in _GROUPS:
            _, title, _, css = group
            entries = [_item(r, link) for r in items if _in_group(r, group)]
            if entries:
                groups.append({"title": title, "css": css, "entries": entries})
        title = items[0].task.plan_title or items[0].task.plan
        late = any(r.escalated for r in items)
        plans.append({"title": title, "groups": groups, "late": late})
    # the plans with a decision waiting too long first: "quá hạn xử lý" tops the digest
    return sorted(plans, key=lambda p: not p["late"])


class Links:
    """Signed update links for one batch of digests: each (task, unit) signed once, with a
    key derived once, however many digests carry it."""

    def __init__(self, context: MailContext) -> None:
        self._signer = LinkSigner(context.secret)
        self._base_url = self.base_url = context.base_url
        self._urls: dict[LinkGrant, str] = {}

    def __call__(self, grant: LinkGrant) -> str:
        url = self._urls.get(grant)
        if url is None:
            url = self._urls[grant] = update_url(self._base_url, self._signer, grant)
        return url


def _subject(digest: Digest) -> str:
    tasks = len({(r.task.plan, r.task.key) for r in digest.reminders})
    late = any(r.rule in (Rule.OVERDUE, Rule.ESCALATION) for r in digest.reminders)
    decisions = [r for r in digest.reminders if r.decision is not None]
    prefix = "[Quá hạn] " if late else ""
    if any(r.escalated for r in decisions):
        prefix = "[Quá hạn xử lý] "
    extra = " (bổ sung)" if digest.sequence > 1 else ""
    waiting = f", {len(decisions)} việc chờ quyết định" if decisions else ""
    return f"{prefix}Nhắc việc {vn_day(digest.day)}{extra}: {tasks} nhiệm vụ{waiting}"


def digest_parts(
    digest: Digest, context: MailContext, links: Links | None = None
) -> tuple[str, str, str]:
    """The digest's subject, plain text and HTML; `links` shares the signed links of a
    batch of digests."""
    plans = _plans(digest, links or Links(context))
    coordinator = digest.reminders[0].task.coordinator
    values = {
        "recipient": digest.recipient.name,
        "count": len(digest.reminders),
        "day_text": vn_day(digest.day),
        "plans": plans,
        "styles": [{"css": css, "color": color} for _, _, color, css in _GROUPS],
        "coordinator": coordinator.name,
        "coordinator_email": coordinator.email,
        "link_days": context.link_days,
        "follow_up": digest.sequence > 1,
        "decisions": sum(1 for r in digest.reminders if r.decision is not None),
        "late_decisions": sum(1 for r in digest.reminders if r.escalated),
        "updates": any(r.decision is None for r in digest.reminders),
    }
    env = environment()
    text = env.get_template("digest.txt.j2").render(values)
    html = env.get_template("digest.html.j2").render(values)
    return _subject(digest), text, html


@dataclass(frozen=True)
class BuiltDigest:
    """A digest as the outbox stores it: the message's bytes (CRLF, as SMTP sends them)
    with the subject and Message-ID it carries."""

    subject: str
    message_id: str
    raw: bytes

    def message(self) -> EmailMessage:
        """The bytes parsed back into a message, as a mail reader sees it."""
        return cast(EmailMessage, message_from_bytes(self.raw, policy=email.policy.default))

    # What the outbox reads of a message, without one: its two headers and its bytes.
    def __getitem__(self, name: str) -> str:
        return {"subject": self.subject, "message-id": self.message_id}[name.lower()]

    def as_bytes(self, unixfrom: bool = False, policy: object = None) -> bytes:
        return self.raw


_CRLF = b"\r\n"
_MAX_LINE = 998  # SMTP's limit on a line, CRLF excluded


def build_digest(digest: Digest, context: MailContext, links: Links | None = None) -> BuiltDigest:
    """The digest as the bytes of a multipart/alternative message (text, then HTML, both
    UTF-8 in 8bit), written directly: the `email` package's message objects cost more than
    rendering the digest. Parsed with email.policy.default it reads the same as the message
    `render_digest` builds; a body with a line over SMTP's limit goes that slower way."""
    return digest_bytes(digest, context, *digest_parts(digest, context, links))


def digest_bytes(
    digest: Digest, context: MailContext, subject: str, text: str, html: str
) -> BuiltDigest:
    """The message of `digest_parts`' subject, text and HTML, as `build_digest` writes it."""
    bodies = [_body(text), _body(html)]
    if any(len(line) > _MAX_LINE for body in bodies for line in body.split(_CRLF)):
        message = _message(digest, context, subject, text, html)
        return BuiltDigest(subject, str(message["Message-ID"]), message.as_bytes(policy=SMTP))
    message_id = make_msgid(idstring=digest.day.strftime("%Y%m%d"), domain="kehoach.local")
    boundary = _boundary(bodies)
    lines = [
        b"Subject: " + _header("Subject", subject),
        b"From: " + _from_header(context.mail_from),
        b"To: " + _address(digest.recipient.name, digest.email),
        b"Message-ID: " + message_id.encode("ascii"),
        b"Date: " + format_datetime(dated(digest.day, context.timezone)).encode("ascii"),
        b"MIME-Version: 1.0",
        b"Content-Type: multipart/alternative;",
        b' boundary="' + boundary + b'"',
        b"",
    ]
    for subtype, body in zip((b"plain", b"html"), bodies, strict=True):
        lines += [
            b"--" + boundary,
            b"Content-Type: text/" + subtype + b'; charset="utf-8"',
            b"Content-Transfer-Encoding: 8bit",
            b"",
            body,
        ]
    lines += [b"--" + boundary + b"--", b""]
    return BuiltDigest(subject, message_id, _CRLF.join(lines))


def _body(text: str) -> bytes:
    """A part's body as set_content writes it: UTF-8, CRLF line ends, one at the end."""
    return _CRLF.join(text.encode("utf-8").splitlines()) + _CRLF


def _boundary(bodies: list[bytes]) -> bytes:
    """A boundary in the email package's style that no body line starts with."""
    while True:
        boundary = b"=" * 15 + str(random.randrange(sys.maxsize)).encode("ascii") + b"=="
        if not any(b"--" + boundary in body for body in bodies):
            return boundary


@functools.lru_cache(maxsize=256)  # a day's digests share a handful of subjects
def _header(name: str, value: str) -> bytes:
    """An unstructured header's value: as it is when short ASCII, else RFC 2047 words."""
    if value.isascii() and len(name) + len(value) < 76:
        return value.encode("ascii")
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n").encode("ascii")


def _address(display: str, address: str) -> bytes:
    """An address header's value, a display name not in ASCII as one RFC 2047 word: mail
    readers (Python's too) put a space between two encoded words of a phrase, mid-word."""
    return formataddr((display, address), charset="utf-8").encode("ascii")


@functools.lru_cache(maxsize=8)
def _from_header(mail_from: str) -> bytes:
    """The From header as the email package folds it: the same for every digest."""
    folded = SMTP.header_factory("From", mail_from).fold(policy=SMTP).encode("ascii")
    return folded.removeprefix(b"From: ").removesuffix(_CRLF)


def render_digest(digest: Digest, context: MailContext, links: Links | None = None) -> EmailMessage:
    """The digest as a plain text + HTML message object; `links` shares the signed links of
    a batch of digests. The outbox stores `build_digest`'s bytes instead, which read the same."""
    return build_digest(digest, context, links).message()


def _message(
    digest: Digest, context: MailContext, subject: str, text: str, html: str
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = context.mail_from
    message["To"] = formataddr((digest.recipient.name, digest.email))
    message["Message-ID"] = make_msgid(
        idstring=digest.day.strftime("%Y%m%d"), domain="kehoach.local"
    )
    message["Date"] = format_datetime(dated(digest.day, context.timezone))
    # 8bit: UTF-8 as it is, a third lighter than base64 and half of quoted-printable for
    # Vietnamese. Every line stays far under SMTP's 998 bytes; a server without 8BITMIME
    # gets the part re-encoded as base64 by the client (tests/mail covers it).
    message.set_content(text, cte="8bit")
    message.add_alternative(html, subtype="html", cte="8bit")
    return message
