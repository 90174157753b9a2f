"""Loading definitions: in place, idempotent, archiving, renames, one transaction."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from kehoach_flow.db.queries import find_task, list_tasks
from kehoach_flow.db.sync import LoadSummary
from kehoach_flow.db.tables import TASK
from kehoach_flow.errors import DefinitionError
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from tests.conftest import DEFINITIONS, SEED_PLAN, run_cli

PLAN_FILE = Path("plans") / "quang-tri-2024.yaml"


def _set_status(engine: Engine, key: str, status: str) -> int:
    with engine.begin() as conn:
        conn.execute(
            update(TASK).where(TASK.c.key == key).values(status=status, version=TASK.c.version + 1)
        )
        return int(conn.execute(select(TASK.c.id).where(TASK.c.key == key)).scalar_one())


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_seed_plan_lists_all_seven_tasks_with_leads_partners_dues_and_funding(
    settings: Settings, engine: Engine
) -> None:
    assert run_cli(settings, "load").exit_code == 0
    result = run_cli(settings, "tasks", "--plan", SEED_PLAN, "--json")
    assert result.exit_code == 0, result.stderr
    tasks = json.loads(result.stdout)
    assert [t["key"] for t in tasks] == [
        "tuyen-truyen-996",
        "chuan-do-luong",
        "to-chuc-kiem-dinh",
        "khao-sat-30-dn",
        "dau-tu-thiet-bi-gd2",
        "boi-duong-can-bo",
        "ctdl-ap-dung",
    ]
    first = tasks[0]
    assert first["lead"]["key"] == "tt-ncgdmst"
    assert [p["key"] for p in first["partners"]] == ["qltcdlcl", "to-chuc-ca-nhan"]
    assert first["due"] == "2024-12-31"
    assert first["funding"][0]["source"] == "phong-su-2024"
    assert [{k: t[k] for k in ("quantity", "unit")} for t in first["targets"]] == [
        {"quantity": 1, "unit": "phóng sự"},
        {"quantity": 2, "unit": "bài viết"},
    ]
    multi_year = tasks[-1]
    assert (multi_year["start"], multi_year["due"]) == ("2024-01-01", "2025-12-31")
    assert multi_year["group"] == "2.4"
    assert {t["funding"][0]["source"] for t in tasks[1:]} == {"sn-khcn-2024"}


def test_second_load_of_unchanged_files_changes_nothing_and_says_so(
    settings: Settings, engine: Engine
) -> None:
    assert run_cli(settings, "load").exit_code == 0
    again = run_cli(settings, "load")
    assert again.exit_code == 0
    assert "Không có thay đổi" in again.stdout
    assert load_path(engine, DEFINITIONS).changed is False


def test_reload_keeps_status_and_id_when_title_changes(
    engine: Engine, definitions_copy: Path
) -> None:
    load_path(engine, definitions_copy)
    task_id = _set_status(engine, "khao-sat-30-dn", "in_progress")
    _edit(
        definitions_copy / PLAN_FILE,
        "result: BC kết quả khảo sát",
        "result: Báo cáo kết quả khảo sát 30 doanh nghiệp",
    )
    summary = load_path(engine, definitions_copy)
    assert summary.plans[0].updated == ["khao-sat-30-dn"]
    task = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")
    assert task["result"] == "Báo cáo kết quả khảo sát 30 doanh nghiệp"
    assert task["status"] == "in_progress"
    assert task["version"] == 2
    with engine.connect() as conn:
        assert (
            conn.execute(select(TASK.c.id).where(TASK.c.key == "khao-sat-30-dn")).scalar_one()
            == task_id
        )


def test_renamed_from_keeps_the_row_across_a_key_change(
    engine: Engine, definitions_copy: Path
) -> None:
    load_path(engine, definitions_copy)
    task_id = _set_status(engine, "khao-sat-30-dn", "done")
    _edit(
        definitions_copy / PLAN_FILE,
        "- key: khao-sat-30-dn",
        "- key: khao-sat-doanh-nghiep\n        renamed_from: khao-sat-30-dn",
    )
    summary = load_path(engine, definitions_copy)
    assert summary.plans[0].renamed == [("khao-sat-30-dn", "khao-sat-doanh-nghiep")]
    assert summary.plans[0].archived == []
    task = find_task(engine, "khao-sat-doanh-nghiep")
    assert task["status"] == "done"
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(TASK.c.id).where(TASK.c.key == "khao-sat-doanh-nghiep")
            ).scalar_one()
            == task_id
        )


def test_removing_a_task_archives_it_and_putting_it_back_restores_it(
    engine: Engine, definitions_copy: Path
) -> None:
    load_path(engine, definitions_copy)
    _set_status(engine, "chuan-do-luong", "in_progress")
    plan_file = definitions_copy / PLAN_FILE
    original = plan_file.read_text(encoding="utf-8")
    start = original.index("      - key: chuan-do-luong")
    end = original.index("      - key: to-chuc-kiem-dinh")
    plan_file.write_text(original[:start] + original[end:], encoding="utf-8")
    assert load_path(engine, definitions_copy).plans[0].archived == ["chuan-do-luong"]
    assert "chuan-do-luong" not in [t["key"] for t in list_tasks(engine, plan=SEED_PLAN)]
    archived = find_task(engine, "chuan-do-luong")
    assert archived["archived"] is True and archived["status"] == "in_progress"
    plan_file.write_text(original, encoding="utf-8")
    assert load_path(engine, definitions_copy).plans[0].restored == ["chuan-do-luong"]
    assert find_task(engine, "chuan-do-luong")["status"] == "in_progress"


def test_a_file_with_an_error_changes_nothing(engine: Engine, definitions_copy: Path) -> None:
    load_path(engine, definitions_copy)
    before = list_tasks(engine, include_archived=True)
    plan_file = definitions_copy / PLAN_FILE
    _edit(plan_file, "result: BC kết quả khảo sát", "result: đã sửa")
    _edit(plan_file, "lead: kh-tc", "lead: khong-co")
    with pytest.raises(DefinitionError):
        load_path(engine, definitions_copy)
    assert list_tasks(engine, include_archived=True) == before


def test_loading_one_plan_file_leaves_other_plans_alone(
    engine: Engine, definitions_copy: Path
) -> None:
    other = definitions_copy / "plans" / "other.yaml"
    text = (definitions_copy / PLAN_FILE).read_text(encoding="utf-8")
    other.write_text(text.replace(f"key: {SEED_PLAN}", "key: other-plan"), encoding="utf-8")
    load_path(engine, definitions_copy)
    other.unlink()
    summary = load_path(engine, definitions_copy / PLAN_FILE)
    assert [p.key for p in summary.plans] == [SEED_PLAN]
    assert len(list_tasks(engine, plan="other-plan")) == 7


def test_archive_command_retires_a_plan(settings: Settings, engine: Engine) -> None:
    run_cli(settings, "load")
    assert run_cli(settings, "archive", SEED_PLAN).exit_code == 0
    assert json.loads(run_cli(settings, "plans", "--json").stdout) == []
    assert json.loads(run_cli(settings, "tasks", "--json").stdout) == []
    shown = run_cli(settings, "show", "khao-sat-30-dn", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["plan"] == SEED_PLAN
    missing = run_cli(settings, "archive", SEED_PLAN)
    assert missing.exit_code == 2
    assert missing.stderr.count("\n") == 1


def test_bare_task_key_that_two_plans_share_is_refused_with_choices(
    engine: Engine, definitions_copy: Path
) -> None:
    text = (definitions_copy / PLAN_FILE).read_text(encoding="utf-8")
    (definitions_copy / "plans" / "b.yaml").write_text(
        text.replace(f"key: {SEED_PLAN}", "key: plan-b"), encoding="utf-8"
    )
    load_path(engine, definitions_copy)
    from kehoach_flow.errors import AmbiguousTaskError

    with pytest.raises(AmbiguousTaskError, match="plan-b/chuan-do-luong"):
        find_task(engine, "chuan-do-luong")
    assert find_task(engine, "plan-b/chuan-do-luong")["plan"] == "plan-b"


def test_two_loads_at_once_are_serialised_and_both_land(
    engine: Engine, definitions_copy: Path
) -> None:
    other = definitions_copy.parent / "other-definitions"
    other.mkdir()
    shutil.copytree(definitions_copy, other, dirs_exist_ok=True)
    _edit(other / PLAN_FILE, "result: BC kết quả khảo sát", "result: Báo cáo khảo sát")
    errors: list[BaseException] = []
    summaries: dict[Path, LoadSummary] = {}

    def run(path: Path) -> None:
        try:
            summaries[path] = load_path(engine, path, workers=0)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in (definitions_copy, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Whichever went first found an empty database and added the plan; the second, run after
    # it, found those rows and changed one result, and its text is the one kept. Run side by
    # side, both would have found the database empty and added the plan.
    by_role = {
        "first" if s.plans[0].added else "second": (path, s.plans[0])
        for path, s in summaries.items()
    }
    assert set(by_role) == {"first", "second"}
    _, first = by_role["first"]
    second_path, second = by_role["second"]
    assert (first.state, len(first.added)) == ("new", 7)
    assert (second.state, second.added, second.updated) == ("changed", [], ["khao-sat-30-dn"])
    expected = {definitions_copy: "BC kết quả khảo sát", other: "Báo cáo khảo sát"}[second_path]
    tasks = list_tasks(engine, plan=SEED_PLAN)
    assert len(tasks) == 7
    assert next(t["result"] for t in tasks if t["key"] == "khao-sat-30-dn") == expected
