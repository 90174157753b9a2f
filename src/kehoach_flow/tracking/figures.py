"""The figures units report for a task, shown back: each target's quantity to date ("25/30
doanh nghiệp"), the money spent to date against the planned funding, and the figures each
update carried.

A reported figure is a total to date, not an increment: the update form and `kehoach update
--spent` ask for "đến nay", `state.state_at` lets a later figure replace an earlier one, and
the reports write "đến nay đạt 25/30". So the figure shown is the latest one reported (by
time, then version, as `state_at` folds), never a sum of them.

A task whose funding lines give no amount (or amounts of 0) has no planned budget: `planned`
is None, never 0, so a page says "chưa có kinh phí kế hoạch" instead of a full bar (the money
itself, for a task or a plan, is spending.py's `Budget`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from kehoach_flow.db.tables import ACTUAL, LINE, SOURCE, SPENDING, TARGET, UPDATE
from kehoach_flow.numbers import format_number
from kehoach_flow.timefmt import DAY, shown
from kehoach_flow.tracking.authors import AuthorName, Directory, read_directory
from kehoach_flow.tracking.spending import Budget, money_text, planned_amount, share, spent_total


@dataclass(frozen=True)
class Report:
    """When a figure was reported, in which update, and by whom."""

    version: int
    at: datetime
    author: AuthorName

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "at": self.at.isoformat(), "author": self.author.as_dict()}

    def text(self, timezone: str) -> str:
        """ "ngày 10/05/2024, Phòng Quản lý TCĐLCL qua trang web"."""
        return f"ngày {shown(self.at, timezone, DAY)}, {self.author.text}"


@dataclass(frozen=True)
class TargetFigure:
    """One target of the task: planned quantity, unit, and the latest quantity reported."""

    target_id: int
    number: int  # 1, 2, ...: how the update form and `kehoach update --actual 1=...` name it
    unit: str
    planned: int
    actual: int | None = None  # None: never reported
    reported: Report | None = None

    @property
    def percent(self) -> float | None:
        return share(self.actual, self.planned)

    @property
    def text(self) -> str:
        """ "25/30 doanh nghiệp", or "30 doanh nghiệp (chưa báo cáo)"."""
        planned = format_number(self.planned)
        if self.actual is None:
            return f"{planned} {self.unit} (chưa báo cáo)"
        return f"{format_number(self.actual)}/{planned} {self.unit}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "target_id": self.target_id,
            "number": self.number,
            "unit": self.unit,
            "planned": self.planned,
            "actual": self.actual,
            "percent": self.percent,
            "reported": self.reported.as_dict() if self.reported else None,
        }


@dataclass(frozen=True)
class SpendingFigure:
    """One funding line: its source, the planned amount (None: none given) and the latest
    amount spent to date."""

    line_id: int
    source: str
    name: str
    planned: int | None
    spent: int | None = None  # None: never reported
    reported: Report | None = None

    @property
    def percent(self) -> float | None:
        return share(self.spent, self.planned)

    @property
    def text(self) -> str:
        """ "Kinh phí sự nghiệp KHCN năm 2024: đã chi 30.000.000 đ / kế hoạch 50.000.000 đ"."""
        return f"{self.name}: {Budget(self.planned, self.spent).text}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "line_id": self.line_id,
            "source": self.source,
            "name": self.name,
            "planned": self.planned,
            "spent": self.spent,
            "percent": self.percent,
            "reported": self.reported.as_dict() if self.reported else None,
        }


@dataclass(frozen=True)
class ReportedQuantity:
    target_id: int
    unit: str
    planned: int
    quantity: int

    @property
    def text(self) -> str:
        return f"{format_number(self.quantity)}/{format_number(self.planned)} {self.unit}"


@dataclass(frozen=True)
class ReportedAmount:
    line_id: int
    source: str
    name: str
    amount: int

    @property
    def text(self) -> str:
        return f"{self.name}: {money_text(self.amount)}"


@dataclass(frozen=True)
class FigureEntry:
    """The figures one update reported (each a total to date)."""

    report: Report
    actuals: tuple[ReportedQuantity, ...]
    spending: tuple[ReportedAmount, ...]

    @property
    def text(self) -> str:
        """ "12/30 doanh nghiệp; đã chi Kinh phí ...: 30.000.000 đ"."""
        parts = [q.text for q in self.actuals]
        parts += [f"đã chi {a.text}" for a in self.spending]
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.report.as_dict(),
            "actuals": [
                {
                    "target_id": q.target_id,
                    "unit": q.unit,
                    "planned": q.planned,
                    "actual": q.quantity,
                }
                for q in self.actuals
            ],
            "spending": [
                {"line_id": a.line_id, "source": a.source, "name": a.name, "spent": a.amount}
                for a in self.spending
            ],
        }


@dataclass(frozen=True)
class TaskFigures:
    """A task's targets and funding lines with the latest figures, and every update that
    reported figures (newest first)."""

    task_id: int
    targets: tuple[TargetFigure, ...]
    lines: tuple[SpendingFigure, ...]
    history: tuple[FigureEntry, ...]

    @property
    def budget(self) -> Budget:
        """The task's money: planned over its lines (None: no planned budget), spent to date."""
        return Budget(
            planned_amount(line.planned for line in self.lines),
            spent_total(line.spent for line in self.lines),
        )

    @property
    def latest(self) -> Report | None:
        """The last update that reported a figure."""
        return self.history[0].report if self.history else None

    def form_values(self) -> dict[str, str]:
        """The update form's fields pre-filled with the latest totals ("actual_1": "25",
        "spent_sn-khcn-2024": "120.000.000"), so a unit lead corrects a total rather than
        typing an increment; a figure never reported is left out (the field stays empty)."""
        values = {f"actual_{t.number}": str(t.actual) for t in self.targets if t.actual is not None}
        values |= {
            f"spent_{line.source}": format_number(line.spent)
            for line in self.lines
            if line.spent is not None
        }
        return values

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": [t.as_dict() for t in self.targets],
            "funding": [line.as_dict() for line in self.lines],
            "budget": self.budget.as_dict(),
            "latest": self.latest.as_dict() if self.latest else None,
            "history": [entry.as_dict() for entry in self.history],
        }


