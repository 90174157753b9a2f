"""The reports page obeys the scope rule (issue 21): each account lists and downloads the runs
it sees, is offered and may generate only the reports it makes. A ministry and two provinces
on one database (tests/web/scope_world.py), on SQLite and Postgres."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.accounts.audit import recent
from kehoach_flow.context import AppContext
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.reports.service import make_report
from kehoach_flow.settings import Settings
from tests.web.scope_world import DON_VI_B, PLAN_A, PLAN_B, PROGRAMME, World, build_world

ROLLUP = f"programme:{PROGRAMME}"


@pytest.fixture
def world(tmp_path: Path, settings: Settings, engine: Engine) -> World:
    made = build_world(tmp_path, settings, engine)
    ctx = AppContext(made.settings, engine)
    for subject in ({"plan": PLAN_A}, {"plan": PLAN_B}, {"programme": PROGRAMME}):
        make_report(ctx, "q2", 2024, formats=("md",), **subject)
    return made


def _options(page: str) -> list[str]:
    select = page.split('id="subject"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]+)"', select)


def _links(page: str) -> list[str]:
    return re.findall(r'href="(/bao-cao/\d+/[^"]+)"', page)


def _generate(world: World, username: str, subject: str) -> tuple[int, str]:
    browser = world.as_user(username)
    form = {
        "csrf_token": world.csrf(browser, "/"),
        "subject": subject,
        "period": "q2",
        "year": "2024",
    }
    answer = browser.post("/bao-cao", data=form)
    return answer.status_code, answer.text


def test_the_page_lists_the_runs_the_account_sees_and_offers_what_it_makes(
    world: World,
) -> None:
    ids = {str(r["subject"]): r["id"] for r in list_runs(world.engine)}

    def page(username: str) -> str:
        found = world.as_user(username).get("/bao-cao")
        assert found.status_code == 200, found.text
        return found.text

    whole = page("toanquoc")
    assert {link.split("/")[2] for link in _links(whole)} == {str(i) for i in ids.values()}
    assert _options(whole) == [f"plan:{PLAN_A}", f"plan:{PLAN_B}", ROLLUP]

    mine = page("tinh-a")
    assert {link.split("/")[2] for link in _links(mine)} == {str(ids[PLAN_A])}
    assert _options(mine) == [f"plan:{PLAN_A}"]  # not B's, not the rollup of both
    assert "tỉnh 2" not in mine

    ministry = page("bo-xem")
    assert {link.split("/")[2] for link in _links(ministry)} == {str(i) for i in ids.values()}
    assert "Soạn dự thảo" not in ministry  # a viewer is offered nothing

    unit_b = page(DON_VI_B)  # sees B's plan through a task, edits no plan
    assert {link.split("/")[2] for link in _links(unit_b)} == {str(ids[PLAN_B])}
    assert "Soạn dự thảo" not in unit_b


def test_generating_outside_the_scope_is_refused_and_makes_nothing(world: World) -> None:
    before = len(list_runs(world.engine))
    for username, subject in (
        ("tinh-a", f"plan:{PLAN_B}"),
        ("tinh-a", ROLLUP),  # sees only A's plan of the programme
        (DON_VI_B, f"plan:{PLAN_B}"),  # sees it, does not edit it
        ("bo-xem", f"plan:{PLAN_A}"),  # a viewer
        ("bo-xem", ROLLUP),
    ):
        status, text = _generate(world, username, subject)
        assert status == 403, (username, subject, text[:300])
        assert "Không được phép" in text and "Traceback" not in text
    assert len(list_runs(world.engine)) == before

    status, text = _generate(world, "tinh-a", "plan:khong-co-2024")  # leaks nothing either
    assert status == 403 and "ngoài phạm vi của tài khoản" in text

    assert _generate(world, "tinh-a", f"plan:{PLAN_A}")[0] == 303
    assert _generate(world, "toanquoc", f"plan:{PLAN_B}")[0] == 303
    assert _generate(world, "toanquoc", ROLLUP)[0] == 303
    made = [str(r["subject"]) for r in list_runs(world.engine)[:3]]
    assert made == [ROLLUP, PLAN_B, PLAN_A]
    generated = recent(world.engine, None, actions=["report_generated"])
    assert [(e.actor, e.target, e.unit_key) for e in generated] == [
        ("toanquoc", ROLLUP, None),
        ("toanquoc", PLAN_B, "p02-u01"),
        ("tinh-a", PLAN_A, "p01-u01"),
    ]
    assert generated[0].label == "Soạn báo cáo"


def test_a_report_file_outside_the_scope_is_a_404_like_a_missing_one(world: World) -> None:
    links = {str(r["subject"]): r for r in list_runs(world.engine)}

    def link(subject: str) -> str:
        run = links[subject]
        return f"/bao-cao/{run['id']}/{Path(run['files'][0]).name}"

    province_a = world.as_user("tinh-a")
    assert province_a.get(link(PLAN_A)).status_code == 200
    missing = province_a.get(link(PLAN_A).rsplit("/", 1)[0] + "/khong-co.md")
    assert missing.status_code == 404
    for subject in (PLAN_B, ROLLUP):
        hidden = province_a.get(link(subject))
        assert hidden.status_code == 404 and "Không tìm thấy" in hidden.text
    ministry = world.as_user("bo-xem")
    for subject in (PLAN_A, PLAN_B, ROLLUP):
        assert ministry.get(link(subject)).status_code == 200
    unit_b = world.as_user(DON_VI_B)
    assert unit_b.get(link(PLAN_B)).status_code == 200
    assert unit_b.get(link(ROLLUP)).status_code == 404  # B's plan only, not A's in the rollup
