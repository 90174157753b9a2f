"""Shared by the reminder tests (and the flows that send them): contacts and a task for the
planner, the seed plan's copy for two-plan days, and the file outbox read back."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

from kehoach_flow.definitions.reminder_rules import ReminderRules
from kehoach_flow.reminders.planner import Contact, ReminderTask
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN

TWO_PLAN_DAY = date(2024, 6, 7)  # 7 reminders in the seed plan, to 4 recipients

LEAD = Contact("ttkt", "Trung tâm KT", "ttkt@example.vn")
HEAD = Contact("ttkt", "Giám đốc Trung tâm", "gd.ttkt@example.vn")
COORD = Contact("qltcdlcl", "Phòng QL TCĐLCL", "qltcdlcl@example.vn")
PARTNER = Contact("khtc", "Phòng KH-TC", "khtc@example.vn")
NO_MAIL = Contact("cac-dn", "Các doanh nghiệp", None)


def task(
    due: date, lead: Contact = LEAD, rules: ReminderRules | None = None, key: str = "t1"
) -> ReminderTask:
    return ReminderTask(
        plan="p",
        key=key,
        title="Khảo sát",
        section="1",
        start=date(due.year, 1, 1),
        due=due,
        progress=10,
        lead=lead,
        lead_head=HEAD,
        coordinator=COORD,
        partners=(PARTNER, NO_MAIL),
        rules=rules or ReminderRules(),
    )


COPY = "qt-copy-2024"


def with_copy(definitions: Path) -> Path:
    """definitions/ plus a second plan with the seed plan's tasks and people."""
    seed = (definitions / "plans" / "quang-tri-2024.yaml").read_text(encoding="utf-8")
    copy = seed.replace(f"key: {SEED_PLAN}", f"key: {COPY}").replace(
        "quốc tế thực hiện năm 2024\n", "quốc tế thực hiện năm 2024 (bản sao)\n", 1
    )
    assert "(bản sao)" in copy
    (definitions / "plans" / "qt-copy.yaml").write_text(copy, encoding="utf-8")
    return definitions


def delivered_items(settings: Settings) -> list[str]:
    """Every task entry of every mail the file transport wrote: recipient, plan, task, why."""
    items = []
    for path in (settings.data_dir / "outbox").rglob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        lines = message.get_body(("plain",)).get_content().splitlines()  # type: ignore[union-attr]
        to = message["To"].addresses[0].addr_spec
        plan = ""  # the plan heading the entry sits under
        for i, line in enumerate(lines):
            if line.startswith("== "):
                plan = line
            elif line[:2] == "- ":
                items.append(f"{to}|{plan}|{'|'.join(lines[i : i + 2])}")
    return items
