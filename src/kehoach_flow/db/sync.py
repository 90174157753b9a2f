"""Applies a checked Catalog to the database in one transaction, keeping ids, status and history.

Rows are matched by their stable keys: new ones are added, changed ones updated in place,
tasks gone from the file archived (never deleted), `renamed_from` carries a row to its new key.
Here: the transaction, the shared units and programmes, the load's summary; one plan's rows
are brought in line by plan_sync.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text, update

from kehoach_flow.db.plan_sync import PlanChanges, PlanSync, changed_fields
from kehoach_flow.db.tables import LOAD_RUN, PROGRAMME, UNIT
from kehoach_flow.definitions.catalog import Catalog, PlanDef, UnitDef


@dataclass
class LoadSummary:
    units_added: list[str] = field(default_factory=list)
    units_updated: list[str] = field(default_factory=list)
    programmes_added: list[str] = field(default_factory=list)
    programmes_updated: list[str] = field(default_factory=list)
    plans: list[PlanChanges] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        lists = (
            self.units_added,
            self.units_updated,
            self.programmes_added,
            self.programmes_updated,
        )
        return any(lists) or any(p.state != "unchanged" for p in self.plans)

    def as_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "units_added": self.units_added,
            "units_updated": self.units_updated,
            "programmes_added": self.programmes_added,
            "programmes_updated": self.programmes_updated,
            "plans": [p.__dict__ for p in self.plans],
        }


class CatalogWriter:
    """Writes definitions inside one open transaction: shared rows first, then plan by plan."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.now = datetime.now(UTC)
        self.summary = LoadSummary()
        self.unit_ids: dict[str, int] = {}
        self.programme_ids: dict[str, int] = {}

    def write_shared(self, catalog: Catalog) -> None:
        _serialise_loads(self.conn)
        self.unit_ids = _sync_units(self.conn, catalog.units.values(), self.summary)
        self.programme_ids = _sync_programmes(self.conn, catalog, self.summary)

    def write_plan(self, plan: PlanDef) -> None:
        sync = PlanSync(self.conn, plan, self.unit_ids, self.programme_ids, self.now)
        self.summary.plans.append(sync.run())

    def record(self, path: str) -> None:
        if self.summary.changed:
            row = {"started_at": self.now, "path": path, "summary": self.summary.as_dict()}
            self.conn.execute(insert(LOAD_RUN), [row])


def _serialise_loads(conn: Connection) -> None:
    """Two loads at once would race on the same keys: the second one waits for the first.

    Postgres: a transaction-scoped advisory lock. SQLite: a write that changes nothing takes
    the database's write lock now (waiting out the busy timeout), so every read of the load
    happens inside its transaction rather than before it.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
    elif conn.dialect.name == "sqlite":
        conn.execute(delete(LOAD_RUN).where(text("0 = 1")))


def _unit_row(unit: UnitDef) -> dict[str, Any]:
    return {
        "key": unit.key,
        "name": unit.name,
        "short": unit.short,
        "aliases": list(unit.aliases),
        "email": unit.email,
        "head_name": unit.head_name,
        "head_email": unit.head_email,
        "parent_key": unit.parent,
        "kind": unit.kind,
    }


def _sync_units(conn: Connection, units: Iterable[UnitDef], summary: LoadSummary) -> dict[str, int]:
    existing = {row.key: row for row in conn.execute(select(UNIT))}
    new_rows = []
    for unit in units:
        row = _unit_row(unit)
        old = existing.get(unit.key)
        if old is None:
            new_rows.append(row)
            summary.units_added.append(unit.key)
        elif changed_fields(old, row):
            conn.execute(update(UNIT).where(UNIT.c.id == old.id).values(**row))
            summary.units_updated.append(unit.key)
    if new_rows:
        conn.execute(insert(UNIT), new_rows)
    return {row.key: row.id for row in conn.execute(select(UNIT.c.key, UNIT.c.id))}


def _sync_programmes(conn: Connection, catalog: Catalog, summary: LoadSummary) -> dict[str, int]:
    existing = {row.key: row for row in conn.execute(select(PROGRAMME))}
    for prog in catalog.programmes.values():
        row = {
            "key": prog.key,
            "title": prog.title,
            "decision_code": prog.decision_code,
            "decision_date": prog.decision_date,
            "groups": prog.groups,
            "report": prog.report,
            "owner_key": prog.owner,  # None clears it: the file is the truth
        }
        old = existing.get(prog.key)
        if old is None:
            conn.execute(insert(PROGRAMME), [row])
            summary.programmes_added.append(prog.key)
        elif changed_fields(old, row):
            conn.execute(update(PROGRAMME).where(PROGRAMME.c.id == old.id).values(**row))
            summary.programmes_updated.append(prog.key)
    return {row.key: row.id for row in conn.execute(select(PROGRAMME.c.key, PROGRAMME.c.id))}
