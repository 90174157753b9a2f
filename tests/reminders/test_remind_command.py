"""`kehoach remind --dry-run` on the seed plan."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN, run_cli


def test_dry_run_on_the_seed_plan_lists_the_tasks_due(settings: Settings, engine: Engine) -> None:
    assert run_cli(settings, "load").exit_code == 0
    run_cli(settings, "update", "chuan-do-luong", "--status", "done", "--date", "2024-11-20")
    result = run_cli(settings, "remind", "--date", "2024-12-20", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    lines = json.loads(result.stdout)
    # the seed plan has completion review: the done report waits for the coordinator, who is
    # reminded of it (22 working days waited: "quá hạn xử lý"), and its lead no longer is
    waiting = [line for line in lines if line["rule"] == "review_waiting"]
    assert [(line["task"].split("/")[1], line["unit"]) for line in waiting] == [
        ("chuan-do-luong", "qltcdlcl")
    ]
    assert "báo hoàn thành ngày 20/11/2024, chờ xác nhận" in waiting[0]["why"]
    tasks = {line["task"].split("/")[1] for line in lines if line["rule"] != "review_waiting"}
    assert tasks == {
        "tuyen-truyen-996",
        "to-chuc-kiem-dinh",
        "khao-sat-30-dn",
        "dau-tu-thiet-bi-gd2",
        "boi-duong-can-bo",
    }
    assert {line["why"] for line in lines if "boi-duong" in line["task"]} == {
        "sắp đến hạn, còn 7 ngày làm việc (đơn vị chủ trì chưa có địa chỉ thư: Theo Thông báo của các cơ quan ở TW)"
    }
    overdue = json.loads(
        run_cli(settings, "remind", "--date", "2025-01-06", "--dry-run", "--json").stdout
    )
    assert {line["rule"] for line in overdue} == {"overdue", "review_waiting"}
    assert {line["task"] for line in overdue if line["rule"] == "review_waiting"} == {
        f"{SEED_PLAN}/chuan-do-luong"
    }
    text = run_cli(settings, "remind", "--date", "2025-01-01", "--dry-run")
    assert "ngày nghỉ (Tết Dương lịch)" in text.stdout
