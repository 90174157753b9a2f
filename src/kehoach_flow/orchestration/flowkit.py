"""What every flow in flows/ shares: per-plan task runs whose failures stay their own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from kehoach_flow.errors import KehoachError
from kehoach_flow.orchestration.transient import can_pass

__all__ = ["NO_CACHE", "MailServerDownError", "each", "finish", "publish"]


class MailServerDownError(KehoachError):
    """The mail server took no connection: the messages stay in the outbox; trying the run
    again later can pass."""

    transient = True


class PlansFailedError(KehoachError):
    """Some plans failed; the others were done. The flow run fails with their names; it
    carries each failed plan's reason, the run's summary, and whether trying again can help
    (every plan failed for a reason that can pass)."""

    failed: dict[str, str] = {}  # noqa: RUF012  (set per instance)
    summary: dict[str, Any] = {}  # noqa: RUF012
    transient: bool = False


class Failures(dict[str, str]):
    """Failed plan -> reason; `transient` while every failure so far can pass."""

    transient: bool = True


def each(
    task: Any, items: Iterable[tuple[str, tuple[Any, ...]]]
) -> tuple[list[Any], dict[str, str]]:
    """Run `task(*args)` once per named item; collect results, and the failures' reasons."""
    results: list[Any] = []
    failed = Failures()
    for name, args in items:
        state = task(*args, return_state=True)
        if state.is_completed():
            results.append(state.result())
            continue
        error = state.result(raise_on_failure=False)
        failed[name] = _reason(error, state.message)
        failed.transient = failed.transient and can_pass(error)
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
        error = PlansFailedError(
            f"{len(failed)} kế hoạch lỗi (các kế hoạch khác đã chạy xong): {names}"
        )
        error.failed = dict(failed)
        error.summary = summary
        error.transient = bool(getattr(failed, "transient", False))
        raise error
    return summary
