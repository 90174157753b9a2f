"""The web bench reads every unit wrk prints, and a page it cannot measure is named while
the figures of the others are kept."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from kehoach_flow.bench import BenchFailed
from kehoach_flow.bench import data as benchdata
from kehoach_flow.bench.web import parse_wrk, ratios_to_trivial, web_figures
from kehoach_flow.errors import KehoachError
from tests.conftest import DEFINITIONS

SAMPLES = Path(__file__).parent / "wrk"  # real `wrk --latency` output, trailing spaces kept


@pytest.mark.parametrize(
    ("sample", "p50_ms", "p99_ms", "rps"),
    [
        ("seconds.txt", 1140.0, 1140.0, 2.66),  # "99%    1.14s " crashed the bench before
        ("milliseconds.txt", 43.99, 48.14, 228.10),
        ("microseconds.txt", 0.693, 2.67, 1372.37),  # us and ms in one output
    ],
)
def test_wrk_latencies_are_read_in_every_unit(
    sample: str, p50_ms: float, p99_ms: float, rps: float
) -> None:
    figures = parse_wrk((SAMPLES / sample).read_text(), "overview")
    assert figures == pytest.approx(
        {"overview_p50_ms": p50_ms, "overview_p99_ms": p99_ms, "overview_rps": rps}
    )


def test_unreadable_wrk_output_is_a_user_error_that_shows_the_output() -> None:
    with pytest.raises(KehoachError, match="không đọc được kết quả wrk"):
        parse_wrk("unable to connect to 127.0.0.1:8000 Connection refused\n", "overview")


def test_pages_are_given_as_ratios_to_the_trivial_endpoint() -> None:
    figures = {"trivial_rps": 2000.0, "overview_rps": 1000.0, "overdue_rps": 500.0}
    assert ratios_to_trivial(figures) == {
        "overview_ratio_to_trivial": 0.5,
        "overdue_ratio_to_trivial": 0.25,
    }
    assert ratios_to_trivial({"overview_rps": 1000.0}) == {}


def test_a_page_that_cannot_be_measured_is_named_and_the_others_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrk on PATH that prints a real sample for every page but /qua-han, where it prints
    what wrk prints when it cannot connect."""
    tools = tmp_path / "bin"
    tools.mkdir()
    wrk = tools / "wrk"
    wrk.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "if sys.argv[-1].endswith('/qua-han'):\n"
        "    print('unable to connect to 127.0.0.1: Connection refused')\n"
        "else:\n"
        f"    print(open({str(SAMPLES / 'milliseconds.txt')!r}).read())\n"
    )
    wrk.chmod(wrk.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tools}:{Path(sys.executable).parent}:/usr/bin:/bin")
    programme = DEFINITIONS / "programmes" / "de-an-996.yaml"
    definitions = benchdata.generate(tmp_path / "defs", programme, provinces=2)
    with pytest.raises(BenchFailed) as failed:
        web_figures(definitions, tmp_path)
    assert set(failed.value.failures) == {"overdue"}
    assert "không đọc được kết quả wrk" in failed.value.failures["overdue"]
    figures = failed.value.figures
    assert figures["overview_ratio_to_trivial"] == pytest.approx(1.0)
    assert figures["plan_page_rps"] == pytest.approx(228.10)
    assert "signin_known_ms" in figures
    assert not any(name.startswith("overdue") for name in figures)
