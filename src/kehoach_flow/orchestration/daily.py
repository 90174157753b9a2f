"""Kept only for the web's two report call sites (web/api.py, web/work_pages.py) until they call
`reports.service.make_report`: the context moved to `kehoach_flow.context`, each flow's helpers
to `orchestration/<flow>.py`, the periods to `reports.service`. Delete this module when nothing
imports it."""

from __future__ import annotations

from datetime import date

from kehoach_flow.context import AppContext
from kehoach_flow.reports.periods import Period
from kehoach_flow.reports.service import plan_period
from kehoach_flow.tracking.task_views import BoardOptions


class Runtime(AppContext):
    """`AppContext` with the old `options(day)` call (the day was never needed)."""

    def options(self, day: date | None = None) -> BoardOptions:
        return super().options()


def chosen_period(rt: AppContext, plan_key: str, kind: str, year: int) -> Period:
    """`reports.service.plan_period` under its old name."""
    return plan_period(rt, plan_key, kind, year)
