"""A programme's rollup across plans (e.g. 34 provinces' Đề án 996 plans), one row per plan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from kehoach_flow.db.sync import PLAN, PROGRAMME
from kehoach_flow.errors import NotFoundError
from kehoach_flow.numbers import amount_in_words
from kehoach_flow.reports.periods import Period
from kehoach_flow.reports.text_writer import render
from kehoach_flow.tracking.board import BoardOptions, TaskView, plan_board
from kehoach_flow.tracking.state import Category


@dataclass(frozen=True)
class RollupRow:
    plan: str
    title: str
    counts: tuple[int, ...]  # in Category order
    total: int
    planned: int
    spent: int

    @property
    def done_percent(self) -> float:
        done = self.counts[0] + self.counts[1]
        return round(100 * done / self.total, 1) if self.total else 0.0


@dataclass(frozen=True)
class Rollup:
    programme: str
    title: str
    period: Period
    rows: tuple[RollupRow, ...]

    @property
    def totals(self) -> RollupRow:
        columns = (
            zip(*(r.counts for r in self.rows), strict=True) if self.rows else [()] * len(Category)
        )
        return RollupRow(
            "",
            "Tổng cộng",
            tuple(sum(c) for c in columns),
            sum(r.total for r in self.rows),
            sum(r.planned for r in self.rows),
            sum(r.spent for r in self.rows),
        )


def rollup_row(plan_key: str, title: str, views: list[TaskView]) -> RollupRow:
    parents = {v.parent for v in views if v.parent}
    # parents hold their subtasks' sums, and are counted through them, as in a plan's report
    leaves = [v for v in views if v.key not in parents]
    counted = [v for v in leaves if v.category is not None]
    return RollupRow(
        plan_key,
        title,
        tuple(sum(1 for v in counted if v.category == c) for c in Category),
        len(counted),
        sum(v.planned or 0 for v in leaves),
        sum(v.spent or 0 for v in leaves),
    )


def build_rollup(
    engine: Engine, programme_key: str, period: Period, options: BoardOptions
) -> Rollup:
    with engine.connect() as conn:
        programme = conn.execute(select(PROGRAMME).where(PROGRAMME.c.key == programme_key)).first()
        if programme is None:
            raise NotFoundError(
                "chương trình", programme_key, "xem khóa trong definitions/programmes/"
            )
        plans = list(
            conn.execute(
                select(PLAN.c.key, PLAN.c.title)
                .where(PLAN.c.programme_id == programme.id, PLAN.c.archived_at.is_(None))
                .order_by(PLAN.c.key)
            )
        )
    rows = tuple(
        rollup_row(p.key, p.title, plan_board(engine, p.key, period.cutoff, options)) for p in plans
    )
    return Rollup(programme_key, programme.title, period, rows)


def render_rollup(rollup: Rollup, kind: str, templates: Path | None = None) -> str:
    return render(
        f"rollup.{kind}.j2",
        templates,
        r=rollup,
        categories=[c.label for c in Category],
        words=amount_in_words(rollup.totals.planned),
    )
