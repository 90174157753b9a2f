"""One real Prefect server for the whole test session, on the test Postgres when it is set
(SQLite otherwise); flows in these tests run against it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from kehoach_flow.loading import load_path
from kehoach_flow.prefect_server import fresh_prefect_database
from kehoach_flow.prefect_server import prefect_server as start_server
from kehoach_flow.settings import Settings
from tests.conftest import POSTGRES_URL


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API URL of a `prefect server start` subprocess (scheduler loop every 2 s), on the
    port tests/conftest.py pointed PREFECT_API_URL at."""
    tmp = tmp_path_factory.mktemp("prefect-server")
    database = fresh_prefect_database(POSTGRES_URL, "kehoach_prefect_test", tmp)
    port = int(os.environ["KEHOACH_TEST_PREFECT_PORT"])
    with start_server(database, tmp / "home", port, loop_seconds=2) as url:
        yield url


@pytest.fixture
def env(
    prefect_server: str, settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """KEHOACH_* for the flows (they read their settings as a worker would), seed plan loaded."""
    monkeypatch.setenv("KEHOACH_DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("KEHOACH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("KEHOACH_DEFINITIONS", str(settings.definitions))
    monkeypatch.setenv("KEHOACH_SECRET_KEY", "test-secret")
    load_path(engine, settings.definitions)
    return settings
