"""Derived task states cached per plan for the pages, valid while the plan's data is.

Deriving a plan's states from its history is the expensive part of a page (a 300-task plan
takes about 20 ms; the overview of 34 plans, most of a second). Any change to a plan shows
on its row: an update or a daily snapshot bumps `revision`, a load rewrites `loaded_at`, an
archive sets `archived_at`. So each request reads those stamps in one small query and reuses
what was derived while its stamp (and the day) are unchanged.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine, String, select, type_coerce

from kehoach_flow.db.tables import PLAN

# Built once: the stamps are read by every page request. The two moments are compared, never
# shown, so they come back as the database gives them (no datetime parsing on SQLite).
_STAMPS = select(
    PLAN.c.key,
    type_coerce(PLAN.c.loaded_at, String),
    type_coerce(PLAN.c.archived_at, String),
    PLAN.c.revision,
    PLAN.c.title,
)


class PlanCache:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[Any, Any]] = {}  # (kind, plan) -> (stamp, value)
        self._builders: dict[tuple[str, str], threading.Lock] = {}  # one build at a time per key

    def stamps(self) -> dict[str, tuple[Any, ...]]:
        """Per plan: (loaded_at, archived_at, revision, title), which change whenever anything
        a page shows of it changes (one small query over the plan table)."""
        with self.engine.connect() as conn:
            return {row[0]: tuple(row[1:]) for row in conn.execute(_STAMPS).tuples()}

    def get(self, kind: str, plan: str, day: date, stamp: Any, build: Callable[[], Any]) -> Any:
        """The value kept for (kind, plan) while `stamp` and `day` are those it was built
        at, else `build()`'s. Requests that miss together wait for one build instead of each
        deriving the same states (50 connections after an update would otherwise do 50)."""
        key = (kind, plan)
        full_stamp = (day, stamp)
        with self._lock:
            entry = self._entries.get(key)
            builder = self._builders.setdefault(key, threading.Lock())
        if entry is not None and entry[0] == full_stamp:
            return entry[1]
        with builder:
            with self._lock:
                entry = self._entries.get(key)
            if entry is not None and entry[0] == full_stamp:
                return entry[1]  # built by the request this one waited for
            value = build()
            with self._lock:
                self._entries[key] = (full_stamp, value)
        return value


_CACHES: weakref.WeakKeyDictionary[Engine, PlanCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_for(engine: Engine) -> PlanCache:
    """One cache per database engine, shared by every page and the API."""
    with _CACHES_LOCK:
        if engine not in _CACHES:
            _CACHES[engine] = PlanCache(engine)
        return _CACHES[engine]
