"""Recording updates: history, cache, optimistic locking on both databases, force, evidence."""

from __future__ import annotations

import threading
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from kehoach_flow.db.queries import find_task
from kehoach_flow.errors import (
    DependencyOpenError,
    EvidenceTooLargeError,
    StaleVersionError,
    TransitionError,
    UpdateError,
)
from kehoach_flow.loading import load_path
from kehoach_flow.tracking import history
from kehoach_flow.tracking.evidence import evidence_path, store_evidence
from kehoach_flow.tracking.history import UPDATE, Author, UpdateIn, history_rows, record_update
from kehoach_flow.tracking.status import Status
from tests.conftest import DEFINITIONS

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def on(day: date, actor: str = "qltcdlcl") -> Author:
    return Author(actor, "cli", datetime.combine(day, time(9), tzinfo=TZ))


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    load_path(engine, DEFINITIONS)
    return engine


def _task_id(engine: Engine, key: str) -> int:
    return int(find_task(engine, key)["id"])


def _history_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(UPDATE)).scalar_one())


def test_update_appends_history_and_refreshes_the_cached_state(seeded: Engine) -> None:
    task_id = _task_id(seeded, "khao-sat-30-dn")
    change = UpdateIn(
        status=Status.IN_PROGRESS,
        progress=40,
        actuals={"doanh nghiệp": 12},
        spending={"sn-khcn-2024": 30_000_000},
        note="Đã khảo sát 12 doanh nghiệp",
        difficulties="Doanh nghiệp chưa hợp tác",
    )
    result = record_update(seeded, task_id, change, on(date(2024, 5, 10)))
    assert (result.version, result.status, result.progress) == (2, Status.IN_PROGRESS, 40)
    task = find_task(seeded, "khao-sat-30-dn")
    assert (task["status"], task["progress"], task["version"]) == ("in_progress", 40, 2)
    [entry] = history_rows(seeded, task_id)
    assert (entry["old_status"], entry["new_status"], entry["actor"], entry["channel"]) == (
        "not_started",
        "in_progress",
        "qltcdlcl",
        "cli",
    )
    assert entry["difficulties"] == "Doanh nghiệp chưa hợp tác"


def test_done_sets_full_progress_and_completion_date_and_reopen_clears_it(seeded: Engine) -> None:
    task_id = _task_id(seeded, "chuan-do-luong")
    record_update(seeded, task_id, UpdateIn(status=Status.DONE), on(date(2024, 11, 20)))
    task = find_task(seeded, "chuan-do-luong")
    assert (task["progress"], task["completed_on"]) == (100, "2024-11-20")
    record_update(
        seeded, task_id, UpdateIn(status=Status.IN_PROGRESS, progress=80), on(date(2024, 11, 25))
    )
    task = find_task(seeded, "chuan-do-luong")
    assert (task["status"], task["progress"], task["completed_on"]) == ("in_progress", 80, None)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (UpdateIn(status=Status.NOT_STARTED), TransitionError),
        (UpdateIn(progress=101), UpdateError),
        (UpdateIn(actuals={"xe tải": 1}), UpdateError),
        (UpdateIn(spending={"phong-su-2024": 1}), UpdateError),
        (UpdateIn(actuals={"doanh nghiệp": -1}), UpdateError),
    ],
)
def test_a_refused_update_changes_nothing(
    seeded: Engine, change: UpdateIn, error: type[Exception]
) -> None:
    task_id = _task_id(seeded, "khao-sat-30-dn")
    record_update(seeded, task_id, UpdateIn(status=Status.IN_PROGRESS), on(date(2024, 3, 1)))
    before = find_task(seeded, "khao-sat-30-dn")
    with pytest.raises(error):
        record_update(seeded, task_id, change, on(date(2024, 3, 2)))
    assert find_task(seeded, "khao-sat-30-dn") == before
    assert _history_count(seeded) == 1


