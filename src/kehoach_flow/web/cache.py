"""Derived task states cached per plan for the pages, valid while the plan's data is.

Deriving a plan's states from its history is the expensive part of a page (a 300-task plan
takes about 20 ms; the overview of 34 plans, most of a second). Any change to a plan shows
on its row (`db.queries.PlanStamp`: an update or a daily snapshot bumps `revision`, a load
rewrites `loaded_at`, an archive sets `archived_at`). So each request reads those stamps in
one small query and reuses what was derived while its stamp (and the day) are unchanged.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from sqlalchemy import Engine

from kehoach_flow.db.queries import PlanStamp, plan_stamps


class PlanCache:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[Any, Any]] = {}  # (kind, plan) -> (stamp, value)
        self._builders: dict[tuple[str, str], threading.Lock] = {}  # one build at a time per key

    def stamps(self) -> dict[str, PlanStamp]:
        """Every plan's stamp, archived ones included (one small query)."""
        return plan_stamps(self.engine)

    def live(self) -> tuple[tuple[str, PlanStamp], ...]:
        """(key, stamp) of every plan being tracked (not archived), by key: the stamp of a
        page that shows them all."""
        return tuple(sorted((k, s) for k, s in self.stamps().items() if s.archived_at is None))

    def live_in(self, plans: Collection[str]) -> tuple[tuple[str, PlanStamp], ...]:
        """`live()` of only these plans (those an account sees): the stamp of a page that
        shows them all."""
        return tuple((k, s) for k, s in self.live() if k in plans)

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


def scope_key(plans: Collection[str]) -> str:
    """A short name for a set of plans, for what is built once per set an account sees (the
    overview's cards, the overdue list): accounts that see the same plans share it."""
    return hashlib.sha256("\n".join(sorted(plans)).encode()).hexdigest()[:16]


_CACHES: weakref.WeakKeyDictionary[Engine, PlanCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_for(engine: Engine) -> PlanCache:
    """One cache per database engine, shared by every page and the API."""
    with _CACHES_LOCK:
        if engine not in _CACHES:
            _CACHES[engine] = PlanCache(engine)
        return _CACHES[engine]
