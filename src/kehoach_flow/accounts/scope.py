"""Who may see and change what: the one scope rule, for the pages, the API, the CLI.

An account belongs to a unit of the units tree (units.yaml `parent`), or to the whole
installation (`unit_key` None). Its scope is that unit's subtree: the unit and every unit
below it. Then:

- it sees a plan coordinated in its scope, or with a current task led in its scope, or
  implementing a programme owned (programme `owner_key`) in its scope: a ministry department
  owning a programme sees every province's plan of it, and so does the ministry above it;
- a coordinator (and an admin) edits the plans coordinated in its scope: uploads their plan
  files, generates their reports, records their updates;
- an admin manages the accounts whose unit is in its scope, and reads their audit entries.

A whole-installation account sees every plan; as coordinator it edits every plan; as admin
it manages every account. An account whose unit is no longer in the tree reaches only
plans naming that key (none, once nothing does): the rule fails closed.

`decide` is the rule on plain values; `facts` reads what it needs in two small queries (the
units tree; the plans with their coordinator and programme owner), the lead units of each
plan's tasks being read again only when a load stored a new definition of that plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, bindparam, select

from kehoach_flow.accounts import Account, AccountInfo, list_users
from kehoach_flow.accounts import audit as audit_log
from kehoach_flow.db.tables import EVIDENCE, PLAN, PROGRAMME, TASK, UNIT, UPDATE
from kehoach_flow.definitions.source import read_yaml

PROGRAMME_SUBJECT = "programme:"  # report_run.subject of a programme rollup


@dataclass(frozen=True)
class PlanFacts:
    """What the rule reads of one plan."""

    key: str
    coordinator: str  # unit key
    leads: frozenset[str]  # unit keys leading a current (not archived) task
    programme: str | None = None  # programme key
    owner: str | None = None  # the programme's owner unit key


@dataclass(frozen=True)
class Facts:
    parents: Mapping[str, str | None]  # unit key -> parent unit key
    plans: tuple[PlanFacts, ...]


@dataclass(frozen=True)
class Scope:
    """What one account reaches, decided once (per request, say)."""

    unit_key: str | None
    role: str
    units: frozenset[str] | None  # its subtree; None: the whole installation
    visible: frozenset[str]  # plan keys it sees
    editable: frozenset[str]  # plan keys it edits
    programmes: frozenset[str]  # programmes of the plans it sees
    whole_programmes: frozenset[str]  # programmes every plan of which it sees
    programme_plans: Mapping[str, frozenset[str]]  # programme -> the plans of it it sees

    def rollup_plans(self, programme: str) -> tuple[frozenset[str], bool]:
        """The plans of `programme` a rollup page shows this account, and whether that is
        every plan of it (when not, the page says it shows only the plans it may see)."""
        return self.programme_plans.get(programme, frozenset()), programme in self.whole_programmes

    def sees_plan(self, plan_key: str) -> bool:
        return plan_key in self.visible

    def edits_plan(self, plan_key: str) -> bool:
        return plan_key in self.editable

    def sees_report(self, subject: str) -> bool:
        """A report run's files (subject: a plan key, or programme:KEY for a rollup, which
        holds every plan of the programme, so only for one who sees them all)."""
        if subject.startswith(PROGRAMME_SUBJECT):
            return subject.removeprefix(PROGRAMME_SUBJECT) in self.whole_programmes
        return self.sees_plan(subject)

    def makes_report(self, subject: str) -> bool:
        """Generate this report: a plan's for one who edits it, a programme rollup for an
        editing role that sees every plan of the programme."""
        if subject.startswith(PROGRAMME_SUBJECT):
            return self.role in EDITING_ROLES and self.sees_report(subject)
        return self.edits_plan(subject)

    def sees_message(self, reminder_keys: Iterable[str] | None) -> bool:
        """An outbox message (its `reminder_keys`): for one who sees every plan it names; one
        naming no plan, for whole-installation accounts only."""
        plans = message_plans(reminder_keys or ())
        if self.units is None:
            return True
        return bool(plans) and plans <= self.visible

    def holds_unit(self, unit_key: str | None) -> bool:
        """Whether `unit_key` (None: the whole installation) lies within this scope."""
        if self.units is None:
            return True
        return unit_key is not None and unit_key in self.units


EDITING_ROLES = frozenset({"coordinator", "admin"})


def message_plans(reminder_keys: Iterable[str]) -> frozenset[str]:
    """The plans an outbox message's reminders are about: a reminder key is
    "email|rule|PLAN/TASK|day" (reminders.planner.Reminder.dedupe_key)."""
    plans = set()
    for key in reminder_keys:
        parts = key.rsplit("|", 2)  # from the right: the address is the one free text
        if len(parts) == 3 and "/" in parts[1]:
            plans.add(parts[1].split("/", 1)[0])
    return frozenset(plans)


def subtree(parents: Mapping[str, str | None], root: str) -> frozenset[str]:
    """`root` and every unit below it (`root` alone when it has no children or is unknown)."""
    children: dict[str, list[str]] = defaultdict(list)
    for key, parent in parents.items():
        if parent is not None:
            children[parent].append(key)
    found = {root}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:  # a cycle (the loader refuses them) cannot loop here
                found.add(child)
                todo.append(child)
    return frozenset(found)


def decide(facts: Facts, unit_key: str | None, role: str) -> Scope:
    """The rule (module docstring) on plain values."""
    units = None if unit_key is None else subtree(facts.parents, unit_key)

    def inside(key: str | None) -> bool:
        return units is None or (key is not None and key in units)

    visible = {
        p.key
        for p in facts.plans
        if inside(p.coordinator) or any(inside(u) for u in p.leads) or inside(p.owner)
    }
    editable = (
        {p.key for p in facts.plans if inside(p.coordinator)} if role in EDITING_ROLES else set()
    )
    every: dict[str, set[str]] = defaultdict(set)
    for p in facts.plans:
        if p.programme is not None:
            every[p.programme].add(p.key)
    seen = {key: frozenset(plans & visible) for key, plans in every.items() if plans & visible}
    whole = {key for key, plans in every.items() if plans <= visible}
    return Scope(
        unit_key,
        role,
        units,
        frozenset(visible),
        frozenset(editable),
        frozenset(seen),
        frozenset(whole),
        seen,
    )


def manages(
    parents: Mapping[str, str | None], admin_unit: str | None, role: str, other_unit: str | None
) -> bool:
    """An admin of `admin_unit` manages an account of `other_unit` (None: whole installation)."""
    if role != "admin":
        return False
    if admin_unit is None:
        return True
    return other_unit is not None and other_unit in subtree(parents, admin_unit)


# --- on the database ------------------------------------------------------------------------

_UNITS = select(UNIT.c.key, UNIT.c.parent_key)
_COORDINATOR = UNIT.alias("coordinator")
_PLANS = select(
    PLAN.c.id,
    PLAN.c.key,
    PLAN.c.fingerprint,
    PLAN.c.loaded_at,
    PLAN.c.archived_at,
    _COORDINATOR.c.key.label("coordinator"),
    PROGRAMME.c.key.label("programme"),
    PROGRAMME.c.owner_key,
).select_from(
    PLAN.join(_COORDINATOR, _COORDINATOR.c.id == PLAN.c.coordinator_id).outerjoin(
        PROGRAMME, PROGRAMME.c.id == PLAN.c.programme_id
    )
)
_LEADS = (
    select(TASK.c.plan_id, UNIT.c.key)
    .distinct()
    .select_from(TASK.join(UNIT, UNIT.c.id == TASK.c.lead_id))
    .where(TASK.c.plan_id.in_(bindparam("plan_ids", expanding=True)), TASK.c.archived_at.is_(None))
)
# Per engine, per plan id: the lead units of its current tasks, with the plan's stamp (key,
# fingerprint, loaded_at, archived_at) they were read at. A plan's tasks change only when a
# load stores a new definition of it (or archives it), which changes the stamp: the leads of
# 10 000 tasks are not read again on every request.
_LEAD_CACHE: WeakKeyDictionary[Engine, dict[int, tuple[tuple[Any, ...], frozenset[str]]]] = (
    WeakKeyDictionary()
)


def facts(engine: Engine) -> Facts:
    """The units tree and every plan's coordinator, current leads and programme owner: two
    small queries, and a third for the leads of plans stored since the last call."""
    cache = _LEAD_CACHE.setdefault(engine, {})
    with engine.connect() as conn:
        parents = {row.key: row.parent_key for row in conn.execute(_UNITS)}
        rows = conn.execute(_PLANS).all()
        stale = [r.id for r in rows if cache.get(r.id, ((), frozenset()))[0] != _stamp(r)]
        if stale:
            fresh: dict[int, set[str]] = {plan_id: set() for plan_id in stale}
            for plan_id, lead in conn.execute(_LEADS, {"plan_ids": stale}):
                fresh[plan_id].add(lead)
            stamps = {r.id: _stamp(r) for r in rows}
            for plan_id, leads in fresh.items():
                cache[plan_id] = (stamps[plan_id], frozenset(leads))
    plans = tuple(
        PlanFacts(r.key, r.coordinator, cache[r.id][1], r.programme, r.owner_key)
        for r in sorted(rows, key=lambda r: r.key)
    )
    return Facts(parents, plans)


def _stamp(row: Any) -> tuple[Any, ...]:
    return (row.key, row.fingerprint, row.loaded_at, row.archived_at)


def scope_of(engine: Engine, account: Account) -> Scope:
    """What `account` reaches now (two queries); compute once per request and ask it."""
    return decide(facts(engine), account.unit_key, account.role)


def visible_plans(engine: Engine, account: Account) -> frozenset[str]:
    return scope_of(engine, account).visible


def editable_plans(engine: Engine, account: Account) -> frozenset[str]:
    return scope_of(engine, account).editable


def can_see_plan(engine: Engine, account: Account, plan_key: str) -> bool:
    return scope_of(engine, account).sees_plan(plan_key)


def can_edit_plan(engine: Engine, account: Account, plan_key: str) -> bool:
    return scope_of(engine, account).edits_plan(plan_key)


_EVIDENCE_PLANS = (
    select(PLAN.c.key)
    .distinct()
    .select_from(
        EVIDENCE.join(UPDATE, UPDATE.c.id == EVIDENCE.c.update_id)
        .join(TASK, TASK.c.id == UPDATE.c.task_id)
        .join(PLAN, PLAN.c.id == TASK.c.plan_id)
    )
    .where(EVIDENCE.c.sha256 == bindparam("sha256"))
)


def evidence_plans(engine: Engine, sha256: str) -> frozenset[str]:
    """The plans whose updates carry the evidence file of this hash (stored once by content,
    so possibly several)."""
    with engine.connect() as conn:
        return frozenset(conn.execute(_EVIDENCE_PLANS, {"sha256": sha256}).scalars())


def can_download_evidence(engine: Engine, account: Account, sha256: str) -> bool:
    """Whether `account` sees a plan with an update carrying this file."""
    return bool(evidence_plans(engine, sha256) & scope_of(engine, account).visible)


def _parents(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        return {row.key: row.parent_key for row in conn.execute(_UNITS)}


def can_manage(engine: Engine, account: Account, other: Account) -> bool:
    """`account` (an admin) may disable, re-enable, reset and change `other`."""
    if account.role != "admin":
        return False
    if account.unit_key is None:
        return True
    return manages(_parents(engine), account.unit_key, account.role, other.unit_key)


def can_assign_unit(engine: Engine, account: Account, unit_key: str | None) -> bool:
    """`account` (an admin) may give an account this unit (None: the whole installation)."""
    if account.role != "admin":
        return False
    if account.unit_key is None:
        return True
    return manages(_parents(engine), account.unit_key, account.role, unit_key)


def managed_accounts(engine: Engine, account: Account) -> list[AccountInfo]:
    """The accounts `account` (an admin) manages, for its accounts page: none for others."""
    if account.role != "admin":
        return []
    everyone = list_users(engine)
    if account.unit_key is None:
        return everyone
    units = subtree(_parents(engine), account.unit_key)
    return [info for info in everyone if info.account.unit_key in units]


def audit_entries(
    engine: Engine,
    account: Account,
    *,
    limit: int = 100,
    before_id: int | None = None,
    actions: Collection[str] = (),
) -> list[audit_log.AuditEntry]:
    """The audit log as `account` may read it: nothing for a non-admin; the entries of its
    subtree's units for an admin of a unit; every entry for a whole-installation admin."""
    if account.role != "admin":
        return []
    units = None if account.unit_key is None else subtree(_parents(engine), account.unit_key)
    return audit_log.recent(engine, units, limit=limit, before_id=before_id, actions=actions)


