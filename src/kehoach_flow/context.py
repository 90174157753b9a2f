"""The application context: what every use case needs from the installation, built once by
each entrypoint (a CLI command, a flow run, the web app) and handed down.

    ctx = open_context()               # settings from the environment, database checked
    ctx.today()                        # today where the plans run (KEHOACH_TODAY in tests)
    ctx.options()                      # board options: working calendar, zone, at-risk days
    ctx.reports_dir("ke-hoach-x")      # where a subject's report drafts are written

The working calendar is built once per context and each year of it the first time a date of
that year is asked, so no caller chooses a window of years (the calendar-window bug came from
callers that did)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kehoach_flow import clock
from kehoach_flow.settings import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kehoach_flow.tracking.task_views import BoardOptions
    from kehoach_flow.workdays import WorkCalendar


@dataclass
class AppContext:
    """Settings, the database, the clock, the working calendar and the data paths."""

    settings: Settings
    engine: Engine
    _calendar: WorkCalendar | None = field(default=None, repr=False)

    # --- the clock: never the machine's date -------------------------------------------

    def today(self) -> date:
        """Today where the plans run (KEHOACH_TIMEZONE); KEHOACH_TODAY when set."""
        return clock.today(self.settings)

    def now(self) -> datetime:
        """This moment where the plans run; on KEHOACH_TODAY's date when that is set."""
        return clock.now(self.settings)

    def day(self, value: str | date | None) -> date:
        """A day as a flow or a form gives it: an ISO date, a date, or None/"" for today."""
        if value is None or value == "":
            return self.today()
        return value if isinstance(value, date) else date.fromisoformat(value)

    # --- the working calendar -----------------------------------------------------------

    @property
    def calendar(self) -> WorkCalendar:
        """Vietnam's holidays plus the local overrides (read once); any year, built lazily."""
        if self._calendar is None:
            from kehoach_flow.tracking.workcalendar import work_calendar

            self._calendar = work_calendar(self.settings)
        return self._calendar

    def options(self) -> BoardOptions:
        """How a board judges tasks: this calendar, the plans' zone, the at-risk margin."""
        from kehoach_flow.tracking.task_views import BoardOptions

        s = self.settings
        return BoardOptions(self.calendar, s.timezone, s.at_risk_days)

    # --- data paths ---------------------------------------------------------------------

    def data_dir(self) -> Path:
        """The data directory (KEHOACH_DATA_DIR), created owner-only when missing."""
        return self.settings.ensure_data_dir()

    def reports_dir(self, subject: str) -> Path:
        """Where the drafts of a plan or a programme (by key) are written by default."""
        return self.data_dir() / "reports" / subject

    @property
    def outbox_dir(self) -> Path:
        """Where the file mail transport writes messages (KEHOACH_MAIL_TRANSPORT=file)."""
        return self.settings.data_dir / "outbox"

    # --- plans --------------------------------------------------------------------------

    def plans(self, only: str | list[str] | None = None) -> list[str]:
        """The plans to work on: those given, else every plan being tracked."""
        if only:
            return [only] if isinstance(only, str) else list(only)
        from kehoach_flow.db.queries import list_plans

        return [p["key"] for p in list_plans(self.engine)]


def open_context(
    settings: Settings | None = None,
    *,
    writes: bool = True,
    creates: bool = False,
    check: bool = True,
) -> AppContext:
    """The context of an entrypoint: settings (from the environment unless given) and the
    configured database, its schema checked. A mistyped path creates nothing unless
    `creates`; a read-only use passes `writes=False`."""
    from kehoach_flow.db.engine import check_schema, open_configured

    settings = settings or load_settings()
    engine = open_configured(settings, creates=creates, writes=writes)
    if check:
        check_schema(engine)
    return AppContext(settings, engine)
