"""Issue 21, acceptance: for random unit trees, plans and accounts, the plans an account reaches
through every list route equal what the scope rule (accounts/scope.py) gives it.

Each example writes a definitions tree (units with random parents, two programmes with random
owners, plans with random coordinators, programmes and task leads), loads it into a new SQLite
database, records an update on every plan, puts reminder messages in the outbox (one a plan,
one about two plans, one about none), generates some report runs, and adds accounts of random
units and roles. Then, signed in through the form (pages) or with the account's API token
(the API), it reads every list: the overview, /qua-han and its xlsx, /tien-do, /hom-nay,
/bao-cao, /thu, each /chuong-trinh and /don-vi page, /api/plans and /api/reports; the plan
keys read from each (data-plan, links to /ke-hoach/ and /nhiem-vu/, options, rows) equal the
set `scope_of` decides for that list, and no page holds the key or title of a plan outside it.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import Engine, insert

from kehoach_flow.accounts import Account, add_user, issue_token
from kehoach_flow.accounts.scope import Scope, scope_of
from kehoach_flow.context import AppContext
from kehoach_flow.db.engine import create_db_engine
from kehoach_flow.db.queries import find_task
from kehoach_flow.db.tables import OUTBOX
from kehoach_flow.loading import load_path
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.reports.service import make_report
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from kehoach_flow.web.app import create_app
from tests.conftest import DEFINITIONS
from tests.web.conftest import sign_in
from tests.web.helpers import PASSWORD

TODAY = date(2024, 7, 15)  # a Monday: the first task of every plan (due 28/6) is overdue
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ROLES = ("viewer", "coordinator", "admin")
PROGRAMMES = ("ct-0", "ct-1")


@dataclass(frozen=True)
class PlanSpec:
    key: str
    title: str
    coordinator: str
    programme: str | None
    leads: tuple[str, ...]  # task i is led by leads[i]; task 0 is overdue today


@dataclass(frozen=True)
class World:
    parents: dict[str, str | None]
    owners: dict[str, str | None]  # programme -> owner unit
    plans: tuple[PlanSpec, ...]
    reported: frozenset[str]  # plans with a report run
    rollups: frozenset[str]  # programmes with a rollup run (when they have plans)
    accounts: tuple[tuple[str | None, str], ...]  # (unit, role)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A forest of 2-6 units (each unit's parent an earlier one or none), 1-4 plans."""
    count = draw(st.integers(2, 6))
    units = [f"dv{i}" for i in range(count)]
    parents: dict[str, str | None] = {
        unit: draw(st.none() | st.sampled_from(units[:i])) if i else None
        for i, unit in enumerate(units)
    }
    owners = {p: draw(st.none() | st.sampled_from(units)) for p in PROGRAMMES}
    plans = tuple(
        PlanSpec(
            f"khtn{i}x",
            f"Kế hoạch thử nghiệm số {i}x",
            draw(st.sampled_from(units)),
            draw(st.none() | st.sampled_from(PROGRAMMES)),
            tuple(draw(st.lists(st.sampled_from(units), min_size=1, max_size=3))),
        )
        for i in range(draw(st.integers(1, 4)))
    )
    reported = frozenset(draw(st.sets(st.sampled_from([p.key for p in plans]))))
    rollups = frozenset(draw(st.sets(st.sampled_from(PROGRAMMES))))
    account = st.tuples(st.sampled_from([None, *units]), st.sampled_from(ROLES))
    accounts = tuple(draw(st.lists(account, min_size=1, max_size=3)))
    return World(parents, owners, plans, reported, rollups, accounts)


# --- the world as definition files and rows ------------------------------------------------


