"""Generating a report's files and recording the run, so every draft is kept and findable."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from kehoach_flow.db.tables import PLAN, PROGRAMME, REPORT_RUN, TASK
from kehoach_flow.errors import KehoachError, NotFoundError
from kehoach_flow.reports.builder import build_report
from kehoach_flow.reports.content import Report
from kehoach_flow.reports.periods import Period
from kehoach_flow.reports.text_writer import render_text
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import calendar_hash

FORMATS = ("docx", "md", "html")
# A plan's report may also give its appendix as a spreadsheet, when asked (not by default).
PLAN_FORMATS = (*FORMATS, "xlsx")


@dataclass(frozen=True)
class RunResult:
    report: Report
    files: tuple[Path, ...]
    content_hash: str


def content_hash(report: Report) -> str:
    """Changes when a figure or sentence changes; the date line is left out on purpose."""
    facts = asdict(report)
    facts["header"].pop("place_date")
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:32]


def plan_years(engine: Engine, plan_key: str) -> range:
    """The years a plan covers: its own year and every year one of its tasks runs in."""
    tasks = (TASK.c.plan_id == PLAN.c.id) & TASK.c.archived_at.is_(None)
    query = (
        select(PLAN.c.year, func.min(TASK.c.start), func.max(TASK.c.due))
        .select_from(PLAN.outerjoin(TASK, tasks))
        .where(PLAN.c.key == plan_key)
        .group_by(PLAN.c.id, PLAN.c.year)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError("kế hoạch", plan_key, "xem danh sách bằng `kehoach plans`")
    year, start, due = row
    return range(min(year, start.year if start else year), max(year, due.year if due else year) + 1)


def programme_years(engine: Engine, programme: str) -> range:
    """The years the programme's plans cover; empty when it has none (or does not exist)."""
    query = (
        select(PLAN.c.key)
        .join(PROGRAMME, PROGRAMME.c.id == PLAN.c.programme_id)
        .where(PROGRAMME.c.key == programme, PLAN.c.archived_at.is_(None))
    )
    with engine.connect() as conn:
        keys = list(conn.execute(query).scalars())
    spans = [plan_years(engine, key) for key in keys]
    if not spans:
        return range(0)
    return range(min(s.start for s in spans), max(s.stop for s in spans))


def _years_text(years: range) -> str:
    first, last = years.start, years.stop - 1
    return f"năm {first}" if first == last else f"các năm {first}-{last}"


def check_year(
    engine: Engine, year: int, plan: str | None = None, programme: str | None = None
) -> None:
    """Refuse a report for a year the plan (or the programme's plans) does not cover."""
    if plan is not None:
        years = plan_years(engine, plan)
        if year not in years:
            raise KehoachError(
                f'kế hoạch "{plan}" thực hiện trong {_years_text(years)}; '
                f"không soạn báo cáo năm {year}"
            )
    if programme is not None:
        span = programme_years(engine, programme)
        if year in span:
            return
        with engine.connect() as conn:
            known = conn.execute(select(PROGRAMME.c.id).where(PROGRAMME.c.key == programme))
            if known.first() is None:
                raise NotFoundError(
                    "chương trình", programme, "xem khóa trong definitions/programmes/"
                )
        if not span:
            raise KehoachError(f'chương trình "{programme}" chưa có kế hoạch nào để tổng hợp')
        raise KehoachError(
            f'các kế hoạch của chương trình "{programme}" thực hiện trong '
            f"{_years_text(span)}; không soạn báo cáo tổng hợp năm {year}"
        )


def generate(
    engine: Engine,
    plan_key: str,
    period: Period,
    options: BoardOptions,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    issued: date | None = None,
    templates: Path | None = None,
    basis: str | None = None,
) -> RunResult:
    """Build the report, write it in each format under `out_dir`, record the run; `basis` is
    the request document the opening cites (`--can-cu`). `issued` is the date line; without
    it, the day after the cut-off (when the report falls due), never the machine's date.
    Callers go through `reports.service`, which dates it today where the plans run."""
    _check_formats(formats, PLAN_FORMATS)
    check_year(engine, period.year, plan=plan_key)
    report = build_report(engine, plan_key, period, options, issued or period.next_start, basis)
    # Text formats are rendered before anything is written: a broken template leaves no files.
    texts = {
        kind: render_text(report, kind, templates)
        for kind in formats
        if kind not in ("docx", "xlsx")
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"bao-cao-{plan_key}-{period.year}-{period.kind}"
    files = tuple(_write(report, out_dir / f"{stem}.{kind}", texts.get(kind)) for kind in formats)
    digest = content_hash(report)
    row = {
        "subject": plan_key,
        "period": period.kind,
        "year": period.year,
        "cutoff": period.cutoff,
        "generated_at": datetime.now(UTC),
        "content_hash": digest,
        "files": [str(f) for f in files],
        "calendar_hash": calendar_hash(options.calendar, period.start.year, period.cutoff.year),
    }
    with engine.begin() as conn:
        conn.execute(insert(REPORT_RUN), [row])
    return RunResult(report, files, digest)


def _check_formats(formats: tuple[str, ...], allowed: tuple[str, ...] = FORMATS) -> None:
    unknown = [f for f in formats if f not in allowed]
    if unknown or not formats:
        raise KehoachError(
            f"định dạng không có: {', '.join(unknown)}; chọn trong: {', '.join(allowed)}"
        )


def _write(report: Report, path: Path, text: str | None) -> Path:
    if text is not None:
        path.write_text(text, encoding="utf-8")
        return path
    if path.suffix == ".xlsx":
        from kehoach_flow.reports.xlsx_writer import write_xlsx

        return write_xlsx(report, path)
    from kehoach_flow.reports.docx_writer import write_docx

    return write_docx(report, path)


def list_runs(engine: Engine, subject: str | None = None) -> list[dict[str, object]]:
    query = select(REPORT_RUN).order_by(REPORT_RUN.c.id.desc())
    if subject:
        query = query.where(REPORT_RUN.c.subject == subject)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def generate_rollup(
    engine: Engine,
    programme: str,
    period: Period,
    options: BoardOptions,
    out_dir: Path,
    templates: Path | None = None,
    formats: tuple[str, ...] = FORMATS,
    issued: date | None = None,
) -> tuple[Path, ...]:
    """The programme's rollup across its plans in each format, recorded as a run; `issued`
    is its date line (None leaves the day blank for the signer)."""
    from kehoach_flow.reports.docx_writer import write_rollup_docx
    from kehoach_flow.reports.rollup import build_rollup, render_rollup

    _check_formats(formats)
    check_year(engine, period.year, programme=programme)
    rollup = build_rollup(engine, programme, period, options, issued)
    texts = {kind: render_rollup(rollup, kind, templates) for kind in formats if kind != "docx"}
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"tong-hop-{programme}-{period.year}-{period.kind}"
    files = []
    for kind in formats:
        path = out_dir / f"{stem}.{kind}"
        if kind == "docx":
            files.append(write_rollup_docx(rollup, path))
        else:
            path.write_text(texts[kind], encoding="utf-8")
            files.append(path)
    row = {
        "subject": f"programme:{programme}",
        "period": period.kind,
        "year": period.year,
        "cutoff": period.cutoff,
        "generated_at": datetime.now(UTC),
        "content_hash": hashlib.sha256(repr(rollup.rows).encode()).hexdigest()[:32],
        "files": [str(f) for f in files],
        "calendar_hash": calendar_hash(options.calendar, period.start.year, period.cutoff.year),
    }
    with engine.begin() as conn:
        conn.execute(insert(REPORT_RUN), [row])
    return tuple(files)
