"""Knowing, before planning, that a day's reminders are all in the outbox already.

A full run (every plan) that has stored its day's digests records what it planned from:
one digest of everything the reminders read (every plan's load and update stamps, the
units' names and addresses, the settings, the calendar file), the files of the code it
ran, and the outbox's rows of the day as it left them. A later run of the same day that
finds all of them as they were would plan the same reminders and find each of them stored,
so it skips planning and rendering and only delivers. Anything else (an update, a load, a
unit's new address, another run's rows, a release) plans the day again, and what is new
goes out as a follow-up digest as before.

The record is a cache in the data directory: lost, unreadable or from another database, it
only costs one full planning.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, func, select, type_coerce

from kehoach_flow.db.tables import OUTBOX, PLAN, UNIT
from kehoach_flow.settings import Settings

RECORD_FILE = "reminder-runs.json"
_CODE_PACKAGES = ("kehoach_flow", "holidays")
KEEP_DAYS = 14  # records of the latest days kept in the file

# Every plan's stamps: a load rewrites loaded_at (and the fingerprint of its definition), an
# update or a snapshot bumps revision, an archive sets archived_at. Compared, never parsed.
# The decisions a coordinator's digest lists (reminders.decisions) come from the same
# history: an extension request, its decision, a done report, its confirmation or return
# each bump revision too (tracking.history.append_entry, record_update).
_PLANS = select(
    PLAN.c.id,
    PLAN.c.key,
    PLAN.c.fingerprint,
    type_coerce(PLAN.c.loaded_at, String),
    type_coerce(PLAN.c.archived_at, String),
    PLAN.c.revision,
    PLAN.c.coordinator_id,
).order_by(PLAN.c.id)
# What a digest says of a unit: its names, addresses and head (units load without plans).
_UNITS = select(
    UNIT.c.id,
    UNIT.c.key,
    UNIT.c.name,
    UNIT.c.short,
    UNIT.c.email,
    UNIT.c.head_name,
    UNIT.c.head_email,
).order_by(UNIT.c.id)


@dataclass(frozen=True)
class DayRecord:
    """What a full run of `day` planned from, what it left in the outbox, what it planned."""

    inputs: str
    outbox: tuple[int, int]  # the day's outbox rows: how many, the highest id
    reminders: int
    recipients: int
    working_day: bool
    day_off: str | None
    code: dict[str, list[int]]  # the module files the planning ran: path -> size, mtime


def inputs_digest(engine: Engine, settings: Settings, day: date) -> str:
    """One digest of everything a day's planning and digests read; equal digests, equal plans."""
    hasher = hashlib.sha256()

    def add(value: Any) -> None:
        hasher.update(json.dumps(value, ensure_ascii=False, default=str).encode())
        hasher.update(b"\n")

    add(["day", day.isoformat(), settings.resolved_database_url()])
    add(settings.model_dump(mode="json"))
    add(hashlib.sha256(settings.resolved_secret_key().encode()).hexdigest())
    with engine.connect() as conn:
        add([list(row) for row in conn.execute(_PLANS)])
        add([list(row) for row in conn.execute(_UNITS)])
    calendar = settings.resolved_calendar_file()
    add(calendar.read_bytes().hex() if calendar.is_file() else None)
    return hasher.hexdigest()


def outbox_mark(engine: Engine, day: date) -> tuple[int, int]:
    """The day's outbox rows: how many, and the highest id (rows are only ever added)."""
    query = select(func.count(), func.max(OUTBOX.c.id)).where(OUTBOX.c.day == day)
    with engine.connect() as conn:
        count, highest = conn.execute(query).one()
    return int(count), int(highest or 0)


def recorded(settings: Settings, day: date) -> DayRecord | None:
    """The record of `day`'s last full run, if this data directory holds a readable one."""
    entry = _read(settings.data_dir / RECORD_FILE).get(day.isoformat())
    if not isinstance(entry, dict):
        return None
    try:
        return DayRecord(**{**entry, "outbox": tuple(entry["outbox"])})
    except (TypeError, KeyError, ValueError):
        return None


def record(settings: Settings, day: date, entry: DayRecord) -> None:
    """Keep `entry` as `day`'s record (with the latest days' records); best effort."""
    path = settings.data_dir / RECORD_FILE
    records = _read(path)
    records[day.isoformat()] = asdict(entry)
    kept = dict(sorted(records.items())[-KEEP_DAYS:])
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".reminder-runs.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(kept, file, ensure_ascii=False)
        os.replace(temp, path)
    except OSError:
        return  # a read-only data directory: the next run plans in full, nothing is lost


def _read(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def code_files() -> dict[str, list[int]]:
    """The files of the modules this process has run (this package's, the holidays
    package's): after planning, the code the plans came from."""
    files = {}
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and name.split(".", 1)[0] in _CODE_PACKAGES:
            with suppress(OSError):
                info = os.stat(path)
                files[path] = [info.st_size, info.st_mtime_ns]
    return files


def code_unchanged(files: dict[str, list[int]]) -> bool:
    """Whether every file of `code_files` is still as it was: a release or an edit of the
    code a day was planned with plans that day again."""
    for path, (size, mtime) in files.items():
        try:
            info = os.stat(path)
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns) != (size, mtime):
            return False
    return True
