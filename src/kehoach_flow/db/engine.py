"""Engine factory and schema checks; nothing here runs at import."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError

from kehoach_flow.errors import KehoachError, SchemaOutdatedError, StorageError

if TYPE_CHECKING:
    from kehoach_flow.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_NOTADB = 8, 14, 26  # primary result codes


def create_db_engine(url: str | URL, create: bool = True) -> Engine:
    """An engine for SQLite (WAL, busy timeout, foreign keys) or Postgres.

    With `create`, a missing directory for the SQLite file is made (tests, benchmarks, scratch
    copies); commands go through `open_database`, which decides that per command.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    path = sqlite_file(parsed)
    if create and path is not None:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError.from_os_error(exc, f"không tạo được thư mục {path.parent}") from None
        try:
            _private_file(path)
        except OSError as exc:
            raise StorageError.from_os_error(exc, f"không tạo được tệp {path}") from None
    engine = create_engine(parsed, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    if path is not None:
        event.listen(engine, "handle_error", partial(_explain_sqlite_error, path))
    return engine


def sqlite_file(url: str | URL) -> Path | None:
    """The file an SQLite URL names; None for Postgres, memory or URI-style databases."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    return None if name.startswith("file:") else Path(name)


def open_database(url: str, *, creates: bool, writes: bool, setting: str) -> Engine:
    """The engine a command works on; an SQLite path that is missing or read-only is one line
    naming it, before anything is read or written.

    Only a command that creates (`creates`) makes the database file, and the one directory
    that holds it when that directory's parent exists: a mistyped path creates nothing.
    A read on a read-only copy (directory or mount) opens the file read-only as it stands.
    `setting` names the variable to check in messages (KEHOACH_DATA_DIR or ..._DATABASE_URL).
    """
    try:
        path = sqlite_file(url)
    except ArgumentError:
        raise KehoachError(
            f"cấu hình {setting} không phải URL cơ sở dữ liệu "
            "(ví dụ sqlite:///duong/dan/kehoach.db hoặc postgresql+psycopg://...)"
        ) from None
    if path is None:
        return create_db_engine(url, create=False)
    folder = path.parent
    if not path.exists():
        _prepare_new_file(path, creates, setting)
        return create_db_engine(url, create=False)
    if not path.is_file():
        raise StorageError(f"{path} không phải tệp cơ sở dữ liệu: kiểm tra {setting}")
    if writes and not os.access(path, os.W_OK):
        raise StorageError(f"cơ sở dữ liệu {path} chỉ đọc: lệnh này cần ghi vào đó")
    if os.access(folder, os.W_OK):
        return create_db_engine(url, create=False)
    if writes:
        raise StorageError(
            f"thư mục {folder} chỉ đọc: lệnh này cần ghi cơ sở dữ liệu {path.name} "
            f"và các tệp {path.name}-wal, {path.name}-shm bên cạnh"
        )
    if Path(f"{path}-wal").exists():
        if Path(f"{path}-shm").exists():
            return create_db_engine(url, create=False)
        raise StorageError(
            f"thư mục {folder} chỉ đọc và {path.name}-wal còn dữ liệu chưa gộp: "
            "mở cơ sở dữ liệu một lần ở nơi ghi được rồi thử lại"
        )
    # Nothing pending beside the file: read it as it stands, without locks or side files.
    frozen = URL.create(
        "sqlite",
        database=f"file:{quote(str(path.resolve()))}",
        query={"mode": "ro", "immutable": "1", "uri": "true"},
    )
    engine = create_db_engine(frozen, create=False)
    event.listen(engine, "handle_error", partial(_explain_sqlite_error, path))
    return engine


def open_configured(settings: Settings, *, creates: bool = False, writes: bool = True) -> Engine:
    """`open_database` for the installation's configured database, its checks naming the
    variable the operator set (KEHOACH_DATABASE_URL, else KEHOACH_DATA_DIR)."""
    setting = "KEHOACH_DATABASE_URL" if settings.database_url else "KEHOACH_DATA_DIR"
    return open_database(
        settings.resolved_database_url(), creates=creates, writes=writes, setting=setting
    )


def _prepare_new_file(path: Path, creates: bool, setting: str) -> None:
    folder = path.parent
    if not creates:
        if not folder.is_dir():
            raise StorageError(
                f"thư mục {folder} không tồn tại: kiểm tra {setting} "
                "(hoặc chạy `kehoach db upgrade` để tạo cơ sở dữ liệu mới ở đó)"
            )
        raise StorageError(f"chưa có cơ sở dữ liệu {path}: chạy `kehoach db upgrade` để tạo")
    if not folder.is_dir():
        if not folder.parent.is_dir():
            raise StorageError(
                f"thư mục {folder.parent} không tồn tại: kiểm tra {setting} "
                "(`kehoach db upgrade` chỉ tạo thư mục cuối cùng của đường dẫn)"
            )
        try:
            folder.mkdir(mode=0o700)  # the data directory: its owner's only
        except OSError as exc:
            raise StorageError.from_os_error(exc, f"không tạo được thư mục {folder}") from None
    if not os.access(folder, os.W_OK):
        raise StorageError(f"thư mục {folder} chỉ đọc: không tạo được cơ sở dữ liệu {path.name}")
    try:
        _private_file(path)
    except OSError as exc:
        raise StorageError.from_os_error(exc, f"không tạo được tệp {path}") from None


def _private_file(path: Path) -> None:
    """A new, empty SQLite file readable by its owner only (SQLite takes an empty file as a
    new database and gives its -wal and -shm files the same mode)."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _explain_sqlite_error(path: Path, context: ExceptionContext) -> Exception | None:
    """SQLite's "read-only", "cannot open" and "not a database" said as one line naming the
    file (never the statement or its parameters)."""
    error = context.original_exception
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return None
    primary = code & 0xFF
    if primary == SQLITE_READONLY:
        return StorageError(
            f"không ghi được vào cơ sở dữ liệu {path}: tệp hoặc thư mục {path.parent} chỉ đọc"
        )
    if primary == SQLITE_CANTOPEN:
        return StorageError(
            f"không mở được cơ sở dữ liệu {path}: tệp không tồn tại, "
            f"hoặc thư mục {path.parent} chỉ đọc hay không truy cập được"
        )
    if primary == SQLITE_NOTADB:
        return StorageError(f"{path} không phải cơ sở dữ liệu SQLite")
    return None


@contextmanager
def temporary_schema(url: str, prefix: str = "kf") -> Iterator[str]:
    """A fresh Postgres schema for a test run or a benchmark: yields a URL that uses it.

    Runs never see each other's rows; the schema is dropped on exit.
    """
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str:
    head = ScriptDirectory.from_config(_config(engine)).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise KehoachError("không tìm thấy migration nào trong gói cài đặt")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Apply migrations up to `revision`; returns (before, after)."""
    before = current_revision(engine)
    command.upgrade(_config(engine), revision)
    return before, current_revision(engine) or ""


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is not at the code's head revision."""
    current, head = current_revision(engine), head_revision(engine)
    if current != head:
        raise SchemaOutdatedError(current, head)
