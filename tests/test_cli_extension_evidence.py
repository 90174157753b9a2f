"""`kehoach extension request ... --evidence FILE` (repeatable), as `kehoach update
--evidence`: the files stored by content and attached to the request entry, named by
`kehoach show` (text and --json); a file over KEHOACH_EVIDENCE_MAX_BYTES or missing is one
Vietnamese line, exit 2, nothing recorded; a request the rule refuses attaches nothing. On
SQLite and Postgres."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from kehoach_flow.db.engine import create_db_engine
from kehoach_flow.db.queries import find_task
from kehoach_flow.db.tables import EVIDENCE
from kehoach_flow.errors import UpdateError
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.evidence import evidence_path, store_evidence
from kehoach_flow.tracking.extensions import ExtensionRule, due_story, request_extension
from kehoach_flow.tracking.history import Author
from kehoach_flow.tracking.workcalendar import work_calendar
from tests.conftest import SEED_PLAN, run_cli

TASK = f"{SEED_PLAN}/khao-sat-30-dn"  # led by qltcdlcl, due 31/12/2024
LETTER = b"%PDF-1.4 cong van de nghi gia han"
PHOTO = b"\xff\xd8\xff anh"


@pytest.fixture
def loaded(settings: Settings) -> Settings:
    ready = settings.model_copy(update={"today": date(2024, 6, 3)})
    for args in (("db", "upgrade"), ("load",)):
        result = run_cli(ready, *args)
        assert result.exit_code == 0, result.stderr
    return ready


def _files(tmp_path: Path) -> tuple[Path, Path]:
    letter, photo = tmp_path / "cong-van.pdf", tmp_path / "hien-truong.jpg"
    letter.write_bytes(LETTER)
    photo.write_bytes(PHOTO)
    return letter, photo


def _engine(settings: Settings) -> Engine:
    return create_db_engine(settings.resolved_database_url())


def _ask(settings: Settings, *extra: str) -> object:
    return run_cli(
        settings,
        "extension",
        "request",
        TASK,
        "--to",
        "2025-03-31",
        "--reason",
        "Chờ văn bản của Bộ",
        "--by",
        "qltcdlcl",
        *extra,
    )


def test_the_files_are_attached_to_the_request_and_shown(loaded: Settings, tmp_path: Path) -> None:
    letter, photo = _files(tmp_path)
    asked = _ask(loaded, "--evidence", str(letter), "--evidence", str(photo))
    assert asked.exit_code == 0, asked.stderr  # type: ignore[attr-defined]
    assert "Kèm 2 tệp minh chứng." in asked.stdout  # type: ignore[attr-defined]
    sha = hashlib.sha256(LETTER).hexdigest()
    assert evidence_path(loaded.data_dir, sha).read_bytes() == LETTER

    shown = " ".join(run_cli(loaded, "show", TASK).stdout.split())
    assert (
        "Đề nghị gia hạn đến 31/03/2025; Chờ văn bản của Bộ; minh chứng: cong-van.pdf, hien-truong.jpg"
        in shown
    )
    story = json.loads(run_cli(loaded, "show", TASK, "--json").stdout)["due_story"]
    (step,) = story["steps"]
    assert [f["name"] for f in step["files"]] == ["cong-van.pdf", "hien-truong.jpg"]
    assert step["files"][0]["sha256"] == sha and step["files"][0]["size"] == len(LETTER)
    engine = _engine(loaded)
    try:
        with engine.connect() as conn:
            rows = list(conn.execute(select(EVIDENCE.c.update_id, EVIDENCE.c.name)))
    finally:
        engine.dispose()
    assert {r.update_id for r in rows} == {step["id"]}


def test_a_file_too_big_or_missing_records_nothing(loaded: Settings, tmp_path: Path) -> None:
    letter, _ = _files(tmp_path)
    small = loaded.model_copy(update={"evidence_max_bytes": 10})
    big = _ask(small, "--evidence", str(letter))
    assert big.exit_code == 2, big.stdout  # type: ignore[attr-defined]
    stderr = big.stderr  # type: ignore[attr-defined]
    assert stderr.startswith("Lỗi: ") and stderr.count("\n") == 1, stderr
    assert "cong-van.pdf" in stderr and "vượt giới hạn" in stderr and "Traceback" not in stderr
    missing = _ask(loaded, "--evidence", str(tmp_path / "khong-co.pdf"))
    assert missing.exit_code == 2  # type: ignore[attr-defined]
    assert "không tìm thấy tệp minh chứng" in missing.stderr  # type: ignore[attr-defined]
    story = json.loads(run_cli(loaded, "show", TASK, "--json").stdout)["due_story"]
    assert story["steps"] == []
    store = loaded.data_dir / "evidence"
    assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))


def test_a_request_the_rule_refuses_attaches_nothing(loaded: Settings, tmp_path: Path) -> None:
    letter, _ = _files(tmp_path)
    engine = _engine(loaded)
    try:
        stored = store_evidence(letter, loaded.ensure_data_dir(), loaded.evidence_max_bytes)
        task_id = find_task(engine, TASK)["id"]
        rule = ExtensionRule(work_calendar(loaded), loaded.extension_notice_days)
        zone = ZoneInfo(loaded.timezone)
        late = datetime.combine(date(2024, 12, 26), time(9), tzinfo=zone)
        author = Author("qltcdlcl", "cli", None, loaded.timezone)
        with pytest.raises(UpdateError, match="ít nhất 5 ngày làm việc"):
            request_extension(
                engine,
                task_id,
                date(2025, 3, 31),
                "Muộn",
                author,
                rule,
                now=late,
                evidence=[stored],
            )
        with engine.connect() as conn:
            assert list(conn.execute(select(EVIDENCE))) == []
        assert due_story(engine, task_id)["steps"] == []
        recorded = request_extension(
            engine,
            task_id,
            date(2025, 3, 31),
            "Muộn, phòng chủ trì ghi nhận",
            author,
            rule,
            by_coordinator=True,
            now=late,
            evidence=[stored],
        )
        (step,) = due_story(engine, task_id)["steps"]
        assert step["id"] == recorded.update_id and step["late_recorded"]
        assert step["files"] == [
            {"sha256": stored.sha256, "name": "cong-van.pdf", "size": len(LETTER)}
        ]
    finally:
        engine.dispose()
