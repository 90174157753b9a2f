"""/qua-han tells what waits for a decision (issue 22 point 4), on a ministry and two provinces
in one database (tests/web/orgs.py; SQLite and Postgres) at the bench's busy day, Friday
7/6/2024, both plans with completion review on.

In each province's plan a lead unit asked on Monday 3/6 to move t4-1-01's due date and no one
has decided yet (4 working days waited), and t1-2-01 was reported done on Wednesday 5/6 (2
days waiting for confirmation). Province A's coordinator sees A's two in "Chờ quyết định",
linked to their task pages, and none of B's (nor can it filter its way to them); B's sees B's.
In A, t3-1-01 and t3-3-01 (due 31/5) had extensions approved in May, to 28/6 and 5/6: the
first is no longer overdue, the second is overdue against 5/6, "(có gia hạn)" beside it. A
decision and a confirmation take the tasks off the list at the next request; the xlsx carries
the list on a second sheet and the plan's own date beside an extended one; a unit's page gives
the date in force too."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from kehoach_flow.db.queries import list_plans
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.extensions import decide_extension
from kehoach_flow.tracking.history import Author, history_rows
from kehoach_flow.tracking.review import confirm_done
from tests.web.orgs import BOTH, PLAN_A, PLAN_B, Orgs
from tests.web.waiting_world import ASKED, REPORTED, at, build_waiting, task_of

WAITING_ROW = re.compile(r'<tr data-waiting="([^"]+)" data-kind="([^"]+)">(.*?)</tr>', re.S)


@pytest.fixture
def orgs(tmp_path: Path, settings: Settings, engine: Engine) -> Orgs:
    return build_waiting(tmp_path, settings, engine)


def _waiting(page: str) -> dict[tuple[str, str], str]:
    """(task key, kind) -> the row's text, of the "Chờ quyết định" section."""
    return {
        (key, kind): html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip()
        for key, kind, row in WAITING_ROW.findall(page)
    }


def _plan_title(engine: Engine, plan: str) -> str:
    return next(str(p["title"]) for p in list_plans(engine) if p["key"] == plan)


def test_a_coordinator_sees_what_waits_in_its_plans_and_not_the_other_province(
    orgs: Orgs,
) -> None:
    for username, mine, other in (("chutri-a", PLAN_A, PLAN_B), ("chutri-b", PLAN_B, PLAN_A)):
        browser = orgs.browser(username)
        page = browser.get("/qua-han").text
        rows = _waiting(page)
        assert set(rows) == {(ASKED, "extension"), (REPORTED, "review")}, username
        assert 'id="cho-quyet-dinh"' in page and "Chờ quyết định: 2 việc" in page
        assert '<a href="#cho-quyet-dinh">2 việc chờ quyết định</a>' in page
        asked, reported = rows[(ASKED, "extension")], rows[(REPORTED, "review")]
        assert f"Lý do: Chờ kinh phí bổ sung ({mine})" in asked
        assert "Đề nghị gia hạn" in asked and "gia hạn đến 31/07/2024" in asked
        assert " 4 " in f" {asked} "
        due = date.fromisoformat(str(task_of(orgs.engine, mine, ASKED)["due"]))
        assert f"{due:%d/%m/%Y}" in asked and "(có gia hạn)" not in asked
        assert "Chờ xác nhận hoàn thành" in reported and "hoàn thành 05/06/2024" in reported
        assert " 2 " in f" {reported} "
        assert _plan_title(orgs.engine, mine) in asked
        section = page.split('id="cho-quyet-dinh"')[1].split("</section>")[0]
        for key in (ASKED, REPORTED):
            assert f'<a href="/nhiem-vu/{mine}/{key}">' in section
        assert f"/nhiem-vu/{other}/" not in section and other not in section
        assert f"Chờ kinh phí bổ sung ({other})" not in page
        # the other province's plan as a filter: nothing of it, not even what waits
        assert not _waiting(browser.get("/qua-han", params={"plan": other}).text)
        assert not _waiting(browser.get("/qua-han", params={"plan": mine, "lead": "x"}).text)
        lead = task_of(orgs.engine, mine, ASKED)["lead"]["key"]
        by_lead = _waiting(browser.get("/qua-han", params={"lead": lead}).text)
        assert (ASKED, "extension") in by_lead
        # every task page it links to opens for this account
        for key in (ASKED, REPORTED):
            assert browser.get(f"/nhiem-vu/{mine}/{key}").status_code == 200


