"""Issue 21, acceptance, in one place: a ministry and two provinces on one database (SQLite and
Postgres; tests/web/orgs.py). Every address of the other province's plan (its page, a task,
the evidence, the timeline, its report file and the programme rollup's, the API's tasks,
task and files) is the not-found or forbidden answer for each account of a province, and each
write (an update through the API, a report through the API and the page, a plan-file upload)
is refused and changes nothing; the ministry's viewer, whose department owns the programme,
reads both provinces and the rollup; an admin of province A manages A's accounts only."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from kehoach_flow.db.engine import create_db_engine
from kehoach_flow.db.queries import find_task
from kehoach_flow.db.tables import PROGRAMME as PROGRAMME_TABLE
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.web.conftest import csrf_of
from tests.web.orgs import BOTH, OPERATOR, PLAN_A, PLAN_B, PROGRAMME, SEES, Orgs, build_orgs

ROLLUP = f"programme:{PROGRAMME}"
OTHER = {PLAN_A: PLAN_B, PLAN_B: PLAN_A}


@pytest.fixture
def orgs(tmp_path: Path, settings: Settings, engine: Engine) -> Orgs:
    return build_orgs(tmp_path, settings, engine)


@dataclass(frozen=True)
class Reads:
    pages: tuple[str, ...]
    api: tuple[str, ...]


def _file_of(engine: Engine, run_id: int) -> str:
    [run] = [r for r in list_runs(engine) if r["id"] == run_id]
    return Path(str(run["files"][0])).name  # type: ignore[index]


def _reads(orgs: Orgs, plan: str) -> Reads:
    """Every address that reads `plan` (its task, evidence, report file)."""
    task = orgs.tasks[plan]
    run = orgs.runs[plan]
    name = _file_of(orgs.engine, run)
    return Reads(
        (
            f"/ke-hoach/{plan}",
            f"/nhiem-vu/{plan}/{task}",
            f"/minh-chung/{orgs.evidence[plan]}",
            f"/tien-do?plan={plan}",
            f"/bao-cao/{run}/{name}",
        ),
        (
            f"/api/plans/{plan}/tasks",
            f"/api/tasks/{plan}/{task}",
            f"/api/reports/{run}/files/{name}",
        ),
    )


def _rollup(orgs: Orgs) -> Reads:
    run = orgs.runs[ROLLUP]
    name = _file_of(orgs.engine, run)
    return Reads((f"/bao-cao/{run}/{name}",), (f"/api/reports/{run}/files/{name}",))


def _statuses(browser: TestClient, api: TestClient, reads: Reads) -> dict[str, int]:
    found = {url: browser.get(url).status_code for url in reads.pages}
    found |= {f"api {url}": api.get(url).status_code for url in reads.api}
    return found


def _writes(orgs: Orgs, username: str, plan: str) -> dict[str, int]:
    """Try every write on `plan` as `username`; the status of each."""
    browser, api = orgs.browser(username), orgs.api(username)
    task = find_task(orgs.engine, f"{plan}/{orgs.tasks[plan]}")
    update = api.post(
        f"/api/tasks/{plan}/{orgs.tasks[plan]}/updates",
        json={"version": task["version"], "progress": 90, "note": "Ghi đè"},
    )
    report = api.post(
        "/api/reports", json={"plan": plan, "period": "q2", "year": 2024, "formats": ["md"]}
    )
    csrf = csrf_of(browser, "/doi-mat-khau")
    page = browser.post(
        "/bao-cao",
        data={"csrf_token": csrf, "subject": f"plan:{plan}", "period": "q2", "year": "2024"},
    )
    number = plan.split("-")[1]
    source = orgs.settings.definitions / "plans" / f"province-{number}.yaml"
    text = source.read_text(encoding="utf-8").replace("năm 2024", "năm 2024 (sửa)", 1)
    upload = browser.post(
        "/dinh-nghia",
        data={"csrf_token": csrf},
        files={"file": (source.name, text.encode(), "application/yaml")},
    )
    return {
        "api update": update.status_code,
        "api report": report.status_code,
        "report page": page.status_code,
        "upload": upload.status_code,
    }


def _state(orgs: Orgs) -> tuple[object, ...]:
    """What a refused write must leave as it was."""
    tasks = tuple(find_task(orgs.engine, f"{p}/{orgs.tasks[p]}")["version"] for p in sorted(BOTH))
    files = tuple(
        p.read_text(encoding="utf-8")
        for p in sorted((orgs.settings.definitions / "plans").glob("*.yaml"))
    )
    uploads = orgs.settings.data_dir / "uploads"
    staged = sorted(uploads.iterdir()) if uploads.exists() else []
    return tasks, len(list_runs(orgs.engine)), files, staged


@pytest.mark.parametrize("username", ["chutri-a", "xem-a", "quantri-a", "chutri-b"])
def test_a_province_reaches_nothing_of_the_other_one(orgs: Orgs, username: str) -> None:
    [own] = SEES[username]
    other = OTHER[own]
    browser, api = orgs.browser(username), orgs.api(username)
    refused = _statuses(browser, api, _reads(orgs, other)) | _statuses(browser, api, _rollup(orgs))
    assert {url: code for url, code in refused.items() if code not in (403, 404)} == {}
    reads_own = _statuses(browser, api, _reads(orgs, own))
    assert {url: code for url, code in reads_own.items() if code != 200} == {}

    before = _state(orgs)
    writes = _writes(orgs, username, other)
    assert {what: code for what, code in writes.items() if code not in (403, 404)} == {}
    assert _state(orgs) == before
    if username.startswith("chutri"):  # the same requests on its own plan go through
        assert _writes(orgs, username, own) == {
            "api update": 201,
            "api report": 201,
            "report page": 303,
            "upload": 200,
        }


def test_the_ministry_reads_both_provinces_and_the_rollup_and_writes_nothing(
    orgs: Orgs,
) -> None:
    for username in ("bo-xem", "quantri"):
        browser, api = orgs.browser(username), orgs.api(username)
        reads = [_reads(orgs, plan) for plan in sorted(BOTH)] + [_rollup(orgs)]
        found: dict[str, int] = {}
        for read in reads:
            found |= _statuses(browser, api, read)
        assert {url: code for url, code in found.items() if code != 200} == {}, username
        programme = browser.get(f"/chuong-trinh/{PROGRAMME}")
        assert programme.status_code == 200
        assert "Chỉ gồm" not in programme.text  # every plan of it, not a part
    before = _state(orgs)
    writes = _writes(orgs, "bo-xem", PLAN_B)
    assert {what: code for what, code in writes.items() if code != 403} == {}
    assert _state(orgs) == before


def test_an_admin_of_a_manages_the_accounts_of_a_only(orgs: Orgs) -> None:
    orgs.browser("chutri-b")  # a sign-in of B in the audit log
    admin = orgs.browser("quantri-a")
    page = admin.get("/tai-khoan")
    assert page.status_code == 200
    assert set(re.findall(r'<tr data-account="([^"]+)"', page.text)) == {
        "chutri-a",
        "xem-a",
        "quantri-a",
    }
    csrf = csrf_of(admin, "/doi-mat-khau")
    for other in ("chutri-b", "bo-xem", "quantri"):
        for verb in ("khoa", "dat-lai-mat-khau"):
            answer = admin.post(f"/tai-khoan/{other}/{verb}", data={"csrf_token": csrf})
            assert answer.status_code == 404, (other, verb)
    assert orgs.api("chutri-b").get("/api/plans").status_code == 200  # still works
    log = admin.get("/nhat-ky")
    assert log.status_code == 200 and "chutri-b" not in log.text
    whole = orgs.browser("quantri")
    assert "chutri-b" in whole.get("/nhat-ky").text
    assert set(re.findall(r'<tr data-account="([^"]+)"', whole.get("/tai-khoan").text)) >= {
        "chutri-b",
        "bo-xem",
    }


def test_no_upload_hands_a_province_the_programme_or_the_other_province(orgs: Orgs) -> None:
    """A programme file naming its own unit owner of Đề án 996, or a units file putting B
    under A, through the plan-file upload: refused by the checks of the definitions, and
    the owner and what A sees stay as they were."""
    browser = orgs.browser("chutri-a")
    csrf = csrf_of(browser, "/doi-mat-khau")
    before = _state(orgs)
    for name, text in (
        ("chiem.yaml", f"programme:\n  key: {PROGRAMME}\n  title: Chiếm\n  owner: tinh-01\n"),
        ("don-vi.yaml", "units:\n  tinh-02:\n    name: Chiếm\n    parent: tinh-01\n"),
    ):
        answer = browser.post(
            "/dinh-nghia",
            data={"csrf_token": csrf},
            files={"file": (name, text.encode(), "application/yaml")},
        )
        assert answer.status_code == 422, (name, answer.text[:500])
        assert "hai lần" in answer.text
        assert 'name="digest"' not in answer.text
    assert _state(orgs) == before
    with orgs.engine.connect() as conn:
        owner = conn.execute(
            select(PROGRAMME_TABLE.c.owner_key).where(PROGRAMME_TABLE.c.key == PROGRAMME)
        ).scalar_one()
    assert owner == "tdc"
    assert {p["key"] for p in orgs.api("chutri-a").get("/api/plans").json()} == {PLAN_A}


def _mail_today(client: TestClient) -> tuple[int, int, bool]:
    """The messages counted on the overview and on /hom-nay, and whether /hom-nay names the
    operator's message about no plan."""
    overview = client.get("/").text
    counted = re.search(r'class="today-mail-count">(\d+)<', overview)
    today = client.get("/hom-nay").text
    sent = re.search(r"Thư nhắc việc đã gửi: (\d+)", today)
    assert counted is not None and sent is not None
    return int(counted.group(1)), int(sent.group(1)), OPERATOR in today


def test_the_ministry_is_not_shown_mail_about_no_plan_after_the_whole_admin(orgs: Orgs) -> None:
    """The ministry sees both plans, as the whole installation's admin does; the message
    about no plan is the admin's alone, whoever opened the page first."""
    assert _mail_today(orgs.browser("quantri")) == (3, 3, True)
    assert _mail_today(orgs.browser("bo-xem")) == (2, 2, False)
    # the other way round, on a fresh app (its own page cache) over the same database
    engine = create_db_engine(orgs.settings.resolved_database_url())
    try:
        fresh = replace(orgs, app=create_app(orgs.settings, engine), engine=engine)
        assert _mail_today(fresh.browser("bo-xem")) == (2, 2, False)
        assert _mail_today(fresh.browser("quantri")) == (3, 3, True)
    finally:
        engine.dispose()
