"""The one clock: KEHOACH_TODAY sets today for everything; a bad value is a Vietnamese error."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

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


def test_the_context_dates_everything_by_the_one_clock(
    sqlite_settings: Settings, sqlite_engine: Engine
) -> None:
    from kehoach_flow.context import AppContext

    ctx = AppContext(sqlite_settings.model_copy(update={"today": date(2024, 2, 29)}), sqlite_engine)
    assert ctx.today() == date(2024, 2, 29) == ctx.now().date()
    assert ctx.now().tzinfo == ZoneInfo("Asia/Ho_Chi_Minh")
    assert ctx.day(None) == ctx.day("") == date(2024, 2, 29)
    assert ctx.day("2025-01-10") == ctx.day(date(2025, 1, 10)) == date(2025, 1, 10)


def test_the_contexts_calendar_is_built_once_and_answers_any_year(
    sqlite_settings: Settings, sqlite_engine: Engine
) -> None:
    from kehoach_flow.context import AppContext

    ctx = AppContext(sqlite_settings.model_copy(update={"at_risk_days": 3}), sqlite_engine)
    assert ctx.calendar is ctx.calendar
    # 30/4 is a holiday in a year no caller named, far from today, as in the plan's own year
    assert not ctx.calendar.is_working_day(date(2031, 4, 30))
    assert not ctx.calendar.is_working_day(date(2024, 4, 30))
    assert ctx.calendar.is_working_day(date(2031, 5, 6))
    options = ctx.options()
    assert options.calendar is ctx.calendar
    assert (options.timezone, options.at_risk_days) == ("Asia/Ho_Chi_Minh", 3)
    assert ctx.reports_dir("de-an-996") == sqlite_settings.data_dir / "reports" / "de-an-996"
    assert ctx.outbox_dir == sqlite_settings.data_dir / "outbox"
