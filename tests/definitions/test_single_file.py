"""A plan file outside definitions/ is checked against the configured definitions and the
database, so `validate FILE` and `load FILE` give no false unit or programme errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.db.queries import list_plans
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from tests.conftest import DEFINITIONS, SEED_PLAN, run_cli

SEED_FILE = DEFINITIONS / "plans" / "quang-tri-2024.yaml"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """The seed plan copied to a directory with no units.yaml above it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return Path(shutil.copy(SEED_FILE, folder / "quang-tri-2024.yaml"))


def _with_unknown_lead(plan: Path) -> None:
    text = plan.read_text(encoding="utf-8")
    assert "lead: kh-tc\n" in text
    plan.write_text(text.replace("lead: kh-tc\n", "lead: khong-co-don-vi\n", 1), encoding="utf-8")


def _problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("Lỗi:")]


def test_validate_a_copied_plan_file_uses_the_configured_definitions(
    sqlite_settings: Settings, elsewhere: Path
) -> None:
    result = run_cli(sqlite_settings, "validate", str(elsewhere))
    assert result.exit_code == 0, result.stderr
    assert "1 kế hoạch, 7 nhiệm vụ" in result.stdout
    assert not (sqlite_settings.data_dir / "kehoach.db").exists()  # validate creates no database


def test_validate_a_copied_plan_file_still_reports_a_truly_unknown_unit(
    sqlite_settings: Settings, elsewhere: Path
) -> None:
    _with_unknown_lead(elsewhere)
    result = run_cli(sqlite_settings, "validate", str(elsewhere))
    assert result.exit_code == 2
    [problem] = _problems(result.stderr)
    assert problem.endswith('đơn vị "khong-co-don-vi" (đơn vị chủ trì) không có trong units.yaml')


def test_load_a_copied_plan_file_uses_the_configured_definitions(
    settings: Settings, engine: Engine, elsewhere: Path
) -> None:
    result = run_cli(settings, "load", str(elsewhere))
    assert result.exit_code == 0, result.stderr
    assert [p["key"] for p in list_plans(engine)] == [SEED_PLAN]


def test_validate_and_load_take_units_and_programmes_from_the_database(
    settings: Settings, engine: Engine, elsewhere: Path, tmp_path: Path
) -> None:
    """With no definitions directory at hand, what is already loaded is what counts."""
    load_path(engine, DEFINITIONS)
    bare = settings.model_copy(update={"definitions": tmp_path / "khong-co"})
    checked = run_cli(bare, "validate", str(elsewhere))
    assert checked.exit_code == 0, checked.stderr
    loaded = run_cli(bare, "load", str(elsewhere))
    assert loaded.exit_code == 0, loaded.stderr
    _with_unknown_lead(elsewhere)
    for command in ("validate", "load"):
        refused = run_cli(bare, command, str(elsewhere))
        assert refused.exit_code == 2
        [problem] = _problems(refused.stderr)
        assert 'đơn vị "khong-co-don-vi"' in problem
