"""A small plan with targets and funding lines (one with an amount, one without), written beside
the real definitions, for the tests of the figures shown back."""

from __future__ import annotations

from pathlib import Path

FIGURES_PLAN = "thu-nghiem-2024"

PLAN_YAML = """\
plan:
  key: thu-nghiem-2024
  title: Kế hoạch thử nghiệm số liệu năm 2024
  year: 2024
  coordinator: qltcdlcl
  money_unit: dong
  funding_sources:
    sn-khcn-2024: Kinh phí sự nghiệp KHCN năm 2024
    dia-phuong: Kinh phí địa phương
sections:
  - key: "1"
    title: Hỗ trợ doanh nghiệp
    tasks:
      - key: ho-tro-dn
        title: Hỗ trợ 30 doanh nghiệp
        targets:
          - {quantity: 30, unit: doanh nghiệp}
          - {quantity: 2, unit: hội thảo}
        lead: qltcdlcl
        schedule: Cả năm
        funding:
          - {source: sn-khcn-2024, amount: 200 triệu}
          - {source: dia-phuong}
      - key: khong-kinh-phi
        title: Việc không có kinh phí kế hoạch
        lead: kh-tc
        schedule: Quý 1-2
        funding: sn-khcn-2024
"""


def write_figures_plan(definitions: Path) -> Path:
    """Add the plan to a writable copy of definitions/; returns the copy."""
    (definitions / "plans" / "thu-nghiem.yaml").write_text(PLAN_YAML, encoding="utf-8")
    return definitions
