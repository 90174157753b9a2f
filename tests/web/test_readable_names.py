"""Report runs and reminder mail as a person reads them: period names ("Quý II/2024"), plan and
programme titles instead of stored codes on /bao-cao, the mail's status in Vietnamese on a
unit's page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from kehoach_flow.db.queries import find_task, list_plans
from kehoach_flow.db.tables import ReportRun
from kehoach_flow.loading import load_path
from kehoach_flow.mail.transport import FileTransport
from kehoach_flow.reminders.sweep import sweep
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN
from tests.web.conftest import sign_in
from tests.web.helpers import link

PROGRAMME_TITLE = (
    "Tăng cường, đổi mới hoạt động đo lường hỗ trợ doanh nghiệp Việt Nam nâng cao năng lực "
    "cạnh tranh và hội nhập quốc tế giai đoạn đến năm 2025, định hướng đến năm 2030"
)


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return web_settings.model_copy(update={"today": date(2026, 1, 5)})


def _cells(page: str) -> list[list[str]]:
    """The report list's rows: the text of each cell but the files."""
    table = page.split("Các lần soạn")[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [re.findall(r"<td>([^<]*)</td>", row)[:2] for row in rows[1:]]


def test_the_reports_page_names_periods_and_subjects(web: TestClient, engine: Engine) -> None:
    at = datetime(2024, 7, 1, 2, 0, tzinfo=UTC)
    runs = [
        ("programme:de-an-996", "6m", date(2024, 6, 30)),
        (SEED_PLAN, "year", date(2024, 12, 31)),
        (SEED_PLAN, "q2", date(2024, 6, 14)),
        ("programme:khong-con", "9m", date(2024, 9, 30)),  # a programme no longer loaded
    ]
    rows = [
        {
            "subject": subject,
            "period": period,
            "year": 2024,
            "cutoff": cutoff,
            "generated_at": at,
            "content_hash": f"{n}" * 64,
            "files": [],
        }
        for n, (subject, period, cutoff) in enumerate(runs)
    ]
    with engine.begin() as conn:
        conn.execute(insert(ReportRun.__table__), rows)  # type: ignore[attr-defined]
    plan_title = next(p["title"] for p in list_plans(engine) if p["key"] == SEED_PLAN)
    sign_in(web)
    page = web.get("/bao-cao").text
    assert _cells(page) == [  # newest first
        ["Tổng hợp: khong-con", "9 tháng đầu năm 2024"],
        [plan_title, "Quý II/2024"],
        [plan_title, "Năm 2024"],
        [f"Tổng hợp: {PROGRAMME_TITLE}", "6 tháng đầu năm 2024"],
    ]
    for raw in ("q2/2024", "6m/2024", "year/2024", ">programme:"):
        assert raw not in page
    assert f'<option value="programme:de-an-996">Tổng hợp: {PROGRAMME_TITLE}</option>' in page
    # the programme pages: "Tổng hợp" said once
    link = f'<a href="/chuong-trinh/de-an-996">{PROGRAMME_TITLE}</a>'
    assert f"Tổng hợp theo chương trình: {link}" in page
    periods = re.findall(r'<option value="(\w+)">([^<]+)</option>', page.split('id="period"')[1])
    assert periods[:7] == [
        ("q1", "Quý I"),
        ("q2", "Quý II"),
        ("q3", "Quý III"),
        ("q4", "Quý IV"),
        ("6m", "6 tháng đầu năm"),
        ("9m", "9 tháng đầu năm"),
        ("year", "Năm"),
    ]


def test_the_unit_page_says_the_mail_was_sent_in_vietnamese(
    web: TestClient, web_settings: Settings, engine: Engine
) -> None:
    sweep(engine, web_settings, FileTransport(web_settings.data_dir / "outbox"), date(2024, 12, 20))
    sign_in(web)
    page = web.get("/don-vi/ttkt-tcdlcl").text
    mail = page.split("Thư nhắc việc đã gửi")[1]
    statuses = re.findall(r"<td>([^<]*)</td></tr>", mail)
    assert statuses and set(statuses) == {"Đã gửi"}
    assert ">sent<" not in page


def test_pages_name_plans_and_tasks_by_title_keys_only_in_links(
    web: TestClient, engine: Engine, definitions_copy: Path
) -> None:
    """/qua-han's plan column and the dependencies a task waits for, the task page's
    breadcrumb, its dependencies and the update form's meta line show titles; the keys stay
    in the links and data- attributes."""
    plan = definitions_copy / "plans" / "quang-tri-2024.yaml"
    dependent = "      - key: dau-tu-thiet-bi-gd2\n"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            dependent, dependent + "        depends_on: [khao-sat-30-dn]\n"
        ),
        encoding="utf-8",
    )
    load_path(engine, definitions_copy)
    title = next(p["title"] for p in list_plans(engine) if p["key"] == SEED_PLAN)
    survey = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")["title"]
    sign_in(web)

    overdue = web.get("/qua-han").text
    cells = re.findall(r'<td data-label="Kế hoạch" data-plan="([^"]+)">([^<]+)</td>', overdue)
    assert cells and set(cells) == {(SEED_PLAN, title)}
    # the open dependency a late task waits for, by its title, linked by its key
    row = overdue.split('<tr data-task="dau-tu-thiet-bi-gd2">')[1].split("</tr>")[0]
    assert (
        f'chờ: <a href="/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn" data-task="khao-sat-30-dn">'
        f"{survey}</a>" in row
    )
    assert "khao-sat-30-dn" not in re.sub(r"<[^>]+>", " ", overdue.split("<main>")[1])

    task = web.get(f"/nhiem-vu/{SEED_PLAN}/dau-tu-thiet-bi-gd2").text
    assert f'<a href="/ke-hoach/{SEED_PLAN}">{title}</a> ›' in task
    assert (
        f'<li data-task="khao-sat-30-dn"><a href="/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn">'
        f"{survey}</a>" in task
    )
    main = task.split("<main>")[1]
    visible = re.sub(r"<[^>]+>", " ", main)
    assert SEED_PLAN not in visible and "khao-sat-30-dn" not in visible

    form = web.get(link(f"{SEED_PLAN}/khao-sat-30-dn")).text
    meta = re.search(r'<p class="meta">([^<]+)', form)
    assert meta is not None and meta.group(1).startswith(f"{title} · Chủ trì:")
    assert SEED_PLAN not in re.sub(r"<[^>]+>", " ", form.split("<main>")[1])


def test_the_overview_and_a_unit_page_name_plans_and_units_keys_only_in_links(
    web: TestClient, engine: Engine
) -> None:
    """The overview's plan cards and a unit's page show the plan's title and the unit's name,
    not their keys (those stay in the links and data- attributes)."""
    title = next(p["title"] for p in list_plans(engine) if p["key"] == SEED_PLAN)
    sign_in(web)

    overview = web.get("/").text
    card = overview.split(f'<section class="card plan" data-plan="{SEED_PLAN}">')[1]
    card = card.split("</section>")[0]
    assert f'<a href="/ke-hoach/{SEED_PLAN}">{title}</a>' in card
    assert SEED_PLAN not in re.sub(r"<[^>]+>", " ", card)

    unit = web.get("/don-vi/qltcdlcl").text
    main = unit.split("<main>")[1]
    visible = re.sub(r"\S+@\S+", " ", re.sub(r"<[^>]+>", " ", main))  # but its address
    assert "qltcdlcl" not in visible and SEED_PLAN not in visible
    plans = re.findall(r'<div class="meta" data-plan="([^"]+)">([^<·]+) · hạn', main)
    assert plans and set(plans) == {(SEED_PLAN, f"{title}")}
    assert 'data-unit="qltcdlcl"' in main
