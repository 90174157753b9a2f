"""`kehoach bench`: figures on the synthetic national dataset, each beside its baseline."""

from __future__ import annotations

import gc
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine, insert

from kehoach_flow.bench import data as benchdata
from kehoach_flow.bench.tracking import tracking_figures
from kehoach_flow.db.engine import create_db_engine, temporary_schema, upgrade
from kehoach_flow.db.tables import (
    DEPENDENCY,
    LINE,
    PARTNER,
    PLAN,
    PROGRAMME,
    SECTION,
    SOURCE,
    TARGET,
    TASK,
    UNIT,
)
from kehoach_flow.definitions import Catalog, read_catalog
from kehoach_flow.errors import KehoachError
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings

PROGRAMME_FILE = Path("definitions/programmes/de-an-996.yaml")
BENCHES = (
    "load_sqlite",
    "load_postgres",
    "tracking",
    "reminders",
    "reports",
    "orchestration",
    "web",
)


class BenchFailed(KehoachError):
    """Some benches failed: `figures` holds every figure measured, `failures` names each
    failed bench or figure with its reason."""

    def __init__(self, figures: dict[str, float], failures: dict[str, str]) -> None:
        self.figures = figures
        self.failures = failures
        super().__init__(f"phép đo không xong: {', '.join(failures)}")


def run_bench(
    only: list[str],
    postgres_url: str | None,
    programme_file: Path = PROGRAMME_FILE,
    provinces: int = benchdata.PROVINCES,
) -> dict[str, float]:
    """Run the selected benchmarks; `provinces` shrinks the dataset (tests use 2)."""
    unknown = [name for name in only if name not in BENCHES]
    if unknown:
        raise KehoachError(f"không có phép đo {', '.join(unknown)}; có: {', '.join(BENCHES)}")
    if not programme_file.is_file():
        raise KehoachError(f"không thấy {programme_file}: chạy `kehoach bench` trong thư mục dự án")
    selected = [b for b in BENCHES if not only or b in only]
    if "load_postgres" in selected and not postgres_url and not only:
        selected.remove("load_postgres")
    elif "load_postgres" in selected and not postgres_url:
        raise KehoachError("load_postgres cần KEHOACH_BENCH_POSTGRES_URL hoặc --postgres-url")
    figures: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="kehoach-bench-") as tmp,
        Progress(console=Console(stderr=True), transient=True, auto_refresh=False) as progress,
    ):
        work = Path(tmp)
        step = progress.add_task("Tạo bộ dữ liệu toàn quốc", total=len(selected) * 3 + 1)
        definitions = benchdata.generate(work / "definitions", programme_file, provinces=provinces)
        catalog = read_catalog(definitions)
        _advance(progress, step)
        failures: dict[str, str] = {}

        def attempt(name: str, measure: Callable[[], dict[str, float]]) -> None:
            """Run one bench; one that fails is named with its reason, the others go on."""
            try:
                figures.update(measure())
            except BenchFailed as exc:
                figures.update(exc.figures)
                failures.update(exc.failures)
            except KehoachError as exc:  # said for a person already
                failures[name] = exc.message
            except Exception as exc:  # whatever breaks one bench, the run goes on
                failures[name] = f"{type(exc).__name__}: {exc}"

        if "load_sqlite" in selected:
            attempt(
                "load_sqlite",
                lambda: _load_figures(
                    "sqlite", lambda: _sqlite(work), definitions, catalog, progress, step
                ),
            )
        if "load_postgres" in selected and postgres_url:
            url = postgres_url
            attempt(
                "load_postgres",
                lambda: _load_figures(
                    "postgres", lambda: _postgres(url), definitions, catalog, progress, step
                ),
            )
        if "tracking" in selected:
            updates = min(1000, len(catalog.plans) * 100)
            del catalog  # the baseline's rows: freed so the collector does not rescan them
            gc.collect()

            def tracking() -> dict[str, float]:
                with _sqlite(work) as engine:
                    load_path(engine, definitions)
                    return tracking_figures(engine, updates=updates)

            attempt("tracking", tracking)
            _advance(progress, step)
        if "reports" in selected:

            def reports() -> dict[str, float]:
                from kehoach_flow.bench.reports import report_figures

                with _sqlite(work) as engine:
                    load_path(engine, definitions)
                    return report_figures(engine, programme_file, work)

            attempt("reports", reports)
            _advance(progress, step)
        if "reminders" in selected:

            def reminders() -> dict[str, float]:
                if find_spec("aiosmtpd") is None:
                    raise KehoachError(
                        "cần máy nhận thư thử aiosmtpd: cài bằng "
                        "`uv pip install 'kehoach-flow[bench]'` (bash deploy/test.sh có sẵn)"
                    )
                from kehoach_flow.bench.reminders import reminder_figures

                settings = Settings(data_dir=work / "data", _env_file=None)
                with _sqlite(work) as engine:
                    load_path(engine, definitions)
                    return reminder_figures(engine, settings, digests=min(2000, provinces * 60))

            attempt("reminders", reminders)
            _advance(progress, step)
        if "web" in selected:

            def web() -> dict[str, float]:
                from kehoach_flow.bench.web import web_figures

                return web_figures(definitions, work)

            attempt("web", web)
            _advance(progress, step)
        if "orchestration" in selected:

            def orchestration() -> dict[str, float]:
                from kehoach_flow.bench.orchestration import orchestration_figures

                return orchestration_figures(definitions, work, postgres_url)

            attempt("orchestration", orchestration)
            _advance(progress, step)
    if failures:
        raise BenchFailed(figures, failures)
    return figures


