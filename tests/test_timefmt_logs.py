"""The service's log lines carry the installation's time, like every other time an operator reads."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from kehoach_flow.timefmt import LogFormatter


def test_a_log_line_written_at_0128_utc_reads_0828_in_vietnam() -> None:
    record = logging.LogRecord("kehoach", logging.INFO, __file__, 1, "đã nạp", None, None)
    record.created = datetime(2024, 5, 10, 1, 28, 5, tzinfo=UTC).timestamp()
    line = LogFormatter("%(asctime)s %(name)s %(message)s", "Asia/Ho_Chi_Minh").format(record)
    assert line == "10/05/2024 08:28:05 kehoach đã nạp"
