"""Shared by the orchestration tests: the flows imported as Prefect imports them, and the
`kehoach` command run as a subprocess with a wait that shows the service's log."""

from __future__ import annotations

import importlib.util
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ROOT

FLOWS = ROOT / "flows"
KEHOACH = [sys.executable, "-c", "from kehoach_flow.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], object], timeout: float, log: Path) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except (httpx.HTTPError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; service log:\n{log.read_text()[-4000:]}")


def flow(name: str) -> Any:
    """The flow object from flows/NAME.py, imported by path as Prefect does."""
    spec = importlib.util.spec_from_file_location(
        f"kehoach_test_flows_{name}", FLOWS / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)
