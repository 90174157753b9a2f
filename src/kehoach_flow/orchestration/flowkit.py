"""What every flow in flows/ shares: per-plan task runs whose failures stay their own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from kehoach_flow.errors import KehoachError

__all__ = ["NO_CACHE", "each", "finish", "publish"]


class PlansFailedError(KehoachError):
    """Some plans failed; the others were done. The flow run fails with their names."""


def each(
    task: Any, items: Iterable[tuple[str, tuple[Any, ...]]]
) -> tuple[list[Any], dict[str, str]]:
    """Run `task(*args)` once per named item; collect results, and the failures' reasons."""
    results: list[Any] = []
    failed: dict[str, str] = {}
    for name, args in items:
        state = task(*args, return_state=True)
        if state.is_completed():
            results.append(state.result())
            continue
        failed[name] = _reason(state.result(raise_on_failure=False), state.message)
        get_run_logger().error("%s: %s", name, failed[name])
    return results, failed


def _reason(error: Any, fallback: str | None) -> str:
    """A definition error lists its faults (file:line: message); others say their message."""
    problems = getattr(error, "problems", None)
    if problems:
        return "; ".join(str(p) for p in problems)
    return getattr(error, "message", None) or str(error) or fallback or "lỗi"


def publish(key: str, markdown: str, description: str) -> None:
    """A markdown artifact; keys are lower-case letters, digits and dashes."""
    safe = "".join(c if c.isalnum() and c.isascii() else "-" for c in key.lower()).strip("-")
    create_markdown_artifact(markdown, key=safe, description=description)


def finish(
    summary: dict[str, Any], failed: dict[str, str], say: Callable[[], str]
) -> dict[str, Any]:
    """Log the run's one-line summary; fail the run, naming the plans, when any failed."""
    get_run_logger().info(say())
    if failed:
        names = "; ".join(f"{plan}: {reason}" for plan, reason in failed.items())
        raise PlansFailedError(
            f"{len(failed)} kế hoạch lỗi (các kế hoạch khác đã chạy xong): {names}"
        )
    return summary
