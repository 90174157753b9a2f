"""Reminder rules: plan-wide defaults, overridable per plan and per task in the definitions."""

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
            values["before_due"] = tuple(sorted(set(values["before_due"]), reverse=True))
        return replace(self, **values)
