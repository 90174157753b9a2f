"""A programme's rollup across plans (e.g. 34 provinces' Đề án 996 plans), one row per plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from kehoach_flow.db.tables import PLAN, PROGRAMME, UNIT
from kehoach_flow.errors import NotFoundError
from kehoach_flow.numbers import MONEY_UNIT_LABELS, MoneyUnit, amount_in_words, format_money
from kehoach_flow.reports.addressing import Addressing, abbreviation, rollup_addressing
from kehoach_flow.reports.content import Header, Signature
from kehoach_flow.reports.periods import Period
from kehoach_flow.reports.text_writer import render
from kehoach_flow.tracking.state import Category
from kehoach_flow.tracking.task_views import BoardOptions, TaskView, plan_board

ROLLUP_MONEY: MoneyUnit = "trieu"  # a rollup across plans is in triệu đồng


@dataclass(frozen=True)
class RollupRow:
    plan: str
    title: str
    counts: tuple[int, ...]  # in Category order
    total: int
    planned: int
    spent: int
    unit: str = ""  # the province or Sở whose plan it is: the plan's issuer

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
    addressing: Addressing | None = None
    issued: date | None = None  # the date line; None leaves the day for the signer
    kind: str = "Đề án"  # what the programme is: "Đề án", "Chương trình", ...

    @property
    def subject(self) -> str:
        """ "Đề án “Tăng cường, đổi mới hoạt động đo lường ...”": the programme as a report
        names it, its kind kept."""
        title = self.title.strip().rstrip(".")
        if title.lower().startswith(self.kind.lower()):
            return title
        return f"{self.kind} “{title}”"

    @property
    def heading(self) -> str:
        """The title under BÁO CÁO."""
        return f"Tổng hợp kết quả thực hiện {self.subject} {self.period.title}"

    @property
    def date_line(self) -> str:
        """ "Quảng Trị, ngày 20 tháng 12 năm 2024" (Nghị định 30/2020: days below 10 and
        months 1 and 2 with a leading zero); blanks for the day when it is not given."""
        place = self.addressing.place if self.addressing else ""
        if self.issued is None:
            return f"{place}, ngày      tháng      năm {self.period.year}".lstrip(", ")
        day = self.issued
        month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}".lstrip(", ")

    @property
    def header(self) -> Header:
        """The Nghị định 30 heading block, as a plan's report has it."""
        from kehoach_flow.reports.builder import _agency_lines

        issuer = self.addressing.issuer if self.addressing else ""
        parent, agency = _agency_lines(issuer)
        symbol = self.addressing.symbol if self.addressing else "BC"
        return Header(
            parent_agency=parent,
            agency=agency or "TÊN CƠ QUAN BÁO CÁO",
            number_line=f"Số:      /{symbol}",
            place_date=self.date_line,
            kind="BÁO CÁO",
            title=self.heading,
            issuer=issuer,
        )

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.addressing.recipients if self.addressing else ()

    @property
    def signature(self) -> Signature:
        return self.addressing.signature if self.addressing else Signature("", "", "")

    @property
    def intro(self) -> str:
        issuer = self.addressing.issuer if self.addressing and self.addressing.issuer else ""
        who = f"{issuer} báo cáo" if issuer else "Báo cáo"
        return (
            f"{who} tổng hợp kết quả thực hiện các kế hoạch triển khai {self.subject} "
            f"{self.period.title} (số liệu đến hết ngày {self.period.cutoff:%d/%m/%Y}) như sau:"
        )

    @property
    def words(self) -> str:
        """The planned total in words; empty when no plan gives amounts ("Không đồng" would
        say nothing)."""
        planned = self.totals.planned
        return f"Viết bằng chữ (kinh phí kế hoạch): {amount_in_words(planned)}" if planned else ""

    @property
    def closing(self) -> str:
        return (
            f"Trên đây là báo cáo tổng hợp kết quả thực hiện {self.subject} {self.period.title}./."
        )

    @property
    def totals(self) -> RollupRow:
        return rollup_totals(self.rows)


