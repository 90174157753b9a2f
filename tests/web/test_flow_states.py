"""/luong names Prefect's run states in Vietnamese, whichever spelling Prefect sends."""

from __future__ import annotations

import pytest

from kehoach_flow.web.flows import _state_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Completed", "Hoàn thành"),
        ("Failed", "Lỗi"),
        ("Running", "Đang chạy"),
        ("Scheduled", "Đã lên lịch"),
        ("Cancelled", "Bị hủy"),
        ("Pending", "Chờ"),
        ("AwaitingRetry", "Chờ chạy lại"),
        ("CRASHED", "Lỗi hệ thống"),
        ("Something New", "Khác (Something New)"),
        ("", ""),
    ],
)
def test_prefect_states_read_in_vietnamese(name: str, shown: str) -> None:
    assert _state_name(name) == shown
