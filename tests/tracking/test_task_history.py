"""A task's history as people read it: authors by name, each entry's figures."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.task_history import readable_history
from tests.tracking.helpers import FIGURES_PLAN, write_figures_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_each_entry_names_its_author_and_carries_its_figures(
    engine: Engine, definitions_copy: Path
) -> None:
    load_path(engine, write_figures_plan(definitions_copy))
    add_user(engine, "dieu-phoi", "Lê Văn Cường", "coordinator", "mat-khau-du-dai-1")
    task_id = int(find_task(engine, f"{FIGURES_PLAN}/ho-tro-dn")["id"])
    first = datetime.combine(date(2024, 3, 1), time(9), tzinfo=TZ)
    second = datetime.combine(date(2024, 4, 1), time(9), tzinfo=TZ)
    change = UpdateIn(actuals={"doanh nghiệp": 4}, spending={"sn-khcn-2024": 5_000_000})
    record_update(engine, task_id, change, Author("qltcdlcl", "web", first), now=first)
    record_update(
        engine, task_id, UpdateIn(progress=10), Author("dieu-phoi", "api", second), now=second
    )

    newest, oldest = readable_history(engine, task_id)
    assert (newest["version"], newest["author"]["text"]) == (3, "Lê Văn Cường qua API")
    assert newest["figures"] == {"actuals": [], "spending": [], "text": ""}
    assert oldest["author"]["text"] == "Phòng Quản lý TCĐLCL qua trang web"
    assert (oldest["actor"], oldest["channel"]) == ("qltcdlcl", "web")  # as stored, kept
    assert oldest["figures"]["text"] == (
        "4/30 doanh nghiệp; đã chi Kinh phí sự nghiệp KHCN năm 2024: 5.000.000 đ"
    )
    assert [a["actual"] for a in oldest["figures"]["actuals"]] == [4]
    assert [s["spent"] for s in oldest["figures"]["spending"]] == [5_000_000]
