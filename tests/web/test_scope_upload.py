"""The plan-file upload (/dinh-nghia) obeys the scope rule (issue 21): a file whose plan is
coordinated outside the account's scope, or that would replace such a file, is refused with
the reason in Vietnamese, nothing previewed or kept; applied and refused uploads are in the
audit log. A ministry and two provinces on one database (tests/web/scope_world.py)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts.audit import recent
from kehoach_flow.db.queries import list_plans
from kehoach_flow.settings import Settings
from tests.web.scope_world import DON_VI_B, PLAN_A, PLAN_B, World, build_world


@pytest.fixture
def world(tmp_path: Path, settings: Settings, engine: Engine) -> World:
    return build_world(tmp_path, settings, engine)


def _file(world: World, province: int) -> str:
    return (world.settings.definitions / "plans" / f"province-{province:02d}.yaml").read_text(
        encoding="utf-8"
    )


def _preview(world: World, browser: TestClient, name: str, text: str) -> httpx.Response:
    return browser.post(
        "/dinh-nghia",
        data={"csrf_token": world.csrf(browser, "/dinh-nghia")},
        files={"file": (name, text.encode(), "application/yaml")},
    )


def _previewed(world: World, browser: TestClient, name: str, text: str) -> str:
    """The digest of the file `browser` previewed (a 200 page)."""
    page = _preview(world, browser, name, text)
    assert page.status_code == 200, page.text[:2000]
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page.text)
    assert digest is not None
    return digest.group(1)


def _apply(world: World, browser: TestClient, name: str, digest: str) -> httpx.Response:
    data = {"csrf_token": world.csrf(browser, "/dinh-nghia"), "name": name, "digest": digest}
    return browser.post("/dinh-nghia/ap-dung", data=data)


def _staged(world: World) -> list[Path]:
    uploads = world.settings.data_dir / "uploads"
    return sorted(uploads.iterdir()) if uploads.exists() else []


def test_a_plan_file_outside_the_scope_is_refused_and_nothing_is_kept(world: World) -> None:
    province_a = world.as_user("tinh-a")
    form = province_a.get("/dinh-nghia").text
    assert "chỉ nạp được kế hoạch do đơn vị trong phạm vi của mình" in form
    assert "trong phạm vi của mình" not in world.as_user("toanquoc").get("/dinh-nghia").text
    before = _file(world, 2)
    retitled = before.replace("của tỉnh 2", "của tỉnh 2 (sửa)", 1)
    refusals = [
        # B's own file, changed, over B's file
        ("province-02.yaml", retitled, "ngoài phạm vi của tài khoản"),
        # a new plan coordinated by a unit of B
        ("moi.yaml", retitled.replace(PLAN_B, "moi-2024"), 'do đơn vị "p02-u01" chủ trì'),
        # A's coordinator, but saved over B's file (and plan key)
        (
            "province-02.yaml",
            retitled.replace("coordinator: p02-u01", "coordinator: p01-u01"),
            PLAN_B,
        ),
    ]
    for name, text, reason in refusals:
        page = _preview(world, province_a, name, text)
        assert page.status_code == 403, page.text[:500]
        assert reason in page.text.replace("&#34;", '"'), page.text[:2000]
        assert "chưa nạp gì" in page.text
        assert 'name="digest"' not in page.text  # nothing offered to apply
        assert "Sẽ thay đổi" not in page.text  # nothing of B's plan shown
    assert _staged(world) == []
    assert _file(world, 2) == before
    entries = recent(world.engine, None, actions=["plan_upload_refused"])
    assert len(entries) == 3
    assert {(e.actor, e.unit_key) for e in entries} == {("tinh-a", "tinh-01")}
    assert entries[-1].target == "plans/province-02.yaml"
    assert "ngoài phạm vi" in (entries[-1].detail or "")

    # a coordinator who sees B's plan (it leads a task) does not edit it either
    page = _preview(world, world.as_user(DON_VI_B), "province-02.yaml", retitled)
    assert page.status_code == 403


def test_a_plan_file_within_the_scope_is_previewed_applied_and_recorded(world: World) -> None:
    province_a = world.as_user("tinh-a")
    text = _file(world, 1).replace("của tỉnh 1", "của tỉnh 1 (sửa)", 1)
    digest = _previewed(world, province_a, "province-01.yaml", text)
    applied = _apply(world, province_a, "province-01.yaml", digest)
    assert applied.status_code == 200, applied.text[:2000]
    assert "Đã nạp province-01.yaml" in applied.text
    titles = {p["key"]: p["title"] for p in list_plans(world.engine)}
    assert titles[PLAN_A].endswith("(sửa)")
    (entry,) = recent(world.engine, None, actions=["plan_uploaded"])
    assert (entry.actor, entry.target, entry.unit_key) == ("tinh-a", PLAN_A, "p01-u01")
    assert entry.label == "Nạp tệp kế hoạch"


def test_apply_checks_the_scope_again(world: World) -> None:
    """A file another account previewed (its digest known) cannot be applied by one whose
    scope does not reach its plan: refused, removed, the definitions unchanged."""
    whole = world.as_user("toanquoc")
    text = _file(world, 2).replace("của tỉnh 2", "của tỉnh 2 (sửa)", 1)
    digest = _previewed(world, whole, "province-02.yaml", text)
    before = _file(world, 2)
    refused = _apply(world, world.as_user("tinh-a"), "province-02.yaml", digest)
    assert refused.status_code == 403
    assert "ngoài phạm vi của tài khoản" in refused.text and "chưa nạp gì" in refused.text
    assert _file(world, 2) == before and _staged(world) == []
    titles = {p["key"]: p["title"] for p in list_plans(world.engine)}
    assert not titles[PLAN_B].endswith("(sửa)")

    # the whole installation's coordinator uploads over any province, as before
    digest = _previewed(world, whole, "province-02.yaml", text)
    assert _apply(world, whole, "province-02.yaml", digest).status_code == 200
    titles = {p["key"]: p["title"] for p in list_plans(world.engine)}
    assert titles[PLAN_B].endswith("(sửa)")


def test_a_viewer_cannot_open_the_upload_page(world: World) -> None:
    assert world.as_user("bo-xem").get("/dinh-nghia").status_code == 403
