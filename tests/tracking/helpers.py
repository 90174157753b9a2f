"""Plans written beside the real definitions for the tracking tests: one with targets and
funding lines (the figures shown back), one whose tasks fall due in June and July 2024 (the
units' lateness and what changed since the last working day). The lateness plan says
`review: false`: its tests count a done report at once; a test of completion review drops
that line (review is on by default)."""

from __future__ import annotations

from pathlib import Path

FIGURES_PLAN = "thu-nghiem-2024"
LATENESS_PLAN = "tre-han-2024"

FIGURES_YAML = """\
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

LATENESS_YAML = """\
plan:
  key: tre-han-2024
  title: Kế hoạch thử nghiệm trễ hạn năm 2024
  year: 2024
  coordinator: qltcdlcl
  review: false
sections:
  - key: "1"
    title: Nhiệm vụ đến hạn giữa năm
    tasks:
      - {key: a1, title: Việc A1, lead: qltcdlcl, start: 2024-01-02, due: 2024-06-28}
      - {key: a2, title: Việc A2, lead: qltcdlcl, start: 2024-01-02, due: 2024-07-12}
      - {key: b1, title: Việc B1, lead: kh-tc, start: 2024-01-02, due: 2024-06-28}
      - {key: b2, title: Việc B2, lead: kh-tc, start: 2024-01-02, due: 2024-07-12}
      - {key: b3, title: Việc B3 bị hủy, lead: kh-tc, start: 2024-01-02, due: 2024-06-03}
      - {key: c1, title: Việc C1, lead: ttkt-tcdlcl, start: 2024-01-02, due: 2024-12-31}
      - key: p
        title: Việc có hai việc con
        lead: tt-ncgdmst
        start: 2024-01-02
        due: 2024-12-31
        subtasks:
          - {key: s1, title: Việc con S1, start: 2024-01-02, due: 2024-07-10}
          - {key: s2, title: Việc con S2, start: 2024-01-02, due: 2024-12-31}
"""


def write_figures_plan(definitions: Path) -> Path:
    """Add the figures plan to a writable copy of definitions/; returns the copy."""
    (definitions / "plans" / "thu-nghiem.yaml").write_text(FIGURES_YAML, encoding="utf-8")
    return definitions


def write_lateness_plan(definitions: Path) -> Path:
    """Add the lateness plan to a writable copy of definitions/; returns the copy."""
    (definitions / "plans" / "tre-han.yaml").write_text(LATENESS_YAML, encoding="utf-8")
    return definitions
