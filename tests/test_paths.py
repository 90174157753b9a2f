"""Data directory and database paths as an operator meets them: read-only, missing, mistyped.

Tests run as root, which ignores permission bits; "read-only" here is a read-only bind mount
in a private mount namespace (`unshare -m`), which binds root too, around one command.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from tests.conftest import DEFINITIONS, ROOT, SEED_PLAN, CliResult, run_cli

MOUNT_READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
NOT_MIGRATED = "chưa cập nhật lược đồ"
ReadOnly = Callable[[Path], list[str]]


def _read_only(target: Path) -> list[str]:
    """A command prefix: what follows runs with `target` (file or directory) read-only."""
    namespace = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]
    return [*namespace, "sh", "-c", MOUNT_READ_ONLY, str(target)]


@functools.cache
def _read_only_unavailable() -> str | None:
    """Why a read-only mount cannot be made here, or None when it can."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return "unshare/mount not installed: no way to make a path read-only for root"
    probe = Path(tempfile.mkdtemp(prefix="kehoach-ro-probe-"))
    try:
        check = 'touch "$0/written" 2>/dev/null && exit 3 || exit 0'
        result = subprocess.run(
            [*_read_only(probe), "sh", "-c", check, str(probe)], capture_output=True, text=True
        )
    finally:
        shutil.rmtree(probe)
    if result.returncode == 0:
        return None
    if result.returncode == 3:
        return "a read-only bind mount still accepted a write"
    return f"cannot make a read-only mount namespace here: {result.stderr.strip()[:200]}"


@pytest.fixture
def read_only() -> ReadOnly:
    reason = _read_only_unavailable()
    if reason:
        pytest.skip(reason)
    return _read_only


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A migrated data directory with the seed plan loaded, closed cleanly (no -wal left)."""
    folder = tmp_path / "data"
    engine = create_db_engine(f"sqlite:///{folder / 'kehoach.db'}")
    upgrade(engine)
    load_path(engine, DEFINITIONS)
    engine.dispose()
    assert sorted(p.name for p in folder.iterdir()) == ["kehoach.db"]
    return folder


# Runs several `kehoach` commands in one process (one start-up, one mount namespace) and
# prints their results as JSON; the settings come from the KEHOACH_* environment.
DRIVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from kehoach_flow.settings import load_settings
from tests.conftest import run_cli
results = [run_cli(load_settings(), *command).__dict__ for command in json.loads(sys.argv[2])]
print(json.dumps(results))
"""


def _kehoach(
    data_dir: Path, *commands: list[str], prefix: list[str] | None = None
) -> list[CliResult]:
    """Each `kehoach COMMAND` on `data_dir`, in a process of its own run under `prefix`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHOACH_")}
    env |= {"KEHOACH_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    driver = [sys.executable, "-c", DRIVER, str(ROOT), json.dumps(commands)]
    result = subprocess.run(
        [*(prefix or []), *driver],
        capture_output=True,
        text=True,
        env=env,
        cwd=data_dir.parent,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [CliResult(**r) for r in json.loads(result.stdout)]


def _one_line_naming(result: CliResult, path: Path) -> str:
    """The single Vietnamese error line, which names `path` and says nothing of SQL."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Lỗi: ")
    assert str(path) in lines[0]
    for leak in ("[SQL", "INSERT", "SELECT", "@", "Traceback", "sqlalche.me"):
        assert leak not in result.stderr
    return lines[0]


def test_a_read_only_data_dir_serves_reads_and_refuses_writes_in_one_line_naming_it(
    data_dir: Path, read_only: ReadOnly
) -> None:
    reads = [["plans"], ["status", "--plan", SEED_PLAN, "--date", "2024-12-31"]]
    writes = [
        ["remind", "--date", "2024-12-20"],
        ["load", str(DEFINITIONS)],
        ["update", "khao-sat-30-dn", "--progress", "40", "--date", "2024-05-10"],
    ]
    results = _kehoach(data_dir, *reads, *writes, prefix=read_only(data_dir))
    for result in results[: len(reads)]:
        assert result.exit_code == 0, result.stderr
        assert SEED_PLAN in result.stdout
    for result in results[len(reads) :]:
        assert "chỉ đọc" in _one_line_naming(result, data_dir)
    assert sorted(p.name for p in data_dir.iterdir()) == ["kehoach.db"]


def test_a_read_only_database_file_serves_reads_and_refuses_writes_naming_it(
    data_dir: Path, read_only: ReadOnly
) -> None:
    database = data_dir / "kehoach.db"
    read, write = _kehoach(
        data_dir, ["plans"], ["remind", "--date", "2024-12-20"], prefix=read_only(database)
    )
    assert read.exit_code == 0, read.stderr
    assert SEED_PLAN in read.stdout
    assert "chỉ đọc" in _one_line_naming(write, database)
    assert "example.vn" not in write.stdout + write.stderr  # no recipient is shown


