"""The one way a moment is shown to a person: in the installation's time zone
(KEHOACH_TIMEZONE, Vietnam by default), whatever the machine's own zone. Moments are stored
in UTC; a naive datetime (SQLite gives those back) is UTC too. Pages (the `vn_date` filter),
the CLI, report listings and mail all go through here."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from kehoach_flow.settings import Settings

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
MOMENT = "%d/%m/%Y %H:%M"
DAY = "%d/%m/%Y"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _zone_name(where: Settings | str | None) -> str:
    if where is None:
        return DEFAULT_ZONE
    return where if isinstance(where, str) else where.timezone


def local(moment: datetime, where: Settings | str | None = None) -> datetime:
    """`moment` in the installation's zone; naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone(_zone_name(where)))


def parse(value: date | datetime | str) -> date | datetime:
    """A date or datetime from an ISO text (as an API gives it); others unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip().replace("Z", "+00:00")
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)


def shown(
    value: date | datetime | str | None, where: Settings | str | None = None, fmt: str = ""
) -> str:
    """ "08:28 ..." style text for a person: a moment as day and minute in local time
    (dd/mm/yyyy HH:MM), a date as dd/mm/yyyy; empty for nothing."""
    if value is None or value == "":
        return ""
    value = parse(value)
    if isinstance(value, datetime):
        return f"{local(value, where):{fmt or MOMENT}}"
    return f"{value:{fmt or DAY}}"


class LogFormatter(logging.Formatter):
    """Log lines stamped in the installation's zone, as the operator reads every other time."""

    def __init__(self, fmt: str, where: Settings | str | None = None) -> None:
        super().__init__(fmt)
        self.zone = _zone_name(where)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = local(datetime.fromtimestamp(record.created, UTC), self.zone)
        return f"{moment:{datefmt or '%d/%m/%Y %H:%M:%S'}}"