def _write(root: Path, world: World) -> None:
    (root / "plans").mkdir(parents=True)
    (root / "programmes").mkdir()
    shutil.copy(DEFINITIONS / "calendar.yaml", root / "calendar.yaml")
    lines = ["units:"]
    for unit, parent in world.parents.items():
        lines.append(f"  {unit}:\n    name: Đơn vị {unit}")
        if parent is not None:
            lines.append(f"    parent: {parent}")
    (root / "units.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for programme, owner in world.owners.items():
        text = f"programme:\n  key: {programme}\n  title: Chương trình {programme}\n"
        if owner is not None:
            text += f"  owner: {owner}\n"
        (root / "programmes" / f"{programme}.yaml").write_text(text, encoding="utf-8")
    for plan in world.plans:
        tasks = "\n".join(
            f"      - {{key: v{i}, title: Việc {i} của {plan.key}, lead: {lead},"
            f" start: 2024-01-02, due: {'2024-06-28' if i == 0 else '2024-12-27'}}}"
            for i, lead in enumerate(plan.leads)
        )
        programme = f"  programme: {plan.programme}\n" if plan.programme else ""
        text = (
            f"plan:\n  key: {plan.key}\n  title: {plan.title}\n  year: 2024\n{programme}"
            f"  coordinator: {plan.coordinator}\nsections:\n  - key: '1'\n"
            f"    title: Nhiệm vụ\n    tasks:\n{tasks}\n"
        )
        (root / "plans" / f"{plan.key}.yaml").write_text(text, encoding="utf-8")


def _messages(world: World) -> dict[str, list[str]]:
    """Outbox messages by recipient -> their reminder keys: one about each plan, one about
    the first two plans together, one about no plan."""
    keys = [p.key for p in world.plans]
    about = {f"thu-{i}x@example.vn": [k] for i, k in enumerate(keys)}
    if len(keys) > 1:
        about["thu-chung-x@example.vn"] = keys[:2]
    about["thu-khac-x@example.vn"] = []
    return {
        address: [f"{address}|overdue|{key}/v0|{TODAY}" for key in plans]
        for address, plans in about.items()
    }


def _store(engine: Engine, settings: Settings, world: World) -> None:
    at = datetime.combine(TODAY, time(9), tzinfo=TZ)
    for plan in world.plans:
        task = find_task(engine, f"{plan.key}/v0")
        change = UpdateIn(status=Status.IN_PROGRESS, progress=30, note="Đang làm")
        record_update(engine, int(task["id"]), change, Author(plan.leads[0], "web", at), now=at)
    moment = datetime.combine(TODAY, time(1), tzinfo=UTC)
    with engine.begin() as conn:
        for n, (address, keys) in enumerate(_messages(world).items()):
            row = {
                "dedupe_key": f"{address}|{TODAY}",
                "day": TODAY,
                "recipient": address,
                "subject": "Nhắc việc quá hạn",
                "message_id": f"<{n}@example.vn>",
                "raw": b"",
                "reminder_keys": keys,
                "status": "sent",
                "attempts": 1,
                "next_attempt_at": moment,
                "created_at": moment,
                "sent_at": moment,
            }
            conn.execute(insert(OUTBOX), [row])
    ctx = AppContext(settings, engine)
    for key in sorted(world.reported):
        make_report(ctx, "q2", 2024, plan=key, formats=("md",))
    for programme in sorted(world.rollups):
        if any(p.programme == programme for p in world.plans):
            make_report(ctx, "q2", 2024, programme=programme, formats=("md",))


# --- what the pages and the API show --------------------------------------------------------


def _plans_on(page: str) -> set[str]:
    """Plan keys in a page's markup: data-plan, data-task="PLAN/TASK", plan and task links."""
    found = set(re.findall(r'data-plan="([^"]+)"', page))
    found |= set(re.findall(r'href="/(?:ke-hoach|nhiem-vu)/([^/"?#]+)', page))
    found |= {m for m in re.findall(r'data-task="([^"/]+)/', page)}
    return found


def _count(page: str, css: str) -> int:
    found = re.search(rf'class="{css}">(\d+)<', page)
    assert found is not None, css
    return int(found.group(1))


def _select(page: str, name: str) -> set[str]:
    """The option values of the <select name=`name`>."""
    if f'name="{name}"' not in page:
        return set()
    block = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return set(re.findall(r'<option value="([^"]*)"', block)) - {""}


def _get(client: TestClient, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    return answer.text


def _check_account(
    world: World, engine: Engine, browser: TestClient, api: TestClient, scope: Scope
) -> dict[str, str]:
    """Every list as this account; returns the pages read (for the leak check)."""
    keys = {p.key for p in world.plans}
    visible = set(scope.visible)
    pages: dict[str, str] = {}

    messages = {a for a, k in _messages(world).items() if scope.sees_message(k)}
    pages["/"] = _get(browser, "/")
    assert set(re.findall(r'data-plan="([^"]+)"', pages["/"])) == visible, "/"
    assert _plans_on(pages["/"]) & keys <= visible, "/"
    if visible:  # today's counts: one update on each plan it sees, the messages it sees
        assert _count(pages["/"], "today-updates-count") == len(visible), "/ updates"
        assert _count(pages["/"], "today-mail-count") == len(messages), "/ mail"

    pages["/qua-han"] = _get(browser, "/qua-han")
    overdue = set(re.findall(r'href="/nhiem-vu/([^/"]+)/', pages["/qua-han"]))
    assert overdue == visible, "/qua-han"  # the first task of each plan is overdue
    assert _select(pages["/qua-han"], "plan") == visible, "/qua-han plan filter"
    count = re.search(r"(\d+) nhiệm vụ đến ngày", pages["/qua-han"])
    assert count is not None and int(count.group(1)) == len(visible), "/qua-han count"

    sheet = load_workbook(io.BytesIO(browser.get("/qua-han.xlsx").content)).active
    assert sheet is not None
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert {k for k in keys if k in cells} == visible, "/qua-han.xlsx"

    pages["/tien-do"] = browser.get("/tien-do").text
    assert _select(pages["/tien-do"], "plan") == visible, "/tien-do"

    pages["/hom-nay"] = _get(browser, "/hom-nay")
    assert _plans_on(pages["/hom-nay"]) & keys == visible, "/hom-nay"
    sent = re.search(r"Thư nhắc việc đã gửi: (\d+)", pages["/hom-nay"])
    assert sent is not None and int(sent.group(1)) == len(messages), "/hom-nay mail"
    named = set(re.findall(r"thu-[a-z0-9-]+x@example\.vn", pages["/hom-nay"]))
    assert named == messages, "/hom-nay mail"

    runs = {int(r["id"]): str(r["subject"]) for r in list_runs(engine)}  # type: ignore[call-overload]
    seen_runs = {i for i, subject in runs.items() if scope.sees_report(subject)}
    pages["/bao-cao"] = _get(browser, "/bao-cao")
    listed = {int(i) for i in re.findall(r'href="/bao-cao/(\d+)/', pages["/bao-cao"])}
    assert listed == seen_runs, "/bao-cao"
    offered = _select(pages["/bao-cao"], "subject")
    makes = {f"plan:{k}" for k in scope.editable}
    makes |= {f"programme:{p}" for p in scope.programmes if scope.makes_report(f"programme:{p}")}
    assert offered == makes, "/bao-cao form"

    pages["/thu"] = _get(browser, "/thu")
    shown = set(re.findall(r"thu-[a-z0-9-]+x@example\.vn", pages["/thu"]))
    assert shown == messages, "/thu"

    for programme in PROGRAMMES:
        url = f"/chuong-trinh/{programme}"
        rows, _ = scope.rollup_plans(programme)
        answer = browser.get(url)
        assert answer.status_code == (200 if rows else 404), url
        if rows:
            pages[url] = answer.text
            assert set(re.findall(r'<tr data-plan="([^"]+)"', answer.text)) == rows, url

    for unit in world.parents:
        url = f"/don-vi/{unit}"
        led = {p.key for p in world.plans if p.key in visible and unit in p.leads}
        answer = browser.get(url)
        assert answer.status_code == (200 if led or scope.holds_unit(unit) else 404), url
        if answer.status_code == 200:
            pages[url] = answer.text
            assert _plans_on(answer.text) & keys == led, url

    listed_plans = api.get("/api/plans")
    assert listed_plans.status_code == 200
    assert {p["key"] for p in listed_plans.json()} == visible, "/api/plans"
    listed_runs = api.get("/api/reports")
    assert listed_runs.status_code == 200
    assert {r["id"] for r in listed_runs.json()} == seen_runs, "/api/reports"
    return pages


@given(world=worlds())
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_every_list_route_shows_exactly_the_plans_the_scope_rule_gives(
    world: World, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    shutil.copyfile(sqlite_template, work / "kehoach.db")
    app_settings = Settings(
        data_dir=work / "data",
        database_url=f"sqlite:///{work / 'kehoach.db'}",
        definitions=work / "definitions",
        today=TODAY,
        secret_key="test-secret",
        cookie_secure=False,
        _env_file=None,
    )
    engine = create_db_engine(app_settings.resolved_database_url())
    try:
        _write(work / "definitions", world)
        load_path(engine, work / "definitions")
        _store(engine, app_settings, world)
        app = create_app(app_settings, engine)
        titles = {p.key: p.title for p in world.plans}
        for n, (unit, role) in enumerate(world.accounts):
            username = f"tk{n}"
            account: Account = add_user(engine, username, f"Tài khoản {n}", role, PASSWORD, unit)
            token = issue_token(engine, username, "kiểm thử")
            browser = TestClient(app, follow_redirects=False)
            assert sign_in(browser, username=username) == 303
            api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
            scope = scope_of(engine, account)
            event(f"sees {len(scope.visible)} of {len(titles)} plans")
            pages = _check_account(world, engine, browser, api, scope)
            for url, page in pages.items():
                for key in set(titles) - scope.visible:
                    assert key not in page and titles[key] not in page, (url, key)
    finally:
        engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
