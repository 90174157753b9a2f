"""Reports built from the database take their recipients, signer and number from the
`report:` block, or go up the chain by default."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from kehoach_flow.reports.builder import build_report
from kehoach_flow.reports.periods import period
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar
from tests.conftest import SEED_PLAN, run_cli
from tests.reports.helpers import REPORT_BLOCK, with_report_block

OPTIONS = BoardOptions(vietnam_calendar(range(2023, 2027)))


def test_seed_report_goes_up_the_chain_not_to_the_plans_partners(
    settings: Settings, engine: Engine
) -> None:
    assert run_cli(settings, "load").exit_code == 0
    report = build_report(engine, SEED_PLAN, period("year", 2024), OPTIONS, date(2024, 12, 20))
    assert report.recipients == (
        "Bộ Khoa học và Công nghệ (b/c)",  # the programme's reporting line
        "Tổng cục Tiêu chuẩn Đo lường Chất lượng",
        "UBND tỉnh (b/c)",
        "GĐ, các PGĐ sở",
        "Lưu: VT, QLTCĐLCL",
    )
    assert not any("(p/h)" in r or "Các phòng/đơn vị" in r for r in report.recipients)
    assert report.header.number_line == "Số:      /BC-SKHCN"
    assert report.signature.name == "Nguyễn Hữu Thắng"  # the plan's signer, when no block


def test_a_plans_report_block_sets_recipients_signer_number_and_place(
    settings: Settings, engine: Engine, definitions_copy: Path
) -> None:
    with_report_block(definitions_copy, REPORT_BLOCK)
    ours = settings.model_copy(update={"definitions": definitions_copy})
    assert run_cli(ours, "load").exit_code == 0
    report = build_report(engine, SEED_PLAN, period("q2", 2024), OPTIONS, date(2024, 6, 20))
    assert report.recipients == ("Tổng cục TCĐLCL", "GĐ, các PGĐ Sở", "Lưu: VT, QLTĐC")
    assert report.signature.name == "Lê Văn Bình"
    assert report.header.number_line == "Số:      /BC-SKHCN"
    assert report.header.place_date == "Đông Hà, ngày 20 tháng 6 năm 2024"
