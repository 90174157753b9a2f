"""Generating report drafts: the one path the CLI, the flows, the web pages and the API take.

Every caller holds an `AppContext` (settings, database, clock, working calendar) and asks for
a report in one call; the period (with the plan's own cut-off day), the output folder, the
calendar options, the date line and the run record are decided here, not by the caller.

    from kehoach_flow.reports.service import make_report

    made = make_report(ctx, "q2", 2024, plan="qt-skhcn-2024-do-luong")
    made.files, made.content_hash, made.period.title

    made = make_report(ctx, "year", 2024, programme="de-an-996", issued=ctx.today())

A web form that offers "plan:KEY" / "programme:KEY" calls `make_report_for(ctx, subject, ...)`.
A flow that knows the day, not the period, asks `due_period(ctx, plan, day)` and, when a
report falls due, `plan_report(ctx, plan, period, issued=day)`.

Errors are `KehoachError`s with a Vietnamese message (unknown plan or programme, a year the
plan does not cover, an unknown period or format); nothing is written when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kehoach_flow.errors import KehoachError
from kehoach_flow.reports.periods import Period, period, period_for_day, plan_cutoff_day
from kehoach_flow.reports.runs import (
    FORMATS,
    RunResult,
    check_year,
    generate,
    generate_rollup,
    plan_years,
)

if TYPE_CHECKING:
    from kehoach_flow.context import AppContext
    from kehoach_flow.reports.content import Report


@dataclass(frozen=True)
class Made:
    """What one request produced: the subject ("KEY" for a plan, "programme:KEY" for a
    rollup, as the run is recorded), its period and files; a plan's report and content hash
    (None for a rollup)."""

    subject: str
    period: Period
    files: tuple[Path, ...]
    report: Report | None = None
    content_hash: str | None = None


# --- which period ---------------------------------------------------------------------------


def plan_period(ctx: AppContext, plan_key: str, kind: str, year: int) -> Period:
    """The period `kind` of `year` with the plan's cut-off day (its header's
    `report_cutoff_day`), else the installation's (KEHOACH_REPORT_CUTOFF_DAY)."""
    from kehoach_flow.db.queries import plan_header

    cutoff_day = plan_cutoff_day(plan_header(ctx.engine, plan_key), ctx.settings.report_cutoff_day)
    return period(kind, year, cutoff_day)


def programme_period(ctx: AppContext, kind: str, year: int) -> Period:
    """A rollup's period: the installation's cut-off day (its plans may each have their own)."""
    return period(kind, year, ctx.settings.report_cutoff_day)


def due_period(ctx: AppContext, plan_key: str, day: date) -> Period | None:
    """The period whose report falls due on `day` for this plan (the day after its cut-off);
    None on other days and in a year the plan does not cover, for which no report is made."""
    from kehoach_flow.db.queries import plan_header

    cutoff_day = plan_cutoff_day(plan_header(ctx.engine, plan_key), ctx.settings.report_cutoff_day)
    due = period_for_day(day, cutoff_day)
    return due if due is not None and due.year in plan_years(ctx.engine, plan_key) else None


# --- generating -----------------------------------------------------------------------------


def plan_report(
    ctx: AppContext,
    plan_key: str,
    chosen: Period,
    *,
    formats: tuple[str, ...] = FORMATS,
    issued: date | None = None,
    out_dir: Path | None = None,
    basis: str | None = None,
) -> RunResult:
    """The plan's draft for `chosen` in each format, written under `out_dir` (default: the
    data directory's reports/PLAN/) and recorded as a run. `issued` is the date on the place
    and date line (default: today where the plans run); `basis` the request document the
    opening cites (default: the plan's `report: basis`, else Nghị định 09/2019)."""
    return generate(
        ctx.engine,
        plan_key,
        chosen,
        ctx.options(),
        out_dir or ctx.reports_dir(plan_key),
        formats,
        issued or ctx.today(),
        ctx.settings.report_templates,
        basis,
    )


def programme_report(
    ctx: AppContext,
    programme: str,
    chosen: Period,
    *,
    formats: tuple[str, ...] = FORMATS,
    issued: date | None = None,
    out_dir: Path | None = None,
) -> tuple[Path, ...]:
    """The programme's rollup across its plans in each format, written under `out_dir`
    (default: the data directory's reports/PROGRAMME/) and recorded as a run. `issued` is the
    date line; None leaves the day blank for the signer (the web's choice; the CLI dates it
    today)."""
    return generate_rollup(
        ctx.engine,
        programme,
        chosen,
        ctx.options(),
        out_dir or ctx.reports_dir(programme),
        ctx.settings.report_templates,
        formats,
        issued=issued,
    )


def make_report(
    ctx: AppContext,
    kind: str,
    year: int,
    *,
    plan: str | None = None,
    programme: str | None = None,
    formats: tuple[str, ...] = FORMATS,
    issued: date | None = None,
    out_dir: Path | None = None,
    basis: str | None = None,
) -> Made:
    """A plan's report or a programme's rollup for the period `kind` of `year`: exactly one
    of `plan` and `programme`. The year is checked against what the plan (or the programme's
    plans) cover before anything else. `issued`: see `plan_report` and `programme_report`
    (a plan's report is dated today by default, a rollup is left for the signer)."""
    if (plan is None) == (programme is None):
        raise KehoachError("cần đúng một trong kế hoạch hoặc chương trình")
    check_year(ctx.engine, year, plan=plan, programme=programme)
    if programme is not None:
        chosen = programme_period(ctx, kind, year)
        files = programme_report(
            ctx, programme, chosen, formats=formats, issued=issued, out_dir=out_dir
        )
        return Made(f"programme:{programme}", chosen, files)
    assert plan is not None
    chosen = plan_period(ctx, plan, kind, year)
    result = plan_report(
        ctx, plan, chosen, formats=formats, issued=issued, out_dir=out_dir, basis=basis
    )
    return Made(plan, chosen, result.files, result.report, result.content_hash)


def make_report_for(
    ctx: AppContext, subject: str, kind: str, year: int, *, formats: tuple[str, ...] = FORMATS
) -> Made:
    """`make_report` for a subject as the reports form offers it: "plan:KEY" or
    "programme:KEY"."""
    what, _, key = subject.partition(":")
    if what == "plan" and key:
        return make_report(ctx, kind, year, plan=key, formats=formats)
    if what == "programme" and key:
        return make_report(ctx, kind, year, programme=key, formats=formats)
    raise KehoachError("chọn một kế hoạch hoặc một chương trình")
