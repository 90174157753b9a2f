"""`kehoach serve` as a subprocess, as an operator runs it: Prefect in local mode, SQLite, the
file outbox; a job scheduled just ahead fires, SIGTERM stops it cleanly, a second is refused."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select

from kehoach_flow.db.tables import OutboxMessage
from tests.conftest import DEFINITIONS, ROOT
from tests.orchestration.helpers import KEHOACH, free_port, wait_for


def _project(tmp: Path, fire_at: datetime) -> Path:
    """A project directory whose schedule file fires send_reminders once, at `fire_at`."""
    (tmp / "deploy").mkdir(parents=True)
    (tmp / "flows").symlink_to(ROOT / "flows")
    (tmp / "deploy" / "prefect.yaml").write_text(
        f"""
deployments:
  - name: load-definitions
    entrypoint: flows/load_definitions.py:load_definitions
  - name: send-reminders
    entrypoint: flows/send_reminders.py:send_reminders
    parameters: {{day: "2024-12-20"}}
    schedules:
      - interval: 86400
        anchor_date: "{fire_at.isoformat()}"
        timezone: Asia/Ho_Chi_Minh
""",
        encoding="utf-8",
    )
    return tmp


def test_serve_fires_a_scheduled_job_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    project = _project(tmp_path / "project", datetime.now(UTC) + timedelta(seconds=40))
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEHOACH_", "PREFECT_"))}
    env |= {
        "KEHOACH_DATA_DIR": str(data),
        "KEHOACH_DEFINITIONS": str(DEFINITIONS),
        "KEHOACH_SCHEDULE_FILE": str(project / "deploy" / "prefect.yaml"),
        "KEHOACH_PORT": str(port),
        "KEHOACH_PREFECT_PORT": str(free_port()),
        "KEHOACH_SECRET_KEY": "test-secret",
    }
    subprocess.run([*KEHOACH, "db", "upgrade"], env=env, check=True, capture_output=True)
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        service = subprocess.Popen(
            [*KEHOACH, "serve"], env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=project
        )
    try:
        health = f"http://127.0.0.1:{port}/health"
        wait_for("/health", lambda: httpx.get(health, timeout=2).status_code == 200, 60, log)
        assert httpx.get(health).json()["database"] == "ok"

        second = subprocess.run(
            [*KEHOACH, "serve"], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 2
        assert "kehoach serve đang chạy trên dữ liệu này" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1

        outbox = data / "outbox"
        wait_for(
            "4 reminders in the outbox", lambda: len(list(outbox.rglob("*.eml"))) == 4, 180, log
        )
        wait_for(
            "the scheduler running",
            lambda: httpx.get(health).json()["scheduler"] == "running",
            60,
            log,
        )
    finally:
        service.send_signal(signal.SIGTERM)
        code = service.wait(timeout=60)
    assert code == 0, log.read_text()[-4000:]
    said = log.read_text()
    assert "send-reminders xong" in said, said[-4000:]  # the job's end, in Vietnamese
    assert "Finished in state" not in said  # not Prefect's English run lines
    engine = create_engine(f"sqlite:///{data / 'kehoach.db'}")
    with engine.connect() as conn:
        states = [r.status for r in conn.execute(select(OutboxMessage.__table__))]  # type: ignore[attr-defined]
    engine.dispose()
    assert states == ["sent"] * 4  # nothing pending, nothing lost
    assert len(list((data / "outbox").rglob("*.eml"))) == 4
    with (data / "serve.lock").open("a") as lock:  # released: the next serve may start
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
