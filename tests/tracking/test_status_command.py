"""`kehoach update` and `kehoach status` on the seed plan, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN, run_cli

# The seed plan has completion review (on by default): each done report is confirmed by the
# coordinator two working days later, and counts done on the date the unit reported.
UPDATES = [
    (
        "update",
        "chuan-do-luong",
        "--status",
        "in_progress",
        "--progress",
        "50",
        "--date",
        "2024-03-15",
    ),
    (
        "update",
        "chuan-do-luong",
        "--status",
        "done",
        "--date",
        "2024-11-20",
        "--note",
        "Chuẩn đã được hiệu chuẩn",
    ),
    ("review", "confirm", "chuan-do-luong", "--date", "2024-11-22"),
    (
        "update",
        "to-chuc-kiem-dinh",
        "--status",
        "in_progress",
        "--progress",
        "70",
        "--date",
        "2024-06-01",
    ),
    ("update", "to-chuc-kiem-dinh", "--status", "done", "--date", "2025-01-05"),
    ("review", "confirm", "to-chuc-kiem-dinh", "--date", "2025-01-07"),
    (
        "update",
        "khao-sat-30-dn",
        "--status",
        "in_progress",
        "--progress",
        "40",
        "--actual",
        "doanh nghiệp=12",
        "--date",
        "2024-05-10",
    ),
    (
        "update",
        "ctdl-ap-dung",
        "--status",
        "Đang thực hiện",
        "--progress",
        "30",
        "--date",
        "2024-09-01",
    ),
    (
        "update",
        "dau-tu-thiet-bi-gd2",
        "--status",
        "cancelled",
        "--date",
        "2024-04-01",
        "--note",
        "Chuyển sang năm sau",
    ),
]


@pytest.fixture
def recorded(settings: Settings, engine: Engine) -> Settings:
    assert run_cli(settings, "load").exit_code == 0
    for args in UPDATES:
        result = run_cli(settings, *args, "--by", "qltcdlcl")
        assert result.exit_code == 0, result.stderr
    return settings


def _status(settings: Settings, day: str) -> dict:  # type: ignore[type-arg]
    result = run_cli(settings, "status", "--plan", SEED_PLAN, "--date", day, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_status_after_the_year_shows_every_category(recorded: Settings) -> None:
    board = _status(recorded, "2025-01-10")
    assert board["overall"]["counts"] == {
        "done_on_time": 1,
        "done_late": 1,
        "in_progress_on_time": 1,
        "in_progress_late": 1,
        "not_started": 2,
    }
    assert board["overall"]["cancelled"] == 1
    by_key = {t["key"]: t for t in board["tasks"]}
    assert by_key["chuan-do-luong"]["category"] == "done_on_time"
    assert by_key["to-chuc-kiem-dinh"]["category"] == "done_late"
    assert by_key["khao-sat-30-dn"]["derived"] == "overdue"
    assert by_key["ctdl-ap-dung"]["category"] == "in_progress_on_time"
    text = run_cli(recorded, "status", "--plan", SEED_PLAN, "--date", "2025-01-10")
    for label in (
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Đang thực hiện trong hạn",
        "Đang thực hiện quá hạn",
        "Chưa thực hiện",
    ):
        assert label in text.stdout


def test_a_done_on_the_seed_plan_waits_in_status_until_the_coordinator_confirms_it(
    settings: Settings, engine: Engine
) -> None:
    assert run_cli(settings, "load").exit_code == 0
    done = ("chuan-do-luong", "--status", "done", "--date", "2024-11-20", "--by", "ttkt-tcdlcl")
    reported = run_cli(settings, "update", *done)
    assert reported.exit_code == 0 and "Chờ xác nhận, 100%" in reported.stdout
    waiting = _status(settings, "2024-12-31")
    task = next(t for t in waiting["tasks"] if t["key"] == "chuan-do-luong")
    assert task["status"] == "awaiting_review" and task["derived"] == "awaiting_review"
    assert task["category"] == "in_progress_on_time"  # not counted done while it waits
    assert waiting["overall"]["counts"]["done_on_time"] == 0
    text = run_cli(settings, "status", "--plan", SEED_PLAN, "--date", "2024-12-31").stdout
    assert "- Chờ xác nhận hoàn thành: chuan-do-luong" in text
    confirm = ("review", "confirm", "chuan-do-luong", "--date", "2024-11-25", "--by", "qltcdlcl")
    assert run_cli(settings, *confirm).exit_code == 0
    confirmed = _status(settings, "2024-12-31")
    task = next(t for t in confirmed["tasks"] if t["key"] == "chuan-do-luong")
    assert task["category"] == "done_on_time" and str(task["completed_on"]) == "2024-11-20"
    assert confirmed["overall"]["counts"]["done_on_time"] == 1
    text = run_cli(settings, "status", "--plan", SEED_PLAN, "--date", "2024-12-31").stdout
    assert "Chờ xác nhận" not in text


def test_status_at_mid_year_is_read_from_history_and_unchanged_by_later_updates(
    recorded: Settings,
) -> None:
    before = _status(recorded, "2024-06-14")
    assert before["overall"]["counts"]["in_progress_on_time"] == 3
    assert before["overall"]["counts"]["done_on_time"] == 0
    run_cli(recorded, "update", "tuyen-truyen-996", "--status", "done", "--date", "2024-12-01")
    assert _status(recorded, "2024-06-14") == before


def test_update_errors_are_one_line_exit_2(recorded: Settings, tmp_path: Path) -> None:
    cases = [
        (("update", "chuan-do-luong", "--status", "not_started"), "không thể chuyển từ"),
        (("update", "khao-sat-30-dn", "--progress", "120"), "tiến độ phải từ 0 đến 100"),
        (
            ("update", "khao-sat-30-dn", "--version", "1", "--progress", "50"),
            "đã được cập nhật bởi qltcdlcl",
        ),
        (("update", "khong-co", "--progress", "5"), 'không tìm thấy nhiệm vụ "khong-co"'),
        (("update", "khao-sat-30-dn", "--actual", "doanh nghiệp"), "TÊN=GIÁ_TRỊ"),
        (("update", "khao-sat-30-dn", "--status", "done", "--force"), "--reason"),
    ]
    big = tmp_path / "big.pdf"
    big.write_bytes(b"x" * 2048)
    limited = recorded.model_copy(update={"evidence_max_bytes": 1024})
    for args, message in cases:
        result = run_cli(recorded, *args)
        assert result.exit_code == 2, args
        assert message in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
    result = run_cli(limited, "update", "khao-sat-30-dn", "--evidence", str(big))
    assert result.exit_code == 2 and "vượt giới hạn" in result.stderr
