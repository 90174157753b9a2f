"""Evidence files with an extension request (issue 22), on SQLite and Postgres: a lead unit
attaches files to its request on the signed-link form; they are stored by content as an
update's, listed in the due-date story of the task page and of the form as /minh-chung links,
downloadable by an account that sees the plan and a 404 for one of another province; a file
too big, too many files or a type not taken give the form back with the message and store
nothing."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from kehoach_flow.bench.reminders import BUSY_DAY
from kehoach_flow.db.queries import find_task, list_tasks
from kehoach_flow.reminders.links import LinkGrant, make_token
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.evidence import evidence_path
from kehoach_flow.tracking.extensions import due_story
from kehoach_flow.tracking.history import evidence_of_updates, history_rows
from tests.web.scope_world import DON_VI_B, PLAN_A, World, build_world

LETTER = b"%PDF-1.4 cong van xin gia han"
PHOTO = b"\xff\xd8\xff anh hien truong"


@pytest.fixture
def world(tmp_path: Path, settings: Settings, engine: Engine) -> World:
    return build_world(tmp_path, settings.model_copy(update={"evidence_max_bytes": 2048}), engine)


def _far_task(world: World) -> dict[str, Any]:
    """A task of province A due long enough after the busy day for a request in time."""
    tasks = list_tasks(world.engine, plan=PLAN_A)
    found = next(t for t in tasks if _day(t["due"]) >= BUSY_DAY + timedelta(days=40))
    return find_task(world.engine, f"{PLAN_A}/{found['key']}")


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _link(task: dict[str, Any]) -> str:
    grant = LinkGrant(f"{PLAN_A}/{task['key']}", task["lead"]["key"])
    return f"/cap-nhat/{make_token('test-secret', grant)}"


def _ask(world: World, task: dict[str, Any], files: list[tuple[str, Any]]) -> Any:
    url = _link(task)
    page = world.client.get(url)
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    data = {
        "csrf_token": token.group(1),
        "task": f"{PLAN_A}/{task['key']}",
        "due": (_day(task["due"]) + timedelta(days=30)).isoformat(),
        "reason": "Chờ văn bản của Bộ",
    }
    return world.client.post(url + "/gia-han", data=data, files=files)


def _nothing_stored(world: World, task: dict[str, Any]) -> None:
    assert history_rows(world.engine, task["id"]) == []
    store = world.settings.data_dir / "evidence"
    assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))


def test_a_request_with_files_is_stored_listed_and_downloaded_within_the_scope(
    world: World,
) -> None:
    task = _far_task(world)
    files = [
        ("evidence", ("cong-van.pdf", LETTER, "application/pdf")),
        ("evidence", ("hien-truong.jpg", PHOTO, "image/jpeg")),
    ]
    asked = _ask(world, task, files)
    assert asked.status_code == 200, asked.text
    assert "Đã gửi đề nghị gia hạn" in asked.text
    assert "cong-van.pdf, hien-truong.jpg" in asked.text

    letter = hashlib.sha256(LETTER).hexdigest()
    photo = hashlib.sha256(PHOTO).hexdigest()
    story = due_story(world.engine, task["id"])
    (step,) = story["steps"]
    assert step["kind"] == "extension_request" and step["id"] == story["pending"]
    assert step["files"] == [
        {"sha256": letter, "name": "cong-van.pdf", "size": len(LETTER)},
        {"sha256": photo, "name": "hien-truong.jpg", "size": len(PHOTO)},
    ]
    attached = evidence_of_updates(world.engine, [step["id"]])[step["id"]]
    assert {f["name"] for f in attached} == {"cong-van.pdf", "hien-truong.jpg"}
    assert evidence_path(world.settings.data_dir, letter).read_bytes() == LETTER

    form = world.client.get(_link(task)).text
    assert f'<a href="/minh-chung/{letter}">cong-van.pdf</a>' in form

    page_url = f"/nhiem-vu/{PLAN_A}/{task['key']}"
    for seer in ("tinh-a", "toanquoc", "bo-xem"):
        browser = world.as_user(seer)
        page = browser.get(page_url)
        assert page.status_code == 200, (seer, page.text)
        story_part = page.text.split('class="card due-story"', 1)[1].split("</section>", 1)[0]
        assert f'<a href="/minh-chung/{letter}">cong-van.pdf</a>' in story_part
        assert f'<a href="/minh-chung/{photo}">hien-truong.jpg</a>' in story_part
        history = page.text.split("Lịch sử cập nhật", 1)[1]
        assert f'<a href="/minh-chung/{letter}">cong-van.pdf</a>' in history
        got = browser.get(f"/minh-chung/{letter}")
        assert got.status_code == 200, seer
        assert got.content == LETTER
        assert "cong-van.pdf" in got.headers["content-disposition"]

    other = world.as_user(DON_VI_B)  # a unit of province B: does not see A's plan
    assert other.get(page_url).status_code == 404
    refused = other.get(f"/minh-chung/{letter}")
    assert refused.status_code == 404
    assert LETTER not in refused.content


def test_a_file_too_big_gives_the_form_back_and_stores_nothing(world: World) -> None:
    task = _far_task(world)
    big = _ask(world, task, [("evidence", ("quet.pdf", b"x" * 4096, "application/pdf"))])
    assert big.status_code == 413
    assert 'Tệp "quet.pdf" vượt giới hạn 2 KB; chưa lưu gì.' in html.unescape(big.text)
    assert 'class="card extension-form"' in big.text  # the form, to send again
    assert "Chờ văn bản của Bộ" in big.text  # with what was typed
    _nothing_stored(world, task)


def test_too_many_files_or_a_type_not_taken_store_nothing(world: World) -> None:
    task = _far_task(world)
    many = [("evidence", (f"anh-{n}.jpg", PHOTO, "image/jpeg")) for n in range(21)]
    crowded = _ask(world, task, many)
    assert crowded.status_code == 400
    refusal = crowded.text.split('class="error form-refusal">', 1)[1].split("</p>", 1)[0]
    assert refusal.startswith("Gửi quá nhiều tệp một lần: tối đa 20 tệp.")
    assert refusal.endswith("Chưa lưu gì.")
    assert 'class="card extension-form"' in crowded.text
    assert not any(word in crowded.text for word in ("Too many", "exceeded", "Maximum"))
    _nothing_stored(world, task)
    odd = _ask(world, task, [("evidence", ("chay.exe", b"MZ", "application/octet-stream"))])
    assert odd.status_code == 422
    assert "Loại tệp không nhận: chay.exe." in odd.text
    _nothing_stored(world, task)


def test_the_form_offers_the_file_input_with_the_update_limits(world: World) -> None:
    page = world.client.get(_link(_far_task(world))).text
    ask = page.split('class="card extension-form"', 1)[1]
    assert '<form class="card extension-form" method="post" enctype="multipart/form-data"' in page
    assert 'id="ext-evidence" name="evidence" type="file" multiple' in ask
    assert "tối đa 20 tệp, mỗi tệp tối đa 2 KB" in ask
    assert '<label for="ext-evidence" class="file-button">Chọn tệp…</label>' in ask
