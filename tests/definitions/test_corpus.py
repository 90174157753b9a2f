"""A corpus of malformed plan files, one fault each, every one refused at the right place.

Each file in corpus/ is a small plan that refers to the real units and to de-an-996 and is
valid except for one fault. Its first line says where the fault must be reported and what
the message must contain:

    # expect: LINE:COL: <part of the Vietnamese message>

`kehoach load` and `kehoach validate` must both exit with 2, print that problem as
`<file>:LINE:COL: <message>` (no traceback), and leave the database as it was.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from kehoach_flow.db.queries import list_plans, list_tasks
from kehoach_flow.definitions import read_catalog
from kehoach_flow.errors import DefinitionError
from kehoach_flow.settings import Settings
from tests.conftest import DEFINITIONS, SEED_PLAN, run_cli

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = sorted(CORPUS.glob("*.yaml"))
EXPECT = re.compile(r"# expect: (\d+):(\d+): (\S.*)")


@dataclass(frozen=True)
class Expectation:
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


def _expectation(corpus_file: Path) -> Expectation:
    # Bytes first: one file of the corpus is deliberately not UTF-8 after its first line.
    first = corpus_file.read_bytes().split(b"\n", 1)[0].decode("utf-8").rstrip()
    match = EXPECT.fullmatch(first)
    assert match, f"{corpus_file.name}: first line must be '# expect: LINE:COL: message'"
    return Expectation(int(match[1]), int(match[2]), match[3])


def _plan_in_tree(root: Path, corpus_file: Path) -> Path:
    """A definitions tree with the real units and programmes and the corpus file as its plan."""
    root.mkdir(parents=True)
    shutil.copy2(DEFINITIONS / "units.yaml", root / "units.yaml")
    shutil.copytree(DEFINITIONS / "programmes", root / "programmes")
    (root / "plans").mkdir()
    return Path(shutil.copy2(corpus_file, root / "plans" / corpus_file.name))


def _reported(stderr: str, name: str, expect: Expectation) -> bool:
    """Whether a stderr line is `<path ending in name>:LINE:COL: <message with the text>`."""
    prefix = f"{name}:{expect.line}:{expect.column}: "
    for line in stderr.splitlines():
        path, found, message = line.partition(prefix)
        if found and (path == "" or path.endswith(("/", "\\"))) and expect.message in message:
            return True
    return False


def _refusals(settings: Settings, plan: Path, expect: Expectation) -> list[str]:
    """What is wrong with how `load` and `validate` treat one corpus file (empty: all good)."""
    faults = []
    for command in ("load", "validate"):
        result = run_cli(settings, command, str(plan))
        where = f"{plan.name} ({command})"
        if result.exit_code != 2:
            faults.append(f"{where}: exit code {result.exit_code}, not 2")
        if "Traceback" in result.stderr:
            faults.append(f"{where}: traceback on stderr")
        if not _reported(result.stderr, plan.name, expect):
            faults.append(f"{where}: expected {expect}; stderr was:\n{result.stderr}")
    return faults


def _snapshot(engine: Engine) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return list_tasks(engine, include_archived=True), list_plans(engine, include_archived=True)


def _load_seed(settings: Settings, engine: Engine) -> tuple[Any, Any]:
    loaded = run_cli(settings, "load")
    assert loaded.exit_code == 0, loaded.stderr
    snapshot = _snapshot(engine)
    assert [p["key"] for p in snapshot[1]] == [SEED_PLAN]
    assert snapshot[0], "the seed plan has tasks"
    return snapshot


def test_corpus_has_at_least_twenty_files_each_with_an_expectation() -> None:
    assert len(FILES) >= 20
    for corpus_file in FILES:
        assert _expectation(corpus_file).message


@pytest.mark.parametrize("corpus_file", FILES, ids=[f.name for f in FILES])
def test_corpus_file_is_refused_at_its_line_and_column_on_sqlite(
    corpus_file: Path, sqlite_settings: Settings, sqlite_engine: Engine, tmp_path: Path
) -> None:
    before = _load_seed(sqlite_settings, sqlite_engine)
    plan = _plan_in_tree(tmp_path / "definitions", corpus_file)

    faults = _refusals(sqlite_settings, plan, _expectation(corpus_file))

    assert not faults, "\n".join(faults)
    assert _snapshot(sqlite_engine) == before


def test_whole_corpus_is_refused_and_leaves_the_database_unchanged(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    """Every file against one database (run on SQLite and, when configured, on Postgres)."""
    before = _load_seed(settings, engine)
    faults = []
    for corpus_file in FILES:
        plan = _plan_in_tree(tmp_path / corpus_file.stem, corpus_file)
        faults += _refusals(settings, plan, _expectation(corpus_file))
        if _snapshot(engine) != before:
            faults.append(f"{corpus_file.name}: the database changed")
            before = _snapshot(engine)
    assert not faults, "\n".join(faults)


def test_every_fault_message_is_in_vietnamese(tmp_path: Path) -> None:
    english = []
    for corpus_file in FILES:
        plan = _plan_in_tree(tmp_path / corpus_file.stem, corpus_file)
        with pytest.raises(DefinitionError) as raised:
            read_catalog(plan)
        english += [
            str(problem)
            for problem in raised.value.problems
            if not any(ch.isalpha() and not ch.isascii() for ch in problem.message)
        ]
    assert not english, "\n".join(english)
