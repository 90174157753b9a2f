"""The generated secret key: one per data directory, never empty, even when processes race."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kehoach_flow.errors import KehoachError
from kehoach_flow.settings import Settings

# Reads a data directory per line, waits for "go", then prints the key it resolved there:
# the test releases both processes together so that they race on every fresh directory.
RACER = """
import sys
from pathlib import Path
from kehoach_flow.settings import Settings
while True:
    where = sys.stdin.readline().strip()
    if not where:
        break
    settings = Settings(data_dir=Path(where), secret_key=None, _env_file=None)
    print("ready", flush=True)
    sys.stdin.readline()
    print(repr(settings.resolved_secret_key()), flush=True)
"""
TRIALS = 200


def _racer() -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "KEHOACH_SECRET_KEY"}
    return subprocess.Popen(
        [sys.executable, "-c", RACER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _ask(process: subprocess.Popen[str], line: str) -> None:
    assert process.stdin is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()


def _answer(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


def test_two_processes_starting_together_on_a_fresh_dir_agree_on_one_non_empty_key(
    tmp_path: Path,
) -> None:
    first, second = _racer(), _racer()
    outcomes = []
    try:
        for trial in range(TRIALS):
            data_dir = tmp_path / f"trial-{trial}"
            for process in (first, second):
                _ask(process, str(data_dir))
            assert [_answer(first), _answer(second)] == ["ready", "ready"]
            for process in (first, second):
                _ask(process, "go")
            keys = {_answer(first), _answer(second)}
            stored = repr((data_dir / "secret_key").read_text().strip())
            outcomes.append((keys, stored))
    finally:
        for process in (first, second):
            _ask(process, "")
            process.wait(timeout=60)
    disagreed = [keys for keys, stored in outcomes if keys != {stored}]
    empty = [keys for keys, _ in outcomes if "''" in keys]
    assert not disagreed and not empty, f"{len(disagreed)} disagreements, {len(empty)} empty"
    assert len({stored for _, stored in outcomes}) == TRIALS  # each directory its own key


def test_the_key_is_kept_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key=None, _env_file=None)
    key = settings.resolved_secret_key()
    assert len(key) >= 48
    assert settings.resolved_secret_key() == key
    path = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]  # no leftovers


def test_an_empty_key_file_is_refused_naming_it_rather_than_signing_with_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "secret_key").write_text("\n")
    settings = Settings(data_dir=tmp_path, secret_key=None, _env_file=None)
    with pytest.raises(KehoachError, match=f"{tmp_path / 'secret_key'} rỗng"):
        settings.resolved_secret_key()
