"""The helpers of flows/load_definitions.py: which files to load, one file at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kehoach_flow.context import AppContext


def definition_files(root: Path) -> list[Path]:
    """The plan files under `root` (each loads on its own), in a stable order."""
    plans = root / "plans"
    return sorted(plans.rglob("*.yaml")) if plans.is_dir() else []


def load_file(ctx: AppContext, path: Path) -> dict[str, Any]:
    from kehoach_flow.loading import load_path

    summary = load_path(ctx.engine, path)
    return {
        "file": str(path),
        "plans": [
            {"key": p.key, "state": p.state, "added": len(p.added), "archived": len(p.archived)}
            for p in summary.plans
        ],
    }
