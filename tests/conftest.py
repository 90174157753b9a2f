"""Shared fixtures: real SQLite files, the machine's Postgres in a schema of its own, the CLI."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text

from kehoach_flow.cli import main
from kehoach_flow.db.engine import create_db_engine, sqlite_file, temporary_schema, upgrade
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


# The session's Postgres schema as the migrations left it, empty: what `engine` needs. A test
# that asks for `engine` gets it back by emptying the tables when nothing else changed, rather
# than by dropping the schema and running every migration again (half a second each time).
_migrated_postgres: dict[str, str] = {}  # url -> fingerprint of the schema at head


def _fingerprint(conn: Connection) -> str:
    """Every table, column, index, constraint, sequence and routine of the current schema,
    and the migration it is at."""
    queries = (
        "SELECT table_name, column_name, data_type, is_nullable, column_default"
        " FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2",
        "SELECT c.relname, c.relkind FROM pg_class c"
        " WHERE c.relnamespace = current_schema()::regnamespace ORDER BY 1",
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1",
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = current_schema()::regnamespace ORDER BY 1",
        "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace"
        " ORDER BY 1",
        "SELECT version_num FROM alembic_version",
    )
    return repr([conn.execute(text(query)).all() for query in queries])


def _emptied_at_head(url: str) -> bool:
    """Empty every table (ids restart at 1) if the schema is still the one the migrations
    built; False if a test changed it or none was built yet: then it is rebuilt."""
    expected = _migrated_postgres.get(url)
    if expected is None:
        return False
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if _fingerprint(conn) != expected:
                return False
            tables = [
                table
                for (table,) in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                )
                if table != "alembic_version"
            ]
            names = ", ".join(f'"{table}"' for table in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return True
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that asks for it runs once on a SQLite file and once on Postgres: a new file,
    an empty schema (or, for a test that asks for `engine`, an emptied one at head)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kehoach.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    if "engine" in request.fixturenames and _emptied_at_head(url):
        return url
    _migrated_postgres.pop(url, None)
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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the migrations built once for the session; each test's database starts
    as a copy of it (the migrations themselves: tests/db/test_migrations.py)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "kehoach.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    engine.dispose()
    return path


def _migrated(settings: Settings, template: Path) -> Iterator[Engine]:
    url = settings.resolved_database_url()
    path = sqlite_file(url)
    if path is not None and not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        shutil.copyfile(template, path)
    engine = create_db_engine(url)
    upgrade(engine)  # at head already when copied or emptied: only checks
    if engine.dialect.name == "postgresql" and url not in _migrated_postgres:
        with engine.connect() as conn:
            _migrated_postgres[url] = _fingerprint(conn)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(settings: Settings, sqlite_template: Path) -> Iterator[Engine]:
    """A migrated database (SQLite or Postgres, per `database_url`), empty."""
    yield from _migrated(settings, sqlite_template)


@pytest.fixture
def sqlite_engine(sqlite_settings: Settings, sqlite_template: Path) -> Iterator[Engine]:
    """A migrated SQLite database, for tests whose subject is not the database."""
    yield from _migrated(sqlite_settings, sqlite_template)


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