def rollup_totals(rows: tuple[RollupRow, ...]) -> RollupRow:
    """The "Tổng cộng" row: each column summed over the plans' rows."""
    columns = zip(*(r.counts for r in rows), strict=True) if rows else [()] * len(Category)
    return RollupRow(
        "",
        "Tổng cộng",
        tuple(sum(c) for c in columns),
        sum(r.total for r in rows),
        sum(r.planned for r in rows),
        sum(r.spent for r in rows),
    )


def rollup_row(plan_key: str, title: str, views: list[TaskView], unit: str = "") -> RollupRow:
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
        unit,
    )


@dataclass(frozen=True)
class ProgrammeDay:
    """A programme's plans as they stand at the end of `day`: the rows the rollup report
    counts (`programme_day` and `build_rollup` take them from the same `_programme_rows`)."""

    programme: str
    title: str
    day: date
    rows: tuple[RollupRow, ...]

    @property
    def totals(self) -> RollupRow:
        return rollup_totals(self.rows)


def _programme_rows(
    engine: Engine, programme_key: str, day: date, options: BoardOptions
) -> tuple[Any, list[Any], tuple[RollupRow, ...]]:
    """The programme's record, its tracked plans (by key) and one row per plan at `day`."""
    with engine.connect() as conn:
        programme = conn.execute(select(PROGRAMME).where(PROGRAMME.c.key == programme_key)).first()
        if programme is None:
            raise NotFoundError(
                "chương trình", programme_key, "xem khóa trong definitions/programmes/"
            )
        plans = list(
            conn.execute(
                select(PLAN.c.key, PLAN.c.title, PLAN.c.header, UNIT.c.name, UNIT.c.short)
                .join(UNIT, UNIT.c.id == PLAN.c.coordinator_id)
                .where(PLAN.c.programme_id == programme.id, PLAN.c.archived_at.is_(None))
                .order_by(PLAN.c.key)
            )
        )
    headers = [p.header or {} for p in plans]
    rows = tuple(
        rollup_row(
            p.key,
            p.title,
            plan_board(engine, p.key, day, options),
            (header.get("report") or {}).get("issuer") or header.get("issuer") or p.key,
        )
        for p, header in zip(plans, headers, strict=True)
    )
    return programme, plans, rows


def programme_day(
    engine: Engine, programme_key: str, day: date, options: BoardOptions
) -> ProgrammeDay:
    """One row per plan of the programme at the end of `day` (its categories as the rollup
    report counts them, planned and spent), with the programme's title; NotFoundError (in
    Vietnamese) for an unknown programme."""
    programme, _, rows = _programme_rows(engine, programme_key, day, options)
    return ProgrammeDay(programme_key, " ".join(programme.title.split()), day, rows)


def build_rollup(
    engine: Engine,
    programme_key: str,
    period: Period,
    options: BoardOptions,
    issued: date | None = None,
) -> Rollup:
    """One row per plan of the programme, with the province or Sở of each, dated `issued`."""
    programme, plans, rows = _programme_rows(engine, programme_key, period.cutoff, options)
    headers = [p.header or {} for p in plans]
    addressing = rollup_addressing(
        programme.report, headers, [abbreviation(p.short or p.name) for p in plans]
    )
    kind = "Đề án" if programme_key.startswith("de-an") else "Chương trình"
    return Rollup(programme_key, programme.title, period, rows, addressing, issued, kind)


def render_rollup(rollup: Rollup, kind: str, templates: Path | None = None) -> str:
    return render(
        f"rollup.{kind}.j2",
        templates,
        r=rollup,
        categories=[c.label for c in Category],
        words=rollup.words,
        unit=MONEY_UNIT_LABELS[ROLLUP_MONEY],
        rollup_money=lambda dong: format_money(dong, ROLLUP_MONEY),
    )
