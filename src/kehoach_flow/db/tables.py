"""SQLModel tables: the live state of plans, their sections, tasks and references."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import JSON, BigInteger, Column, Table, UniqueConstraint, false
from sqlmodel import Field, SQLModel


def _json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True, max_length=80)
    name: str
    short: str | None = None
    aliases: list[str] | None = _json()
    email: str | None = None
    head_name: str | None = None
    head_email: str | None = None
    parent_key: str | None = Field(default=None, max_length=80)
    kind: str = Field(default="internal", max_length=20)


class Programme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True, max_length=120)
    title: str
    decision_code: str | None = None
    decision_date: date | None = None
    groups: dict[str, str] | None = _json()
    report: dict[str, Any] | None = _json()  # the `report:` block: rollup header, recipients
    # The unit that owns the programme (a ministry department): it and the units above it see
    # every plan implementing it (kehoach_flow.accounts.scope). NULL: no owner.
    owner_key: str | None = Field(default=None, max_length=80)


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True, max_length=120)
    title: str
    year: int
    programme_id: int | None = Field(default=None, foreign_key="programme.id")
    coordinator_id: int = Field(foreign_key="unit.id")
    header: dict[str, Any] | None = _json()
    total_amount: int | None = Field(default=None, sa_type=BigInteger)
    source_file: str
    fingerprint: str = Field(max_length=64)
    loaded_at: datetime
    archived_at: datetime | None = None
    # Bumped by every update of one of its tasks and every daily snapshot: pages cache what
    # they derive from a plan while its revision (and loaded_at, archived_at) stay the same.
    revision: int = Field(default=0)
    # `review: true`: a task reported done waits for the coordinator's confirmation (0015).
    review: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class FundingSource(SQLModel, table=True):
    __tablename__ = "funding_source"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    key: str = Field(max_length=120)
    name: str


class Section(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    key: str = Field(max_length=120)
    parent_id: int | None = Field(default=None, foreign_key="section.id")
    title: str
    group_code: str | None = Field(default=None, max_length=20)
    declared_amount: int | None = Field(default=None, sa_type=BigInteger)
    position: int
    depth: int
    archived_at: datetime | None = None


class Task(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    key: str = Field(max_length=120)
    section_id: int = Field(foreign_key="section.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="task.id")
    position: int
    depth: int
    title: str
    result: str | None = None
    lead_id: int = Field(foreign_key="unit.id", index=True)
    group_code: str | None = Field(default=None, max_length=20)
    schedule: str | None = None
    start: date
    due: date = Field(index=True)
    declared_amount: int | None = Field(default=None, sa_type=BigInteger)
    note: str | None = None
    tags: list[str] | None = _json()
    reminders: dict[str, Any] | None = _json()
    continues: str | None = None
    fingerprint: str = Field(max_length=64)
    status: str = Field(default="not_started", max_length=20)
    version: int = Field(default=1)
    progress: int = Field(default=0)
    completed_on: date | None = None
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=120)
    archived_at: datetime | None = None


class TaskPartner(SQLModel, table=True):
    __tablename__ = "task_partner"
    task_id: int = Field(foreign_key="task.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)
    position: int


class Target(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("task_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    position: int
    quantity: int
    unit_label: str


class FundingLine(SQLModel, table=True):
    __tablename__ = "funding_line"
    __table_args__ = (UniqueConstraint("task_id", "source_id"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    source_id: int = Field(foreign_key="funding_source.id")
    position: int
    amount: int | None = Field(default=None, sa_type=BigInteger)


class Dependency(SQLModel, table=True):
    task_id: int = Field(foreign_key="task.id", primary_key=True)
    depends_on_id: int = Field(foreign_key="task.id", primary_key=True, index=True)


class LoadRun(SQLModel, table=True):
    """One `kehoach load`: what it read and what it changed."""

    __tablename__ = "load_run"
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime
    path: str
    summary: dict[str, Any] | None = _json()


class TaskUpdate(SQLModel, table=True):
    """One entry of a task's append-only history; the task row caches the latest state."""

    __tablename__ = "task_update"
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    version: int
    at: datetime = Field(index=True)
    recorded_at: datetime
    actor: str = Field(max_length=120)
    channel: str = Field(max_length=20)
    old_status: str = Field(max_length=20)
    new_status: str = Field(max_length=20)
    progress: int | None = None
    completed_on: date | None = None
    note: str | None = None
    difficulties: str | None = None
    proposals: str | None = None
    forced: bool = False
    force_reason: str | None = None
    # What the entry records (tracking.state.EntryKind): "update", or a step of an extension
    # request or a completion review (0015). A request carries requested_due; its decision
    # names it by request_id (unique: one decision per request) and an approval decided_due.
    kind: str = Field(
        default="update", max_length=30, sa_column_kwargs={"server_default": "update"}
    )
    requested_due: date | None = None
    decided_due: date | None = None
    request_id: int | None = Field(
        default=None, foreign_key="task_update.id", unique=True, index=True
    )


class UpdateActual(SQLModel, table=True):
    """Actual quantity of one target reported by an update (e.g. 2 of 3 doanh nghiệp)."""

    __tablename__ = "update_actual"
    update_id: int = Field(foreign_key="task_update.id", primary_key=True)
    target_id: int = Field(foreign_key="target.id", primary_key=True)
    quantity: int


