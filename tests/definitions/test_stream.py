"""Reading many plan files: worker processes give exactly what a serial read gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.db.queries import list_plans, list_tasks
from kehoach_flow.definitions import read_catalog
from kehoach_flow.errors import DefinitionError
from kehoach_flow.loading import load_path
from tests.conftest import SEED_PLAN

PLAN = Path("plans") / "quang-tri-2024.yaml"


def _many_plans(definitions: Path, count: int) -> Path:
    text = (definitions / PLAN).read_text(encoding="utf-8")
    for i in range(count):
        copy = text.replace(f"key: {SEED_PLAN}", f"key: plan-{i:02d}")
        (definitions / "plans" / f"plan-{i:02d}.yaml").write_text(copy, encoding="utf-8")
    return definitions


def _fingerprints(path: Path, workers: int) -> dict[str, str]:
    return {
        key: plan.fingerprint for key, plan in read_catalog(path, workers=workers).plans.items()
    }


def test_parallel_read_equals_serial_read(definitions_copy: Path) -> None:
    path = _many_plans(definitions_copy, 9)
    serial = _fingerprints(path, 0)
    assert len(serial) == 10
    assert _fingerprints(path, 2) == serial


def test_parallel_read_reports_the_same_problems(definitions_copy: Path) -> None:
    path = _many_plans(definitions_copy, 9)
    broken = path / "plans" / "plan-04.yaml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("lead: kh-tc", "lead: khong-co"),
        encoding="utf-8",
    )
    shutil.copy(path / "plans" / "plan-02.yaml", path / "plans" / "plan-02-again.yaml")
    found = []
    for workers in (0, 2):
        with pytest.raises(DefinitionError) as caught:
            read_catalog(path, workers=workers)
        found.append([str(p) for p in caught.value.problems])
    assert found[0] == found[1]
    assert any("plan-04.yaml" in p and '"khong-co"' in p for p in found[0])
    assert any(
        "plan-02-again.yaml" in p and 'kế hoạch "plan-02" đã có trong' in p for p in found[0]
    )


def test_parallel_load_stores_every_plan_and_a_fault_stores_nothing(
    engine: Engine, definitions_copy: Path
) -> None:
    path = _many_plans(definitions_copy, 9)
    broken = path / "plans" / "plan-08.yaml"
    original = broken.read_text(encoding="utf-8")
    broken.write_text(
        original.replace("schedule: Cả năm", "schedule: Cuối năm", 1), encoding="utf-8"
    )
    with pytest.raises(DefinitionError):
        load_path(engine, path, workers=2)
    assert list_plans(engine) == []
    broken.write_text(original, encoding="utf-8")
    load_path(engine, path, workers=2)
    assert len(list_plans(engine)) == 10
    assert len(list_tasks(engine)) == 70


def test_yes_no_and_on_stay_text(definitions_copy: Path) -> None:
    """YAML 1.2 core schema: a unit called "No" is not the boolean false (the Norway problem)."""
    plan = definitions_copy / PLAN
    text = plan.read_text(encoding="utf-8").replace("result: BC kết quả khảo sát", "result: No")
    plan.write_text(text, encoding="utf-8")
    catalog = read_catalog(definitions_copy, workers=0)
    task = next(t for t in catalog.plans[SEED_PLAN].tasks if t.key == "khao-sat-30-dn")
    assert task.result == "No"
