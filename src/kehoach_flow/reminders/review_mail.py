"""The mail telling a lead unit that the coordinator returned its "done": queued in the
outbox (sent by the sender like every digest) in the transaction that records the return."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from kehoach_flow.db.tables import OUTBOX, PLAN, UNIT
from kehoach_flow.reminders.links import LinkGrant, update_url
from kehoach_flow.reminders.outbox import PENDING
from kehoach_flow.tracking.authors import author_name, read_directory

if TYPE_CHECKING:
    from kehoach_flow.tracking.history import Author


def returned_key(email: str, plan: str, task: str, entry_id: int) -> str:
    """The outbox key of one return's mail: one per return entry."""
    return f"{email}|tra-lai|{plan}/{task}|{entry_id}"


def queue_returned(
    conn: Connection,
    task: Any,
    entry_id: int,
    comment: str,
    author: Author,
    at: datetime,
    base_url: str = "",
    mail_from: str = "kehoach@localhost",
    secret: str = "",
) -> str | None:
    """Queue the mail to the task's lead unit (its address, else its head's); the recipient,
    or None when the unit has no address. With `base_url` and `secret` it carries the task's
    signed update link (unit leads have no dashboard account), and it names who returned the
    task as the pages do (a person's or unit's name, not an account's code)."""
    unit = conn.execute(select(UNIT).where(UNIT.c.id == task.lead_id)).one()
    plan = conn.execute(select(PLAN.c.key, PLAN.c.title).where(PLAN.c.id == task.plan_id)).one()
    email = unit.email or unit.head_email
    if not email:
        return None
    name = unit.short or unit.name
    who = author_name(author.actor, author.channel, read_directory(conn)).who
    grant = LinkGrant(f"{plan.key}/{task.key}", unit.key)
    link = update_url(base_url, secret, grant) if base_url and secret else None
    zone = ZoneInfo(author.timezone)
    local = at.astimezone(zone)
    subject = f"[kehoach] Nhiệm vụ chưa được xác nhận hoàn thành: {task.title}"
    lines = [
        f"Kính gửi {name},",
        "",
        f"Nhiệm vụ \u201c{task.title}\u201d thuộc {plan.title} được báo cáo hoàn thành nhưng "
        f"chưa được xác nhận: {who} trả lại lúc {local:%H:%M ngày %d/%m/%Y} "
        "với nhận xét:",
        "",
        f"    {comment}",
        "",
        "Nhiệm vụ trở lại trạng thái Đang thực hiện. Đề nghị đơn vị hoàn thiện theo nhận xét "
        "rồi báo cáo hoàn thành lại"
        + (f" tại: {link}" if link else " qua đường dẫn cập nhật trong thư nhắc việc."),
        "",
        "Trân trọng.",
    ]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = formataddr((name, email))
    message["Message-ID"] = make_msgid(idstring=f"{local:%Y%m%d}", domain="kehoach.local")
    message["Date"] = format_datetime(local)
    message.set_content("\n".join(lines), cte="8bit")
    now = datetime.now(UTC)
    conn.execute(
        OUTBOX.insert(),
        [
            {
                "dedupe_key": returned_key(email, plan.key, task.key, entry_id),
                "day": local.date(),
                "recipient": email,
                "subject": subject,
                "message_id": str(message["Message-ID"]),
                "raw": message.as_bytes(policy=SMTP),
                # as a reminder's key, so a scoped account sees the mail of its plans
                "reminder_keys": [
                    f"{email}|review_returned|{plan.key}/{task.key}|{local.date().isoformat()}"
                ],
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        ],
    )
    return email
