"""Orchestration figures for `kehoach bench`: what Prefect adds to send_reminders on the
national dataset, and how many flow runs a server with two process workers completes."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kehoach_flow.bench.reminders import BUSY_DAY
from kehoach_flow.context import AppContext
from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.loading import load_path
from kehoach_flow.mail.transport import FileTransport
from kehoach_flow.prefect_server import fresh_prefect_database, prefect_server
from kehoach_flow.reminders.sender import deliver
from kehoach_flow.reminders.sweep import queue_day
from kehoach_flow.settings import Settings

FLOWS = Path("flows")
POOL = "kehoach-bench"


def orchestration_figures(
    definitions: Path, work: Path, postgres_url: str | None, runs: int = 12
) -> dict[str, float]:
    """Both figures against one Prefect server (on Postgres when a URL is given)."""
    database = fresh_prefect_database(postgres_url, "kehoach_prefect_bench", work)
    with prefect_server(database, work / "prefect-home") as api:
        figures = _overhead(definitions, work, api)
        figures |= _throughput(definitions, work, api, runs)
    if postgres_url is None:
        figures["flow_runs_server_on_sqlite"] = 1.0
    return figures


def _settings(work: Path, name: str) -> Settings:
    return Settings(
        data_dir=work / name,
        database_url=f"sqlite:///{work / name / 'kehoach.db'}",
        secret_key="bench",
        _env_file=None,
    )


def _loaded(settings: Settings, definitions: Path) -> Any:
    engine = create_db_engine(settings.resolved_database_url())
    upgrade(engine)
    load_path(engine, definitions)
    return engine


def _overhead(definitions: Path, work: Path, api: str) -> dict[str, float]:
    """The same day's reminders on two identical databases: by the library, then the flow."""
    plain_settings, flow_settings = _settings(work, "plain"), _settings(work, "flow")
    plain_engine = _loaded(plain_settings, definitions)
    first_plan = AppContext(plain_settings, plain_engine).plans()[0]
    started = time.perf_counter()
    queue_day(plain_engine, plain_settings, BUSY_DAY)  # as the flow: one digest per recipient
    plain_sent = deliver(plain_engine, FileTransport(plain_settings.data_dir / "outbox")).sent
    plain_s = time.perf_counter() - started
    plain_engine.dispose()
    _loaded(flow_settings, definitions).dispose()
    env = {
        "KEHOACH_DATABASE_URL": flow_settings.resolved_database_url(),
        "KEHOACH_DATA_DIR": str(flow_settings.data_dir),
        "KEHOACH_SECRET_KEY": "bench",
        "KEHOACH_MAIL_TRANSPORT": "file",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    from prefect.settings import PREFECT_API_URL, PREFECT_LOGGING_LEVEL, temporary_settings

    # The API through Prefect's settings context, not the environment: prefect may have been
    # imported already (in the test session), with its settings read then.
    updates = {PREFECT_API_URL: api, PREFECT_LOGGING_LEVEL: "WARNING"}
    try:
        with temporary_settings(updates=updates):
            send = _flow("send_reminders")
            _flow("track_status")(plan=first_plan, day=BUSY_DAY.isoformat())  # warm-up
            started = time.perf_counter()
            summary = send(day=BUSY_DAY.isoformat())
            flow_s = time.perf_counter() - started
            _drain_prefect_services()  # events and logs go to this server before it stops
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if summary["sent"] != plain_sent:
        raise RuntimeError(f"bench: the flow sent {summary['sent']}, the library {plain_sent}")
    return {
        "send_reminders_plain_s": plain_s,
        "send_reminders_flow_s": flow_s,
        "prefect_overhead_fraction": flow_s / plain_s - 1,
    }


def _drain_prefect_services() -> None:
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (EventsWorker, APILogWorker):
        service.drain_all(timeout=30)


def _flow(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"kehoach_bench_{name}", FLOWS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def _throughput(definitions: Path, work: Path, api: str, runs: int) -> dict[str, float]:
    """`runs` track_status runs of one plan created at once; two process workers drain them."""
    settings = _settings(work, "workers")
    engine = _loaded(settings, definitions)
    plan = AppContext(settings, engine).plans()[0]
    engine.dispose()
    env = {
        **os.environ,
        "PREFECT_API_URL": api,
        "KEHOACH_DATABASE_URL": settings.resolved_database_url(),
        "KEHOACH_DATA_DIR": str(settings.data_dir),
        "KEHOACH_SECRET_KEY": "bench",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    prefect = [sys.executable, "-m", "prefect"]
    for args in (
        ["work-pool", "create", POOL, "--type", "process", "--overwrite"],
        [
            "--no-prompt",
            "deploy",
            "--name",
            "track-status",
            "--pool",
            POOL,
            "--prefect-file",
            "deploy/prefect.yaml",
        ],
    ):
        subprocess.run([*prefect, *args], env=env, check=True, capture_output=True, timeout=300)
    ids = asyncio.run(_create_runs(api, plan, runs))
    workers = [
        subprocess.Popen(
            [*prefect, "worker", "start", "--pool", POOL, "--limit", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    started = time.perf_counter()
    try:
        completed = asyncio.run(_wait_final(api, ids, timeout=600))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    elapsed = time.perf_counter() - started
    return {
        "flow_runs_per_min": completed / (elapsed / 60),
        "flow_runs_completed": float(completed),
    }


async def _create_runs(api: str, plan: str, runs: int) -> list[Any]:
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api) as client:
        deployment = await client.read_deployment_by_name("track_status/track-status")
        parameters = {"plan": plan, "day": BUSY_DAY.isoformat()}
        return [
            (await client.create_flow_run_from_deployment(deployment.id, parameters=parameters)).id
            for _ in range(runs)
        ]


async def _wait_final(api: str, ids: list[Any], timeout: float) -> int:
    from prefect.client.orchestration import PrefectClient

    deadline = time.monotonic() + timeout
    async with PrefectClient(api) as client:
        while True:
            states = [(await client.read_flow_run(i)).state for i in ids]
            if all(s is not None and s.is_final() for s in states) or time.monotonic() > deadline:
                return sum(1 for s in states if s is not None and s.is_completed())
            await asyncio.sleep(0.5)
