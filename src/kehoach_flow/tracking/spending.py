"""Money planned and spent, as a person reads it: "đã chi 120.000.000 đ / kế hoạch 200.000.000 đ
(60%)". A task or plan whose funding gives no amount (or amounts of 0) has no planned budget:
`planned` is None, never 0, so a page says "chưa có kinh phí kế hoạch" instead of a full bar.
Amounts spent are totals to date (see figures.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kehoach_flow.numbers import format_number, format_percent
from kehoach_flow.tracking.task_views import TaskView


def money_text(dong: int) -> str:
    """120000000 -> "120.000.000 đ"."""
    return f"{format_number(dong)} đ"


def share(part: int | None, whole: int | None) -> float | None:
    """`part` as a percentage of `whole` (one decimal); None without both."""
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


@dataclass(frozen=True)
class Budget:
    """Planned and spent money (đồng). `planned` None: no planned budget; `spent` None:
    no spending reported."""

    planned: int | None
    spent: int | None

    @property
    def percent(self) -> float | None:
        """Spent as a share of the plan; None without a planned budget (no bar to fill)."""
        return share(self.spent or 0, self.planned)

    @property
    def over(self) -> bool:
        """More spent than planned (only said where there is a plan)."""
        return self.planned is not None and (self.spent or 0) > self.planned

    @property
    def text(self) -> str:
        """ "đã chi 30.000.000 đ / kế hoạch 50.000.000 đ (60%)", "chưa có kinh phí kế hoạch,
        đã chi 120.000.000 đ", "kế hoạch 50.000.000 đ, chưa báo cáo chi"."""
        if self.planned is None:
            spent = f"đã chi {money_text(self.spent)}" if self.spent is not None else ""
            return ", ".join(p for p in ("chưa có kinh phí kế hoạch", spent) if p)
        if self.spent is None:
            return f"kế hoạch {money_text(self.planned)}, chưa báo cáo chi"
        part = format_percent(self.percent or 0.0)
        return f"đã chi {money_text(self.spent)} / kế hoạch {money_text(self.planned)} ({part})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "planned": self.planned,
            "spent": self.spent,
            "percent": self.percent,
            "over": self.over,
        }


def planned_amount(amounts: Iterable[int | None]) -> int | None:
    """The planned total of some funding amounts; None when none gives a positive amount."""
    total = sum(a for a in amounts if a)
    return total or None


def spent_total(amounts: Iterable[int | None]) -> int | None:
    """The total spent of some reported amounts; None when none was reported."""
    given = [a for a in amounts if a is not None]
    return sum(given) if given else None


def plan_budget(views: Iterable[TaskView]) -> Budget:
    """A plan's money from its task views (a parent counted through its subtasks, as the
    rollup counts it): planned None when no task gives an amount."""
    rows = list(views)
    parents = {v.parent for v in rows if v.parent}
    leaves = [v for v in rows if v.key not in parents]
    return Budget(planned_amount(v.planned for v in leaves), spent_total(v.spent for v in leaves))
