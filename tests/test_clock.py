"""The one clock: KEHOACH_TODAY sets today for everything; a bad value is a Vietnamese error."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kehoach_flow.clock import today
from kehoach_flow.errors import KehoachError
from kehoach_flow.settings import Settings, load_settings


def test_kehoach_today_is_the_date_every_caller_gets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEHOACH_TODAY", "2024-02-29")
    assert today(load_settings()) == date(2024, 2, 29)


def test_without_kehoach_today_it_is_todays_date_where_the_plans_run(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    assert settings.today is None
    # The day the plans' time zone says, whatever the machine's own zone is.
    before = datetime.now(ZoneInfo(settings.timezone)).date()
    assert before <= today(settings) <= datetime.now(ZoneInfo(settings.timezone)).date()


@pytest.mark.parametrize("value", ["30/11/2026", "2026-02-30", "hôm nay"])
def test_a_kehoach_today_that_is_not_a_day_is_one_vietnamese_line(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEHOACH_TODAY", value)
    with pytest.raises(KehoachError) as caught:
        load_settings()
    assert str(caught.value) == (
        f'cấu hình KEHOACH_TODAY="{value}" không hợp lệ: cần một ngày dạng YYYY-MM-DD'
    )
