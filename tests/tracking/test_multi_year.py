"""Multi-year tasks: open across the year boundary; next year's plan links their history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.errors import DefinitionError
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN, run_cli

NEXT_YEAR = """
plan:
  key: qt-skhcn-2025-do-luong
  title: Kế hoạch năm 2025
  year: 2025
  coordinator: qltcdlcl
  programme: de-an-996
  funding_sources: {sn-khcn-2025: Kinh phí sự nghiệp KHCN năm 2025}
sections:
  - key: "1"
    title: Hạ tầng đo lường
    group: "2.4"
    tasks:
      - key: ctdl-ap-dung-2025
        title: Tiếp tục áp dụng Chương trình đảm bảo đo lường
        lead: doanh-nghiep-nv-khcn
        schedule: Cả năm
        funding: sn-khcn-2025
        continues: CONTINUES
"""


def test_next_years_task_shows_the_history_it_continues(
    settings: Settings, engine: Engine, definitions_copy: Path
) -> None:
    ours = settings.model_copy(update={"definitions": definitions_copy})
    assert run_cli(ours, "load").exit_code == 0
    run_cli(
        ours,
        "update",
        "ctdl-ap-dung",
        "--status",
        "in_progress",
        "--progress",
        "60",
        "--date",
        "2024-10-01",
        "--note",
        "Đã ban hành 1 chương trình",
    )
    at_new_year = json.loads(
        run_cli(ours, "status", "--plan", SEED_PLAN, "--date", "2025-01-05", "--json").stdout
    )
    multi_year = next(t for t in at_new_year["tasks"] if t["key"] == "ctdl-ap-dung")
    assert multi_year["category"] == "in_progress_on_time"  # due 31/12/2025: still open, not late
    (definitions_copy / "plans" / "2025.yaml").write_text(
        NEXT_YEAR.replace("CONTINUES", f"{SEED_PLAN}/ctdl-ap-dung"), encoding="utf-8"
    )
    assert run_cli(ours, "load").exit_code == 0
    shown = json.loads(run_cli(ours, "show", "ctdl-ap-dung-2025", "--json").stdout)
    assert shown["continues"] == f"{SEED_PLAN}/ctdl-ap-dung"
    assert [e["note"] for e in shown["continued_history"]] == ["Đã ban hành 1 chương trình"]
    text = run_cli(ours, "show", "ctdl-ap-dung-2025").stdout
    assert f"Lịch sử từ {SEED_PLAN}/ctdl-ap-dung" in text
    assert "01/10/2024" in text


def test_continues_must_name_plan_and_task(engine: Engine, definitions_copy: Path) -> None:
    (definitions_copy / "plans" / "2025.yaml").write_text(
        NEXT_YEAR.replace("CONTINUES", "ctdl-ap-dung"), encoding="utf-8"
    )
    with pytest.raises(DefinitionError, match="KẾ_HOẠCH/NHIỆM_VỤ"):
        load_path(engine, definitions_copy)
