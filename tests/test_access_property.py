"""The scope rule against a brute-force definition written here independently: for random unit
trees, plans and accounts, what `decide` gives, and what `scope_of` gives once the same
things are rows of a real database, equal what walking each unit's ancestors gives."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert

from kehoach_flow.accounts import Account
from kehoach_flow.accounts.scope import Facts, PlanFacts, decide, manages, scope_of
from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.db.tables import PLAN, PROGRAMME, SECTION, TASK, UNIT

ROLES = ("viewer", "coordinator", "admin")


@dataclass(frozen=True)
class World:
    parents: dict[str, str | None]
    owners: dict[str, str | None]  # programme -> owner unit
    plans: list[tuple[str, str, list[tuple[str, bool]], str | None]]
    # (plan key, coordinator, [(lead, archived)], programme)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A forest: each unit's parent is an earlier unit or none."""
    count = draw(st.integers(1, 8))
    units = [f"u{i}" for i in range(count)]
    parents: dict[str, str | None] = {
        unit: draw(st.none() | st.sampled_from(units[:i])) if i else None
        for i, unit in enumerate(units)
    }
    owners = {f"p{i}": draw(st.none() | st.sampled_from(units)) for i in range(2)}
    plans = []
    for i in range(draw(st.integers(0, 6))):
        leads = draw(st.lists(st.tuples(st.sampled_from(units), st.booleans()), max_size=3))
        programme = draw(st.none() | st.sampled_from(sorted(owners)))
        plans.append((f"k{i}", draw(st.sampled_from(units)), leads, programme))
    return World(parents, owners, plans)


def accounts(world: World) -> st.SearchStrategy[tuple[str | None, str]]:
    units = st.none() | st.sampled_from(sorted(world.parents)) | st.just("gone")
    return st.tuples(units, st.sampled_from(ROLES))


def within(parents: dict[str, str | None], unit: str | None, scope: str | None) -> bool:
    """Brute force: `unit` is `scope` or has it among its ancestors (scope None: anything)."""
    if scope is None:
        return True
    seen = set()
    while unit is not None and unit not in seen:
        if unit == scope:
            return True
        seen.add(unit)
        unit = parents.get(unit)
    return False


def expected(world: World, unit: str | None, role: str) -> tuple[set[str], set[str]]:
    visible, editable = set(), set()
    for key, coordinator, leads, programme in world.plans:
        owner = world.owners[programme] if programme else None
        if (
            within(world.parents, coordinator, unit)
            or any(within(world.parents, lead, unit) for lead, archived in leads if not archived)
            or (owner is not None and within(world.parents, owner, unit))
        ):
            visible.add(key)
        if role != "viewer" and within(world.parents, coordinator, unit):
            editable.add(key)
    return visible, editable


def _facts(world: World) -> Facts:
    return Facts(
        world.parents,
        tuple(
            PlanFacts(
                key,
                coordinator,
                frozenset(lead for lead, archived in leads if not archived),
                programme,
                world.owners[programme] if programme else None,
            )
            for key, coordinator, leads, programme in world.plans
        ),
    )


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_the_rule_equals_the_ancestor_walk(data: st.DataObject) -> None:
    world = data.draw(worlds())
    unit, role = data.draw(accounts(world))
    scope = decide(_facts(world), unit, role)
    visible, editable = expected(world, unit, role)
    assert (set(scope.visible), set(scope.editable)) == (visible, editable)
    for programme in world.owners:
        of_it = {key for key, _, _, prog in world.plans if prog == programme}
        assert scope.rollup_plans(programme) == (of_it & visible, bool(of_it) and of_it <= visible)
    other = data.draw(st.none() | st.sampled_from(sorted(world.parents)))
    assert manages(world.parents, unit, role, other) == (
        role == "admin"
        and (unit is None or (other is not None and within(world.parents, other, unit)))
    )


@pytest.fixture(scope="module")
def sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("access") / "kehoach.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _store(engine: Engine, world: World) -> None:
    """The world as rows: units, programmes with owners, plans with one section and their
    tasks (archived ones too, which must not count)."""
    now = datetime(2024, 1, 2, tzinfo=UTC)
    with engine.begin() as conn:
        for table in (TASK, SECTION, PLAN, PROGRAMME, UNIT):
            conn.execute(delete(table))
        unit_ids = {}
        for key, parent in world.parents.items():
            unit_ids[key] = conn.execute(
                insert(UNIT).returning(UNIT.c.id),
                [{"key": key, "name": key, "parent_key": parent, "kind": "internal"}],
            ).scalar_one()
        programme_ids = {}
        for key, owner in world.owners.items():
            programme_ids[key] = conn.execute(
                insert(PROGRAMME).returning(PROGRAMME.c.id),
                [{"key": key, "title": key, "owner_key": owner}],
            ).scalar_one()
        for key, coordinator, leads, programme in world.plans:
            plan_id = conn.execute(
                insert(PLAN).returning(PLAN.c.id),
                [
                    {
                        "key": key,
                        "title": key,
                        "year": 2024,
                        "programme_id": programme_ids[programme] if programme else None,
                        "coordinator_id": unit_ids[coordinator],
                        "source_file": f"{key}.yaml",
                        # as the loader's: a hash of the definition, its leads included
                        "fingerprint": hashlib.sha256(repr((key, leads)).encode()).hexdigest(),
                        "loaded_at": now,
                        "revision": 0,
                    }
                ],
            ).scalar_one()
            section_id = conn.execute(
                insert(SECTION).returning(SECTION.c.id),
                [{"plan_id": plan_id, "key": "1", "title": "1", "position": 0, "depth": 0}],
            ).scalar_one()
            for i, (lead, archived) in enumerate(leads):
                task = {
                    "plan_id": plan_id,
                    "key": f"t{i}",
                    "section_id": section_id,
                    "position": i,
                    "depth": 0,
                    "title": "t",
                    "lead_id": unit_ids[lead],
                    "start": date(2024, 1, 2),
                    "due": date(2024, 6, 28),
                    "fingerprint": "f",
                    "status": "not_started",
                    "version": 1,
                    "progress": 0,
                    "archived_at": now if archived else None,
                }
                conn.execute(insert(TASK), [task])


@given(st.data())
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_rule_read_from_the_database_equals_the_ancestor_walk(
    sqlite: Engine, data: st.DataObject
) -> None:
    world = data.draw(worlds())
    _store(sqlite, world)
    for unit, role in data.draw(st.lists(accounts(world), min_size=1, max_size=4)):
        scope = scope_of(sqlite, Account(0, "x", "x", role, 0, unit))
        assert (set(scope.visible), set(scope.editable)) == expected(world, unit, role)
