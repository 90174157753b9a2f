"""The serve lock names its holder in the installation's time, not the machine's."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kehoach_flow.errors import KehoachError
from kehoach_flow.orchestration.service import ServiceLock
from kehoach_flow.timefmt import shown


def test_a_second_serve_is_told_when_the_first_started_in_vietnam_time(tmp_path: Path) -> None:
    before = shown(datetime.now(UTC), "Asia/Ho_Chi_Minh")
    first = ServiceLock(tmp_path, "Asia/Ho_Chi_Minh")
    first.acquire()
    after = shown(datetime.now(UTC), "Asia/Ho_Chi_Minh")
    try:
        with pytest.raises(KehoachError) as refused:
            ServiceLock(tmp_path, "Asia/Ho_Chi_Minh").acquire()
    finally:
        first.release()
    said = str(refused.value)
    assert f"pid {os.getpid()} từ " in said
    assert any(f"từ {moment}," in said for moment in {before, after}), said
