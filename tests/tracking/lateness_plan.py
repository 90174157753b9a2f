"""A plan whose tasks fall due in June and July 2024, for the tests of what a manager looks
for: the units' ranking by lateness and what changed since the last working day."""

from __future__ import annotations

from pathlib import Path

LATENESS_PLAN = "tre-han-2024"

PLAN_YAML = """\
plan:
  key: tre-han-2024
  title: Kế hoạch thử nghiệm trễ hạn năm 2024
  year: 2024
  coordinator: qltcdlcl
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


def write_lateness_plan(definitions: Path) -> Path:
    """Add the plan to a writable copy of definitions/; returns the copy."""
    (definitions / "plans" / "tre-han.yaml").write_text(PLAN_YAML, encoding="utf-8")
    return definitions
