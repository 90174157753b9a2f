"""Reading a definitions path: shared files first, then plan files one by one.

Plan files are independent once units and programmes are known, so a large path (the
national dataset: 34 plan files, 5 MB of YAML) is read by worker processes while the caller
stores the plans already read. Small paths, and processes that run threads, read serially.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kehoach_flow.definitions.calendar_file import read_overrides
from kehoach_flow.definitions.catalog import Catalog, PlanDef, ProgrammeDef
from kehoach_flow.definitions.models import PlanFile
from kehoach_flow.definitions.reader import definitions_root, discover, display_path, parse_file
from kehoach_flow.definitions.resolve import resolve_plan
from kehoach_flow.definitions.shared import resolve_shared
from kehoach_flow.definitions.source import MAX_FILE_BYTES, read_yaml
from kehoach_flow.errors import CalendarError, Problem

PARALLEL_FROM = 8  # plan files; below this a pool costs more than it saves
_TOP_KEY = re.compile(r"^(units|programme|plan|calendar)\s*:", re.MULTILINE)


@dataclass
class PlanResult:
    """One plan file read and checked: the plan, or the problems that stop it."""

    path: Path
    file: str
    plan: PlanDef | None
    problems: list[Problem]


@dataclass
class DefinitionSet:
    """The shared definitions of a path, and its plans to be read on demand."""

    shared: Catalog
    problems: list[Problem]
    unit_keys: set[str]
    plan_files: list[Path]
    workers: int
    _seen: dict[str, str] = field(default_factory=dict)

    def plans(self) -> Iterator[PlanResult]:
        """Each plan file's result, in file order; a plan key used twice is a problem."""
        for result in self._results():
            plan = result.plan
            if plan is not None and plan.key in self._seen:
                message = f'kế hoạch "{plan.key}" đã có trong {self._seen[plan.key]}'
                doc, _ = read_yaml(result.path, result.file)
                result.problems.append(doc.problem(("plan", "key"), message))
                result.plan = None
            elif plan is not None:
                self._seen[plan.key] = result.file
            yield result

    def _results(self) -> Iterator[PlanResult]:
        programmes = self.shared.programmes
        if self.workers < 2:
            for path in self.plan_files:
                yield read_plan_file(path, programmes, self.unit_keys)
            return
        context = multiprocessing.get_context("fork")
        initargs = (programmes, self.unit_keys)
        with context.Pool(self.workers, initializer=_start_worker, initargs=initargs) as pool:
            yield from pool.imap(_read_in_worker, self.plan_files, chunksize=1)


def open_definitions(
    path: Path,
    known_units: set[str] | None = None,
    workers: int | None = None,
    shared_root: Path | None = None,
    known_programmes: dict[str, ProgrammeDef] | None = None,
) -> DefinitionSet:
    """Read the units and programmes under `path` (and above it); plans are read later.

    A path in no definitions tree of its own (a plan file copied elsewhere) takes the shared
    files of `shared_root`, the configured definitions directory. `known_programmes` (those
    already in the database) are accepted as references like `known_units`.
    """
    files = discover(path)
    if files and shared_root is not None and definitions_root(path) is None:
        files = [*(f for f in discover(shared_root / "units.yaml") if f not in files), *files]
    if not files:
        problem = Problem(display_path(path), 1, 1, "không tìm thấy tệp định nghĩa (.yaml) nào")
        return DefinitionSet(Catalog(), [problem], set(), [], 0)
    kinds = {f: _top_key(f) for f in files}
    plan_files = [f for f in files if kinds[f] == "plan"]
    # The working calendar (calendar.yaml) lives beside the plans; calendar_file.py reads it.
    calendars = (_calendar_problem(f) for f in files if kinds[f] == "calendar")
    problems: list[Problem] = [p for p in calendars if p is not None]
    parsed = []
    for file in (f for f in files if kinds[f] not in ("plan", "calendar")):
        item, file_problems = parse_file(file)
        problems += file_problems
        if item is not None:
            parsed.append(item)
    shared, unit_keys, shared_problems = resolve_shared(parsed, known_units)
    for key, programme in (known_programmes or {}).items():
        shared.programmes.setdefault(key, programme)
    shared.files += [display_path(f) for f in plan_files]
    chosen = _choose_workers(len(plan_files)) if workers is None else workers
    return DefinitionSet(shared, problems + shared_problems, unit_keys, plan_files, chosen)


def read_plan_file(
    path: Path, programmes: dict[str, ProgrammeDef], unit_keys: set[str]
) -> PlanResult:
    item, problems = parse_file(path)
    name = display_path(path)
    if item is None or not isinstance(item.model, PlanFile):
        return PlanResult(path, name, None, problems)
    plan, plan_problems = resolve_plan(item, programmes, unit_keys)
    plan.fingerprint  # noqa: B018  (computed here, in the worker, and carried back)
    return PlanResult(path, name, plan, problems + plan_problems)


def _calendar_problem(path: Path) -> Problem | None:
    try:
        read_overrides(path)
    except CalendarError as exc:
        return Problem(display_path(path), 1, 1, exc.message)
    return None


def _top_key(path: Path) -> str | None:
    """The file's kind by its top-level key; a file too large to read is read (and refused)
    as a shared file."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_FILE_BYTES:
        return None
    match = _TOP_KEY.search(raw.decode("utf-8", errors="replace"))
    return match.group(1) if match else None


def _choose_workers(plan_files: int) -> int:
    cpus = os.cpu_count() or 1
    forkable = "fork" in multiprocessing.get_all_start_methods()
    # Forking a process that runs other threads can copy a held lock; read serially there.
    if plan_files < PARALLEL_FROM or cpus < 2 or not forkable or threading.active_count() > 1:
        return 0
    return min(cpus, 4)


_worker_context: tuple[dict[str, ProgrammeDef], set[str]] | None = None


def _start_worker(programmes: dict[str, ProgrammeDef], unit_keys: set[str]) -> None:
    global _worker_context
    _worker_context = (programmes, unit_keys)
    gc.disable()  # short-lived process building many small acyclic objects


def _read_in_worker(path: Path) -> PlanResult:
    assert _worker_context is not None
    return read_plan_file(path, *_worker_context)
