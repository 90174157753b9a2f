"""The helpers of flows/track_status.py: derive each task's state at a day, store the day's
snapshot (tracking.snapshots), and write what to chase as the run's artifact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kehoach_flow.context import AppContext
from kehoach_flow.tracking.scoreboard import build_scoreboard
from kehoach_flow.tracking.snapshots import write_snapshot
from kehoach_flow.tracking.state import Category, Derived
from kehoach_flow.tracking.task_views import TaskView, plan_board

WATCHED = (Derived.OVERDUE, Derived.AT_RISK, Derived.BLOCKED)


@dataclass(frozen=True)
class TrackSummary:
    plan: str
    day: date
    total: int
    completion_percent: float
    counts: dict[str, int]  # category label -> tasks
    watched: tuple[dict[str, Any], ...]  # overdue, at risk and blocked tasks

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "day": self.day.isoformat(),
            "total": self.total,
            "completion_percent": self.completion_percent,
            "counts": self.counts,
            "overdue": [w["key"] for w in self.watched if w["derived"] == Derived.OVERDUE],
            "at_risk": [w["key"] for w in self.watched if w["derived"] == Derived.AT_RISK],
            "blocked": [w["key"] for w in self.watched if w["derived"] == Derived.BLOCKED],
        }


def track_plan(ctx: AppContext, plan_key: str, day: date) -> TrackSummary:
    """Derive every task's state at `day` and store the day's snapshot (a rerun replaces it)."""
    views = plan_board(ctx.engine, plan_key, day, ctx.options())
    board = build_scoreboard(plan_key, day, views)
    summary = TrackSummary(
        plan=plan_key,
        day=day,
        total=board.overall.total,
        completion_percent=board.overall.completion_percent,
        counts={c.label: board.overall.counts[c] for c in Category},
        watched=tuple(_watched(v) for v in views if v.derived in WATCHED),
    )
    facts = summary.as_dict()
    write_snapshot(
        ctx.engine,
        plan_key,
        day,
        board.as_dict(),
        facts["overdue"],
        facts["at_risk"],
        facts["blocked"],
    )
    return summary


def _watched(view: TaskView) -> dict[str, Any]:
    return {
        "key": view.key,
        "title": view.title,
        "lead": view.lead_name,
        "due": view.window.due,
        "progress": view.state.progress,
        "derived": view.derived,
        "waiting_for": list(view.open_dependencies),
    }


def track_markdown(summaries: list[TrackSummary], failed: dict[str, str]) -> str:
    """The artifact of a tracking run: per plan, counts, then what needs chasing."""
    lines: list[str] = []
    for s in summaries:
        lines += [
            f"## {s.plan}: {s.day:%d/%m/%Y}",
            "",
            f"{s.total} nhiệm vụ, hoàn thành {s.completion_percent:g}%: "
            + "; ".join(f"{label.lower()} {n}" for label, n in s.counts.items()),
            "",
        ]
        if not s.watched:
            lines += ["Không có nhiệm vụ quá hạn, có nguy cơ trễ hoặc bị chặn.", ""]
            continue
        lines += [
            "| Tình trạng | Nhiệm vụ | Chủ trì | Hạn | Tiến độ |",
            "|---|---|---|---|---:|",
        ]
        for w in s.watched:
            title = str(w["title"]).replace("|", "\\|")
            waiting = f" (chờ: {', '.join(w['waiting_for'])})" if w["waiting_for"] else ""
            lines.append(
                f"| {w['derived'].label} | {w['key']}: {title}{waiting} | {w['lead']} "
                f"| {w['due']:%d/%m/%Y} | {w['progress']}% |"
            )
        lines.append("")
    for plan, reason in failed.items():
        lines += [f"## {plan}: LỖI", "", reason, ""]
    return "\n".join(lines).strip() + "\n"
