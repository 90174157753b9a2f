"""One plan's rows brought in line with its definition inside the load's transaction: the
plan, its funding sources, sections, tasks and their partners, targets, funding lines and
dependencies, matched by stable keys so ids, status and history survive a reload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from kehoach_flow.db.tables import DEPENDENCY, LINE, PARTNER, PLAN, SECTION, SOURCE, TARGET, TASK
from kehoach_flow.definitions.catalog import PlanDef, SectionDef, TaskDef
from kehoach_flow.definitions.models import REVIEW_DEFAULT


@dataclass
class PlanChanges:
    key: str
    state: str = "unchanged"  # new | changed | unchanged
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)


def changed_fields(old: Any, new: dict[str, Any]) -> bool:
    """Whether a stored row differs from the row the definitions now give."""
    return any(getattr(old, name) != value for name, value in new.items())


def insert_keyed(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], scope: Any
) -> dict[str, int]:
    """Bulk insert (one executemany), then read back key -> id for the rows in `scope`.

    RETURNING with ordered rows makes SQLite fall back to one statement per row, so the ids
    are read back with one query instead; keys are unique within the scope.
    """
    if not rows:
        return {}
    conn.execute(insert(table), list(rows))
    keys = {row["key"] for row in rows}
    found = conn.execute(select(table.c.key, table.c.id).where(scope))
    return {row.key: row.id for row in found if row.key in keys}


class PlanSync:
    """Brings one plan's rows in line with its definition."""

    def __init__(
        self,
        conn: Connection,
        plan: PlanDef,
        unit_ids: dict[str, int],
        programme_ids: dict[str, int],
        now: datetime,
    ) -> None:
        self.conn = conn
        self.plan = plan
        self.unit_ids = unit_ids
        self.programme_ids = programme_ids
        self.now = now
        self.changes = PlanChanges(plan.key)
        self.plan_id = 0
        self.source_ids: dict[str, int] = {}
        self.section_ids: dict[str, int] = {}
        self.task_ids: dict[str, int] = {}

    def run(self) -> PlanChanges:
        old = self.conn.execute(select(PLAN).where(PLAN.c.key == self.plan.key)).first()
        fingerprint = self.plan.fingerprint
        if old is not None and old.fingerprint == fingerprint and old.archived_at is None:
            return self.changes
        self.changes.state = "new" if old is None else "changed"
        self.plan_id = self._upsert_plan(old, fingerprint)
        self.source_ids = self._sync_sources()
        self.section_ids = self._sync_sections()
        self._sync_tasks()
        return self.changes

    def _upsert_plan(self, old: Any, fingerprint: str) -> int:
        plan = self.plan
        row = {
            "key": plan.key,
            "title": plan.title,
            "year": plan.year,
            "programme_id": self.programme_ids.get(plan.programme) if plan.programme else None,
            "coordinator_id": self.unit_ids[plan.coordinator],
            "header": plan.header,
            "review": bool(plan.header.get("review", REVIEW_DEFAULT)),
            "total_amount": plan.total,
            "source_file": plan.source_file,
            "fingerprint": fingerprint,
            "loaded_at": self.now,
            "archived_at": None,
        }
        if old is None:
            return insert_keyed(self.conn, PLAN, [row], PLAN.c.key == plan.key)[plan.key]
        self.conn.execute(update(PLAN).where(PLAN.c.id == old.id).values(**row))
        return int(old.id)

    def _sync_sources(self) -> dict[str, int]:
        existing = {
            r.key: r
            for r in self.conn.execute(select(SOURCE).where(SOURCE.c.plan_id == self.plan_id))
        }
        new_rows = []
        for key, name in self.plan.funding_sources.items():
            old = existing.get(key)
            if old is None:
                new_rows.append({"plan_id": self.plan_id, "key": key, "name": name})
            elif old.name != name:
                self.conn.execute(update(SOURCE).where(SOURCE.c.id == old.id).values(name=name))
        ids = {key: r.id for key, r in existing.items()}
        ids.update(insert_keyed(self.conn, SOURCE, new_rows, SOURCE.c.plan_id == self.plan_id))
        return ids

    def _section_row(self, section: SectionDef, ids: dict[str, int]) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "key": section.key,
            "parent_id": ids[section.parent] if section.parent else None,
            "title": section.title,
            "group_code": section.group,
            "declared_amount": section.declared_amount,
            "position": section.position,
            "depth": section.depth,
            "archived_at": None,
        }

    def _sync_sections(self) -> dict[str, int]:
        query = select(SECTION).where(SECTION.c.plan_id == self.plan_id)
        existing = {r.key: r for r in self.conn.execute(query)}
        ids = {key: r.id for key, r in existing.items()}
        for depth in sorted({s.depth for s in self.plan.sections}):
            level = [s for s in self.plan.sections if s.depth == depth]
            new_rows = []
            for section in level:
                row = self._section_row(section, ids)
                old = existing.get(section.key)
                if old is None:
                    new_rows.append(row)
                elif changed_fields(old, row):
                    self.conn.execute(update(SECTION).where(SECTION.c.id == old.id).values(**row))
            ids.update(
                insert_keyed(self.conn, SECTION, new_rows, SECTION.c.plan_id == self.plan_id)
            )
        gone = [
            r.id
            for key, r in existing.items()
            if r.archived_at is None and key not in {s.key for s in self.plan.sections}
        ]
        if gone:
            self.conn.execute(
                update(SECTION).where(SECTION.c.id.in_(gone)).values(archived_at=self.now)
            )
        return ids

    def _task_row(self, task: TaskDef) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "key": task.key,
            "section_id": self.section_ids[task.section] if task.section else None,
            "parent_id": self.task_ids[task.parent] if task.parent else None,
            "position": task.position,
            "depth": task.depth,
            "title": task.title,
            "result": task.result,
            "lead_id": self.unit_ids[task.lead],
            "group_code": task.group,
            "schedule": task.schedule,
            "start": task.start,
            "due": task.due,
            "declared_amount": task.declared_amount,
            "note": task.note,
            "tags": list(task.tags),
            "reminders": task.reminders,
            "continues": task.continues,
            "fingerprint": task.fingerprint,
            "archived_at": None,
        }

    def _existing_tasks(self) -> dict[str, Any]:
        cols = (TASK.c.id, TASK.c.key, TASK.c.fingerprint, TASK.c.archived_at)
        return {
            r.key: r for r in self.conn.execute(select(*cols).where(TASK.c.plan_id == self.plan_id))
        }

    def _apply_renames(self, existing: dict[str, Any]) -> dict[str, Any]:
        for task in self.plan.tasks:
            if task.key in existing:
                continue
            old_key = next((k for k in task.renamed_from if k in existing), None)
            if old_key is None:
                continue
            row = existing.pop(old_key)
            self.conn.execute(update(TASK).where(TASK.c.id == row.id).values(key=task.key))
            existing[task.key] = row
            self.changes.renamed.append((old_key, task.key))
        return existing

    def _sync_tasks(self) -> None:
        existing = self._apply_renames(self._existing_tasks())
        self.task_ids = {key: r.id for key, r in existing.items()}
        touched: list[TaskDef] = []
        for depth in sorted({t.depth for t in self.plan.tasks}):
            new_rows = []
            for task in (t for t in self.plan.tasks if t.depth == depth):
                row = self._task_row(task)
                old = existing.get(task.key)
                if old is None:
                    new_rows.append(row)
                    self.changes.added.append(task.key)
                    touched.append(task)
                elif old.fingerprint != row["fingerprint"] or old.archived_at is not None:
                    self.conn.execute(update(TASK).where(TASK.c.id == old.id).values(**row))
                    bucket = (
                        self.changes.restored
                        if old.archived_at is not None
                        else self.changes.updated
                    )
                    bucket.append(task.key)
                    touched.append(task)
            self.task_ids.update(
                insert_keyed(self.conn, TASK, new_rows, TASK.c.plan_id == self.plan_id)
            )
        self._archive_missing(existing)
        self._replace_links(touched)

    def _archive_missing(self, existing: dict[str, Any]) -> None:
        keys = {t.key for t in self.plan.tasks}
        gone = [r for key, r in existing.items() if key not in keys and r.archived_at is None]
        if gone:
            ids = [r.id for r in gone]
            self.conn.execute(update(TASK).where(TASK.c.id.in_(ids)).values(archived_at=self.now))
            self.changes.archived.extend(r.key for r in gone)

    def _replace_links(self, tasks: list[TaskDef]) -> None:
        """Partners, targets, funding lines and dependencies of added or changed tasks."""
        if not tasks:
            return
        changed_ids = [self.task_ids[t.key] for t in tasks if t.key not in set(self.changes.added)]
        if changed_ids:
            for table in (PARTNER, DEPENDENCY):
                self.conn.execute(delete(table).where(table.c.task_id.in_(changed_ids)))
        partners, deps, targets, lines = [], [], [], []
        for task in tasks:
            task_id = self.task_ids[task.key]
            partners += [
                {"task_id": task_id, "unit_id": self.unit_ids[u], "position": i}
                for i, u in enumerate(dict.fromkeys(task.partners))
            ]
            deps += [
                {"task_id": task_id, "depends_on_id": self.task_ids[d]}
                for d in dict.fromkeys(task.depends_on)
            ]
            targets += [
                {"task_id": task_id, "position": i, "quantity": t.quantity, "unit_label": t.unit}
                for i, t in enumerate(task.targets)
            ]
            lines += [
                {
                    "task_id": task_id,
                    "source_id": self.source_ids[f.source],
                    "position": i,
                    "amount": f.amount,
                }
                for i, f in enumerate(task.funding)
            ]
        self._sync_keyed(TARGET, "position", changed_ids, targets)
        self._sync_keyed(LINE, "source_id", changed_ids, lines)
        for table, rows in ((PARTNER, partners), (DEPENDENCY, deps)):
            if rows:
                self.conn.execute(insert(table), rows)

    def _sync_keyed(
        self, table: Table, natural: str, changed_ids: list[int], rows: list[dict[str, Any]]
    ) -> None:
        """Update child rows in place by (task, natural key) so their ids survive a reload."""
        existing: dict[tuple[int, Any], int] = {}
        if changed_ids:
            query = select(table.c.id, table.c.task_id, table.c[natural]).where(
                table.c.task_id.in_(changed_ids)
            )
            existing = {(r.task_id, r[2]): r.id for r in self.conn.execute(query)}
        new_rows = []
        for row in rows:
            row_id = existing.pop((row["task_id"], row[natural]), None)
            if row_id is None:
                new_rows.append(row)
            else:
                self.conn.execute(update(table).where(table.c.id == row_id).values(**row))
        if existing:
            self.conn.execute(delete(table).where(table.c.id.in_(list(existing.values()))))
        if new_rows:
            self.conn.execute(insert(table), new_rows)
