"""The helpers of flows/build_report.py: one plan's draft for the period due (or the one
asked), through reports.service, and the run's artifact listing what was made."""

from __future__ import annotations

from datetime import date
from typing import Any

from kehoach_flow.context import AppContext
from kehoach_flow.reports.periods import Period
from kehoach_flow.reports.service import due_period, plan_period, plan_report
from kehoach_flow.tracking.state import Category

__all__ = ["due_period", "plan_period", "report_markdown", "write_report"]


def write_report(ctx: AppContext, plan_key: str, chosen: Period, issued: date) -> dict[str, Any]:
    """The plan's draft for `chosen`, dated `issued`, in every format, as the run reports it."""
    result = plan_report(ctx, plan_key, chosen, issued=issued)
    return {
        "plan": plan_key,
        "period": chosen.kind,
        "year": chosen.year,
        "title": chosen.title,
        "cutoff": chosen.cutoff.isoformat(),
        "categories": {c.label: c.count for c in result.report.categories},
        "total": result.report.total_tasks,
        "files": [str(f) for f in result.files],
        "content_hash": result.content_hash,
    }


def report_markdown(reports: list[dict[str, Any]], failed: dict[str, str]) -> str:
    lines = ["| Kế hoạch | Kỳ | " + " | ".join(c.label for c in Category) + " | Tệp |"]
    lines.append("|---|---|" + "---:|" * len(Category) + "---|")
    for r in reports:
        counts = " | ".join(str(r["categories"].get(c.label, 0)) for c in Category)
        files = "<br>".join(r["files"])
        lines.append(f"| {r['plan']} | {r['title']} | {counts} | {files} |")
    for plan, reason in failed.items():
        lines.append(f"| {plan} | LỖI: {reason} |" + " |" * (len(Category) + 1))
    return "\n".join(lines) + "\n"
