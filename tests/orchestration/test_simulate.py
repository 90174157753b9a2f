"""`kehoach simulate` over 2024 on the seed plan: calendar, reminders and reports together."""

from __future__ import annotations

import email
import email.policy
import json
from collections import Counter
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select

from kehoach_flow.db.tables import TASK, OutboxMessage, ReportRun
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import UPDATE
from kehoach_flow.workdays import vietnam_calendar
from tests.conftest import SEED_PLAN, run_cli


def test_a_simulated_year_mails_on_working_days_once_and_reports_each_period(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    work = tmp_path / "sim"
    args = ("--plan", SEED_PLAN, "--from", "2024-01-01", "--to", "2024-12-31", "--seed", "7")
    result = run_cli(sqlite_settings, "simulate", *args, "--out", str(work), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["days"] == 366 and sum(summary["categories"].values()) == 7
    assert sum(summary["mails"].values()) > 0 and summary["updates"] > 0

    # the seed plan has completion review: the coordinator confirmed every done it counts and
    # returned some (seed 7: two); what was reported in the last days still waits
    categories, reviews = summary["categories"], summary["reviews"]
    done = categories["Hoàn thành đúng hạn"] + categories["Hoàn thành quá hạn"]
    assert reviews["xác nhận"] == done > 0 and reviews["trả lại"] == 2
    assert summary["awaiting_review"] > 0

    engine = create_engine(f"sqlite:///{work / 'kehoach.db'}")
    with engine.connect() as conn:
        mails = list(conn.execute(select(OutboxMessage.__table__)))  # type: ignore[attr-defined]
        periods = [r.period for r in conn.execute(select(ReportRun.__table__))]  # type: ignore[attr-defined]
        decisions = list(
            conn.execute(
                select(UPDATE.c.kind, UPDATE.c.actor).where(UPDATE.c.kind.like("review_%"))
            )
        )
        waiting = conn.execute(
            select(func.count()).where(TASK.c.status == "awaiting_review")
        ).scalar_one()
    engine.dispose()
    assert Counter(kind for kind, _ in decisions) == {
        "review_confirmed": reviews["xác nhận"],
        "review_returned": reviews["trả lại"],
    }
    assert {actor for _, actor in decisions} == {"qltcdlcl"}  # the plan's coordinator
    assert waiting == summary["awaiting_review"]
    calendar = vietnam_calendar([2024])
    assert all(calendar.is_working_day(m.day) for m in mails)
    assert {m.status for m in mails} == {"sent"}
    keys = [key for m in mails for key in m.reminder_keys]
    assert len(keys) == len(set(keys))  # no reminder twice
    returned = [k for k in keys if "|review_returned|" in k]  # each lead told by mail
    assert len(returned) == reviews["trả lại"]
    assert any("|review_waiting|" in k and k.startswith("qltcdlcl@") for k in keys)
    assert Counter(periods) == {"q1": 1, "6m": 1, "9m": 1, "year": 1}
    files = list((work / "outbox").rglob("*.eml"))
    assert len(files) == len(mails)
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        sent_on = parsedate_to_datetime(str(message["Date"])).date()
        assert calendar.is_working_day(sent_on), (path, sent_on)
    assert date(2024, 9, 2) not in {m.day for m in mails}  # Quốc khánh


def test_the_same_seed_gives_the_same_year(sqlite_settings: Settings, tmp_path: Path) -> None:
    args = ("--plan", SEED_PLAN, "--from", "2024-01-01", "--to", "2024-06-30", "--json")
    runs = [
        json.loads(
            run_cli(sqlite_settings, "simulate", *args, "--out", str(tmp_path / f"s{i}")).stdout
        )
        for i in range(2)
    ]
    for run in runs:
        run.pop("work_dir")
        for report in run["reports"]:
            report.pop("files")
    assert runs[0] == runs[1]


def test_simulate_of_an_unknown_plan_is_one_line(sqlite_settings: Settings, tmp_path: Path) -> None:
    result = run_cli(
        sqlite_settings,
        "simulate",
        "--plan",
        "khong-co",
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-01",
        "--out",
        str(tmp_path / "x"),
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        'Lỗi: kế hoạch "khong-co" không có hoặc không có nhiệm vụ nào'
    ]


def test_a_plan_with_review_false_counts_the_simulated_done_reports_at_once(
    sqlite_settings: Settings, definitions_copy: Path, tmp_path: Path
) -> None:
    plan = definitions_copy / "plans" / "quang-tri-2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace("  coordinator: qltcdlcl\n", "  coordinator: qltcdlcl\n  review: false\n", 1),
        encoding="utf-8",
    )
    settings = sqlite_settings.model_copy(update={"definitions": definitions_copy})
    args = ("--plan", SEED_PLAN, "--from", "2024-01-01", "--to", "2024-12-31", "--seed", "7")
    result = run_cli(settings, "simulate", *args, "--out", str(tmp_path / "sim"), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["reviews"] == {} and summary["awaiting_review"] == 0
    categories = summary["categories"]
    # seed 7: five done reports by 31/12 count at once; with review only those confirmed do
    assert categories["Hoàn thành đúng hạn"] + categories["Hoàn thành quá hạn"] == 5
