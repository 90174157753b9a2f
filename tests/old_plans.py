"""Plans of past years judged today: the clock set to 30/11/2026 (never the machine's date),
the seed plan of 2024 and a plan spanning 2024-2025 next to it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.conftest import DEFINITIONS

CLOCK = date(2026, 11, 30)
TWO_YEAR_PLAN = "qt-2024-2025-hai-nam"


def with_two_year_plan(target: Path) -> Path:
    """`target` made a copy of definitions/ with a second plan running from 1/1/2024 to
    31/12/2025: the seed plan with its section 2 stretched over "Năm 2024-2025" and its
    first task due in the first half of 2024 (Sunday 30/6/2024)."""
    import shutil

    shutil.copytree(DEFINITIONS, target)
    seed = (target / "plans" / "quang-tri-2024.yaml").read_text(encoding="utf-8")
    two_years = (
        seed.replace("key: qt-skhcn-2024-do-luong", f"key: {TWO_YEAR_PLAN}")
        .replace("        schedule: Cả năm\n", "        schedule: Quý I-II\n", 1)
        .replace("    schedule: Cả năm\n", "    schedule: Năm 2024-2025\n", 1)
    )
    assert "Cả năm" not in two_years.split("sections:")[1]
    (target / "plans" / "hai-nam-2024-2025.yaml").write_text(two_years, encoding="utf-8")
    return target