def task_figures(engine: Engine, task_id: int) -> TaskFigures:
    """One task's figures (see `figures_of`)."""
    return figures_of(engine, [task_id])[task_id]


def figures_of(engine: Engine, task_ids: Iterable[int]) -> dict[int, TaskFigures]:
    """Each task's targets and funding lines with the latest figure reported for each, and
    the figures of every update, read in one go (a plan page asks for all its tasks)."""
    ids = list(task_ids)
    with engine.connect() as conn:
        directory = read_directory(conn)
        targets = _targets(conn, ids)
        lines = _lines(conn, ids)
        entries = _entries(conn, ids, directory, targets, lines)
    return {
        task_id: _task_figures(task_id, targets[task_id], lines[task_id], entries[task_id])
        for task_id in ids
    }


def _task_figures(
    task_id: int,
    targets: list[TargetFigure],
    lines: list[SpendingFigure],
    entries: list[FigureEntry],
) -> TaskFigures:
    """The latest figure of each target and line: entries are folded oldest first, so a
    later total replaces an earlier one."""
    latest_actual: dict[int, tuple[int, Report]] = {}
    latest_spent: dict[int, tuple[int, Report]] = {}
    for entry in entries:
        for q in entry.actuals:
            latest_actual[q.target_id] = (q.quantity, entry.report)
        for a in entry.spending:
            latest_spent[a.line_id] = (a.amount, entry.report)
    shown_targets = tuple(
        TargetFigure(t.target_id, t.number, t.unit, t.planned, *latest_actual[t.target_id])
        if t.target_id in latest_actual
        else t
        for t in targets
    )
    shown_lines = tuple(
        SpendingFigure(
            line.line_id, line.source, line.name, line.planned, *latest_spent[line.line_id]
        )
        if line.line_id in latest_spent
        else line
        for line in lines
    )
    return TaskFigures(task_id, shown_targets, shown_lines, tuple(reversed(entries)))