def _load_figures(
    name: str,
    database: Callable[[], Any],
    definitions: Path,
    catalog: Catalog,
    progress: Progress,
    step: Any,
) -> dict[str, float]:
    with database() as engine:
        started = time.perf_counter()
        load_path(engine, definitions)
        load_s = time.perf_counter() - started
        _advance(progress, step)
        started = time.perf_counter()
        summary = load_path(engine, definitions)
        reload_s = time.perf_counter() - started
        if summary.changed:
            raise KehoachError("bench: nạp lại tệp không đổi mà vẫn có thay đổi (lỗi đồng bộ)")
        _advance(progress, step)
    with database() as engine:
        core_s = _core_insert(engine, catalog)
        _advance(progress, step)
    return {
        f"load_{name}_s": load_s,
        f"core_{name}_s": core_s,
        f"load_{name}_ratio_to_core": load_s / core_s,
        f"reload_{name}_s": reload_s,
    }


def _advance(progress: Progress, step: Any) -> None:
    # Refreshed by hand: a refresh thread would make `load` read plan files serially,
    # since it does not fork a process that runs other threads.
    progress.advance(step)
    progress.refresh()


@contextmanager
def _sqlite(work: Path) -> Iterator[Engine]:
    path = work / f"bench-{uuid.uuid4().hex[:8]}.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _postgres(url: str) -> Iterator[Engine]:
    with temporary_schema(url, "kf_bench") as schema_url:
        engine = create_db_engine(schema_url)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()


def _core_insert(engine: Engine, catalog: Catalog) -> float:
    """The baseline: the same rows, ids assigned up front, one executemany per table."""
    rows = _core_rows(catalog)
    started = time.perf_counter()
    with engine.begin() as conn:
        for table, batch in rows:
            if batch:
                conn.execute(insert(table), batch)
    return time.perf_counter() - started


def _core_rows(catalog: Catalog) -> list[tuple[Any, list[dict[str, Any]]]]:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    unit_ids = {key: i for i, key in enumerate(catalog.units, start=1)}
    units = [
        {
            "id": unit_ids[u.key],
            "key": u.key,
            "name": u.name,
            "short": u.short,
            "aliases": list(u.aliases),
            "email": u.email,
            "head_name": u.head_name,
            "head_email": u.head_email,
            "parent_key": u.parent,
            "kind": u.kind,
        }
        for u in catalog.units.values()
    ]
    programmes = [
        {
            "id": i,
            "key": p.key,
            "title": p.title,
            "decision_code": p.decision_code,
            "decision_date": p.decision_date,
            "groups": p.groups,
        }
        for i, p in enumerate(catalog.programmes.values(), start=1)
    ]
    plans, sources, sections, tasks, partners, targets, lines, deps = [], [], [], [], [], [], [], []
    counters = {"source": 0, "section": 0, "task": 0}

    def next_id(kind: str) -> int:
        counters[kind] += 1
        return counters[kind]

    for plan_id, plan in enumerate(catalog.plans.values(), start=1):
        plans.append(
            {
                "id": plan_id,
                "key": plan.key,
                "title": plan.title,
                "year": plan.year,
                "programme_id": 1,
                "coordinator_id": unit_ids[plan.coordinator],
                "header": plan.header,
                "total_amount": plan.total,
                "source_file": plan.source_file,
                "fingerprint": plan.fingerprint,
                "loaded_at": now,
            }
        )
        source_ids = {}
        for key, name in plan.funding_sources.items():
            source_ids[key] = next_id("source")
            sources.append({"id": source_ids[key], "plan_id": plan_id, "key": key, "name": name})
        section_ids: dict[str, int] = {}
        for s in plan.sections:
            section_ids[s.key] = next_id("section")
            sections.append(
                {
                    "id": section_ids[s.key],
                    "plan_id": plan_id,
                    "key": s.key,
                    "parent_id": section_ids.get(s.parent or ""),
                    "title": s.title,
                    "group_code": s.group,
                    "declared_amount": s.declared_amount,
                    "position": s.position,
                    "depth": s.depth,
                }
            )
        task_ids = {t.key: next_id("task") for t in plan.tasks}
        for t in plan.tasks:
            tid = task_ids[t.key]
            tasks.append(
                {
                    "id": tid,
                    "plan_id": plan_id,
                    "key": t.key,
                    "section_id": section_ids[t.section or ""],
                    "parent_id": task_ids.get(t.parent or ""),
                    "position": t.position,
                    "depth": t.depth,
                    "title": t.title,
                    "result": t.result,
                    "lead_id": unit_ids[t.lead],
                    "group_code": t.group,
                    "schedule": t.schedule,
                    "start": t.start,
                    "due": t.due,
                    "declared_amount": t.declared_amount,
                    "note": t.note,
                    "tags": list(t.tags),
                    "reminders": t.reminders,
                    "continues": t.continues,
                    "fingerprint": t.fingerprint,
                    "status": "not_started",
                    "version": 1,
                }
            )
            partners += [
                {"task_id": tid, "unit_id": unit_ids[u], "position": i}
                for i, u in enumerate(t.partners)
            ]
            targets += [
                {"task_id": tid, "position": i, "quantity": x.quantity, "unit_label": x.unit}
                for i, x in enumerate(t.targets)
            ]
            lines += [
                {
                    "task_id": tid,
                    "source_id": source_ids[f.source],
                    "position": i,
                    "amount": f.amount,
                }
                for i, f in enumerate(t.funding)
            ]
            deps += [{"task_id": tid, "depends_on_id": task_ids[d]} for d in t.depends_on]
    return [
        (UNIT, units),
        (PROGRAMME, programmes),
        (PLAN, plans),
        (SOURCE, sources),
        (SECTION, sections),
        (TASK, tasks),
        (PARTNER, partners),
        (TARGET, targets),
        (LINE, lines),
        (DEPENDENCY, deps),
    ]
