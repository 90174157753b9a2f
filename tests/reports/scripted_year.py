"""A realistic year of the seed plan, recorded through `kehoach update` as the units would:
tasks done on time and late, one still running past its deadline, one never started, with
the units' notes, difficulties and proposals, and the coordinator confirming each done
report a few working days later (the seed plan has completion review, on by default). The
report tests and docs/examples use it.

The plan is the seed plan (definitions/plans/quang-tri-2024.yaml) with the deadlines a real
appendix gives some of its rows ("6 tháng đầu năm", "Quý II-III", "Quý III") instead of
"Cả năm" for all: without them no task could be late at a cut-off.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import yaml

from kehoach_flow.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEFINITIONS = REPO / "definitions"
PLAN = "qt-skhcn-2024-do-luong"
Q2_ISSUED = date(2024, 6, 20)
YEAR_ISSUED = date(2024, 12, 18)
BASIS = (
    "Công văn số 1234/BKHCN-TĐC ngày 05/6/2024 của Bộ Khoa học và Công nghệ về việc báo cáo "
    "tình hình thực hiện Đề án 996"
)
SCHEDULES = {
    "to-chuc-kiem-dinh": "6 tháng đầu năm",
    "khao-sat-30-dn": "Quý II-III",
    "boi-duong-can-bo": "Quý III",
}

# (task, date, options): in date order, as the units reported.
UPDATES: list[tuple[str, str, tuple[str, ...]]] = [
    ("chuan-do-luong", "2024-03-15", ("--status", "in_progress", "--progress", "50")),
    (
        "to-chuc-kiem-dinh",
        "2024-03-20",
        ("--status", "in_progress", "--progress", "40", "--note", "Đã lập hồ sơ đăng ký mở rộng"),
    ),
    (
        "tuyen-truyen-996",
        "2024-04-10",
        ("--status", "in_progress", "--actual", "bài viết=1", "--note", "Đã đăng 01 bài viết"),
    ),
    (
        "khao-sat-30-dn",
        "2024-05-10",
        (
            "--status",
            "in_progress",
            "--actual",
            "doanh nghiệp=12",
            "--difficulty",
            "Một số doanh nghiệp chưa bố trí được thời gian phối hợp khảo sát.",
        ),
    ),
    (
        "dau-tu-thiet-bi-gd2",
        "2024-06-05",
        ("--difficulty", "Chưa được bố trí vốn đầu tư công năm 2024"),
    ),
    (
        "chuan-do-luong",
        "2024-06-10",
        (
            "--status",
            "done",
            "--note",
            "Hệ thống chuẩn đo lường được duy trì, hiệu chuẩn định kỳ đúng hạn",
        ),
    ),
    (
        "to-chuc-kiem-dinh",
        "2024-07-20",
        (
            "--status",
            "done",
            "--note",
            "Trung tâm được chỉ định mở rộng thêm 05 lĩnh vực kiểm định, hiệu chuẩn",
        ),
    ),
    (
        "ctdl-ap-dung",
        "2024-08-15",
        ("--status", "in_progress", "--actual", "chương trình=1"),
    ),
    (
        "dau-tu-thiet-bi-gd2",
        "2024-09-16",
        (
            "--status",
            "in_progress",
            "--progress",
            "30",
            "--note",
            "Đã hoàn thành lựa chọn nhà thầu cung cấp thiết bị",
        ),
    ),
    (
        "boi-duong-can-bo",
        "2024-10-01",
        (
            "--difficulty",
            "Trong năm, các cơ quan ở Trung ương chưa mở lớp bồi dưỡng nghiệp vụ đo lường",
            "--proposal",
            "Đề nghị Tổng cục Tiêu chuẩn Đo lường Chất lượng tổ chức các lớp bồi dưỡng chuyên "
            "gia tư vấn đảm bảo đo lường tại địa phương",
        ),
    ),
    (
        "tuyen-truyen-996",
        "2024-11-25",
        ("--status", "done", "--actual", "phóng sự=1", "--actual", "bài viết=2"),
    ),
    (
        "khao-sat-30-dn",
        "2024-11-30",
        (
            "--actual",
            "doanh nghiệp=24",
            "--difficulty",
            "Một số doanh nghiệp chưa bố trí được thời gian phối hợp khảo sát",
            "--proposal",
            "Đề nghị bố trí kinh phí năm 2025 để hoàn thành khảo sát 06 doanh nghiệp còn lại",
        ),
    ),
]

# task -> the day the coordinator (qltcdlcl) confirms its done report (`kehoach review confirm`)
CONFIRMED = {
    "chuan-do-luong": "2024-06-12",
    "to-chuc-kiem-dinh": "2024-07-23",
    "tuyen-truyen-996": "2024-11-27",
}


def example_definitions(target: Path) -> Path:
    """A copy of definitions/ whose seed plan gives some tasks their own deadlines."""
    shutil.copytree(DEFINITIONS, target)
    path = target / "plans" / "quang-tri-2024.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in data["sections"]:
        for task in section.get("tasks", []):
            if task["key"] in SCHEDULES:
                task["schedule"] = SCHEDULES[task["key"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def example_settings(work: Path) -> Settings:
    """Settings on a new SQLite file under `work`, reading the example definitions."""
    from kehoach_flow.db.engine import create_db_engine, upgrade

    settings = Settings(
        data_dir=work / "data",
        definitions=example_definitions(work / "definitions"),
        today=date(2024, 12, 18),
        _env_file=None,
    )
    settings.ensure_data_dir()
    engine = create_db_engine(settings.resolved_database_url())
    upgrade(engine)
    engine.dispose()
    return settings


def record_year(settings: Settings, until: date | None = None) -> None:
    """Load the plan and record the year's updates (those dated up to `until`)."""
    from tests.conftest import run_cli

    loaded = run_cli(settings, "load")
    assert loaded.exit_code == 0, loaded.stdout + loaded.stderr
    for task, day, options in UPDATES:
        if until is not None and date.fromisoformat(day) > until:
            continue
        result = run_cli(settings, "update", task, *options, "--date", day, "--by", "qltcdlcl")
        assert result.exit_code == 0, f"{task} {day}: {result.stdout}{result.stderr}"
        confirmed = CONFIRMED.get(task) if "done" in options else None
        if confirmed and (until is None or date.fromisoformat(confirmed) <= until):
            args = ("review", "confirm", task, "--date", confirmed, "--by", "qltcdlcl")
            result = run_cli(settings, *args)
            assert result.exit_code == 0, f"{task} {confirmed}: {result.stdout}{result.stderr}"
