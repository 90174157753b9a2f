"""Issue 22 on the pages, on SQLite and Postgres: the lead unit asks for an extension from its
signed link (refused by the rule with its words, nothing stored); a coordinator who edits the
plan approves (another date) or refuses it, confirms or returns a completion on the task page;
a second decision is a 409 saying who decided; accounts that only see the plan get no forms
and a 403, those that do not see it a 404; the overview lists what waits for the account."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from kehoach_flow.accounts import add_user
from kehoach_flow.db.queries import find_task
from kehoach_flow.db.tables import OUTBOX
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.extensions import ExtensionRule, due_story, request_extension
from kehoach_flow.tracking.history import Author, history_rows
from kehoach_flow.tracking.workcalendar import work_calendar
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN
from tests.web.conftest import csrf_of, sign_in
from tests.web.helpers import PASSWORD, form_of, link

TASK = f"{SEED_PLAN}/khao-sat-30-dn"  # led by qltcdlcl, due 31/12/2024
PAGE = f"/nhiem-vu/{TASK}"
SPRING = date(2024, 6, 3)  # far enough before the due date for any request


def reviewed_definitions(root: Path) -> Path:
    """The seed definitions with the seed plan under completion review."""
    plan = root / "plans" / "quang-tri-2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace("  coordinator: qltcdlcl\n", "  coordinator: qltcdlcl\n  review: true\n", 1),
        encoding="utf-8",
    )
    return root


def make_client(settings: Settings, engine: Engine, day: date) -> TestClient:
    return TestClient(
        create_app(settings.model_copy(update={"today": day}), engine), follow_redirects=False
    )


@pytest.fixture
def world(web_settings: Settings, engine: Engine, definitions_copy: Path) -> Settings:
    """The seed plan under review; a whole-installation coordinator and viewer, a coordinator
    of a unit that leads tasks of the plan (sees it, does not edit it) and one of a unit that
    leads none (does not see it)."""
    settings = web_settings.model_copy(
        update={"definitions": reviewed_definitions(definitions_copy)}
    )
    load_path(engine, settings.definitions)
    add_user(engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    add_user(engine, "lanhdao", "Lãnh đạo Sở", "viewer", PASSWORD)
    add_user(engine, "trungtam", "Trung tâm KT", "coordinator", PASSWORD, "ttkt-tcdlcl")
    add_user(engine, "ngoai", "Tổ chức ngoài", "coordinator", PASSWORD, "to-chuc-ca-nhan")
    return settings


def _ask(engine: Engine, settings: Settings, to: date = date(2025, 3, 31)) -> int:
    rule = ExtensionRule(work_calendar(settings), settings.extension_notice_days)
    task_id = find_task(engine, TASK)["id"]
    author = Author("qltcdlcl", "web", None, settings.timezone)
    at = datetime.combine(SPRING, time(9), tzinfo=ZoneInfo(settings.timezone))
    return request_extension(engine, task_id, to, "Chờ số liệu", author, rule, now=at).update_id


def _kinds(engine: Engine) -> list[str]:
    return [r["kind"] for r in history_rows(engine, find_task(engine, TASK)["id"])]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_unit_asks_from_its_link_and_sees_its_request(world: Settings, engine: Engine) -> None:
    client = make_client(world, engine, SPRING)
    url = link()
    form = client.get(url)
    assert form.status_code == 200
    assert "Đề nghị gia hạn" in form.text and "ít nhất 5 ngày làm việc" in form.text
    fields = form_of(client, url)
    data = {"csrf_token": fields["csrf_token"], "task": TASK}
    missing = client.post(url + "/gia-han", data=data | {"due": "", "reason": ""})
    assert missing.status_code == 422
    assert "Nhập hạn mới đề nghị" in missing.text and "Nêu lý do đề nghị gia hạn." in missing.text
    asked = client.post(url + "/gia-han", data=data | {"due": "2025-03-31", "reason": "Chờ DN"})
    assert asked.status_code == 200, asked.text
    assert "Đã gửi đề nghị gia hạn" in asked.text and "31/03/2025" in asked.text
    assert _kinds(engine)[0] == "extension_request"
    page = _text(client.get(url).text)
    assert "Đề nghị gia hạn đến 31/03/2025 (đang chờ quyết định)" in page
    assert "Lý do: Chờ DN" in page
    assert "chờ quyết định rồi mới đề nghị tiếp" in page  # no second form meanwhile
    again = client.post(url + "/gia-han", data=data | {"due": "2025-04-30", "reason": "Nữa"})
    assert again.status_code == 422 and "đang chờ quyết định" in again.text
    assert _kinds(engine).count("extension_request") == 1


def test_a_late_request_is_refused_with_the_rule_and_nothing_stored(
    world: Settings, engine: Engine
) -> None:
    client = make_client(world, engine, date(2024, 12, 26))  # 3 working days left
    url = link()
    fields = form_of(client, url)
    data = {"csrf_token": fields["csrf_token"], "task": TASK, "due": "31/01/2025"}
    refused = client.post(url + "/gia-han", data=data | {"reason": "Chậm"})
    assert refused.status_code == 422
    text = _text(refused.text)
    assert (
        "Đề nghị gia hạn phải gửi trước hạn hiện tại (31/12/2024) ít nhất 5 ngày làm việc" in text
    )
    assert 'value="2025-01-31"' in refused.text and "Chậm" in refused.text  # kept
    assert _kinds(engine) == []
    forged = client.post(url + "/gia-han", data=data | {"reason": "x", "csrf_token": "sai"})
    assert forged.status_code == 403 and _kinds(engine) == []


def test_the_coordinator_approves_another_date_and_a_second_decision_is_a_409(
    world: Settings, engine: Engine
) -> None:
    request_id = _ask(engine, world)
    client = make_client(world, engine, SPRING)
    assert sign_in(client) == 303
    page = client.get(PAGE)
    assert page.status_code == 200
    assert f"/gia-han/{request_id}" in page.text and 'value="2025-03-31"' in page.text
    token = csrf_of(client, PAGE)
    action = f"{PAGE}/gia-han/{request_id}"
    bad = client.post(action, data={"csrf_token": token, "decision": "approve", "due": "mai"})
    assert bad.status_code == 422 and "không phải ngày" in bad.text
    done = client.post(
        action,
        data={"csrf_token": token, "decision": "approve", "due": "2025-02-28", "comment": "Được"},
    )
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}?ghi=dong-y"
    shown = _text(client.get(done.headers["location"]).text)
    assert "Đã ghi quyết định đồng ý gia hạn" in shown
    assert "Hạn 28/02/2025 (hạn ban đầu 31/12/2024, gia hạn 1 lần)" in shown
    assert "Đồng ý gia hạn (số" in shown and "Ý kiến: Được" in shown
    assert "Hạn đang áp dụng: 28/02/2025" in shown
    assert due_story(engine, find_task(engine, TASK)["id"])["current"] == date(2025, 2, 28)
    before = _kinds(engine)
    late = client.post(action, data={"csrf_token": token, "decision": "refuse", "comment": "Không"})
    assert late.status_code == 409
    said = _text(late.text)
    assert "Đã có người quyết định trước" in said
    assert "đã được quyết định (đồng ý) bởi phongkh" in said and "không có gì thay đổi" in said
    assert _kinds(engine) == before
    unknown = client.post(f"{PAGE}/gia-han/999999", data={"csrf_token": token, "decision": "x"})
    assert unknown.status_code == 404


def test_a_refusal_needs_a_reason(world: Settings, engine: Engine) -> None:
    request_id = _ask(engine, world)
    client = make_client(world, engine, SPRING)
    sign_in(client)
    token = csrf_of(client, PAGE)
    action = f"{PAGE}/gia-han/{request_id}"
    bare = client.post(action, data={"csrf_token": token, "decision": "refuse", "comment": " "})
    assert bare.status_code == 422 and "Không đồng ý gia hạn cần nêu lý do" in bare.text
    assert _kinds(engine) == ["extension_request"]
    no = client.post(action, data={"csrf_token": token, "decision": "refuse", "comment": "Đủ"})
    assert no.status_code == 303
    page = _text(client.get(PAGE).text)
    assert "Không đồng ý gia hạn (số" in page and "Lý do: Đủ" in page
    assert "Hạn đang áp dụng: 31/12/2024" in page
    # the unit sees the refusal on its form and may ask again
    form = _text(make_client(world, engine, SPRING).get(link()).text)
    assert "Không đồng ý gia hạn" in form and "Gửi đề nghị gia hạn" in form


@pytest.mark.parametrize(("username", "status"), [("lanhdao", 403), ("trungtam", 403)])
def test_an_account_that_only_sees_the_plan_gets_no_forms_and_a_403(
    world: Settings, engine: Engine, username: str, status: int
) -> None:
    request_id = _ask(engine, world)
    client = make_client(world, engine, SPRING)
    assert sign_in(client, username=username) == 303
    page = client.get(PAGE)
    assert page.status_code == 200 and "Đề nghị số" in page.text
    assert "/gia-han/" not in page.text and "Phòng chủ trì kế hoạch quyết định" in page.text
    token = csrf_of(client, PAGE)
    for action, data in (
        (f"{PAGE}/gia-han/{request_id}", {"decision": "approve"}),
        (f"{PAGE}/xac-nhan", {"decision": "confirm"}),
    ):
        refused = client.post(action, data=data | {"csrf_token": token})
        assert refused.status_code == status and "Chỉ phòng chủ trì kế hoạch" in refused.text
    assert _kinds(engine) == ["extension_request"]
    assert "Chờ quyết định" not in client.get("/").text


def test_an_account_that_does_not_see_the_plan_gets_a_404(world: Settings, engine: Engine) -> None:
    request_id = _ask(engine, world)
    client = make_client(world, engine, SPRING)
    assert sign_in(client, username="ngoai") == 303
    token = csrf_of(client, "/")
    for action in (f"{PAGE}/gia-han/{request_id}", f"{PAGE}/xac-nhan"):
        hidden = client.post(action, data={"csrf_token": token, "decision": "approve"})
        assert hidden.status_code == 404 and "không tìm thấy nhiệm vụ" in hidden.text
    assert _kinds(engine) == ["extension_request"]


def test_a_completion_awaits_then_is_returned_with_a_comment_then_confirmed(
    world: Settings, engine: Engine
) -> None:
    unit = make_client(world, engine, SPRING)
    url = link()
    data = form_of(unit, url) | {"status": "done", "progress": "100"}
    assert unit.post(url, data=data).status_code == 200
    assert find_task(engine, TASK)["status"] == "awaiting_review"
    assert "Đã báo hoàn thành, chờ phòng chủ trì xác nhận." in unit.get(url).text

    client = make_client(world, engine, SPRING)
    sign_in(client)
    overview = client.get("/")
    assert "Chờ quyết định" in overview.text and f'href="{PAGE}"' in overview.text
    assert "Chờ xác nhận hoàn thành" in overview.text
    page = client.get(PAGE)
    assert "chờ phòng chủ trì xác nhận" in page.text and "Trả lại đơn vị" in page.text
    token = csrf_of(client, PAGE)
    action = f"{PAGE}/xac-nhan"
    bare = client.post(action, data={"csrf_token": token, "decision": "return", "comment": ""})
    assert bare.status_code == 422 and "Trả lại nhiệm vụ cần nêu nhận xét" in bare.text
    back = client.post(
        action, data={"csrf_token": token, "decision": "return", "comment": "Thiếu biên bản"}
    )
    assert back.status_code == 303 and back.headers["location"].endswith("?ghi=tra-lai")
    assert find_task(engine, TASK)["status"] == "in_progress"
    form = _text(unit.get(url).text)
    assert "Phòng chủ trì đã trả lại ngày" in form and "Thiếu biên bản" in form
    # the unit's mail, as its lead reads it: who returned it by name, and a link that opens
    # the task's form (the lead has no dashboard account)
    with engine.connect() as conn:
        (raw,) = conn.execute(select(OUTBOX.c.raw)).scalars()
    body = message_from_bytes(raw, policy=default).get_body().get_content()  # type: ignore[union-attr]
    assert "Phòng Quản lý TCĐLCL trả lại lúc" in body and "phongkh" not in body
    assert "Thiếu biên bản" in body and "/ke-hoach/" not in body
    sent_link = re.search(r"http://[^/\s]+(/cap-nhat/\S+)", body)
    assert sent_link is not None
    opened = unit.get(sent_link.group(1))
    assert opened.status_code == 200 and "Thiếu biên bản" in _text(opened.text)
    twice = client.post(action, data={"csrf_token": token, "decision": "confirm"})
    assert twice.status_code == 409 and "không chờ xác nhận hoàn thành" in twice.text

    data = form_of(unit, url) | {"status": "done", "progress": "100"}
    assert unit.post(url, data=data).status_code == 200
    ok = client.post(action, data={"csrf_token": token, "decision": "confirm", "comment": "Tốt"})
    assert ok.status_code == 303
    assert find_task(engine, TASK)["status"] == "done"
    assert "Chờ quyết định" not in client.get("/").text
    assert "Xác nhận hoàn thành" in client.get(PAGE).text


def test_the_coordinator_records_a_late_request_received_by_letter(
    world: Settings, engine: Engine
) -> None:
    client = make_client(world, engine, date(2024, 12, 26))  # too late for the unit itself
    sign_in(client)
    page = client.get(PAGE)
    assert "Ghi nhận đề nghị gia hạn đơn vị gửi qua văn bản" in page.text
    token = csrf_of(client, PAGE)
    action = f"{PAGE}/gia-han"
    bare = client.post(action, data={"csrf_token": token, "due": "2025-01-31", "reason": ""})
    assert bare.status_code == 422 and "Đề nghị gia hạn cần nêu lý do" in bare.text
    recorded = client.post(
        action, data={"csrf_token": token, "due": "31/01/2025", "reason": "Công văn số 12"}
    )
    assert recorded.status_code == 303 and recorded.headers["location"].endswith("?ghi=ghi-nhan")
    story = due_story(engine, find_task(engine, TASK)["id"])
    assert story["steps"][0]["late_recorded"] is True and story["pending"] is not None
    shown = _text(client.get(PAGE).text)
    assert "(gửi muộn, điều phối viên ghi nhận)" in shown and "Đồng ý gia hạn" in shown
    assert "Ghi nhận đề nghị gia hạn đơn vị" not in shown  # one request at a time
    viewer = make_client(world, engine, date(2024, 12, 26))
    sign_in(viewer, username="lanhdao")
    assert "Ghi nhận đề nghị" not in viewer.get(PAGE).text
    refused = viewer.post(action, data={"csrf_token": csrf_of(viewer, PAGE), "due": "2025-02-01"})
    assert refused.status_code == 403
