"""`kehoach show`: the figures reported shown back (totals to date, spending against the plan,
each update's figures) and authors as people read them, in text and in --json."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kehoach_flow.settings import Settings
from tests.conftest import run_cli
from tests.tracking.helpers import FIGURES_PLAN, write_figures_plan

TASK = f"{FIGURES_PLAN}/ho-tro-dn"


def _flat(stdout: str) -> str:
    """The output as one line: the table's borders gone and its wrapped cells joined again
    (a continued cell has an empty label column)."""
    return " ".join(stdout.replace("│", " ").split())


@pytest.fixture
def reported(tmp_path: Path, definitions_copy: Path) -> Settings:
    """The figures plan loaded, with two reports on one task: 12 then 25 firms to date."""
    settings = Settings(
        data_dir=tmp_path / "data",
        definitions=write_figures_plan(definitions_copy),
        today=date(2024, 5, 10),
        _env_file=None,
    )
    for args in (("db", "upgrade"), ("load",)):
        assert run_cli(settings, *args).exit_code == 0
    first = ("--status", "in_progress", "--progress", "40", "--by", "qltcdlcl")
    first += ("--actual", "doanh nghiệp=12", "--spent", "sn-khcn-2024=30 triệu")
    first += ("--date", "2024-05-02")
    second = ("--actual", "doanh nghiệp=25", "--spent", "sn-khcn-2024=120 triệu")
    second += ("--by", "kh-tc", "--note", "Đã khảo sát")
    for args in (first, second):
        result = run_cli(settings, "update", TASK, *args)
        assert result.exit_code == 0, result.stderr
    return settings


def test_show_prints_the_latest_totals_and_spending_against_the_plan(reported: Settings) -> None:
    result = run_cli(reported, "show", TASK)
    assert result.exit_code == 0, result.stderr
    text = _flat(result.stdout)
    assert "Đã đạt (lũy kế) 25/30 doanh nghiệp" in text
    assert "2 hội thảo (chưa báo cáo)" in text
    assert (
        "Kinh phí sự nghiệp KHCN năm 2024: đã chi 120.000.000 đ / kế hoạch 200.000.000 đ (60%)"
        in text
    )
    assert "Kinh phí địa phương: chưa có kinh phí kế hoạch" in text
    assert "lần gần nhất ngày 10/05/2024, Phòng KH-TC qua dòng lệnh" in text


def test_show_history_names_authors_and_the_figures_each_update_reported(
    reported: Settings,
) -> None:
    lines = run_cli(reported, "show", TASK).stdout.split("Lịch sử cập nhật:")[1]
    history = " ".join(lines.split())
    assert history == (
        "v3 10/05/2024 Phòng KH-TC qua dòng lệnh: Đang thực hiện, 40%; số liệu đến nay: "
        "25/30 doanh nghiệp; đã chi Kinh phí sự nghiệp KHCN năm 2024: 120.000.000 đ; "
        "Đã khảo sát "
        "v2 02/05/2024 Phòng Quản lý TCĐLCL qua dòng lệnh: Chưa thực hiện → Đang thực hiện, "
        "40%; số liệu đến nay: 12/30 doanh nghiệp; đã chi Kinh phí sự nghiệp KHCN năm 2024: "
        "30.000.000 đ"
    )
    assert "(cli)" not in history and "qltcdlcl" not in history


def test_show_json_gives_figures_and_authors_under_stable_keys(reported: Settings) -> None:
    row = json.loads(run_cli(reported, "show", TASK, "--json").stdout)
    firms, workshops = row["figures"]["targets"]
    assert (firms["number"], firms["unit"], firms["planned"], firms["actual"]) == (
        1,
        "doanh nghiệp",
        30,
        25,
    )
    assert firms["reported"]["version"] == 3
    assert firms["reported"]["author"]["name"] == "Phòng KH-TC"
    assert workshops["actual"] is None and workshops["reported"] is None
    assert row["figures"]["budget"] == {
        "planned": 200_000_000,
        "spent": 120_000_000,
        "percent": 60.0,
        "over": False,
    }
    assert [f["source"] for f in row["figures"]["funding"]] == ["sn-khcn-2024", "dia-phuong"]
    assert [h["version"] for h in row["figures"]["history"]] == [3, 2]
    newest, older = row["history"]
    assert newest["author"] == {
        "name": "Phòng KH-TC",
        "via": "qua dòng lệnh",
        "kind": "unit",
        "text": "Phòng KH-TC qua dòng lệnh",
    }
    assert [a["actual"] for a in older["figures"]["actuals"]] == [12]
    assert [s["spent"] for s in older["figures"]["spending"]] == [30_000_000]


def test_show_says_there_is_no_planned_budget_rather_than_zero(reported: Settings) -> None:
    other = f"{FIGURES_PLAN}/khong-kinh-phi"
    assert run_cli(reported, "update", other, "--spent", "sn-khcn-2024=120 triệu").exit_code == 0
    text = _flat(run_cli(reported, "show", other).stdout)
    assert "Kinh phí sự nghiệp KHCN năm 2024: chưa có kinh phí kế hoạch, đã chi 120.000.000 đ" in (
        text
    )
    assert "0 đ" not in text.replace("120.000.000 đ", "")
    budget = json.loads(run_cli(reported, "show", other, "--json").stdout)["figures"]["budget"]
    assert budget == {"planned": None, "spent": 120_000_000, "percent": None, "over": False}
