"""An update's author as a person reads it: names, not keys; the channel in Vietnamese."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.loading import load_path
from kehoach_flow.tracking.authors import Directory, author_name, read_directory
from tests.conftest import DEFINITIONS

PEOPLE = Directory(
    units={"qltcdlcl": "Phòng Quản lý TCĐLCL", "an": "Đơn vị tên trùng"},
    users={"an": "Nguyễn Văn An"},
)


@pytest.mark.parametrize(
    ("actor", "channel", "text", "kind"),
    [
        ("qltcdlcl", "web", "Phòng Quản lý TCĐLCL qua trang web", "unit"),
        ("an", "api", "Nguyễn Văn An qua API", "user"),
        ("an", "cli", "Nguyễn Văn An qua dòng lệnh", "user"),
        ("an", "web", "Đơn vị tên trùng qua trang web", "unit"),  # the link names a unit
        ("qltcdlcl", "cli", "Phòng Quản lý TCĐLCL qua dòng lệnh", "unit"),
        ("root", "cli", "root qua dòng lệnh", "other"),
        ("qltcdlcl", "import", "Phòng Quản lý TCĐLCL khi nhập dữ liệu", "unit"),
    ],
)
def test_an_author_reads_as_a_name_and_a_channel(
    actor: str, channel: str, text: str, kind: str
) -> None:
    name = author_name(actor, channel, PEOPLE)
    assert (name.text, name.kind) == (text, kind)


def test_the_directory_holds_units_short_names_and_accounts_names(engine: Engine) -> None:
    load_path(engine, DEFINITIONS)
    add_user(engine, "lanh-dao", "Trần Thị Bình", "viewer", "mat-khau-du-dai-1")
    directory = read_directory(engine)
    assert directory.author("qltcdlcl", "web").as_dict() == {
        "name": "Phòng Quản lý TCĐLCL",
        "via": "qua trang web",
        "kind": "unit",
        "text": "Phòng Quản lý TCĐLCL qua trang web",
    }
    assert directory.author("lanh-dao", "api").text == "Trần Thị Bình qua API"


def test_a_unit_without_a_short_name_reads_as_its_full_name(
    engine: Engine, definitions_copy: Path
) -> None:
    units = definitions_copy / "units.yaml"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("    short: Phòng KH-TC\n", ""), encoding="utf-8")
    load_path(engine, definitions_copy)
    assert read_directory(engine).author("kh-tc", "web").who == "Phòng Kế hoạch - Tài chính"
