"""The daily work as plain functions: flows/ wraps each in a Prefect task, `kehoach simulate`
calls them directly. Every function works on one plan, so a broken plan fails alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from kehoach_flow import clock
from kehoach_flow.db.engine import check_schema, open_configured
from kehoach_flow.db.queries import list_plans, plan_header
from kehoach_flow.reports.periods import Period, period, period_for_day, plan_cutoff_day
from kehoach_flow.settings import Settings, load_settings
from kehoach_flow.tracking.board import BoardOptions, TaskView, plan_board
from kehoach_flow.tracking.scoreboard import build_scoreboard
from kehoach_flow.tracking.snapshots import write_snapshot
from kehoach_flow.tracking.state import Category, Derived
from kehoach_flow.tracking.workcalendar import work_calendar
from kehoach_flow.workdays import WorkCalendar

WATCHED = (Derived.OVERDUE, Derived.AT_RISK, Derived.BLOCKED)


@dataclass
class Runtime:
    """Settings, the database and the working calendar, opened once per flow run."""

    settings: Settings
    engine: Engine
    _calendar: WorkCalendar | None = field(default=None, repr=False)

    @property
    def calendar(self) -> WorkCalendar:
        """One calendar for the run: each year is built when a date of it is first asked."""
        if self._calendar is None:
            self._calendar = work_calendar(self.settings)
        return self._calendar

    def options(self, day: date) -> BoardOptions:
        s = self.settings
        return BoardOptions(self.calendar, s.timezone, s.at_risk_days)

    def today(self) -> date:
        return clock.today(self.settings)

    def day(self, value: str | date | None) -> date:
        """A flow parameter: an ISO date, a date, or None for today where the plan runs."""
        if value is None or value == "":
            return self.today()
        return value if isinstance(value, date) else date.fromisoformat(value)

    def plans(self, only: str | list[str] | None = None) -> list[str]:
        """The plans to work on: those given, else every plan being tracked."""
        if only:
            return [only] if isinstance(only, str) else list(only)
        return [p["key"] for p in list_plans(self.engine)]


def open_runtime(settings: Settings | None = None) -> Runtime:
    settings = settings or load_settings()
    engine = open_configured(settings)  # a worker with a mistyped path creates nothing
    check_schema(engine)
    return Runtime(settings, engine)


# --- load_definitions ---------------------------------------------------------------------


def definition_files(root: Path) -> list[Path]:
    """The plan files under `root` (each loads on its own), in a stable order."""
    plans = root / "plans"
    return sorted(plans.rglob("*.yaml")) if plans.is_dir() else []


def load_file(rt: Runtime, path: Path) -> dict[str, Any]:
    from kehoach_flow.loading import load_path

    summary = load_path(rt.engine, path)
    return {
        "file": str(path),
        "plans": [
            {"key": p.key, "state": p.state, "added": len(p.added), "archived": len(p.archived)}
            for p in summary.plans
        ],
    }


# --- track_status -------------------------------------------------------------------------


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


def track_plan(rt: Runtime, plan_key: str, day: date) -> TrackSummary:
    """Derive every task's state at `day` and store the day's snapshot (a rerun replaces it)."""
    views = plan_board(rt.engine, plan_key, day, rt.options(day))
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
        rt.engine,
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


# --- send_reminders -----------------------------------------------------------------------


def day_off(rt: Runtime, day: date) -> str | None:
    """Why no reminder goes out on `day` (a holiday's name, the weekend), or None."""
    calendar = rt.calendar
    if calendar.is_working_day(day):
        return None
    return calendar.holiday_name(day) or "nghỉ cuối tuần"


# --- build_report -------------------------------------------------------------------------


def due_period(rt: Runtime, plan_key: str, day: date) -> Period | None:
    """The period whose report is due on `day` for this plan (the day after its cut-off);
    none in a year the plan does not cover, for which no report is made."""
    from kehoach_flow.reports.runs import plan_years

    cutoff_day = plan_cutoff_day(plan_header(rt.engine, plan_key), rt.settings.report_cutoff_day)
    due = period_for_day(day, cutoff_day)
    return due if due is not None and due.year in plan_years(rt.engine, plan_key) else None


def chosen_period(rt: Runtime, plan_key: str, kind: str, year: int) -> Period:
    cutoff_day = plan_cutoff_day(plan_header(rt.engine, plan_key), rt.settings.report_cutoff_day)
    return period(kind, year, cutoff_day)


def write_report(rt: Runtime, plan_key: str, chosen: Period, issued: date) -> dict[str, Any]:
    from kehoach_flow.reports.runs import generate

    out = rt.settings.ensure_data_dir() / "reports" / plan_key
    result = generate(
        rt.engine,
        plan_key,
        chosen,
        rt.options(chosen.cutoff),
        out,
        issued=issued,
        templates=rt.settings.report_templates,
    )
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
