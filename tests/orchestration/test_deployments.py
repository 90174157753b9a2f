"""Scale-out end to end: deployments from deploy/prefect.yaml on a real Prefect server on
Postgres, the server's scheduler creating runs, a process worker running track_status."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.loading import load_path
from tests.conftest import DEFINITIONS, POSTGRES_URL, ROOT

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="KEHOACH_TEST_POSTGRES_URL is not set")
PREFECT = [sys.executable, "-m", "prefect"]


def _prefect(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [*PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _query(call: Any) -> Any:
    from prefect.client.orchestration import get_client

    async def go() -> Any:
        async with get_client() as client:
            return await call(client)

    return asyncio.run(go())


def test_deployments_schedules_and_a_worker_run_on_postgres(
    prefect_server: str, postgres_schema_url: str, tmp_path: Path
) -> None:
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    engine = create_db_engine(postgres_schema_url)
    upgrade(engine)
    load_path(engine, DEFINITIONS)
    engine.dispose()
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_server,
        "KEHOACH_DATABASE_URL": postgres_schema_url,
        "KEHOACH_DATA_DIR": str(tmp_path / "data"),
        "KEHOACH_DEFINITIONS": str(DEFINITIONS),
        "KEHOACH_SECRET_KEY": "test-secret",
    }
    _prefect("work-pool", "create", "kehoach", "--type", "process", "--overwrite", env=env)
    _prefect("--no-prompt", "deploy", "--all", "--prefect-file", "deploy/prefect.yaml", env=env)

    deployments = {d.name: d for d in _query(lambda c: c.read_deployments())}
    assert {"track-status", "send-reminders", "build-report", "load-definitions"} <= set(
        deployments
    )
    track = deployments["track-status"]
    assert track.work_pool_name == "kehoach"

    def scheduled() -> list[Any]:
        return _query(
            lambda c: c.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[track.id])),
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(
                        type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])
                    )
                ),
            )
        )

    deadline = time.monotonic() + 60
    while (
        not (auto := [r for r in scheduled() if r.auto_scheduled]) and time.monotonic() < deadline
    ):
        time.sleep(1)
    assert auto, "the Prefect server's scheduler made no runs for track-status"
    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    assert {f"{r.expected_start_time.astimezone(vn):%H:%M}" for r in auto} == {"06:30"}

    run = _query(
        lambda c: c.create_flow_run_from_deployment(track.id, parameters={"day": "2024-12-20"})
    )
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [*PREFECT, "worker", "start", "--pool", "kehoach", "--limit", "1"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            state = _query(lambda c: c.read_flow_run(run.id)).state
            if state is not None and state.is_final():
                break
            time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    assert state is not None and state.is_completed(), (tmp_path / "worker.log").read_text()[-4000:]
    artifacts = _query(
        lambda c: c.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
    )
    assert [a.key for a in artifacts] == ["tinh-hinh-2024-12-20"]
    assert "qt-skhcn-2024-do-luong" in str(artifacts[0].data)
