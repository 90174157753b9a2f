"""A scheduled job that failed for good is told to people: one mail through the outbox to
the coordinator units of the plans being tracked and to the operator (KEHOACH_OPERATOR_EMAIL),
sent at once when the mail server answers, later by the outbox otherwise."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from kehoach_flow.db.tables import PLAN, UNIT
from kehoach_flow.reminders.outbox import OUTBOX, PENDING
from kehoach_flow.settings import Settings
from kehoach_flow.timefmt import local

log = logging.getLogger("kehoach.serve")


def alert_recipients(engine: Engine, settings: Settings) -> list[str]:
    """The coordinator units' addresses of the plans being tracked, then the operator's."""
    query = (
        select(UNIT.c.email)
        .join(PLAN, PLAN.c.coordinator_id == UNIT.c.id)
        .where(PLAN.c.archived_at.is_(None), UNIT.c.email.is_not(None))
        .distinct()
    )
    with engine.connect() as conn:
        found = sorted({str(e).strip() for e in conn.execute(query).scalars() if str(e).strip()})
    operator = (settings.operator_email or "").strip()
    if operator and operator not in found:
        found.append(operator)
    return found


def alert_message(
    settings: Settings, job: str, slot: datetime, reason: str, to: list[str]
) -> EmailMessage:
    when = local(slot, settings)
    base = settings.base_url.rstrip("/")
    message = EmailMessage()
    message["Subject"] = f"[kehoach] Việc {job} lúc {when:%H:%M %d/%m/%Y} không chạy được"
    message["From"] = settings.mail_from
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(idstring=f"alert-{job}", domain="kehoach.local")
    flow = job.replace("-", "_")
    message.set_content(
        f"Việc {job} theo lịch lúc {when:%H:%M} ngày {when:%d/%m/%Y} không chạy được, "
        "dịch vụ kehoach serve đã thôi thử lại.\n\n"
        f"Lý do: {reason}\n\n"
        f"Xem các lần chạy: {base}/luong\n"
        f"Sau khi khắc phục, chạy lại bằng tay: kehoach run {flow} "
        f"--date {when:%Y-%m-%d}\n\n"
        "Thư này do kehoach-flow gửi tự động.\n"
    )
    return message


def queue_alert(
    engine: Engine, settings: Settings, job: str, slot: datetime, reason: str
) -> list[str]:
    """Store the job's alert in the outbox (once per slot, whoever calls); its recipients,
    none when no coordinator unit nor the operator has an address."""
    to = alert_recipients(engine, settings)
    if not to:
        log.error("không có địa chỉ nào để báo %s lỗi: đặt KEHOACH_OPERATOR_EMAIL", job)
        return []
    day = local(slot, settings).date()
    message = alert_message(settings, job, slot, reason, to)
    now = datetime.now(UTC)
    row = {
        "dedupe_key": f"alert|{job}|{slot.astimezone(UTC).isoformat()}",
        "day": day,
        "recipient": ", ".join(to)[:320],
        "subject": str(message["Subject"]),
        "message_id": str(message["Message-ID"]),
        "raw": message.as_bytes(policy=SMTP),
        "reminder_keys": [],
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    with engine.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"])
        conn.execute(insert, [row])
    return to


def deliver_now(engine: Engine, settings: Settings) -> None:
    """Send what the outbox holds that is due; a mail server that is down leaves it there."""
    from kehoach_flow.mail.transport import transport_from_settings
    from kehoach_flow.reminders.sender import SendPolicy, deliver

    try:
        deliver(engine, transport_from_settings(settings), SendPolicy.from_settings(settings))
    except Exception as exc:  # the alert stays in the outbox for the next delivery
        log.error("gửi thư báo lỗi chưa được: %s", exc)