def test_update_based_on_an_old_version_is_refused_with_who_and_when(seeded: Engine) -> None:
    task_id = _task_id(seeded, "khao-sat-30-dn")
    record_update(
        seeded, task_id, UpdateIn(progress=10), Author("Nguyễn Văn A", "web"), expected_version=1
    )
    with pytest.raises(StaleVersionError) as caught:
        record_update(
            seeded, task_id, UpdateIn(progress=20), Author("Trần Thị B", "web"), expected_version=1
        )
    assert caught.value.by == "Nguyễn Văn A"
    assert caught.value.current == 2
    assert "Nguyễn Văn A lúc" in caught.value.message
    assert find_task(seeded, "khao-sat-30-dn")["progress"] == 10


def test_two_concurrent_sessions_on_the_same_version_one_wins(
    seeded: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both sessions read version 1 before either writes; only one conditional update lands."""
    task_id = _task_id(seeded, "khao-sat-30-dn")
    barrier = threading.Barrier(2, timeout=20)
    read_task = history._task_row
    waited = threading.local()

    def read_then_wait(conn, tid):  # type: ignore[no-untyped-def]
        row = read_task(conn, tid)
        if not getattr(waited, "done", False):  # only the first read of each session
            waited.done = True
            barrier.wait()
        return row

    monkeypatch.setattr(history, "_task_row", read_then_wait)
    outcomes: list[object] = []

    def session(name: str, progress: int) -> None:
        try:
            outcomes.append(
                record_update(seeded, task_id, UpdateIn(progress=progress), Author(name, "web"), 1)
            )
        except StaleVersionError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=session, args=(n, p)) for n, p in (("A", 30), ("B", 70))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stale = [o for o in outcomes if isinstance(o, StaleVersionError)]
    assert len(outcomes) == 2 and len(stale) == 1
    winner = next(o for o in outcomes if not isinstance(o, StaleVersionError))
    assert stale[0].by == ("A" if winner.progress == 30 else "B")  # type: ignore[attr-defined]
    assert find_task(seeded, "khao-sat-30-dn")["version"] == 2
    assert _history_count(seeded) == 1


def test_done_with_an_open_dependency_needs_a_reason_that_goes_into_history(
    engine: Engine, definitions_copy: Path
) -> None:
    plan = definitions_copy / "plans" / "quang-tri-2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace(
            "        result: BC kết quả khảo sát",
            "        result: BC kết quả khảo sát\n        depends_on: [chuan-do-luong]",
        ),
        encoding="utf-8",
    )
    load_path(engine, definitions_copy)
    task_id = _task_id(engine, "khao-sat-30-dn")
    with pytest.raises(DependencyOpenError, match="chuan-do-luong"):
        record_update(engine, task_id, UpdateIn(status=Status.DONE), on(date(2024, 6, 1)))
    result = record_update(
        engine,
        task_id,
        UpdateIn(status=Status.DONE),
        on(date(2024, 6, 1)),
        force_reason="Đã có kết quả chuẩn tạm",
    )
    assert result.status == Status.AWAITING_REVIEW  # the seed plan has review: it waits
    [entry] = history_rows(engine, task_id)
    assert entry["forced"] is True
    assert entry["force_reason"] == "Đã có kết quả chuẩn tạm"


def test_evidence_is_stored_once_by_content_and_refused_over_the_limit(tmp_path: Path) -> None:
    report = tmp_path / "bao-cao.pdf"
    report.write_bytes(b"%PDF-1.4 bao cao khao sat")
    stored = store_evidence(report, tmp_path / "data", max_bytes=1000)
    assert stored.content_type == "application/pdf"
    assert evidence_path(tmp_path / "data", stored.sha256).read_bytes() == report.read_bytes()
    big = tmp_path / "anh.jpg"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(EvidenceTooLargeError, match=r"vượt giới hạn 1\.000 byte"):
        store_evidence(big, tmp_path / "data", max_bytes=1000)
    assert len(list((tmp_path / "data" / "evidence").rglob("*"))) == 2  # one folder, one file
