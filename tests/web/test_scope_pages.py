"""The HTML pages obey the scope rule (accounts/scope.py), issue 21 point 3, on a ministry and
two provinces in one database (SQLite and Postgres).

Units: the ministry (bo-khcn) above province A (tinh-01) and province B (tinh-02), each above
its generated units p0N-uXX; plan province-0N-2024 (both of Đề án 996) is coordinated by
p0N-u01. A's coordinator and viewer get the 404 page for B's plan, its tasks and its evidence,
and see only A in every list and count: the overview, /qua-han and its xlsx, /tien-do,
/hom-nay, /thu, /don-vi; the programme page says it shows 1 of 2 plans. The ministry's
viewer sees both; /luong is for whole-installation accounts only.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.bench.reminders import BUSY_DAY
from kehoach_flow.db.queries import find_task, list_tasks
from kehoach_flow.orchestration.runs import claim, settle
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.evidence import store_evidence
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.snapshots import write_snapshot
from kehoach_flow.tracking.status import Status
from kehoach_flow.web.app import create_app
from tests.web.conftest import sign_in
from tests.web.helpers import PASSWORD
from tests.web.orgs import bench_definitions, first_task_update, open_world, sent_message
from tests.web.scope_world import TREE

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PLAN_A, PLAN_B = "province-01-2024", "province-02-2024"
BOTH = {PLAN_A, PLAN_B}
ACCOUNTS: dict[str, tuple[str, str | None]] = {  # username -> (role, unit)
    "toanquoc": ("coordinator", None),
    "tinh-a": ("coordinator", "tinh-01"),
    "xem-a": ("viewer", "tinh-01"),
    "bo-xem": ("viewer", "bo-khcn"),
}
PROVINCE_A = ("tinh-a", "xem-a")


@dataclass
class World:
    app: object
    engine: Engine
    evidence: dict[str, str]  # plan -> sha256 of an evidence file carried by one of its updates
    tasks: dict[str, str]  # plan -> a task key of it
    unit_lead: str  # a unit of A leading tasks of A's plan (not its coordinator)

    def browser(self, username: str) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)  # type: ignore[arg-type]
        assert sign_in(client, username=username) == 303
        return client


def _outbox(engine: Engine, plan: str, task: str, recipient: str, n: int) -> None:
    keys = [f"{recipient}|due_soon|{plan}/{task}|{BUSY_DAY}"]
    sent_message(engine, recipient, f"Nhắc việc kế hoạch {plan}", keys, f"<{n}@example.vn>", n)


@pytest.fixture
def world(tmp_path: Path, settings: Settings, engine: Engine) -> World:
    ours, _ = open_world(bench_definitions(tmp_path, TREE), settings, engine, ACCOUNTS)
    tasks_a = list_tasks(engine, plan=PLAN_A)
    unit_lead = next(t["lead"]["key"] for t in tasks_a if t["lead"]["key"] != "p01-u01")
    add_user(engine, "donvi-a", "Trưởng đơn vị tỉnh A", "viewer", PASSWORD, unit_key=unit_lead)
    evidence, tasks = {}, {}
    for n, plan in enumerate((PLAN_A, PLAN_B), 1):
        change = UpdateIn(status=Status.IN_PROGRESS, progress=30 * n)
        content = f"minh chứng {plan}".encode()
        tasks[plan], evidence[plan] = first_task_update(
            engine, ours, tmp_path, plan, n, change, content
        )
        _outbox(engine, plan, tasks[plan], f"u1.p0{n}@example.vn", n)
        for day in range(31):  # a month of daily snapshots
            done = 1 + day // 10
            overall = {"done": done, "total": 15, "completion_percent": round(100 * done / 15, 1)}
            write_snapshot(engine, plan, BUSY_DAY - timedelta(days=31 - day), {"overall": overall})
    app = create_app(ours, engine)
    return World(app, engine, evidence, tasks, unit_lead)


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _plans_linked(page: str) -> set[str]:
    return set(re.findall(r'href="/(?:ke-hoach|nhiem-vu)/(province-\d\d-2024)', page))


def _overdue(client: TestClient, query: str = "") -> tuple[int, set[str], set[str], set[str]]:
    """/qua-han: its count, the plans of its rows, the plans and lead units it offers."""
    page = client.get(f"/qua-han{query}")
    assert page.status_code == 200
    found = re.search(r'<p class="meta">(\d+) nhiệm vụ đến ngày', page.text)
    assert found is not None
    count = int(found.group(1))
    rows = set(re.findall(r'href="/nhiem-vu/(province-\d\d-2024)/', page.text))
    plan_select = page.text.split('name="plan"')[1].split("</select>")[0]
    offered = set(re.findall(r'<option value="(province-[^"]+)"', plan_select))
    lead_select = page.text.split('name="lead"')[1].split("</select>")[0]
    leads = set(re.findall(r'<option value="(p\d\d-u\d\d)"', lead_select))
    return count, rows, offered, leads


def _xlsx_plans(client: TestClient) -> list[str]:
    sheet = load_workbook(io.BytesIO(client.get("/qua-han.xlsx").content)).active
    assert sheet is not None
    return [str(r[0]) for r in sheet.iter_rows(min_row=3, values_only=True)]


def _not_found_as_unknown(client: TestClient, url: str, unknown: str, key: str, fake: str) -> None:
    """`url` gets the very page an address naming something that does not exist gets."""
    page, missing = client.get(url), client.get(unknown)
    assert page.status_code == missing.status_code == 404
    assert _text(page.text).replace(key, "X") == _text(missing.text).replace(fake, "X")


def test_a_province_sees_its_own_plans_only_on_every_page(world: World) -> None:
    everyone = world.browser("toanquoc")
    whole_count, whole_rows, _, _ = _overdue(everyone)
    assert whole_rows == BOTH
    count_a, _, _, _ = _overdue(everyone, f"?plan={PLAN_A}")
    assert 0 < count_a < whole_count
    leads_a = {
        t["lead"]["key"]
        for t in list_tasks(world.engine, plan=PLAN_A)
        if t["key"]
        in re.findall(r'data-task="([^"]+)"', everyone.get(f"/qua-han?plan={PLAN_A}").text)
    }
    xlsx_a = [p for p in _xlsx_plans(everyone) if p == PLAN_A]
    for username in PROVINCE_A:
        client = world.browser(username)
        b_task = f"/nhiem-vu/{PLAN_B}/{world.tasks[PLAN_B]}"
        _not_found_as_unknown(
            client, f"/ke-hoach/{PLAN_B}", "/ke-hoach/khong-co", PLAN_B, "khong-co"
        )
        _not_found_as_unknown(
            client, b_task, f"/nhiem-vu/khong-co/{world.tasks[PLAN_B]}", PLAN_B, "khong-co"
        )
        sha_b = world.evidence[PLAN_B]
        fake = "0" * 64
        _not_found_as_unknown(
            client, f"/minh-chung/{sha_b}", f"/minh-chung/{fake}", sha_b[:12], fake[:12]
        )
        assert client.get(f"/ke-hoach/{PLAN_A}").status_code == 200
        assert client.get(f"/nhiem-vu/{PLAN_A}/{world.tasks[PLAN_A]}").status_code == 200
        assert client.get(f"/minh-chung/{world.evidence[PLAN_A]}").status_code == 200

        overview = client.get("/")
        assert overview.status_code == 200
        assert set(re.findall(r'data-plan="([^"]+)"', overview.text)) == {PLAN_A}
        assert _plans_linked(overview.text) == {PLAN_A}
        text = _text(overview.text)
        assert "1 cập nhật nhận được" in text and "1 thư nhắc việc đã gửi" in text
        assert "Việc của đơn vị tôi" in text  # the province's own units' work

        count, rows, offered, leads = _overdue(client)
        assert (count, rows, offered) == (count_a, {PLAN_A}, {PLAN_A})
        assert leads == leads_a
        assert _overdue(client, f"?plan={PLAN_B}")[:2] == (0, set())
        assert _xlsx_plans(client) == xlsx_a

        timeline = client.get("/tien-do")
        assert set(re.findall(r'<option value="(province-[^"]+)"', timeline.text)) == {PLAN_A}
        assert client.get(f"/tien-do?plan={PLAN_B}").status_code == 404

        today = client.get("/hom-nay")
        assert _plans_linked(today.text) == {PLAN_A}
        assert "Thư nhắc việc đã gửi: 1" in _text(today.text)
        assert "u1.p02@example.vn" not in today.text and "ĐV1-T2" not in today.text

        mail = client.get("/thu")
        assert "u1.p01@example.vn" in mail.text and "u1.p02@example.vn" not in mail.text

        assert client.get("/don-vi/p02-u01").status_code == 404
        assert client.get("/don-vi/tinh-02").status_code == 404
        unit_a = client.get("/don-vi/p01-u01")
        assert unit_a.status_code == 200 and _plans_linked(unit_a.text) <= {PLAN_A}

        programme = client.get("/chuong-trinh/de-an-996")
        assert programme.status_code == 200
        assert "Chỉ gồm các kế hoạch anh/chị được xem (1/2)." in _text(programme.text)
        assert set(re.findall(r'<tr data-plan="([^"]+)"', programme.text)) == {PLAN_A}
        assert client.get("/luong").status_code == 403


def test_the_ministry_sees_both_provinces_and_the_whole_programme(world: World) -> None:
    everyone = world.browser("toanquoc")
    ministry = world.browser("bo-xem")
    for client in (everyone, ministry):
        overview = client.get("/")
        assert set(re.findall(r'data-plan="([^"]+)"', overview.text)) == BOTH
        assert "2 cập nhật nhận được" in _text(overview.text)
        for plan in BOTH:
            assert client.get(f"/ke-hoach/{plan}").status_code == 200
            assert client.get(f"/minh-chung/{world.evidence[plan]}").status_code == 200
        assert _overdue(client)[1] == BOTH
        assert _plans_linked(client.get("/hom-nay").text) == BOTH
        mail = client.get("/thu").text
        assert "u1.p01@example.vn" in mail and "u1.p02@example.vn" in mail
        assert client.get("/don-vi/p02-u01").status_code == 200
        programme = client.get("/chuong-trinh/de-an-996")
        assert set(re.findall(r'<tr data-plan="([^"]+)"', programme.text)) == BOTH
        assert "Chỉ gồm" not in programme.text
    assert "Việc của đơn vị tôi" in ministry.get("/").text
    assert "Việc của đơn vị tôi" not in everyone.get("/").text
    assert everyone.get("/luong").status_code == 200
    assert ministry.get("/luong").status_code == 403


def test_a_unit_lead_sees_its_units_work_with_its_update_links(world: World) -> None:
    client = world.browser("donvi-a")
    page = client.get("/")
    assert page.status_code == 200
    section = page.text.split('class="card unit-work"')[1].split("</section>")[0]
    own = {
        t["key"]
        for t in list_tasks(world.engine, plan=PLAN_A)
        if t["lead"]["key"] == world.unit_lead
    }
    shown = {key.split("/")[1] for key in re.findall(r'data-task="([^"]+)"', section)}
    assert shown and shown <= own
    assert f'<a href="/don-vi/{world.unit_lead}">trang của đơn vị</a>' in section
    links = re.findall(r'class="update-link" href="(/cap-nhat/[^"]+)"', section)
    assert links
    form = TestClient(world.app).get(links[0])  # type: ignore[arg-type]
    assert form.status_code == 200
    assert find_task(world.engine, f"{PLAN_A}/{sorted(shown)[0]}")["lead"]["key"] == world.unit_lead
    # the plan it sees (it leads tasks in it); not the other province's
    assert client.get(f"/ke-hoach/{PLAN_B}").status_code == 404
    assert client.get(f"/ke-hoach/{PLAN_A}").status_code == 200


def test_a_file_in_both_provinces_comes_under_the_name_of_a_plan_the_account_sees(
    world: World, tmp_path: Path
) -> None:
    at = datetime.combine(BUSY_DAY, time(10), tzinfo=TZ)
    sha = ""
    for plan, name in ((PLAN_B, "bien-ban-tinh-b.pdf"), (PLAN_A, "bien-ban-tinh-a.pdf")):
        source = tmp_path / name
        source.write_bytes(b"the same scanned page")
        stored = store_evidence(source, tmp_path / "data", 1 << 20)
        sha = stored.sha256
        task = find_task(world.engine, f"{plan}/{world.tasks[plan]}")
        author = Author(task["lead"]["key"], "web", at)
        change = UpdateIn(note="Biên bản")
        record_update(world.engine, int(task["id"]), change, author, evidence=[stored], now=at)
    got = world.browser("tinh-a").get(f"/minh-chung/{sha}")
    assert got.status_code == 200
    assert 'filename="bien-ban-tinh-a.pdf"' in got.headers["content-disposition"]


def test_a_failed_daily_job_is_shown_to_whole_installation_accounts_only(world: World) -> None:
    slot = datetime.combine(BUSY_DAY, time(6), tzinfo=TZ)
    assert claim(world.engine, "daily", slot)
    settle(world.engine, "daily", slot, "failed", "máy chủ thư không trả lời")
    assert "job-failure" in world.browser("toanquoc").get("/").text
    assert 'href="/luong"' in world.browser("toanquoc").get("/").text
    for username in ("tinh-a", "bo-xem"):  # its link, /luong, would be refused to them
        page = world.browser(username).get("/").text
        assert "job-failure" not in page
        assert 'href="/luong"' not in page  # nor is it in their menu


def test_an_account_of_a_unit_with_no_plan_gets_empty_pages_not_errors(
    world: World, engine: Engine
) -> None:
    leads = {t["lead"]["key"] for plan in BOTH for t in list_tasks(engine, plan=plan)}
    idle = next(f"p01-u{u:02d}" for u in range(2, 21) if f"p01-u{u:02d}" not in leads)
    add_user(engine, "moi", "Đơn vị chưa có việc", "viewer", PASSWORD, unit_key=idle)
    client = world.browser("moi")
    overview = client.get("/")
    assert overview.status_code == 200
    assert "data-plan" not in overview.text
    assert "Chưa có kế hoạch nào của đơn vị anh/chị." in overview.text
    assert "0 cập nhật nhận được" in _text(overview.text)
    for url in ("/qua-han", "/qua-han.xlsx", "/tien-do", "/hom-nay", "/thu"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert PLAN_A not in page.text and PLAN_B not in page.text, url
    assert client.get("/chuong-trinh/de-an-996").status_code == 404
