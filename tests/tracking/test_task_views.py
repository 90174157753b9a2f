"""A plan at a date: roll-ups from subtasks, dependencies, and the graph command."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.state import Derived
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import BoardOptions, plan_board
from kehoach_flow.workdays import WorkCalendar
from tests.conftest import run_cli

PLAN = """
plan:
  key: thu-nghiem-2024
  title: Kế hoạch thử nghiệm có nhiệm vụ con
  year: 2024
  coordinator: qltcdlcl
  programme: de-an-996
  money_unit: trieu
  funding_sources: {sn: Kinh phí sự nghiệp KHCN}
sections:
  - key: "I"
    title: Hạ tầng đo lường
    group: "2.2"
    funding: sn
    tasks:
      - key: khao-sat
        title: Khảo sát doanh nghiệp
        lead: qltcdlcl
        schedule: Quý I
        amount: 10
      - key: dau-tu
        title: Đầu tư thiết bị & "chuẩn" <mới>
        lead: kh-tc
        schedule: Quý II-III
        depends_on: [khao-sat]
        amount: 100
        subtasks:
          - {key: mua-sam, title: Mua sắm, lead: kh-tc, schedule: Quý II, amount: 60}
          - {key: lap-dat, title: Lắp đặt, lead: ttkt-tcdlcl, schedule: Quý III, amount: 40, depends_on: [mua-sam]}
      - key: nghiem-thu
        title: Nghiệm thu
        lead: qltcdlcl
        schedule: Quý IV
        depends_on: [lap-dat]
"""
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PLAIN = BoardOptions(WorkCalendar(holidays={}, working_weekends={}))


@pytest.fixture
def plan(engine: Engine, definitions_copy: Path) -> Engine:
    (definitions_copy / "plans" / "thu-nghiem.yaml").write_text(PLAN, encoding="utf-8")
    load_path(engine, definitions_copy)
    return engine


def _record(engine: Engine, key: str, day: date, **change: object) -> None:
    task_id = int(find_task(engine, f"thu-nghiem-2024/{key}")["id"])
    at = datetime.combine(day, time(9), tzinfo=TZ)
    record_update(engine, task_id, UpdateIn(**change), Author("test", "cli", at))  # type: ignore[arg-type]


def test_parent_rolls_up_progress_and_amounts_from_subtasks(plan: Engine) -> None:
    _record(plan, "khao-sat", date(2024, 3, 20), status=Status.DONE)
    _record(
        plan,
        "mua-sam",
        date(2024, 5, 2),
        status=Status.IN_PROGRESS,
        progress=80,
        spending={"sn": 45_000_000},
    )
    _record(
        plan,
        "lap-dat",
        date(2024, 7, 2),
        status=Status.IN_PROGRESS,
        progress=20,
        spending={"sn": 5_000_000},
    )
    views = {v.key: v for v in plan_board(plan, "thu-nghiem-2024", date(2024, 7, 15), PLAIN)}
    parent = views["dau-tu"]
    assert parent.state.progress == 50
    assert (parent.planned, parent.spent) == (100_000_000, 50_000_000)
    assert views["mua-sam"].parent == "dau-tu"
    assert views["nghiem-thu"].derived == Derived.BLOCKED
    assert views["nghiem-thu"].open_dependencies == ("lap-dat",)
    earlier = {v.key: v for v in plan_board(plan, "thu-nghiem-2024", date(2024, 3, 1), PLAIN)}
    assert earlier["dau-tu"].derived == Derived.BLOCKED  # khao-sat not done yet on 1/3
    assert earlier["dau-tu"].spent is None


def test_graph_command_marks_the_latest_due_chain(
    plan: Engine, settings: Settings, definitions_copy: Path
) -> None:
    ours = settings.model_copy(update={"definitions": definitions_copy})
    mermaid = run_cli(ours, "graph", "--plan", "thu-nghiem-2024", "--date", "2024-06-01")
    assert mermaid.exit_code == 0, mermaid.stderr
    lines = mermaid.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    assert "t_mua_sam ==> t_lap_dat" in mermaid.stdout
    assert "t_lap_dat ==> t_nghiem_thu" in mermaid.stdout
    assert "t_khao_sat --> t_dau_tu" in mermaid.stdout
    assert "t_dau_tu -.-> t_mua_sam" in mermaid.stdout
    assert "#quot;chuẩn#quot; #lt;mới#gt;" in mermaid.stdout
    dot = run_cli(ours, "graph", "--plan", "thu-nghiem-2024", "--format", "dot")
    assert dot.stdout.startswith("digraph plan {")
    wrong = run_cli(ours, "graph", "--plan", "thu-nghiem-2024", "--format", "png")
    assert wrong.exit_code == 2 and "mermaid hoặc dot" in wrong.stderr
