"""`kehoach serve` as a subprocess with its own supervised Prefect server: slow to start,
killed, stopped by Ctrl+C; the catch-up waits for it, no second server, no process left."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select

from kehoach_flow.db.engine import open_configured, upgrade
from kehoach_flow.db.tables import SCHEDULE_RUN
from kehoach_flow.settings import Settings
from tests.conftest import DEFINITIONS, ROOT
from tests.orchestration.helpers import KEHOACH, free_port, wait_for

FLAKY = '''
import os
from pathlib import Path
from prefect import flow

@flow(name="flaky")
def flaky(day: str | None = None) -> int:
    """Fails twice as if the database were busy, then succeeds."""
    count = Path(os.environ["KEHOACH_DATA_DIR"]) / "flaky.count"
    tries = int(count.read_text()) + 1 if count.exists() else 1
    count.write_text(str(tries))
    if tries <= 2:
        raise ConnectionError("database is locked")
    return tries

@flow(name="broken")
def broken(day: str | None = None) -> None:
    raise ValueError("bảng số liệu hỏng")

@flow(name="tick")
def tick(day: str | None = None) -> None:
    seconds = float(os.environ.get("TICK_SECONDS", "0"))
    import time
    time.sleep(seconds)
'''


def _project(tmp: Path, now: datetime) -> Path:
    """flows/ of the repository and test flows; flaky and broken have a slot a minute ago
    (caught up at start), tick fires every 10 seconds (a tick runs TICK_SECONDS, 6 here)."""
    (tmp / "deploy").mkdir(parents=True)
    (tmp / "flows").mkdir()
    for name in ("load_definitions.py",):
        (tmp / "flows" / name).symlink_to(ROOT / "flows" / name)
    (tmp / "flows" / "test_jobs.py").write_text(FLAKY, encoding="utf-8")
    past = (now - timedelta(minutes=1)).isoformat()
    (tmp / "deploy" / "prefect.yaml").write_text(
        f"""
deployments:
  - name: load-definitions
    entrypoint: flows/load_definitions.py:load_definitions
  - name: flaky
    entrypoint: flows/test_jobs.py:flaky
    schedules: [{{interval: 86400, anchor_date: "{past}"}}]
  - name: broken
    entrypoint: flows/test_jobs.py:broken
    schedules: [{{interval: 86400, anchor_date: "{past}"}}]
  - name: tick
    entrypoint: flows/test_jobs.py:tick
    schedules: [{{interval: 10, anchor_date: "{now.isoformat()}"}}]
