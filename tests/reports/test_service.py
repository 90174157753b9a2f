"""reports.service: the one call the CLI, flows, web and API make for a report or a rollup."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.context import AppContext
from kehoach_flow.errors import KehoachError
from kehoach_flow.loading import load_path
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.reports.service import due_period, make_report, make_report_for
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN


@pytest.fixture
def ctx(settings: Settings, engine: Engine) -> AppContext:
    """The seed plan loaded; today is 20/07/2024 where the plans run."""
    load_path(engine, settings.definitions)
    return AppContext(settings.model_copy(update={"today": date(2024, 7, 20)}), engine)


def test_a_plans_report_goes_to_its_folder_dated_today_and_is_recorded(ctx: AppContext) -> None:
    made = make_report(ctx, "q2", 2024, plan=SEED_PLAN, formats=("md",))
    assert made.subject == SEED_PLAN and made.period.title == "quý II năm 2024"
    (path,) = made.files
    assert path.parent == ctx.settings.data_dir / "reports" / SEED_PLAN
    assert "ngày 20 tháng 7 năm 2024" in path.read_text(encoding="utf-8")
    assert made.report is not None and made.content_hash is not None
    (run,) = list_runs(ctx.engine, SEED_PLAN)
    assert (run["period"], run["year"], run["content_hash"]) == ("q2", 2024, made.content_hash)


def test_a_rollup_leaves_the_day_for_the_signer_unless_dated(
    ctx: AppContext, tmp_path: Path
) -> None:
    blank = make_report_for(ctx, "programme:de-an-996", "q2", 2024, formats=("md",))
    assert blank.subject == "programme:de-an-996" and blank.report is None
    assert blank.files[0].parent == ctx.settings.data_dir / "reports" / "de-an-996"
    assert "ngày      tháng      năm 2024" in blank.files[0].read_text(encoding="utf-8")
    dated = make_report(
        ctx,
        "q2",
        2024,
        programme="de-an-996",
        formats=("md",),
        issued=date(2024, 7, 1),
        out_dir=tmp_path,
    )
    assert dated.files[0].parent == tmp_path
    assert "ngày 01 tháng 7 năm 2024" in dated.files[0].read_text(encoding="utf-8")


def test_requests_the_service_refuses_write_nothing(ctx: AppContext) -> None:
    with pytest.raises(KehoachError, match="đúng một"):
        make_report(ctx, "q2", 2024)
    with pytest.raises(KehoachError, match="đúng một"):
        make_report(ctx, "q2", 2024, plan=SEED_PLAN, programme="de-an-996")
    with pytest.raises(KehoachError, match="không soạn báo cáo năm 2031"):
        make_report(ctx, "q2", 2031, plan=SEED_PLAN)
    with pytest.raises(KehoachError, match="q1, q2"):
        make_report(ctx, "q5", 2024, plan=SEED_PLAN)
    with pytest.raises(KehoachError, match="chọn một kế hoạch"):
        make_report_for(ctx, "plan:", "q2", 2024)
    assert list_runs(ctx.engine) == []
    assert not (ctx.settings.data_dir / "reports").exists()


def test_the_period_due_is_the_one_whose_cutoff_was_yesterday(ctx: AppContext) -> None:
    due = due_period(ctx, SEED_PLAN, date(2024, 6, 15))
    assert due is not None and (due.kind, due.year) == ("6m", 2024)
    assert due_period(ctx, SEED_PLAN, date(2024, 6, 16)) is None
