"""The one clock: what "today" is for every command, flow and page."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from kehoach_flow.settings import Settings


def today(settings: Settings) -> date:
    """KEHOACH_TODAY when set (tests, replaying a past day), else today's date where the plans
    run (KEHOACH_TIMEZONE), not the machine's own time zone."""
    if settings.today is not None:
        return settings.today
    return datetime.now(ZoneInfo(settings.timezone)).date()


def now(settings: Settings) -> datetime:
    """This moment where the plans run; on KEHOACH_TODAY's date when that is set."""
    moment = datetime.now(ZoneInfo(settings.timezone))
    if settings.today is None:
        return moment
    return datetime.combine(settings.today, moment.timetz())
