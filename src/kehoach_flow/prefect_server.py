"""`prefect server start` subprocesses: the one `kehoach serve` supervises for its lifetime
(`PrefectSupervisor`), and a plain one for the bench and the tests, on Postgres or SQLite."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

from kehoach_flow.errors import KehoachError

log = logging.getLogger("kehoach.prefect")
HOST = "127.0.0.1"


def fresh_prefect_database(postgres_url: str | None, name: str, directory: Path) -> str:
    """A new, empty database for a Prefect server: `name` on the Postgres of `postgres_url`
    (dropped and created again), or a SQLite file in `directory`."""
    if not postgres_url:
        return f"sqlite+aiosqlite:///{directory / f'{name}.db'}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(postgres_url).set(drivername="postgresql+asyncpg", database=name, query={})
    return url.render_as_string(hide_password=False)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def prefect_server(
    database_url: str, home: Path, port: int | None = None, loop_seconds: float | None = None
) -> Iterator[str]:
    """Start a Prefect server and yield its API URL; stop it on exit."""
    port = port or free_port()
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_DATABASE_CONNECTION_URL": database_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    if loop_seconds is not None:
        env["PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS"] = str(loop_seconds)
    env.pop("PREFECT_API_URL", None)
    log_path = home / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(url, server, log_path)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.kill()
    raise KehoachError(f"Prefect server không khởi động được: {log_path.read_text()[-2000:]}")


# --- the server of `kehoach serve` ---------------------------------------------------------

# Sleeps, then becomes the Prefect server (same process, same group): a slow start, for tests.
_DELAYED = (
    "import os, sys, time; time.sleep(float(sys.argv[1])); os.execv(sys.argv[2], sys.argv[2:])"
)


class PrefectPortTakenError(KehoachError):
    """Something other than this service listens on the Prefect port."""

    def __init__(self, port: int) -> None:
        super().__init__(
            f"cổng Prefect {port} đang có chương trình khác dùng: dừng chương trình đó "
            "hoặc đặt KEHOACH_PREFECT_PORT sang cổng khác"
        )


def api_url_of(port: int) -> str:
    return f"http://{HOST}:{port}/api"


def is_healthy(api_url: str, timeout: float = 3.0) -> bool:
    """True if a Prefect server answers /api/health at `api_url`."""
    try:
        return httpx.get(f"{api_url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def port_taken(port: int) -> bool:
    """True if a process listens on HOST:port (bound as uvicorn binds, so TIME_WAIT is free)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return True
    return False


def _kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class PrefectSupervisor:
    """One `prefect server start` for the lifetime of `kehoach serve`: on a known port, its
    SQLite database and log under `home`, in a session of its own (a Ctrl+C in the terminal
    reaches the service only, which stops the server's whole process group itself). A
    watcher starts it again if it exits, or stops answering for `start_timeout` seconds."""

    def __init__(
        self,
        home: Path,
        port: int,
        start_timeout: float = 300.0,
        start_delay: float = 0.0,
        check_seconds: float = 2.0,
    ) -> None:
        self.home = home
        self.port = port
        self.start_timeout = start_timeout
        self.start_delay = start_delay
        self.check_seconds = check_seconds
        self.api_url = api_url_of(port)
        self.ui_url = f"http://{HOST}:{port}"
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def pid_file(self) -> Path:
        return self.home / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the server (not waiting for it: see `wait_healthy`) and its watcher."""
        self.home.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        if port_taken(self.port):
            raise PrefectPortTakenError(self.port)
        with self._lock:
            self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="kehoach-prefect", daemon=True)
        self._watcher.start()

    def healthy(self) -> bool:
        return is_healthy(self.api_url)

    def wait_healthy(
        self, timeout: float | None = None, cancel: threading.Event | None = None
    ) -> bool:
        """Wait until the server answers, `timeout` (default: the start timeout) passes, the
        supervisor stops or `cancel` is set; True if it answers."""
        deadline = time.monotonic() + (self.start_timeout if timeout is None else timeout)
        stop = cancel or self._stopping
        while not (self._stopping.is_set() or stop.is_set()):
            if self.healthy():
                return True
            if time.monotonic() >= deadline:
                return False
            stop.wait(0.5)
        return False

    def stop(self) -> None:
        """Stop the server's process group (SIGTERM, then SIGKILL) and the watcher."""
        self._stopping.set()
        with self._lock:
            process, self._process = self._process, None
            if process is not None:
                self._terminate(process)
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout=30)
        with contextlib.suppress(OSError):
            self.pid_file.unlink()

    def _spawn(self) -> None:
        env = {
            **os.environ,
            "PREFECT_HOME": str(self.home.resolve()),
            "PREFECT_API_DATABASE_CONNECTION_URL": (
                f"sqlite+aiosqlite:///{(self.home / 'prefect.db').resolve()}"
            ),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        env.pop("PREFECT_API_URL", None)
        command = [sys.executable, "-m", "prefect", "server", "start"]
        command += ["--host", HOST, "--port", str(self.port)]
        if self.start_delay:
            command = [sys.executable, "-c", _DELAYED, str(self.start_delay), *command]
        with self.log_file.open("ab") as sink:
            self._process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(str(self._process.pid), encoding="ascii")
        log.info("Prefect server: pid %s, %s", self._process.pid, self.ui_url)

    def _terminate(self, process: subprocess.Popen[bytes]) -> None:
        _kill_group(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        _kill_group(process.pid, signal.SIGKILL)  # whatever of the group is left
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)

    def _watch(self) -> None:
        answered = time.monotonic()
        while not self._stopping.wait(self.check_seconds):
            process = self._process
            if process is None:
                return
            exited = process.poll()
            if exited is None and self.healthy():
                answered = time.monotonic()
                continue
            if exited is None and time.monotonic() - answered < self.start_timeout:
                continue  # still starting, or busy: it has the start timeout to answer
            with self._lock:
                if self._stopping.is_set() or self._process is not process:
                    return
                if exited is None:
                    log.error("Prefect server không trả lời: khởi động lại")
                else:
                    log.error("Prefect server đã dừng (mã %s): khởi động lại", exited)
                self._terminate(process)
                self._spawn()
                self.restarts += 1
            answered = time.monotonic()

    def _stop_leftover(self) -> None:
        """A server left by a service that was killed (SIGKILL) is stopped, if it is ours."""
        try:
            pid = int(self.pid_file.read_text(encoding="ascii").strip())
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            leader = os.getpgid(pid) == pid
        except (OSError, ValueError):
            return
        if not (leader and b"prefect" in command and b"server" in command):
            return
        log.warning("dừng Prefect server còn sót lại (pid %s)", pid)
        _kill_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        _kill_group(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"
