"""The helpers of flows/send_reminders.py (the planning, queueing and sending themselves are
`reminders.sweep` and `reminders.sender`)."""

from __future__ import annotations

from datetime import date

from kehoach_flow.context import AppContext


def day_off(ctx: AppContext, day: date) -> str | None:
    """Why no reminder goes out on `day` (a holiday's name, the weekend), or None."""
    calendar = ctx.calendar
    if calendar.is_working_day(day):
        return None
    return calendar.holiday_name(day) or "nghỉ cuối tuần"
