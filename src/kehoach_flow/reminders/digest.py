"""Digests: one message per recipient per day, listing all of its reminders; a reminder that
turns up later the same day (another plan, a later run) goes out in a follow-up digest."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kehoach_flow.reminders.links import LinkGrant, update_url
from kehoach_flow.reminders.planner import (
    Contact,
    Reminder,
    Role,
    Rule,
    describe,
    reminder_order,
)

# Most urgent first, as a unit lead reading on a phone should see them.
_GROUPS = (
    ((Rule.OVERDUE, Rule.ESCALATION), "Quá hạn", "#c62828"),
    ((Rule.DUE_TODAY,), "Đến hạn hôm nay", "#ef6c00"),
    ((Rule.BEFORE_DUE,), "Sắp đến hạn", "#0b57d0"),
    ((Rule.PROGRESS_REQUEST,), "Đề nghị cập nhật số liệu cho kỳ báo cáo", "#2e7d32"),
    ((Rule.PARTNER_COPY,), "Để phối hợp (đồng gửi)", "#555555"),
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


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("kehoach_flow.mail", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _item(r: Reminder, context: MailContext) -> dict[str, object]:
    can_update = r.role in (Role.LEAD, Role.COORDINATOR) and r.rule != Rule.PARTNER_COPY
    grant = LinkGrant(f"{r.task.plan}/{r.task.key}", r.task.lead.unit)
    return {
        "title": r.task.title,
        "plan_title": r.task.plan_title or r.task.plan,
        "section": r.task.section,
        "due_text": vn_day(r.task.due),
        "why": describe(r),
        "progress": r.task.progress,
        "link": update_url(context.base_url, context.secret, grant) if can_update else None,
    }


def _subject(digest: Digest) -> str:
    tasks = len({(r.task.plan, r.task.key) for r in digest.reminders})
    late = any(r.rule in (Rule.OVERDUE, Rule.ESCALATION) for r in digest.reminders)
    extra = " (bổ sung)" if digest.sequence > 1 else ""
    return f"{'[Quá hạn] ' if late else ''}Nhắc việc {vn_day(digest.day)}{extra}: {tasks} nhiệm vụ"


def render_digest(digest: Digest, context: MailContext) -> EmailMessage:
    """The digest as a plain text + HTML message, ready for the outbox."""
    groups = []
    for rules, title, color in _GROUPS:
        items = [_item(r, context) for r in digest.reminders if r.rule in rules]
        if items:
            groups.append({"title": title, "color": color, "entries": items})
    coordinator = digest.reminders[0].task.coordinator
    values = {
        "recipient": digest.recipient.name,
        "count": sum(len(g["entries"]) for g in groups),
        "day_text": vn_day(digest.day),
        "groups": groups,
        "coordinator": coordinator.name,
        "coordinator_email": coordinator.email,
        "link_days": context.link_days,
        "follow_up": digest.sequence > 1,
    }
    env = _environment()
    message = EmailMessage()
    message["Subject"] = _subject(digest)
    message["From"] = context.mail_from
    message["To"] = formataddr((digest.recipient.name, digest.email))
    message["Message-ID"] = make_msgid(
        idstring=digest.day.strftime("%Y%m%d"), domain="kehoach.local"
    )
    message["Date"] = format_datetime(dated(digest.day, context.timezone))
    message.set_content(env.get_template("digest.txt.j2").render(values))
    message.add_alternative(env.get_template("digest.html.j2").render(values), subtype="html")
    return message
