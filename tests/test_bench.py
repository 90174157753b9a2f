"""`kehoach bench` on a small slice of the national dataset: the figures scripts rely on."""

from __future__ import annotations

import pytest

from kehoach_flow.bench import data as benchdata
from kehoach_flow.bench import run_bench
from kehoach_flow.definitions import read_catalog
from kehoach_flow.errors import KehoachError
from tests.conftest import DEFINITIONS, POSTGRES_URL

PROGRAMME = DEFINITIONS / "programmes" / "de-an-996.yaml"


def test_generated_national_dataset_is_valid_and_shaped_as_promised(tmp_path) -> None:  # type: ignore[no-untyped-def]
    catalog = read_catalog(benchdata.generate(tmp_path / "defs", PROGRAMME, provinces=2))
    assert len(catalog.plans) == 2
    plan = next(iter(catalog.plans.values()))
    assert len(plan.tasks) == 300
    assert max(s.depth for s in plan.sections) == 1
    assert sum(1 for t in plan.tasks if t.depends_on) > 0
    assert all(len(t.funding) == 2 for t in plan.tasks)
    assert len(catalog.units) == 2 * benchdata.UNITS_PER_PROVINCE


def test_sqlite_figures_have_their_stable_names() -> None:
    figures = run_bench(["load_sqlite"], None, PROGRAMME, provinces=2)
    assert set(figures) == {
        "load_sqlite_s",
        "core_sqlite_s",
        "load_sqlite_ratio_to_core",
        "reload_sqlite_s",
    }
    assert all(value > 0 for value in figures.values())


@pytest.mark.skipif(not POSTGRES_URL, reason="KEHOACH_TEST_POSTGRES_URL is not set")
def test_postgres_figures_have_their_stable_names() -> None:
    figures = run_bench(["load_postgres"], POSTGRES_URL, PROGRAMME, provinces=2)
    assert {"load_postgres_s", "reload_postgres_s", "load_postgres_ratio_to_core"} <= set(figures)


def test_unknown_bench_name_is_a_user_error() -> None:
    with pytest.raises(KehoachError, match="load_sqlite"):
        run_bench(["nhanh"], None, PROGRAMME)


def test_tracking_figures_have_their_stable_names() -> None:
    figures = run_bench(["tracking"], None, PROGRAMME, provinces=2)
    assert {"derive_state_s", "updates_per_s", "updates_raw_per_s", "updates_ratio_to_raw"} <= set(
        figures
    )
    assert figures["derive_state_tasks"] == 600


def test_reminder_figures_have_their_stable_names() -> None:
    figures = run_bench(["reminders"], None, PROGRAMME, provinces=2)
    assert {
        "plan_reminders_s",
        "deliver_per_s",
        "deliver_raw_per_s",
        "deliver_ratio_to_raw",
        "daily_job_s",
        "daily_job_raw_s",
        "daily_job_ratio_to_raw",
        "daily_rerun_s",
        "daily_rerun_ratio_to_raw",
        "digest_bytes_mean",
        "digest_raw_bytes_mean",
    } <= set(figures)
    assert figures["plan_reminders_count"] > 0
    assert figures["daily_job_digests"] > 0


def test_report_figures_have_their_stable_names() -> None:
    figures = run_bench(["reports"], None, PROGRAMME, provinces=2)
    assert {"report_year_500_s", "rollup_national_s"} <= set(figures)
    assert figures["rollup_plans"] == 2


def test_web_figures_have_their_stable_names(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kehoach_flow.bench import web as bench_web
    from kehoach_flow.bench.web import web_figures

    # The figures' names and relations are checked here, not the windows' length: two rounds
    # of 1-second wrk windows (14 windows of 1 s, not 21 of 2 s); still a median over rounds.
    monkeypatch.setattr(bench_web, "WINDOW_SECONDS", 1)
    monkeypatch.setattr(bench_web, "ROUNDS", 2)
    definitions = benchdata.generate(tmp_path / "defs", PROGRAMME, provinces=2)
    figures = web_figures(definitions, tmp_path, requests=100)
    for page in ("trivial", "overview", "plan_page", "overdue"):
        assert figures[f"{page}_p50_ms"] <= figures[f"{page}_p99_ms"]
        assert figures[f"{page}_rps"] > 0
    for page in ("overview", "plan_page", "overdue"):
        assert figures[f"{page}_ratio_to_trivial"] > 0