class UpdateSpending(SQLModel, table=True):
    """Amount spent to date on one funding line, as reported by an update (đồng)."""

    __tablename__ = "update_spending"
    update_id: int = Field(foreign_key="task_update.id", primary_key=True)
    funding_line_id: int = Field(foreign_key="funding_line.id", primary_key=True)
    amount: int = Field(sa_type=BigInteger)


class Evidence(SQLModel, table=True):
    """A file attached to an update, stored under the data directory by content hash."""

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(foreign_key="task_update.id", index=True)
    sha256: str = Field(max_length=64)
    name: str
    size: int = Field(sa_type=BigInteger)
    content_type: str = Field(max_length=120)


class OutboxMessage(SQLModel, table=True):
    """A built message waiting to be sent, sent, or failed; one per recipient per day."""

    __tablename__ = "outbox_message"
    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=400)
    day: date = Field(index=True)
    recipient: str = Field(max_length=320)
    subject: str
    message_id: str = Field(max_length=400)
    raw: bytes
    reminder_keys: list[str] | None = _json()
    status: str = Field(default="pending", max_length=20, index=True)
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = None
    created_at: datetime
    sent_at: datetime | None = None
    unknown_at: datetime | None = None  # a try ended without an answer after the data


class ReportRun(SQLModel, table=True):
    """One generated report: what it covers, when it was made, its content hash and files."""

    __tablename__ = "report_run"
    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=160, index=True)  # plan key, or programme:KEY for a rollup
    period: str = Field(max_length=10)
    year: int
    cutoff: date
    generated_at: datetime
    content_hash: str = Field(max_length=64)
    files: list[str] | None = _json()
    # the working-day calendar it was counted on (hash of the days off in the report's years)
    calendar_hash: str | None = Field(default=None, max_length=64)


class StatusSnapshot(SQLModel, table=True):
    """A plan's scoreboard on one day, stored by the daily tracking flow (one row a day)."""

    __tablename__ = "status_snapshot"
    __table_args__ = (UniqueConstraint("plan_key", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_key: str = Field(max_length=120, index=True)
    day: date
    counts: dict[str, Any] | None = _json()  # the scoreboard, as `kehoach status --json` has it
    overdue: list[str] | None = _json()  # task keys
    at_risk: list[str] | None = _json()
    blocked: list[str] | None = _json()
    taken_at: datetime


class ScheduleRun(SQLModel, table=True):
    """One firing of a scheduled job in `kehoach serve`, claimed before it runs, so that a
    slot (job, scheduled time) runs once: not twice after a restart, not by two processes."""

    __tablename__ = "schedule_run"
    __table_args__ = (UniqueConstraint("job", "slot"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=80)
    slot: datetime  # the scheduled fire time, UTC
    started_at: datetime
    finished_at: datetime | None = None
    state: str = Field(default="running", max_length=20)  # running, completed, failed
    message: str | None = None


class User(SQLModel, table=True):
    """A manager or coordinator who signs in to the dashboard (unit leads use mail links)."""

    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=80)
    name: str
    role: str = Field(max_length=20)  # viewer | coordinator | admin
    password_hash: str
    created_at: datetime
    disabled: bool = False
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The unit (unit.key) whose subtree the account may reach; NULL: the whole installation,
    # as every account before 0013 (kehoach_flow.accounts.scope).
    unit_key: str | None = Field(default=None, max_length=80)
    # Set when an admin resets the password: the next sign-in asks for a new one (0014).
    must_change_password: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, kept a while to slow down password guessing."""

    __tablename__ = "login_failure"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime


class ApiToken(SQLModel, table=True):
    """A token for scripts using the JSON API, stored as a hash; it acts as its user."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime
    last_used_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """One sign-in, failed sign-in or account change: who, when, what, on what, from where.
    `action` is an English code (kehoach_flow.accounts.audit.ACTIONS labels it in Vietnamese);
    `unit_key` is the unit whose admins may read the entry (NULL: whole-installation admins)."""

    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=40, index=True)
    target: str | None = Field(default=None, max_length=200)
    detail: str | None = None
    address: str | None = Field(default=None, max_length=64)
    unit_key: str | None = Field(default=None, max_length=80, index=True)


# Core table handles for SQLAlchemy Core queries: one name per table, defined here and nowhere
# else (`SCHEDULE_RUN` and `REPORT_RUN` are two different tables).
def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


UNIT, PROGRAMME, PLAN, SOURCE = _t(Unit), _t(Programme), _t(Plan), _t(FundingSource)
SECTION, TASK, PARTNER, TARGET = _t(Section), _t(Task), _t(TaskPartner), _t(Target)
LINE, DEPENDENCY, LOAD_RUN = _t(FundingLine), _t(Dependency), _t(LoadRun)
UPDATE, ACTUAL, SPENDING, EVIDENCE = (
    _t(TaskUpdate),
    _t(UpdateActual),
    _t(UpdateSpending),
    _t(Evidence),
)
OUTBOX, REPORT_RUN, SNAPSHOT, SCHEDULE_RUN = (
    _t(OutboxMessage),
    _t(ReportRun),
    _t(StatusSnapshot),
    _t(ScheduleRun),
)
USER, LOGIN_FAILURE, API_TOKEN = _t(User), _t(LoginFailure), _t(ApiToken)
AUDIT = _t(AuditEntry)