""",
        encoding="utf-8",
    )
    return tmp


def _env(tmp: Path, project: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEHOACH_", "PREFECT_"))}
    env |= {
        "KEHOACH_DATA_DIR": str(tmp / "data"),
        "KEHOACH_DEFINITIONS": str(DEFINITIONS),
        "KEHOACH_SCHEDULE_FILE": str(project / "deploy" / "prefect.yaml"),
        "KEHOACH_PORT": str(free_port()),
        "KEHOACH_PREFECT_PORT": str(free_port()),
        "KEHOACH_SECRET_KEY": "test-secret",
        "KEHOACH_OPERATOR_EMAIL": "vanhanh@example.vn",
        "KEHOACH_JOB_RETRY_SECONDS": "1",
        **extra,
    }
    # What `kehoach db upgrade` does, in this process: a subprocess would import everything
    # again for a schema the test does not look at.
    engine = open_configured(Settings(data_dir=tmp / "data", _env_file=None), creates=True)
    upgrade(engine)
    engine.dispose()
    return env


def _serve(env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as sink:
        return subprocess.Popen(
            [*KEHOACH, "serve"], env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=cwd
        )


def _processes() -> dict[int, tuple[int, int, str]]:
    """Every live process: pid -> (parent pid, process group, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if stat[0] != "Z":
            found[int(entry.name)] = (int(stat[1]), int(stat[2]), command)
    return found


def _tree(root: int) -> set[int]:
    """`root`, its descendants, and every member of a process group one of them leads."""
    processes = _processes()
    tree, grown = {root}, True
    while grown:
        more = {p for p, (parent, _, _) in processes.items() if parent in tree}
        more |= {p for p, (_, group, _) in processes.items() if group in tree}
        grown = not more <= tree
        tree |= more
    return tree


def _alive(pids: set[int]) -> set[int]:
    return pids & set(_processes())


def _prefect_servers(port: str) -> list[int]:
    return [
        pid
        for pid, (_, _, command) in _processes().items()
        if "prefect server start" in command and f"--port {port}" in command
    ]


def _runs(data: Path) -> list[dict[str, Any]]:
    engine = create_engine(f"sqlite:///{data / 'kehoach.db'}")
    with engine.connect() as conn:
        rows = [
            dict(r._mapping) for r in conn.execute(select(SCHEDULE_RUN).order_by(SCHEDULE_RUN.c.id))
        ]
    engine.dispose()
    return rows


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _state(data: Path, job: str) -> list[str]:
    return [r["state"] for r in _runs(data) if r["job"] == job]


def test_a_prefect_port_taken_by_another_program_is_one_line_and_exit_2(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", datetime.now(UTC))
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = str(other.getsockname()[1])
        env = _env(tmp_path, project, KEHOACH_PREFECT_PORT=port)
        done = subprocess.run(
            [*KEHOACH, "serve"], env=env, capture_output=True, text=True, timeout=120, cwd=project
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"Lỗi: cổng Prefect {port} đang có chương trình khác dùng: dừng chương trình đó "
        "hoặc đặt KEHOACH_PREFECT_PORT sang cổng khác"
    ]


def test_ctrl_c_while_the_prefect_server_starts_leaves_no_process(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", datetime.now(UTC))
    env = _env(tmp_path, project, KEHOACH_PREFECT_START_DELAY="600")
    log = tmp_path / "serve.log"
    service = _serve(env, log, project)
    try:
        health = f"http://127.0.0.1:{env['KEHOACH_PORT']}/health"
        wait_for("/health", lambda: httpx.get(health, timeout=2).status_code == 200, 120, log)
        assert httpx.get(health).json()["scheduler"] == "starting"
        pid_file = tmp_path / "data" / "prefect" / "server.pid"
        wait_for("the Prefect server's pid", pid_file.exists, 30, log)
        tree = _tree(service.pid)
        assert int(pid_file.read_text()) in tree
    finally:
        service.send_signal(signal.SIGINT)
        code = service.wait(timeout=60)
    assert code == 0, log.read_text()[-4000:]
    wait_for("no process of the service left", lambda: not _alive(tree), 30, log)
    assert _runs(tmp_path / "data") == []  # nothing ran without its server


def test_supervised_prefect_slow_start_retries_alert_restart_and_ctrl_c_in_a_job(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path / "project", datetime.now(UTC))
    env = _env(tmp_path, project, KEHOACH_PREFECT_START_DELAY="8", TICK_SECONDS="6")
    data = tmp_path / "data"
    port = env["KEHOACH_PREFECT_PORT"]
    log = tmp_path / "serve.log"
    service = _serve(env, log, project)
    try:
        health = f"http://127.0.0.1:{env['KEHOACH_PORT']}/health"
        wait_for("/health", lambda: httpx.get(health, timeout=2).status_code == 200, 120, log)
        # The slow server: no job has run before it answers; then the catch-up runs.
        wait_for("the catch-up", lambda: _state(data, "broken") == ["failed"], 240, log)
        wait_for("flaky done", lambda: _state(data, "flaky") == ["completed"], 120, log)
        assert (data / "flaky.count").read_text() == "3"  # failed twice, then succeeded
        [flaky] = [r for r in _runs(data) if r["job"] == "flaky"]
        assert flaky["message"] == "xong ở lần thử thứ 3"
        server_log = (data / "prefect" / "server.log").read_text()
        assert server_log  # the server existed before the first job ran
        assert len(_prefect_servers(port)) == 1
        alerts = list((data / "outbox").rglob("*.eml"))
        assert len(alerts) == 1 and "broken" in alerts[0].read_text()

        # The Prefect server killed: started again, and the next tick runs on it.
        killed = int((data / "prefect" / "server.pid").read_text())
        os.kill(killed, signal.SIGKILL)
        at = datetime.now(UTC)
        wait_for(
            "a tick completed after the kill",
            lambda: any(
                r["job"] == "tick" and r["state"] == "completed" and _utc(r["started_at"]) > at
                for r in _runs(data)
            ),
            240,
            log,
        )
        assert _prefect_servers(port) != [killed] and len(_prefect_servers(port)) == 1

        # Ctrl+C while a tick runs: the job ends, then everything stops.
        wait_for("a tick running", lambda: "running" in _state(data, "tick"), 120, log)
        tree = _tree(service.pid)
        assert len(tree) >= 2
    finally:
        service.send_signal(signal.SIGINT)
        code = service.wait(timeout=120)
    assert code == 0, log.read_text()[-4000:]
    assert "running" not in _state(data, "tick")
    wait_for("no process of the service left", lambda: not _alive(tree), 30, log)
    assert _prefect_servers(port) == []
    assert len(list((data / "outbox").rglob("*.eml"))) == 1  # one alert, never repeated
