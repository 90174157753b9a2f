"""A programme's `owner:`, the unit owning it (a ministry's department): checked like every
unit reference, stored in programme.owner_key on each load (changed, or cleared when the
line goes), and read by the scope rule: the owner sees every province's plan of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from kehoach_flow.accounts import Account
from kehoach_flow.accounts.scope import scope_of
from kehoach_flow.db.tables import PROGRAMME
from kehoach_flow.definitions import read_catalog
from kehoach_flow.errors import DefinitionError
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN, run_cli

PROGRAMME_KEY = "de-an-996"
MINISTRY = """\
  bo-khcn:
    name: Bộ Khoa học và Công nghệ
  tong-cuc:
    name: Tổng cục Tiêu chuẩn Đo lường Chất lượng
    parent: bo-khcn
  vu-khcn:
    name: Vụ Khoa học và Công nghệ các ngành kinh tế - kỹ thuật
    parent: bo-khcn
"""
OTHER_PLAN = """\
plan:
  key: tinh-b-2024
  title: Kế hoạch thực hiện Đề án 996 năm 2024 của tỉnh B
  year: 2024
  programme: de-an-996
  coordinator: so-b
sections:
  - key: '1'
    title: Nhiệm vụ
    tasks:
      - {key: v1, title: Việc một, lead: so-b, start: 2024-01-02, due: 2024-06-28}
"""


def _programme_file(root: Path) -> Path:
    return root / "programmes" / f"{PROGRAMME_KEY}.yaml"


def _set_owner(root: Path, owner: str | None) -> int:
    """Give the programme file an `owner:` line (None: none); returns that line's number."""
    path = _programme_file(root)
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("  owner:")
    ]
    at = lines.index(f"  key: {PROGRAMME_KEY}") + 1
    if owner is not None:
        lines.insert(at, f"  owner: {owner}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 1


@pytest.fixture
def tree(definitions_copy: Path) -> Path:
    """The seed definitions with a ministry above a department, and a second province's
    plan of the programme."""
    units = definitions_copy / "units.yaml"
    text = units.read_text(encoding="utf-8")
    province_b = (
        "  so-b:\n    name: Sở Khoa học và Công nghệ tỉnh B\n"
        "  phong-b:\n    name: Phòng Quản lý TCĐLCL tỉnh B\n    parent: so-b\n"
    )
    units.write_text(text.replace("units:\n", f"units:\n{MINISTRY}{province_b}", 1), "utf-8")
    (definitions_copy / "plans" / "tinh-b-2024.yaml").write_text(OTHER_PLAN, encoding="utf-8")
    return definitions_copy


def _owner(engine: Engine) -> str | None:
    with engine.connect() as conn:
        query = select(PROGRAMME.c.owner_key).where(PROGRAMME.c.key == PROGRAMME_KEY)
        owner: str | None = conn.execute(query).scalar_one()
        return owner


def test_the_owner_is_read_into_the_catalog(tree: Path) -> None:
    assert read_catalog(tree).programmes[PROGRAMME_KEY].owner is None
    _set_owner(tree, "tong-cuc")
    assert read_catalog(tree).programmes[PROGRAMME_KEY].owner == "tong-cuc"


def test_an_unknown_owner_is_refused_at_its_line_in_vietnamese(
    sqlite_settings: Settings, sqlite_engine: Engine, tree: Path
) -> None:
    line = _set_owner(tree, "bo-khong-co")
    expected = (
        f"{PROGRAMME_KEY}.yaml:{line}:10: "
        'đơn vị "bo-khong-co" (đơn vị chủ quản chương trình) không có trong units.yaml'
    )
    with pytest.raises(DefinitionError) as raised:
        read_catalog(tree)
    [problem] = raised.value.problems
    assert str(problem).endswith(f"/programmes/{expected}"), problem
    for command in ("validate", "load"):
        result = run_cli(sqlite_settings, command, str(tree))
        assert result.exit_code == 2, result.stdout
        assert "Traceback" not in result.stderr
        assert any(row.endswith(expected) for row in result.stderr.splitlines()), result.stderr
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(PROGRAMME)).all() == []  # nothing loaded


def test_an_owner_that_is_no_unit_key_is_refused_at_its_line(
    sqlite_settings: Settings, tree: Path
) -> None:
    line = _set_owner(tree, "Bộ KH&CN")
    result = run_cli(sqlite_settings, "validate", str(tree))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert f"{PROGRAMME_KEY}.yaml:{line}:" in result.stderr


def test_the_owner_is_stored_changed_and_cleared_on_reload(
    settings: Settings, engine: Engine, tree: Path, tmp_path: Path
) -> None:
    _set_owner(tree, "tong-cuc")
    summary = load_path(engine, tree)
    assert summary.programmes_added == [PROGRAMME_KEY]
    assert _owner(engine) == "tong-cuc"

    _set_owner(tree, "vu-khcn")
    assert load_path(engine, tree).programmes_updated == [PROGRAMME_KEY]
    assert _owner(engine) == "vu-khcn"

    # a plan file from elsewhere, checked against the configured definitions, or with none
    # at hand against the programme as the database holds it: the owner stays
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    plan = elsewhere / "tinh-b-2024.yaml"
    for n, definitions in enumerate((tree, tmp_path / "khong-co")):
        plan.write_text(OTHER_PLAN.replace("Việc một", f"Việc {n}"), encoding="utf-8")
        configured = settings.model_copy(update={"definitions": definitions})
        loaded = run_cli(configured, "load", str(plan))
        assert loaded.exit_code == 0, loaded.stderr
        assert _owner(engine) == "vu-khcn"

    _set_owner(tree, None)
    assert load_path(engine, tree).programmes_updated == [PROGRAMME_KEY]
    assert _owner(engine) is None
    assert load_path(engine, tree).programmes_updated == []  # nothing left to change


def _account(role: str, unit: str | None) -> Account:
    return Account(0, f"{role}-{unit}", "", role, 0, unit)


def test_the_owning_department_and_its_ministry_see_every_province_plan_of_it(
    engine: Engine, tree: Path
) -> None:
    both = {SEED_PLAN, "tinh-b-2024"}
    load_path(engine, tree)
    department = _account("viewer", "tong-cuc")
    assert scope_of(engine, department).visible == set()  # no owner yet: nothing

    _set_owner(tree, "tong-cuc")
    load_path(engine, tree)
    assert scope_of(engine, department).visible == both
    assert scope_of(engine, department).rollup_plans(PROGRAMME_KEY) == (both, True)
    assert scope_of(engine, _account("coordinator", "bo-khcn")).visible == both
    assert scope_of(engine, _account("coordinator", "bo-khcn")).editable == set()
    assert scope_of(engine, _account("viewer", "vu-khcn")).visible == set()  # a sibling
    assert scope_of(engine, _account("coordinator", "so-b")).visible == {"tinh-b-2024"}
    assert scope_of(engine, _account("viewer", "qltcdlcl")).visible == {SEED_PLAN}

    _set_owner(tree, "vu-khcn")  # handed to another department: the first one loses it
    load_path(engine, tree)
    assert scope_of(engine, department).visible == set()
    assert scope_of(engine, _account("viewer", "vu-khcn")).visible == both