def upload_refusal(
    engine: Engine,
    account: Account,
    incoming: Mapping[str, str],
    replaced: Iterable[str] = (),
) -> str | None:
    """Why `account` may not upload a plan file, in Vietnamese; None when it may.

    `incoming`: plan key -> coordinator unit key, as the file declares them. `replaced`: the
    plan keys of the file it overwrites, if any. Refused: a viewer; a plan whose declared
    coordinator is outside the account's scope; a plan already loaded (or replaced) that it
    may not edit, whatever coordinator the new file names (no taking over another's plan)."""
    if account.role not in EDITING_ROLES:
        return "Tài khoản chỉ được xem, không được nạp kế hoạch."
    known = facts(engine)
    scope = decide(known, account.unit_key, account.role)
    existing = {p.key for p in known.plans}
    for key, coordinator in sorted(incoming.items()):
        if not coordinator:
            return f'Kế hoạch "{key}" không ghi đơn vị chủ trì (plan.coordinator); chưa nạp gì.'
        if not scope.holds_unit(coordinator):
            return (
                f'Kế hoạch "{key}" do đơn vị "{coordinator}" chủ trì, ngoài phạm vi của tài '
                "khoản; chưa nạp gì."
            )
        if key in existing and not scope.edits_plan(key):
            return (
                f'Kế hoạch "{key}" đã có và do đơn vị ngoài phạm vi của tài khoản chủ trì; '
                "chưa nạp gì."
            )
    for key in sorted(set(replaced) - set(incoming)):
        if key in existing and not scope.edits_plan(key):
            return (
                f'Tệp này đang chứa kế hoạch "{key}" của đơn vị ngoài phạm vi của tài khoản; '
                "chưa nạp gì."
            )
    return None


def plan_file_heads(path: Path) -> dict[str, str]:
    """Plan key -> coordinator unit key, as a plan file declares them; {} for a file that
    declares neither (the loader refuses such a file anyway, so nothing is loaded)."""
    doc, _ = read_yaml(path)
    plan = doc.data.get("plan") if isinstance(doc.data, dict) else None
    if not isinstance(plan, dict):
        return {}
    key, coordinator = plan.get("key"), plan.get("coordinator")
    if not isinstance(key, str):
        return {}
    return {key: coordinator if isinstance(coordinator, str) else ""}


def plan_upload_refusal(
    engine: Engine, account: Account, uploaded: Path, replacing: Path | None = None
) -> str | None:
    """`upload_refusal` for a plan file `uploaded`, saved over the file `replacing` (when one
    is there): why, in Vietnamese, or None when `account` may upload it."""
    replaced = plan_file_heads(replacing) if replacing is not None and replacing.is_file() else {}
    return upload_refusal(engine, account, plan_file_heads(uploaded), replaced)
