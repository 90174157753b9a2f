"""`kehoach bench --only orchestration` on a small slice: the figures and their meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from kehoach_flow.bench import data as benchdata
from kehoach_flow.bench.orchestration import orchestration_figures
from tests.conftest import DEFINITIONS, POSTGRES_URL, ROOT


def test_orchestration_figures_compare_the_flow_with_the_library_and_count_worker_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # flows/ and deploy/prefect.yaml, as `kehoach bench` expects
    definitions = benchdata.generate(
        tmp_path / "defs", DEFINITIONS / "programmes" / "de-an-996.yaml", provinces=2
    )
    figures = orchestration_figures(definitions, tmp_path, POSTGRES_URL, runs=2)
    assert figures["send_reminders_plain_s"] > 0 and figures["send_reminders_flow_s"] > 0
    assert figures["prefect_overhead_fraction"] == pytest.approx(
        figures["send_reminders_flow_s"] / figures["send_reminders_plain_s"] - 1
    )
    assert figures["flow_runs_completed"] == 2  # both runs went through the two workers
    assert figures["flow_runs_per_min"] > 0
