"""Read-side queries for the CLI and, later, the web: plans, tasks, one task in full."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, String, func, select, text, type_coerce, update

from kehoach_flow.db.tables import (
    DEPENDENCY,
    LINE,
    PARTNER,
    PLAN,
    PROGRAMME,
    SECTION,
    SOURCE,
    TARGET,
    TASK,
    UNIT,
)
from kehoach_flow.errors import AmbiguousTaskError, NotFoundError


def list_plans(engine: Engine, include_archived: bool = False) -> list[dict[str, Any]]:
    counts = (
        select(TASK.c.plan_id, func.count().label("n"))
        .where(TASK.c.archived_at.is_(None))
        .group_by(TASK.c.plan_id)
        .subquery()
    )
    query = (
        select(
            PLAN, PROGRAMME.c.key.label("programme"), UNIT.c.key.label("coordinator"), counts.c.n
        )
        .join(UNIT, UNIT.c.id == PLAN.c.coordinator_id)
        .outerjoin(PROGRAMME, PROGRAMME.c.id == PLAN.c.programme_id)
        .outerjoin(counts, counts.c.plan_id == PLAN.c.id)
        .order_by(PLAN.c.key)
    )
    if not include_archived:
        query = query.where(PLAN.c.archived_at.is_(None))
    with engine.connect() as conn:
        return [
            {
                "key": r.key,
                "title": r.title,
                "year": r.year,
                "programme": r.programme,
                "coordinator": r.coordinator,
                "tasks": r.n or 0,
                "total_amount": r.total_amount,
                "source_file": r.source_file,
                "loaded_at": r.loaded_at,
                "archived": r.archived_at is not None,
            }
            for r in conn.execute(query)
        ]


def plan_header(engine: Engine, key: str) -> dict[str, Any]:
    """The header block of a plan as loaded (issuer, signer, reminders, report cut-off...)."""
    with engine.connect() as conn:
        row = conn.execute(select(PLAN.c.header).where(PLAN.c.key == key)).first()
    if row is None:
        raise NotFoundError("kế hoạch", key, "xem danh sách bằng `kehoach plans`")
    return dict(row.header or {})


def archive_plan(engine: Engine, key: str) -> None:
    with engine.begin() as conn:
        result = conn.execute(
            update(PLAN)
            .where(PLAN.c.key == key, PLAN.c.archived_at.is_(None))
            .values(archived_at=datetime.now(UTC))
        )
        if result.rowcount == 0:
            raise NotFoundError(
                "kế hoạch đang hoạt động", key, "xem danh sách bằng `kehoach plans`"
            )


def list_tasks(
    engine: Engine,
    *,
    plan: str | None = None,
    unit: str | None = None,
    group: str | None = None,
    due_before: date | None = None,
    task_ids: list[int] | None = None,
    include_archived: bool = False,
) -> list[dict[str, Any]]:
    """Tasks with lead, partners, targets and funding; filters combine with AND."""
    lead = UNIT.alias("lead")
    query = (
        select(
            TASK,
            PLAN.c.key.label("plan_key"),
            SECTION.c.key.label("section_key"),
            lead.c.key.label("lead_key"),
            lead.c.name.label("lead_name"),
            lead.c.short.label("lead_short"),
            SECTION.c.title.label("section_title"),
        )
        .join(PLAN, PLAN.c.id == TASK.c.plan_id)
        .join(SECTION, SECTION.c.id == TASK.c.section_id)
        .join(lead, lead.c.id == TASK.c.lead_id)
        .order_by(PLAN.c.key, TASK.c.id)
    )
    if not include_archived:
        query = query.where(TASK.c.archived_at.is_(None), PLAN.c.archived_at.is_(None))
    if plan:
        query = query.where(PLAN.c.key == plan)
    if group:
        query = query.where(TASK.c.group_code == group)
    if due_before:
        query = query.where(TASK.c.due < due_before)
    if task_ids is not None:
        query = query.where(TASK.c.id.in_(task_ids))
    if unit:
        partnered = (
            select(PARTNER.c.task_id)
            .join(UNIT, UNIT.c.id == PARTNER.c.unit_id)
            .where(UNIT.c.key == unit)
        )
        query = query.where((lead.c.key == unit) | TASK.c.id.in_(partnered))
    with engine.connect() as conn:
        rows = list(conn.execute(query))
        links = _links(conn, [r.id for r in rows])
    return [_task_dict(r, links) for r in rows]


def _links(conn: Connection, ids: list[int]) -> dict[str, dict[int, list[dict[str, Any]]]]:
    result: dict[str, dict[int, list[dict[str, Any]]]] = {
        name: defaultdict(list) for name in ("partners", "targets", "funding", "depends_on")
    }
    if not ids:
        return result
    partners = (
        select(PARTNER.c.task_id, UNIT.c.key, UNIT.c.name, UNIT.c.short)
        .join(UNIT, UNIT.c.id == PARTNER.c.unit_id)
        .where(PARTNER.c.task_id.in_(ids))
        .order_by(PARTNER.c.task_id, PARTNER.c.position)
    )
    for r in conn.execute(partners):
        result["partners"][r.task_id].append({"key": r.key, "name": r.name, "short": r.short})
    targets = (
        select(TARGET)
        .where(TARGET.c.task_id.in_(ids))
        .order_by(TARGET.c.task_id, TARGET.c.position)
    )
    for r in conn.execute(targets):
        result["targets"][r.task_id].append(
            {"id": r.id, "quantity": r.quantity, "unit": r.unit_label}
        )
    lines = (
        select(LINE.c.id, LINE.c.task_id, LINE.c.amount, SOURCE.c.key, SOURCE.c.name)
        .join(SOURCE, SOURCE.c.id == LINE.c.source_id)
        .where(LINE.c.task_id.in_(ids))
        .order_by(LINE.c.task_id, LINE.c.position)
    )
    for r in conn.execute(lines):
        result["funding"][r.task_id].append(
            {"line_id": r.id, "source": r.key, "name": r.name, "amount": r.amount}
        )
    for task_id, keys in dependency_keys(conn, ids).items():
        result["depends_on"][task_id] = [{"key": key} for key in keys]
    return result


def dependency_keys(conn: Connection, task_ids: Any) -> dict[int, list[str]]:
    """Task id -> keys of the tasks it depends on; `task_ids` is a list or a subquery."""
    other = TASK.alias("other")
    query = (
        select(DEPENDENCY.c.task_id, other.c.key)
        .join(other, other.c.id == DEPENDENCY.c.depends_on_id)
        .where(DEPENDENCY.c.task_id.in_(task_ids))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for row in conn.execute(query):
        found[row.task_id].append(row.key)
    return found


def _task_dict(r: Any, links: dict[str, dict[int, list[dict[str, Any]]]]) -> dict[str, Any]:
    return {
        "id": r.id,
        "plan": r.plan_key,
        "key": r.key,
        "ref": f"{r.plan_key}/{r.key}",
        "title": r.title,
        "result": r.result,
        "section": r.section_key,
        "section_title": r.section_title,
        "group": r.group_code,
        "lead": {"key": r.lead_key, "name": r.lead_name, "short": r.lead_short},
        "partners": links["partners"][r.id],
        "schedule": r.schedule,
        "start": r.start.isoformat(),
        "due": r.due.isoformat(),
        "status": r.status,
        "progress": r.progress,
        "completed_on": r.completed_on.isoformat() if r.completed_on else None,
        "version": r.version,
        "targets": links["targets"][r.id],
        "funding": links["funding"][r.id],
        "depends_on": [d["key"] for d in links["depends_on"][r.id]],
        "note": r.note,
        "continues": r.continues,
        "archived": r.archived_at is not None,
    }


def find_task(engine: Engine, ref: str) -> dict[str, Any]:
    """A task by "PLAN/TASK" or by a bare key that only one plan uses."""
    plan_key, _, task_key = ref.rpartition("/")
    query = (
        select(TASK.c.id, PLAN.c.key.label("plan_key"))
        .join(PLAN, PLAN.c.id == TASK.c.plan_id)
        .where(TASK.c.key == task_key)
    )
    if plan_key:
        query = query.where(PLAN.c.key == plan_key)
    with engine.connect() as conn:
        matches = list(conn.execute(query))
    if not matches:
        raise NotFoundError("nhiệm vụ", ref, "xem danh sách bằng `kehoach tasks`")
    if len(matches) > 1:
        raise AmbiguousTaskError(task_key, sorted(m.plan_key for m in matches))
    return list_tasks(engine, task_ids=[matches[0].id], include_archived=True)[0]


class PlanStamp(NamedTuple):
    """What changes whenever anything a page shows of a plan changes: an update or a daily
    snapshot bumps `revision`, a load rewrites `loaded_at`, an archive sets `archived_at`.
    The two moments are compared, never shown, so they are kept as the database gives them."""

    loaded_at: str | None
    archived_at: str | None
    revision: int
    title: str


# Built once: the pages read the stamps on every request (no datetime parsing on SQLite).
_STAMPS = select(
    PLAN.c.key,
    type_coerce(PLAN.c.loaded_at, String),
    type_coerce(PLAN.c.archived_at, String),
    PLAN.c.revision,
    PLAN.c.title,
)


def plan_stamps(engine: Engine) -> dict[str, PlanStamp]:
    """Every plan's stamp by key, archived ones included, in one small query."""
    with engine.connect() as conn:
        return {row[0]: PlanStamp._make(row[1:]) for row in conn.execute(_STAMPS).tuples()}


def find_unit(engine: Engine, key: str) -> dict[str, Any] | None:
    """A unit's row (name, addresses, head...) by key; None when no unit has it."""
    with engine.connect() as conn:
        row = conn.execute(select(UNIT).where(UNIT.c.key == key)).first()
    return None if row is None else dict(row._mapping)


_PING = text("SELECT 1")


def ping(engine: Engine) -> None:
    """Ask the database the smallest question; raises what the driver raises when it does
    not answer (for /health)."""
    with engine.connect() as conn:
        conn.execute(_PING)
