"""Load the definitions: units and programmes, then each plan file on its own task run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task

from kehoach_flow.context import AppContext, open_context
from kehoach_flow.orchestration.flowkit import NO_CACHE, each, finish
from kehoach_flow.orchestration.load_definitions import definition_files, load_file


@task(cache_policy=NO_CACHE, task_run_name="load {path.name}")
def load_one(ctx: AppContext, path: Path) -> dict[str, Any]:
    return load_file(ctx, path)


@flow(name="load_definitions")
def load_definitions(path: str | None = None) -> dict[str, Any]:
    ctx = open_context()
    root = Path(path) if path else ctx.settings.definitions
    files = definition_files(root) or [root]
    loaded, failed = each(load_one, ((str(f), (ctx, f)) for f in files))
    plans = [p for result in loaded for p in result["plans"]]
    changed = [p["key"] for p in plans if p["state"] != "unchanged"]
    summary = {"files": len(files), "plans": plans, "failed": failed}
    return finish(
        summary, failed, lambda: f"Đã nạp {len(plans)} kế hoạch, {len(changed)} thay đổi."
    )
