"""A report's own recipients, signer and number: the `report:` block of a plan or programme,
and defaults that send a report up the chain, never to the plan's "(phối hợp)" recipients."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kehoach_flow.reports.addressing import abbreviation, default_recipients
from kehoach_flow.settings import Settings
from tests.conftest import run_cli
from tests.reports.helpers import seed_file, with_report_block


@pytest.mark.parametrize(
    ("block", "where", "message"),
    [
        ("  report:\n    symbol: SKHCN\n", (2, 13), 'là ký hiệu của báo cáo: "BC-"'),
        ("  report:\n    recipient: [UBND tỉnh]\n", (2, 5), '"recipient" không có trong định'),
        ("  report:\n    signer: {name: Lê Văn Bình}\n", (2, 13), 'thiếu trường bắt buộc "title"'),
    ],
)
def test_a_bad_report_block_is_refused_at_its_line(
    sqlite_settings: Settings,
    definitions_copy: Path,
    block: str,
    where: tuple[int, int],
    message: str,
) -> None:
    with_report_block(definitions_copy, block)
    text = seed_file(definitions_copy).read_text(encoding="utf-8")
    first = text[: text.index("  report:\n")].count("\n") + 1  # the line of "report:"
    ours = sqlite_settings.model_copy(update={"definitions": definitions_copy})
    result = run_cli(ours, "validate")
    assert result.exit_code == 2
    line, column = first + where[0] - 1, where[1]
    problems = [p for p in result.stderr.splitlines() if not p.startswith("Lỗi:")]
    assert len(problems) == 1, result.stderr
    assert f"quang-tri-2024.yaml:{line}:{column}: " in problems[0]
    assert message in problems[0]
    assert "Traceback" not in result.stderr


def test_the_schema_describes_the_report_block(sqlite_settings: Settings) -> None:
    result = run_cli(sqlite_settings, "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    block = schema["$defs"]["ReportBlock"]
    assert {"issuer", "place", "symbol", "signer", "recipients"} <= set(block["properties"])
    assert block["properties"]["symbol"]["anyOf"][0]["pattern"].startswith("^BC-")
    plan_header = schema["$defs"]["PlanHeader"]["properties"]
    programme = schema["$defs"]["Programme"]["properties"]
    assert "report" in plan_header and "report" in programme


def test_defaults_name_the_leaders_and_file_the_copy_when_the_plan_does_not() -> None:
    recipients = default_recipients(
        ["UBND các huyện (p/h)", "Các doanh nghiệp (t/h)"],
        ["Bộ Khoa học và Công nghệ (b/c)", "Lưu: VT"],
        "Chi cục Tiêu chuẩn Đo lường Chất lượng",
        abbreviation("Phòng Kế hoạch - Tài chính"),
    )
    assert recipients == ("Bộ Khoa học và Công nghệ (b/c)", "Lãnh đạo đơn vị", "Lưu: VT, KHTC")
    assert default_recipients([], [], "Sở Y tế tỉnh Nam Định", "")[0] == "Lãnh đạo Sở"
    assert abbreviation("Phòng Quản lý TCĐLCL") == "QLTCĐLCL"
