"""The scoreboard: task views (task_views.py) counted by the government's categories, per
plan, programme group and lead unit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from kehoach_flow.tracking.state import Category, Derived
from kehoach_flow.tracking.task_views import TaskView


@dataclass
class Tally:
    """How many tasks fall in each category; cancelled tasks are counted apart."""

    counts: dict[Category, int] = field(default_factory=lambda: dict.fromkeys(Category, 0))
    cancelled: int = 0

    def add(self, view: TaskView) -> None:
        if view.category is None:
            self.cancelled += 1
        else:
            self.counts[view.category] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts[Category.DONE_ON_TIME] + self.counts[Category.DONE_LATE]

    @property
    def completion_percent(self) -> float:
        return round(100.0 * self.done / self.total, 1) if self.total else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "counts": {c.value: n for c, n in self.counts.items()},
            "cancelled": self.cancelled,
            "total": self.total,
            "done": self.done,
            "completion_percent": self.completion_percent,
        }


@dataclass
class Scoreboard:
    plan: str
    date: date
    overall: Tally = field(default_factory=Tally)
    by_group: dict[str, Tally] = field(default_factory=dict)
    by_unit: dict[str, Tally] = field(default_factory=dict)
    unit_names: dict[str, str] = field(default_factory=dict)
    derived: dict[Derived, int] = field(default_factory=lambda: dict.fromkeys(Derived, 0))

    def as_dict(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "date": self.date.isoformat(),
            "overall": self.overall.as_dict(),
            "by_group": {k: v.as_dict() for k, v in self.by_group.items()},
            "by_unit": {
                k: {"name": self.unit_names[k], **v.as_dict()} for k, v in self.by_unit.items()
            },
            "derived": {d.value: n for d, n in self.derived.items()},
        }


def build_scoreboard(plan: str, ref: date, views: Iterable[TaskView]) -> Scoreboard:
    board = Scoreboard(plan, ref)
    for view in views:
        board.overall.add(view)
        board.by_group.setdefault(view.group or "-", Tally()).add(view)
        board.by_unit.setdefault(view.lead, Tally()).add(view)
        board.unit_names[view.lead] = view.lead_name
        board.derived[view.derived] += 1
    board.by_group = dict(sorted(board.by_group.items()))
    return board
