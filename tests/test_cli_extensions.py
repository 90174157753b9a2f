"""`kehoach extension request|decide` and `kehoach review confirm|return`: each step in the
task's history, told back by `kehoach show` (text and --json); bad input is one Vietnamese
line and exit 2; on SQLite and Postgres."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from kehoach_flow.settings import Settings
from tests.conftest import run_cli
from tests.tracking.helpers import LATENESS_PLAN, LATENESS_YAML, write_lateness_plan

A1 = f"{LATENESS_PLAN}/a1"  # due 28/06/2024, lead qltcdlcl
REVIEW_PLAN = "xac-nhan-2024"


def _flat(stdout: str) -> str:
    return " ".join(stdout.replace("│", " ").split())


def _one_line_error(result: object, *words: str) -> None:
    code, stderr = result.exit_code, result.stderr  # type: ignore[attr-defined]
    assert code == 2, stderr
    assert stderr.startswith("Lỗi: ") and stderr.count("\n") == 1, stderr
    for word in words:
        assert word in stderr, stderr
    assert "Traceback" not in stderr


@pytest.fixture
def loaded(settings: Settings, definitions_copy: Path) -> Settings:
    write_lateness_plan(definitions_copy)
    reviewed = (
        LATENESS_YAML.replace(f"key: {LATENESS_PLAN}", f"key: {REVIEW_PLAN}")
        .replace("review: false", "review: true")
        .replace("trễ hạn", "xác nhận")
    )
    (definitions_copy / "plans" / "xac-nhan.yaml").write_text(reviewed, encoding="utf-8")
    ready = settings.model_copy(
        update={"definitions": definitions_copy, "today": date(2024, 6, 20)}
    )
    for args in (("db", "upgrade"), ("load",)):
        result = run_cli(ready, *args)
        assert result.exit_code == 0, result.stderr
    return ready


def _on(settings: Settings, day: date) -> Settings:
    return settings.model_copy(update={"today": day})


def test_a_request_approved_to_another_date_and_the_story_shown(loaded: Settings) -> None:
    asked = run_cli(
        loaded,
        "extension",
        "request",
        A1,
        "--to",
        "2024-07-31",
        "--reason",
        "Chờ số liệu quý II",
        "--by",
        "qltcdlcl",
    )
    assert asked.exit_code == 0, asked.stderr
    number = re.search(r"số (\d+)", asked.stdout)
    assert number is not None, asked.stdout
    request_id = number.group(1)
    waiting = _flat(run_cli(loaded, "show", A1).stdout)
    assert f"đề nghị gia hạn số {request_id} đang chờ quyết định" in waiting
    assert "Hạn gốc theo kế hoạch: 28/06/2024" in waiting
    assert "Đề nghị gia hạn đến 31/07/2024; Chờ số liệu quý II" in waiting

    later = _on(loaded, date(2024, 6, 21))
    decided = run_cli(
        later,
        "extension",
        "decide",
        request_id,
        "--approve",
        "--to",
        "2024-07-15",
        "--reason",
        "Đồng ý đến giữa tháng 7",
        "--by",
        "lanh-dao",
    )
    assert decided.exit_code == 0, decided.stderr
    assert "Đã ghi quyết định đồng ý" in decided.stdout
    again = run_cli(later, "extension", "decide", request_id, "--refuse", "--reason", "Không")
    _one_line_error(again, f"số {request_id} đã được quyết định (đồng ý) bởi lanh-dao")

    text = _flat(run_cli(later, "show", A1).stdout)
    assert "Hạn hiện tại 15/07/2024 (gia hạn 1 lần; hạn gốc 28/06/2024)" in text
    assert (
        f"lanh-dao qua dòng lệnh: Đồng ý gia hạn, hạn mới 15/07/2024 (đề nghị số {request_id}); "
        "Đồng ý đến giữa tháng 7" in text
    )
    assert "Hạn hiện tại: 15/07/2024" in text
    shown = json.loads(run_cli(later, "show", A1, "--json").stdout)
    story = shown["due_story"]
    assert (story["original"], story["current"], story["extensions"]) == (
        "2024-06-28",
        "2024-07-15",
        1,
    )
    assert [s["kind"] for s in story["steps"]] == ["extension_request", "extension_approved"]
    assert [h["kind"] for h in shown["history"]] == ["extension_approved", "extension_request"]
    # the status board follows the new date: on 1/7 the task is not overdue
    board = json.loads(
        run_cli(_on(loaded, date(2024, 7, 1)), "status", "--plan", LATENESS_PLAN, "--json").stdout
    )
    a1 = next(t for t in board["tasks"] if t["key"] == "a1")
    assert a1["derived"] != "overdue"
    assert (a1["due"], a1["original_due"], a1["extensions"]) == ("2024-07-15", "2024-06-28", 1)


def test_a_late_request_is_refused_with_the_rule_and_a_refusal_needs_a_reason(
    loaded: Settings,
) -> None:
    late = _on(loaded, date(2024, 6, 24))
    refused = run_cli(late, "extension", "request", A1, "--to", "2024-07-31", "--reason", "Muộn")
    _one_line_error(refused, "ít nhất 5 ngày làm việc", "còn 4 ngày làm việc")
    recorded = run_cli(
        late,
        "extension",
        "request",
        A1,
        "--to",
        "2024-07-31",
        "--reason",
        "Muộn",
        "--coordinator",
        "--json",
    )
    assert recorded.exit_code == 0, recorded.stderr
    request_id = str(json.loads(recorded.stdout)["request_id"])
    _one_line_error(run_cli(late, "extension", "decide", request_id), "--approve hoặc --refuse")
    _one_line_error(
        run_cli(late, "extension", "decide", request_id, "--refuse"), "lý do không đồng ý"
    )
    ok = run_cli(late, "extension", "decide", request_id, "--refuse", "--reason", "Không có căn cứ")
    assert ok.exit_code == 0, ok.stderr
    text = _flat(run_cli(late, "show", A1).stdout)
    assert "gửi muộn, điều phối viên ghi nhận" in text
    assert "Không đồng ý gia hạn (đề nghị số" in text and "Hạn hiện tại: 28/06/2024" in text


def test_bad_input_is_one_vietnamese_line(loaded: Settings) -> None:
    bad_date = run_cli(loaded, "extension", "request", A1, "--to", "31/07/2024", "--reason", "x")
    _one_line_error(bad_date, "không phải ngày dạng YYYY-MM-DD")
    _one_line_error(
        run_cli(loaded, "extension", "request", A1, "--to", "2024-07-31"), "thiếu --reason"
    )
    _one_line_error(
        run_cli(loaded, "extension", "request", A1, "--to", "2024-06-01", "--reason", "x"),
        "phải sau hạn hiện tại 28/06/2024",
    )
    _one_line_error(run_cli(loaded, "extension", "decide", "999", "--approve"), "không tìm thấy")
    _one_line_error(
        run_cli(loaded, "review", "return", f"{REVIEW_PLAN}/b1", "--comment", " "), "nhận xét"
    )


def test_review_return_then_confirm(loaded: Settings) -> None:
    task = f"{REVIEW_PLAN}/b1"
    done = run_cli(loaded, "update", task, "--status", "done", "--by", "kh-tc")
    assert done.exit_code == 0, done.stderr
    assert "Chờ xác nhận" in done.stdout
    returned = run_cli(
        loaded,
        "review",
        "return",
        task,
        "--comment",
        "Thiếu biên bản nghiệm thu",
        "--by",
        "lanh-dao",
    )
    assert returned.exit_code == 0, returned.stderr
    outbox = run_cli(loaded, "outbox", "--json")
    assert "khtc@skhcn.example.vn" in outbox.stdout, outbox.stdout
    _one_line_error(run_cli(loaded, "review", "confirm", task), "không chờ xác nhận")
    text = _flat(run_cli(loaded, "show", task).stdout)
    assert "Trạng thái Đang thực hiện" in text
    assert "trả lại, chưa xác nhận hoàn thành; Thiếu biên bản nghiệm thu" in text
    again = run_cli(
        _on(loaded, date(2024, 6, 25)),
        "update",
        task,
        "--status",
        "done",
        "--completed-on",
        "2024-06-24",
    )
    assert again.exit_code == 0, again.stderr
    confirmed = run_cli(
        _on(loaded, date(2024, 7, 2)), "review", "confirm", task, "--by", "lanh-dao"
    )
    assert confirmed.exit_code == 0, confirmed.stderr
    shown = json.loads(run_cli(_on(loaded, date(2024, 7, 2)), "show", task, "--json").stdout)
    assert shown["status"] == "done" and shown["completed_on"] == "2024-06-24"
