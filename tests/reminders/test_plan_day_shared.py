"""Planning a day for many plans reads the units, rules and partners once and shares the
calendar arithmetic; what it plans is what each plan planned on its own plans."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.errors import NotFoundError
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.inputs import read_inputs, reminder_tasks
from kehoach_flow.reminders.planner import DayCounts, plan_reminders
from kehoach_flow.reminders.sweep import plan_day
from kehoach_flow.reports.periods import plan_cutoff_day, report_cutoffs
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.tracking.workcalendar import work_calendar
from tests.conftest import SEED_PLAN
from tests.reminders.helpers import COPY, with_copy

DAYS = [date(2024, 6, 7), date(2024, 12, 20), date(2024, 12, 31)]


@pytest.fixture
def two_plans(engine: Engine, definitions_copy: Path) -> Engine:
    load_path(engine, with_copy(definitions_copy))
    return engine


def _one_plan_at_a_time(engine: Engine, settings: Settings, day: date) -> list[str]:
    """Each plan planned on its own: its inputs read for it alone, its own calendar sums."""
    calendar = work_calendar(settings)
    options = BoardOptions(calendar, settings.timezone, settings.at_risk_days)
    found = []
    for key in (COPY, SEED_PLAN):
        tasks = reminder_tasks(engine, key, day, options)
        header = dict(read_inputs(engine, [key]).plans[key].header or {})
        cutoffs = report_cutoffs(day.year, plan_cutoff_day(header, settings.report_cutoff_day))
        found += plan_reminders(tasks, day, calendar, cutoffs)
    return sorted(f"{r.dedupe_key}|{r.role}|{r.days}|{r.lead_without_mail}" for r in found)


@pytest.mark.parametrize("day", DAYS)
def test_a_day_planned_for_all_plans_at_once_is_each_plan_planned_alone(
    two_plans: Engine, settings: Settings, day: date
) -> None:
    planned = plan_day(two_plans, settings, day)
    together = sorted(
        f"{r.dedupe_key}|{r.role}|{r.days}|{r.lead_without_mail}" for r in planned.reminders
    )
    assert together == _one_plan_at_a_time(two_plans, settings, day)
    assert together  # the days chosen have reminders
    tasks = {r.task for r in planned.reminders}
    assert {t.plan for t in tasks} == {COPY, SEED_PLAN}
    assert all(t.plan_title for t in tasks)


def test_shared_calendar_sums_give_the_same_reminders_on_every_day_of_a_year(
    two_plans: Engine, settings: Settings
) -> None:
    calendar = work_calendar(settings)
    options = BoardOptions(calendar, settings.timezone, settings.at_risk_days)
    inputs = read_inputs(two_plans, [SEED_PLAN])
    day = date(2024, 1, 1)
    tasks = reminder_tasks(two_plans, SEED_PLAN, day, options, inputs)
    counts = DayCounts(calendar)  # one for the whole year: answers must not leak across days
    while day.year == 2024:
        cutoffs = report_cutoffs(2024)
        assert plan_reminders(tasks, day, calendar, cutoffs, counts) == plan_reminders(
            tasks, day, calendar, cutoffs
        )
        day = day.fromordinal(day.toordinal() + 1)


def test_an_unknown_plan_is_named(two_plans: Engine) -> None:
    with pytest.raises(NotFoundError, match="khong-co"):
        read_inputs(two_plans, [SEED_PLAN, "khong-co"])


@pytest.mark.parametrize("day", [date(2024, 3, 1), *DAYS, date(2025, 2, 3)])
def test_open_tasks_are_the_plan_boards_open_tasks_with_its_progress(
    two_plans: Engine, settings: Settings, day: date
) -> None:
    from kehoach_flow.tracking.status import Status
    from kehoach_flow.tracking.task_views import plan_board

    options = BoardOptions(work_calendar(settings), settings.timezone, settings.at_risk_days)
    board = [
        (v.key, v.title, v.section, v.window.start, v.window.due, v.state.progress, v.lead)
        for v in plan_board(two_plans, SEED_PLAN, day, options)
        if v.state.status not in (Status.DONE, Status.CANCELLED)
    ]
    tasks = [
        (t.key, t.title, t.section, t.start, t.due, t.progress, t.lead.unit)
        for t in reminder_tasks(two_plans, SEED_PLAN, day, options)
    ]
    assert tasks == board and tasks
