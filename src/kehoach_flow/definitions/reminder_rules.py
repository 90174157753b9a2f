"""Reminder rules: plan-wide defaults, overridable per plan and per task in the definitions.

The vocabulary of a `reminders:` block: the definitions check it, reminders.planner applies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from kehoach_flow.errors import KehoachError


@dataclass(frozen=True)
class ReminderRules:
    """When reminders go out, in Vietnamese working days."""

    before_due: tuple[int, ...] = (7, 3, 1)  # working days before the due date
    on_due: bool = True  # on the due day (or the next working day)
    overdue_every: int = 3  # every N working days while overdue
    escalate_after: int = 5  # working days overdue before the head and coordinator are told
    progress_request: int = 5  # working days before each reporting cut-off
    partners_on_due: bool = True  # partners get an informational copy on the due day

    def validate(self) -> ReminderRules:
        """Refuse values a coordinator could mistype: negative or non-integer day counts."""
        counts = {
            "overdue_every": self.overdue_every,
            "escalate_after": self.escalate_after,
            "progress_request": self.progress_request,
        }
        for name, value in [*counts.items(), *(("before_due", d) for d in self.before_due)]:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise KehoachError(
                    f'"{name}" cần là số ngày làm việc (số nguyên không âm), không phải "{value}"'
                )
        for name in ("on_due", "partners_on_due"):
            if not isinstance(getattr(self, name), bool):
                raise KehoachError(f'"{name}" cần là true hoặc false')
        return self

    def merged(self, overrides: Mapping[str, Any] | None) -> ReminderRules:
        """These rules with the keys of a `reminders:` block applied (unknown keys refused)."""
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise KehoachError(
                f"khóa nhắc việc không có: {', '.join(unknown)}; có: {', '.join(sorted(known))}"
            )
        values = dict(overrides)
        if "before_due" in values:
            days = values["before_due"]
            if not isinstance(days, list | tuple):
                raise KehoachError(
                    f'"before_due" cần là danh sách số ngày, ví dụ [7, 3, 1], không phải "{days}"'
                )
            values["before_due"] = tuple(sorted(set(days), key=str, reverse=True))
        return replace(self, **values)
