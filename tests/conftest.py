"""Shared fixtures: real SQLite files, the machine's Postgres in a schema of its own, the CLI."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from kehoach_flow.cli import main
from kehoach_flow.db.engine import create_db_engine, temporary_schema, upgrade
from kehoach_flow.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "definitions"
SEED_PLAN = "qt-skhcn-2024-do-luong"
POSTGRES_URL = os.environ.get("KEHOACH_TEST_POSTGRES_URL")


def pytest_configure(config: pytest.Config) -> None:
    """Point Prefect at the session's own server (tests/orchestration starts it on this port)
    before anything imports prefect, so flows never start a temporary server of their own."""
    import socket
    import tempfile

    if os.environ.get("KEHOACH_TEST_PREFECT_PORT"):
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home = tempfile.mkdtemp(prefix="kehoach-prefect-home-")
    os.environ["KEHOACH_TEST_PREFECT_PORT"] = str(port)
    os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_HOME"] = home
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ["PREFECT_LOGGING_TO_API_ENABLED"] = "false"


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A fresh schema on the test Postgres for this run; dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("KEHOACH_TEST_POSTGRES_URL is not set")
    with temporary_schema(POSTGRES_URL) as url:
        yield url


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that asks for it runs once on a SQLite file and once on Postgres."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kehoach.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        definitions=DEFINITIONS,
        _env_file=None,
    )


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """For tests whose subject is not the database: SQLite only."""
    return Settings(data_dir=tmp_path / "data", definitions=DEFINITIONS, _env_file=None)


def _migrated(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings.resolved_database_url())
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A migrated database (SQLite or Postgres, per `database_url`)."""
    yield from _migrated(settings)


@pytest.fixture
def sqlite_engine(sqlite_settings: Settings) -> Iterator[Engine]:
    """A migrated SQLite database, for tests whose subject is not the database."""
    yield from _migrated(sqlite_settings)


@pytest.fixture
def definitions_copy(tmp_path: Path) -> Path:
    """A writable copy of definitions/ for tests that edit plan files."""
    target = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, target)
    return target


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(settings: Settings, *args: str) -> CliResult:
    """Run `kehoach ARGS` in-process through the console script's entry point."""
    from typer.testing import CliRunner

    runner = CliRunner()
    with runner.isolation() as (stdout, stderr, _):
        try:
            main(list(args), settings=settings)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        sys.stdout.flush()
        sys.stderr.flush()
        return CliResult(code, stdout.getvalue().decode(), stderr.getvalue().decode())
