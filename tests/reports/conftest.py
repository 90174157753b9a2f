"""Fixtures shared by the report tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.tracking.status import Status
from tests.reports.helpers import INVESTMENT, load_plan, record


@pytest.fixture
def investment(engine: Engine, definitions_copy: Path) -> Engine:
    """Two items done, one in progress; 1.064 triệu spent of 1.977,5 planned."""
    load_plan(engine, definitions_copy, "dau-tu.yaml", INVESTMENT)
    record(engine, "dau-tu-2024/cau-do-dien-tro", date(2024, 4, 2), status=Status.DONE)
    record(engine, "dau-tu-2024/may-do-octane", date(2024, 5, 6), status=Status.DONE)
    record(
        engine,
        "dau-tu-2024/bo-kiem-cong-to",
        date(2024, 5, 20),
        status=Status.IN_PROGRESS,
        progress=40,
        spending={"sn": 1_064_000_000},
    )
    return engine