def test_the_engine_names_the_file_when_sqlite_refuses_a_write(
    data_dir: Path, read_only: ReadOnly
) -> None:
    """Past the commands' own checks (web, flows): SQLite's refusal is one line, no SQL."""
    script = (
        "import sys\n"
        "from sqlalchemy import text\n"
        "from kehoach_flow.db.engine import create_db_engine\n"
        "engine = create_db_engine(sys.argv[1])\n"
        "try:\n"
        "    with engine.begin() as conn:\n"
        "        conn.execute(text('UPDATE plan SET title = :t'), {'t': 'secret@example.vn'})\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    database = data_dir / "kehoach.db"
    result = subprocess.run(
        [*read_only(database), sys.executable, "-c", script, f"sqlite:///{database}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == (
        f"StorageError không ghi được vào cơ sở dữ liệu {database}: "
        f"tệp hoặc thư mục {data_dir} chỉ đọc"
    ), result.stdout + result.stderr


@pytest.mark.parametrize(
    "command",
    [["plans"], ["remind", "--date", "2024-12-20"], ["load"], ["db", "current"], ["db", "upgrade"]],
    ids=" ".join,
)
def test_a_mistyped_data_dir_is_one_line_exit_2_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "kehaoch" / "data"
    settings = Settings(data_dir=typo, definitions=DEFINITIONS, _env_file=None)
    line = _one_line_naming(
        run_cli(settings, *command), typo.parent if "upgrade" in command else typo
    )
    assert "KEHOACH_DATA_DIR" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command", [["plans"], ["remind", "--date", "2024-12-20"], ["db", "upgrade"]], ids=" ".join
)
def test_a_sqlite_url_in_a_missing_directory_is_one_line_exit_2_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nonexistent" / "x"
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{missing / 'kehoach.db'}",
        definitions=DEFINITIONS,
        _env_file=None,
    )
    result = run_cli(settings, *command)
    line = _one_line_naming(result, missing.parent if "upgrade" in command else missing)
    assert "KEHOACH_DATABASE_URL" in line
    assert list(tmp_path.iterdir()) == []


def test_a_read_command_without_a_database_names_it_and_the_command_that_creates_it(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, definitions=DEFINITIONS, _env_file=None)
    line = _one_line_naming(run_cli(settings, "plans"), tmp_path / "kehoach.db")
    assert "kehoach db upgrade" in line
    assert list(tmp_path.iterdir()) == []


def test_db_upgrade_creates_the_data_dir_and_database_on_a_fresh_checkout(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / ".kehoach", definitions=DEFINITIONS, _env_file=None)
    assert run_cli(settings, "db", "upgrade").exit_code == 0
    assert (tmp_path / ".kehoach" / "kehoach.db").is_file()
    result = run_cli(settings, "load")
    assert result.exit_code == 0, result.stderr
    assert NOT_MIGRATED not in result.stderr


def test_a_file_that_is_not_a_database_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "kehoach.db").write_text("không phải SQLite\n" * 100)
    settings = Settings(data_dir=tmp_path, definitions=DEFINITIONS, _env_file=None)
    _one_line_naming(run_cli(settings, "plans"), tmp_path / "kehoach.db")


def test_validate_checks_the_files_when_the_database_cannot_be_read(tmp_path: Path) -> None:
    """The database only adds known units to a check; a damaged one does not stop it."""
    (tmp_path / "kehoach.db").write_text("không phải SQLite\n" * 100)
    settings = Settings(data_dir=tmp_path, definitions=DEFINITIONS, _env_file=None)
    result = run_cli(settings, "validate", str(DEFINITIONS))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Hợp lệ" in result.stdout
    assert (tmp_path / "kehoach.db").read_text() == "không phải SQLite\n" * 100


@pytest.mark.parametrize("folder", ["typo/data", "."])
def test_a_flow_worker_with_no_database_creates_nothing(tmp_path: Path, folder: str) -> None:
    """A scale-out worker opens the configured database as the CLI does: a mistyped path or a
    database never upgraded is an error naming it, not a new folder or an empty file."""
    from kehoach_flow.context import open_context
    from kehoach_flow.errors import KehoachError

    settings = Settings(data_dir=tmp_path / folder, definitions=DEFINITIONS, _env_file=None)
    with pytest.raises(KehoachError, match=r"KEHOACH_DATA_DIR|db upgrade"):
        open_context(settings)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
