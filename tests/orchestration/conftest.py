"""One real Prefect server for the whole test session, on the test Postgres when it is set
(SQLite otherwise); flows in these tests run against it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL

PREFECT_DB = "kehoach_prefect_test"


def _prefect_database(tmp: Path) -> str:
    if not POSTGRES_URL:
        return f"sqlite+aiosqlite:///{tmp / 'prefect.db'}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PREFECT_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PREFECT_DB}"'))
    admin.dispose()
    base = POSTGRES_URL.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{base}/{PREFECT_DB}"


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API URL of a `prefect server start` subprocess (scheduler loop every 2 s)."""
    tmp = tmp_path_factory.mktemp("prefect-server")
    port = os.environ["KEHOACH_TEST_PREFECT_PORT"]
    env = {
        **os.environ,
        "PREFECT_API_DATABASE_CONNECTION_URL": _prefect_database(tmp),
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", port],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(
                "Prefect server did not start:\n" + (tmp / "server.log").read_text()[-3000:]
            )
        time.sleep(0.5)
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
