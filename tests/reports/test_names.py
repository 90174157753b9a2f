"""A report run's period and subject as a person reads them, not as they are stored."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from kehoach_flow.errors import KehoachError
from kehoach_flow.loading import load_path
from kehoach_flow.reports.names import period_kind_name, period_name, subject_name, subject_names
from kehoach_flow.reports.periods import KINDS
from tests.conftest import DEFINITIONS, SEED_PLAN


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("q1", "Quý I/2024"),
        ("q2", "Quý II/2024"),
        ("q3", "Quý III/2024"),
        ("q4", "Quý IV/2024"),
        ("6m", "6 tháng đầu năm 2024"),
        ("9m", "9 tháng đầu năm 2024"),
        ("year", "Năm 2024"),
    ],
)
def test_a_period_reads_in_vietnamese(kind: str, name: str) -> None:
    assert period_name(kind, 2024) == name


def test_every_period_kind_has_a_name_without_its_year() -> None:
    assert [period_kind_name(k) for k in KINDS] == [
        "Quý I",
        "Quý II",
        "Quý III",
        "Quý IV",
        "6 tháng đầu năm",
        "9 tháng đầu năm",
        "Năm",
    ]


def test_an_unknown_period_lists_the_choices() -> None:
    with pytest.raises(KehoachError, match='kỳ báo cáo "q5" không có; chọn một trong: q1, q2'):
        period_name("q5", 2024)


def test_a_subject_reads_as_its_plan_or_programme_title(engine: Engine) -> None:
    load_path(engine, DEFINITIONS)
    names = subject_names(engine, [SEED_PLAN, "programme:de-an-996", "ke-hoach-da-xoa"])
    assert names[SEED_PLAN].text.startswith("Tăng cường, đổi mới hoạt động đo lường hỗ trợ")
    assert names[SEED_PLAN].text.endswith("thực hiện năm 2024")
    programme = names["programme:de-an-996"]
    assert (programme.kind, programme.key) == ("programme", "de-an-996")
    assert programme.text.startswith("Tổng hợp: Tăng cường, đổi mới hoạt động đo lường")
    assert "programme:" not in programme.text
    gone = names["ke-hoach-da-xoa"]
    assert (gone.title, gone.text) == (None, "ke-hoach-da-xoa")
    assert subject_name(engine, "programme:khong-co").text == "Tổng hợp: khong-co"
