"""The working calendar an installation uses: Vietnam's holidays plus its local overrides."""

from __future__ import annotations

from collections.abc import Iterable

from kehoach_flow.definitions.calendar_file import read_overrides
from kehoach_flow.settings import Settings
from kehoach_flow.workdays import WorkCalendar, vietnam_calendar


def work_calendar(settings: Settings, years: Iterable[int] = ()) -> WorkCalendar:
    """The calendar with the override file read once; each year is built the first time a
    date of it is asked, so callers need not guess which years their plans span. `years`
    are built at once (a fault in them shows here)."""
    path = settings.resolved_calendar_file()
    overrides = read_overrides(path) if path.is_file() else None
    return vietnam_calendar(years, overrides)
