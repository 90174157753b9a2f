"""The plan and task pages: filters, search, history with evidence, escaping."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.links import LinkGrant, make_token
from tests.conftest import SEED_PLAN
from tests.web.conftest import csrf_of, sign_in

PLAN_URL = f"/ke-hoach/{SEED_PLAN}"


def shown_tasks(page: str) -> list[str]:
    return re.findall(r'<tr data-task="([^"]+)"', page)


def test_the_plan_page_lists_tasks_by_section_and_filters_them(web: TestClient) -> None:
    assert web.get(PLAN_URL).status_code == 303  # signed out: to the sign-in page
    sign_in(web)
    every = shown_tasks(web.get(PLAN_URL).text)
    assert len(every) == 7
    led = shown_tasks(web.get(PLAN_URL, params={"unit": "ttkt-tcdlcl"}).text)
    assert 0 < len(led) < 7
    found = shown_tasks(web.get(PLAN_URL, params={"q": "khao sat"}).text)  # without diacritics
    assert found == ["khao-sat-30-dn"]
    early = shown_tasks(web.get(PLAN_URL, params={"due_before": "2024-06-30"}).text)
    assert len(early) < 7
    nothing = web.get(PLAN_URL, params={"status": "blocked"}).text
    assert shown_tasks(nothing) == [] and "Không có nhiệm vụ nào khớp bộ lọc." in nothing
    assert web.get("/ke-hoach/khong-co").status_code == 404


def test_the_task_page_shows_history_and_evidence_downloads(
    web: TestClient, engine: Engine
) -> None:
    link = f"/cap-nhat/{make_token('test-secret', LinkGrant(f'{SEED_PLAN}/khao-sat-30-dn', 'qltcdlcl'))}"
    page = web.get(link).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    data = {
        "csrf_token": csrf_of(web, link),
        "version": version.group(1),
        "task": f"{SEED_PLAN}/khao-sat-30-dn",
        "status": "in_progress",
        "progress": "30",
        "note": "Đã gửi phiếu khảo sát",
    }
    saved = web.post(
        link, data=data, files={"evidence": ("phieu.pdf", b"%PDF-1.4 phieu", "application/pdf")}
    )
    assert saved.status_code == 200, saved.text
    sign_in(web)
    task = web.get(f"/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn")
    assert task.status_code == 200
    assert "Đã gửi phiếu khảo sát" in task.text and "Chưa thực hiện → Đang thực hiện" in task.text
    href = re.search(r'href="(/minh-chung/[0-9a-f]{64})">phieu.pdf<', task.text)
    assert href is not None
    download = web.get(href.group(1))
    assert download.status_code == 200 and download.content == b"%PDF-1.4 phieu"
    assert download.headers["content-type"] == "application/octet-stream"
    assert "attachment" in download.headers["content-disposition"]
    assert find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")["progress"] == 30


def test_a_script_in_a_title_is_escaped_on_every_page(
    web: TestClient, engine: Engine, definitions_copy: Path
) -> None:
    plan = definitions_copy / "plans" / "quang-tri-2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace("Khảo sát", "<script>alert(1)</script> Khảo sát", 1), encoding="utf-8"
    )
    load_path(engine, definitions_copy)
    sign_in(web)
    link = f"/cap-nhat/{make_token('test-secret', LinkGrant(f'{SEED_PLAN}/khao-sat-30-dn', 'qltcdlcl'))}"
    pages = (
        "/",
        PLAN_URL,
        f"/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn",
        "/qua-han",
        f"/tien-do?plan={SEED_PLAN}",
        "/don-vi/qltcdlcl",
        link,
    )
    for url in pages:
        page = web.get(url).text
        assert "<script>alert(1)</script>" not in page, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in web.get(PLAN_URL).text


def test_the_plan_page_charts_completion_by_group_and_budget_by_source(
    web: TestClient, engine: Engine
) -> None:
    from kehoach_flow.tracking.history import Author, UpdateIn, record_update
    from kehoach_flow.tracking.status import Status

    task = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")
    record_update(
        engine,
        task["id"],
        UpdateIn(status=Status.DONE, progress=100, spending={"sn-khcn-2024": 30_000_000}),
        Author("x", "cli"),
    )
    sign_in(web)
    page = web.get(PLAN_URL).text
    bars = dict(re.findall(r'data-group="([^"]+)">.*?<span class="hvalue">(\d+/\d+)</span>', page))
    assert bars[task["group"]].startswith("1/")
    assert "Kinh phí theo nguồn" in page and "30.000.000" in page
    assert (
        "data-group=" not in web.get(PLAN_URL, params={"q": "khao"}).text
    )  # filtered: a plain list
