"""A synthetic national dataset for `kehoach bench`: 34 provinces x 300 tasks as plan files."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import yaml

PROVINCES = 34
UNITS_PER_PROVINCE = 20
GROUPS = ("2.1", "2.2", "2.3", "2.4", "2.5")
SUBSECTIONS = 3
TASKS_PER_SUBSECTION = 20  # 5 groups x 3 subsections x 20 = 300 tasks a province
SCHEDULES = ("Cả năm", "Quý I-II", "Quý 3", "Tháng 3-5", "6 tháng cuối năm", "Trước 30/9")


def generate(
    target: Path,
    programme_file: Path,
    seed: int = 996,
    provinces: int = PROVINCES,
    tasks_per_subsection: int = TASKS_PER_SUBSECTION,
) -> Path:
    """Write units.yaml, the programme and one plan per province under `target`."""
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    (target / "plans").mkdir(parents=True)
    (target / "programmes").mkdir()
    shutil.copy(programme_file, target / "programmes" / programme_file.name)
    units: dict[str, Any] = {}
    for p in range(1, provinces + 1):
        for u in range(1, UNITS_PER_PROVINCE + 1):
            units[f"p{p:02d}-u{u:02d}"] = {
                "name": f"Đơn vị {u} tỉnh {p}",
                "short": f"ĐV{u}-T{p}",
                "email": f"u{u}.p{p}@example.vn",
                "head": {"name": f"Trưởng đơn vị {u}", "email": f"head{u}.p{p}@example.vn"},
            }
    _dump(target / "units.yaml", {"units": units})
    for p in range(1, provinces + 1):
        _dump(target / "plans" / f"province-{p:02d}.yaml", _plan(p, rng, tasks_per_subsection))
    return target


def _dump(path: Path, data: Any) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(
        yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def _plan(p: int, rng: random.Random, per_subsection: int = TASKS_PER_SUBSECTION) -> dict[str, Any]:
    units = [f"p{p:02d}-u{u:02d}" for u in range(1, UNITS_PER_PROVINCE + 1)]
    sections = []
    total = 0
    for g, group in enumerate(GROUPS, start=1):
        subsections = []
        group_sum = 0
        for s in range(1, SUBSECTIONS + 1):
            tasks = [_task(p, g, s, t, units, rng) for t in range(1, per_subsection + 1)]
            amount = sum(line["amount"] for task in tasks for line in task["funding"])
            group_sum += amount
            subsections.append(
                {"key": f"{g}.{s}", "title": f"Nội dung {g}.{s}", "amount": amount, "tasks": tasks}
            )
        total += group_sum
        sections.append(
            {
                "key": str(g),
                "title": f"Nhóm giải pháp {group}",
                "group": group,
                "amount": group_sum,
                "sections": subsections,
            }
        )
    return {
        "plan": {
            "key": f"province-{p:02d}-2024",
            "title": f"Kế hoạch thực hiện Đề án 996 năm 2024 của tỉnh {p}",
            "year": 2024,
            "issuer": f"Sở Khoa học và Công nghệ tỉnh {p}",
            "place": f"Tỉnh {p}",
            "programme": "de-an-996",
            "coordinator": units[0],
            "money_unit": "trieu",
            "funding_sources": {
                "sn-khcn": "Kinh phí sự nghiệp KHCN",
                "dia-phuong": "Ngân sách địa phương",
            },
            "total": total,
            # The bench records progress, never a done report: review does not change its
            # figures; off, its plans behave as they did before review was on by default.
            "review": False,
        },
        "sections": sections,
    }


def _task(p: int, g: int, s: int, t: int, units: list[str], rng: random.Random) -> dict[str, Any]:
    key = f"t{g}-{s}-{t:02d}"
    partners = rng.sample([u for u in units[1:]], 2)
    task: dict[str, Any] = {
        "key": key,
        "title": f"Nhiệm vụ {g}.{s}.{t} của tỉnh {p}: khảo sát, hỗ trợ doanh nghiệp về đo lường",
        "result": f"{t} báo cáo; {rng.randint(1, 30)} doanh nghiệp được hỗ trợ",
        "targets": [
            {"quantity": t, "unit": "báo cáo"},
            {"quantity": rng.randint(1, 30), "unit": "doanh nghiệp"},
        ],
        "lead": rng.choice(units),
        "partners": partners,
        "schedule": rng.choice(SCHEDULES),
        "funding": [
            {"source": "sn-khcn", "amount": rng.randint(10, 500)},
            {"source": "dia-phuong", "amount": rng.randint(0, 100)},
        ],
    }
    if t > 1 and t % 4 == 0:
        task["schedule"] = "Cả năm"
        task["depends_on"] = [f"t{g}-{s}-{t - 1:02d}"]
    return task