def _targets(conn: Connection, ids: list[int]) -> dict[int, list[TargetFigure]]:
    query = (
        select(TARGET)
        .where(TARGET.c.task_id.in_(ids))
        .order_by(TARGET.c.task_id, TARGET.c.position)
    )
    found: dict[int, list[TargetFigure]] = defaultdict(list)
    for row in conn.execute(query):
        number = len(found[row.task_id]) + 1
        found[row.task_id].append(TargetFigure(row.id, number, row.unit_label, row.quantity))
    return found


def _lines(conn: Connection, ids: list[int]) -> dict[int, list[SpendingFigure]]:
    query = (
        select(LINE.c.id, LINE.c.task_id, LINE.c.amount, SOURCE.c.key, SOURCE.c.name)
        .join(SOURCE, SOURCE.c.id == LINE.c.source_id)
        .where(LINE.c.task_id.in_(ids))
        .order_by(LINE.c.task_id, LINE.c.position)
    )
    found: dict[int, list[SpendingFigure]] = defaultdict(list)
    for row in conn.execute(query):
        found[row.task_id].append(
            SpendingFigure(row.id, row.key, row.name, planned_amount([row.amount]))
        )
    return found


def _entries(
    conn: Connection,
    ids: list[int],
    directory: Directory,
    targets: dict[int, list[TargetFigure]],
    lines: dict[int, list[SpendingFigure]],
) -> dict[int, list[FigureEntry]]:
    """Each task's updates that reported figures, oldest first (time, then version)."""
    target_by_id = {t.target_id: t for ts in targets.values() for t in ts}
    line_by_id = {line.line_id: line for ls in lines.values() for line in ls}
    actuals: dict[int, list[ReportedQuantity]] = defaultdict(list)
    query = select(ACTUAL).join(UPDATE, UPDATE.c.id == ACTUAL.c.update_id)
    for row in conn.execute(query.where(UPDATE.c.task_id.in_(ids))):
        t = target_by_id.get(row.target_id)
        if t is None:  # not one of the task's targets as loaded now
            continue
        actuals[row.update_id].append(
            ReportedQuantity(t.target_id, t.unit, t.planned, row.quantity)
        )
    spending: dict[int, list[ReportedAmount]] = defaultdict(list)
    query = select(SPENDING).join(UPDATE, UPDATE.c.id == SPENDING.c.update_id)
    for row in conn.execute(query.where(UPDATE.c.task_id.in_(ids))):
        line = line_by_id.get(row.funding_line_id)
        if line is None:
            continue
        spending[row.update_id].append(
            ReportedAmount(line.line_id, line.source, line.name, row.amount)
        )
    found: dict[int, list[FigureEntry]] = defaultdict(list)
    reporting = set(actuals) | set(spending)
    if not reporting:
        return found
    updates = (
        select(UPDATE.c.id, UPDATE.c.task_id, UPDATE.c.version, UPDATE.c.at, UPDATE.c.actor)
        .add_columns(UPDATE.c.channel)
        .where(UPDATE.c.id.in_(reporting))
        .order_by(UPDATE.c.at, UPDATE.c.version)
    )
    for row in conn.execute(updates):
        report = Report(row.version, row.at, directory.author(row.actor, row.channel))
        target_order = {t.target_id: i for i, t in enumerate(targets[row.task_id])}
        line_order = {line.line_id: i for i, line in enumerate(lines[row.task_id])}
        found[row.task_id].append(
            FigureEntry(
                report,
                tuple(sorted(actuals[row.id], key=lambda q: target_order[q.target_id])),
                tuple(sorted(spending[row.id], key=lambda a: line_order[a.line_id])),
            )
        )
    return found
