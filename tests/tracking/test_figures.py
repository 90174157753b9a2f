"""The figures units report, shown back: latest totals to date, spending against the plan, and
each update's figures, on both databases."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.numbers import parse_amount
from kehoach_flow.tracking.figures import figures_of, task_figures
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.spending import Budget, plan_budget
from kehoach_flow.tracking.task_views import BoardOptions, plan_board
from kehoach_flow.workdays import vietnam_calendar
from tests.tracking.helpers import FIGURES_PLAN, write_figures_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def loaded(engine: Engine, definitions_copy: Path) -> Engine:
    load_path(engine, write_figures_plan(definitions_copy))
    return engine


def _id(engine: Engine, key: str) -> int:
    return int(find_task(engine, f"{FIGURES_PLAN}/{key}")["id"])


def _report(engine: Engine, key: str, day: date, change: UpdateIn, actor: str = "qltcdlcl") -> None:
    at = datetime.combine(day, time(9), tzinfo=TZ)
    record_update(engine, _id(engine, key), change, Author(actor, "web", at), now=at)


def test_the_latest_total_is_shown_not_the_sum_of_reports(loaded: Engine) -> None:
    _report(
        loaded,
        "ho-tro-dn",
        date(2024, 3, 1),
        UpdateIn(actuals={"doanh nghiệp": 12}, spending={"sn-khcn-2024": 30_000_000}),
    )
    _report(
        loaded,
        "ho-tro-dn",
        date(2024, 5, 2),
        UpdateIn(actuals={"doanh nghiệp": 25}, spending={"sn-khcn-2024": 120_000_000}),
    )
    figures = task_figures(loaded, _id(loaded, "ho-tro-dn"))

    firms, workshops = figures.targets
    assert (firms.unit, firms.planned, firms.actual, firms.text) == (
        "doanh nghiệp",
        30,
        25,
        "25/30 doanh nghiệp",
    )
    assert firms.reported is not None and firms.reported.version == 3
    assert firms.reported.text("Asia/Ho_Chi_Minh") == (
        "ngày 02/05/2024, Phòng Quản lý TCĐLCL qua trang web"
    )
    assert (workshops.actual, workshops.reported, workshops.text) == (
        None,
        None,
        "2 hội thảo (chưa báo cáo)",
    )
    state_line, local_line = figures.lines
    assert (state_line.planned, state_line.spent, state_line.percent) == (
        200_000_000,
        120_000_000,
        60.0,
    )
    assert (local_line.source, local_line.planned, local_line.spent) == ("dia-phuong", None, None)
    assert figures.budget == Budget(200_000_000, 120_000_000)
    assert figures.budget.text == "đã chi 120.000.000 đ / kế hoạch 200.000.000 đ (60%)"
    assert figures.form_values() == {"actual_1": "25", "spent_sn-khcn-2024": "120.000.000"}
    assert parse_amount(figures.form_values()["spent_sn-khcn-2024"]) == 120_000_000
    assert [e.text for e in figures.history] == [
        "25/30 doanh nghiệp; đã chi Kinh phí sự nghiệp KHCN năm 2024: 120.000.000 đ",
        "12/30 doanh nghiệp; đã chi Kinh phí sự nghiệp KHCN năm 2024: 30.000.000 đ",
    ]


def test_each_target_keeps_the_update_that_last_reported_it(loaded: Engine) -> None:
    _report(loaded, "ho-tro-dn", date(2024, 3, 1), UpdateIn(actuals={"hội thảo": 1}))
    _report(loaded, "ho-tro-dn", date(2024, 4, 1), UpdateIn(progress=30, note="Không số liệu"))
    _report(loaded, "ho-tro-dn", date(2024, 5, 2), UpdateIn(actuals={"1": 18}), actor="kh-tc")
    figures = task_figures(loaded, _id(loaded, "ho-tro-dn"))

    firms, workshops = figures.targets
    assert firms.actual == 18 and firms.reported is not None
    assert firms.reported.author.text == "Phòng KH-TC qua trang web"
    assert workshops.actual == 1 and workshops.reported is not None
    assert workshops.reported.at.astimezone(TZ).date() == date(2024, 3, 1)
    # the update without figures is not in the figures' history
    assert [e.report.version for e in figures.history] == [4, 2]
    assert figures.latest == figures.history[0].report
    assert figures.budget == Budget(200_000_000, None)
    assert figures.budget.text == "kế hoạch 200.000.000 đ, chưa báo cáo chi"


def test_spending_without_a_planned_amount_says_there_is_no_planned_budget(
    loaded: Engine,
) -> None:
    _report(
        loaded,
        "khong-kinh-phi",
        date(2024, 3, 1),
        UpdateIn(spending={"sn-khcn-2024": 120_000_000}),
        actor="kh-tc",
    )
    budget = task_figures(loaded, _id(loaded, "khong-kinh-phi")).budget
    assert (budget.planned, budget.spent, budget.percent, budget.over) == (
        None,
        120_000_000,
        None,
        False,
    )
    assert budget.text == "chưa có kinh phí kế hoạch, đã chi 120.000.000 đ"
    assert budget.as_dict() == {
        "planned": None,
        "spent": 120_000_000,
        "percent": None,
        "over": False,
    }


def test_a_planned_amount_of_zero_is_no_planned_budget() -> None:
    assert Budget(0, 5).percent is None
    assert Budget(None, None).text == "chưa có kinh phí kế hoạch"
    assert Budget(100, 150).over and Budget(100, 150).percent == 150.0


def test_figures_of_many_tasks_at_once_include_tasks_without_reports(loaded: Engine) -> None:
    ids = [_id(loaded, "ho-tro-dn"), _id(loaded, "khong-kinh-phi")]
    _report(loaded, "ho-tro-dn", date(2024, 3, 1), UpdateIn(actuals={"doanh nghiệp": 3}))
    found = figures_of(loaded, ids)
    assert set(found) == set(ids)
    assert found[ids[1]].targets == () and found[ids[1]].history == ()
    assert found[ids[0]].as_dict()["targets"][0] | {"reported": None} == {
        "target_id": found[ids[0]].targets[0].target_id,
        "number": 1,
        "unit": "doanh nghiệp",
        "planned": 30,
        "actual": 3,
        "percent": 10.0,
        "reported": None,
    }


def test_a_plans_budget_is_none_when_no_task_plans_money(loaded: Engine) -> None:
    _report(
        loaded,
        "khong-kinh-phi",
        date(2024, 3, 1),
        UpdateIn(spending={"sn-khcn-2024": 7_000_000}),
    )
    options = BoardOptions(vietnam_calendar([2024]))
    views = plan_board(loaded, FIGURES_PLAN, date(2024, 3, 2), options)
    assert plan_budget(views) == Budget(200_000_000, 7_000_000)
    no_money = [v for v in views if v.key == "khong-kinh-phi"]
    assert plan_budget(no_money) == Budget(None, 7_000_000)