def test_the_ministry_sees_both_provinces_waiting(orgs: Orgs) -> None:
    page = orgs.browser("bo-xem").get("/qua-han").text
    assert "Chờ quyết định: 4 việc" in page
    plans = set(
        re.findall(
            r'<td data-label="Kế hoạch" data-plan="([^"]+)">',
            page.split('id="cho-quyet-dinh"')[1].split("</section>")[0],
        )
    )
    assert plans == BOTH


def test_an_approved_extension_is_the_due_date_the_list_judges_by(orgs: Orgs) -> None:
    page = orgs.browser("chutri-a").get("/qua-han").text
    listed = re.findall(r'<tr data-task="([^"]+)">(.*?)</tr>', page, re.S)
    rows = {key: re.sub(r"<[^>]+>", " ", row) for key, row in listed}
    assert "t3-1-01" not in rows  # due 31/5, extended to 28/6: not overdue on 7/6
    extended = rows["t3-3-01"]  # extended to 5/6: two working days late on Friday 7/6
    assert re.search(r"Quá hạn .*?\s2\s.*?05/06/2024\s+\(có gia hạn\)", extended), extended
    assert 'title="Hạn theo kế hoạch: 31/05/2024"' in dict(listed)["t3-3-01"]
    both = orgs.browser("bo-xem").get("/qua-han").text  # B's overdue tasks, not extended
    marked = re.findall(r'<tr data-task="([^"]+)">(?:(?!</tr>).)*có gia hạn', both, re.S)
    assert marked == ["t3-3-01"] and both.count("<tr data-task=") > 1


def test_the_xlsx_carries_what_waits_and_the_plan_date_of_an_extendedtask_of(orgs: Orgs) -> None:
    book = load_workbook(io.BytesIO(orgs.browser("chutri-a").get("/qua-han.xlsx").content))
    assert book.sheetnames == ["Quá hạn, có nguy cơ", "Chờ quyết định"]
    watched = {r[1]: r for r in book["Quá hạn, có nguy cơ"].iter_rows(min_row=3, values_only=True)}
    assert watched["t3-3-01"][4].date() == date(2024, 6, 5)
    assert watched["t3-3-01"][9].date() == date(2024, 5, 31)
    assert all(r[9] is None for k, r in watched.items() if k != "t3-3-01")
    sheet = book["Chờ quyết định"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert sorted((r[0], r[1], r[4], r[10]) for r in rows) == [
        (PLAN_A, REPORTED, "Chờ xác nhận hoàn thành", 2),
        (PLAN_A, ASKED, "Đề nghị gia hạn", 4),
    ]
    asked = next(r for r in rows if r[1] == ASKED)
    assert asked[6].date() == date(2024, 7, 31) and asked[8] == f"Chờ kinh phí bổ sung ({PLAN_A})"


def test_a_decision_takes_the_task_off_the_list(orgs: Orgs) -> None:
    browser = orgs.browser("chutri-a")
    assert len(_waiting(browser.get("/qua-han").text)) == 2  # now cached
    history = _history(orgs.engine, PLAN_A, ASKED)
    request = next(e for e in history if e["kind"] == "extension_request")
    decide_extension(
        orgs.engine,
        int(request["id"]),
        True,
        Author("chutri-a", "web", at(date(2024, 6, 7), 10)),
        now=at(date(2024, 6, 7), 10),
    )
    assert set(_waiting(browser.get("/qua-han").text)) == {(REPORTED, "review")}
    reported = task_of(orgs.engine, PLAN_A, REPORTED)
    confirm_done(
        orgs.engine,
        int(reported["id"]),
        Author("chutri-a", "web", at(date(2024, 6, 7), 11)),
        now=at(date(2024, 6, 7), 11),
    )
    page = browser.get("/qua-han").text
    assert not _waiting(page) and 'id="cho-quyet-dinh"' not in page
    assert "việc chờ quyết định" not in page
    # B's are still waiting for B
    assert len(_waiting(orgs.browser("chutri-b").get("/qua-han").text)) == 2


def _history(engine: Engine, plan: str, key: str) -> list[dict]:  # type: ignore[type-arg]
    return history_rows(engine, int(task_of(engine, plan, key)["id"]))


def test_a_unit_page_gives_the_due_date_in_force(orgs: Orgs) -> None:
    lead = task_of(orgs.engine, PLAN_A, "t3-3-01")["lead"]["key"]
    page = orgs.browser("chutri-a").get(f"/don-vi/{lead}").text
    row = page.split('<tr data-task="t3-3-01">')[1].split("</tr>")[0]
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)))
    assert "hạn 05/06/2024 (có gia hạn)" in text and "31/05/2024" not in text
