"""Tracking figures for `kehoach bench`: deriving states at a date, recording updates."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert, select

from kehoach_flow.db.tables import PLAN, TASK
from kehoach_flow.tracking.history import UPDATE, Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import BoardOptions, plan_board
from kehoach_flow.workdays import vietnam_calendar

REFERENCE = date(2024, 6, 14)


def tracking_figures(engine: Engine, updates: int = 1000) -> dict[str, float]:
    """On a loaded national dataset: updates through the library vs raw rows, then derive."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(TASK.c.id, TASK.c.version).order_by(TASK.c.id).limit(2 * updates)
        )
        task_ids = [row.id for row in rows]
        plans = list(conn.execute(select(PLAN.c.key).order_by(PLAN.c.key)).scalars())
    library_ids, raw_ids = task_ids[:updates], task_ids[updates:]
    started = time.perf_counter()
    for i, task_id in enumerate(library_ids):
        change = UpdateIn(status=Status.IN_PROGRESS, progress=i % 100, note="Đang triển khai")
        at = datetime(2024, 3, 1, tzinfo=UTC) + timedelta(minutes=i)
        record_update(engine, task_id, change, Author("bench", "cli", at))
    library_s = time.perf_counter() - started
    raw_s = _raw_updates(engine, raw_ids)
    options = BoardOptions(vietnam_calendar(range(2023, 2027)))
    started = time.perf_counter()
    derived = sum(len(plan_board(engine, key, REFERENCE, options)) for key in plans)
    derive_s = time.perf_counter() - started
    return {
        "derive_state_s": derive_s,
        "derive_state_tasks": float(derived),
        "updates_per_s": len(library_ids) / library_s,
        "updates_raw_per_s": len(raw_ids) / raw_s,
        "updates_ratio_to_raw": (len(library_ids) / library_s) / (len(raw_ids) / raw_s),
    }


def _raw_updates(engine: Engine, task_ids: list[int]) -> float:
    """The baseline: the same history rows inserted one transaction each, nothing checked."""
    now = datetime.now(UTC)
    started = time.perf_counter()
    for i, task_id in enumerate(task_ids):
        row = {
            "task_id": task_id,
            "version": 2,
            "at": datetime(2024, 3, 1, tzinfo=UTC) + timedelta(minutes=i),
            "recorded_at": now,
            "actor": "bench",
            "channel": "cli",
            "old_status": Status.NOT_STARTED.value,
            "new_status": Status.IN_PROGRESS.value,
            "progress": i % 100,
            "note": "Đang triển khai",
            "forced": False,
        }
        with engine.begin() as conn:
            conn.execute(insert(UPDATE), [row])
    return time.perf_counter() - started
