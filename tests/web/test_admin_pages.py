"""Timeline, flow runs and loading a plan file from the browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task, list_plans, list_tasks
from kehoach_flow.loading import load_path
from kehoach_flow.orchestration import runs
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN
from tests.web.conftest import csrf_of, sign_in


def test_the_timeline_draws_every_task_its_dependencies_and_today(
    web: TestClient, engine: Engine, definitions_copy: Path
) -> None:
    plan = definitions_copy / "plans" / "quang-tri-2024.yaml"
    text = plan.read_text(encoding="utf-8")
    dependent = "      - key: dau-tu-thiet-bi-gd2\n"
    plan.write_text(
        text.replace(dependent, dependent + "        depends_on: [khao-sat-30-dn]\n"),
        encoding="utf-8",
    )
    load_path(engine, definitions_copy)
    sign_in(web)
    page = web.get("/tien-do", params={"plan": SEED_PLAN})
    assert page.status_code == 200
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    assert len(re.findall(r'<g class="task" data-task=', svg)) == 7
    edges = sum(len(t["depends_on"]) for t in list_tasks(engine, plan=SEED_PLAN))
    assert edges == 1 and svg.count('class="dependency"') == edges
    assert 'class="today"' in svg
    assert web.get("/tien-do", params={"plan": "khong-co"}).status_code == 404


def test_the_flows_page_lists_the_scheduled_runs(web: TestClient, engine: Engine) -> None:
    slot = datetime(2024, 12, 20, 0, 30, tzinfo=UTC)
    assert runs.claim(engine, "send-reminders", slot)
    runs.settle(engine, "send-reminders", slot, "failed", "máy chủ thư không trả lời")
    sign_in(web)
    page = web.get("/luong")
    assert page.status_code == 200
    assert "Gửi thư nhắc việc" in page.text and "máy chủ thư không trả lời" in page.text
    assert "send-reminders" not in page.text  # the job as a person says it, not its code


@pytest.fixture
def upload_web(
    web_settings: Settings, engine: Engine, definitions_copy: Path, web: TestClient
) -> TestClient:
    """Like `web`, but on a writable copy of definitions/ (applying writes into it)."""
    ours = web_settings.model_copy(update={"definitions": definitions_copy})
    return TestClient(create_app(ours, engine), follow_redirects=False)


def test_a_viewer_cannot_load_definitions(web: TestClient) -> None:
    sign_in(web, username="lanhdao")
    assert web.get("/dinh-nghia").status_code == 403


def test_a_broken_plan_file_shows_its_errors_with_lines_and_loads_nothing(
    upload_web: TestClient, engine: Engine
) -> None:
    sign_in(upload_web)
    broken = (
        b"plan:\n  key: tinh-b-2024\n  title: Ke hoach B\n  year: 2024\n  coordinator: khong-co\n"
    )
    page = upload_web.post(
        "/dinh-nghia",
        data={"csrf_token": csrf_of(upload_web, "/dinh-nghia")},
        files={"file": ("tinh-b.yaml", broken, "application/yaml")},
    )
    assert page.status_code == 422
    assert re.search(r"tinh-b\.yaml:5:\d+: ", page.text), page.text
    assert [p["key"] for p in list_plans(engine)] == [SEED_PLAN]


def test_a_plan_file_is_previewed_then_applied(
    upload_web: TestClient, engine: Engine, definitions_copy: Path
) -> None:
    sign_in(upload_web)
    seed = (definitions_copy / "plans" / "quang-tri-2024.yaml").read_text(encoding="utf-8")
    changed = seed.replace("Khảo sát", "Điều tra, khảo sát", 1).encode()
    preview = upload_web.post(
        "/dinh-nghia",
        data={"csrf_token": csrf_of(upload_web, "/dinh-nghia")},
        files={"file": ("quang-tri-2024.yaml", changed, "application/yaml")},
    )
    assert preview.status_code == 200, preview.text
    assert "Sẽ thay đổi" in preview.text and "khao-sat-30-dn" in preview.text
    assert find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")["title"].startswith(
        "Khảo sát"
    )  # not yet
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.text)
    assert digest is not None
    token = re.search(r'name="csrf_token" value="([^"]+)"', preview.text)
    assert token is not None
    applied = upload_web.post(
        "/dinh-nghia/ap-dung",
        data={
            "csrf_token": token.group(1),
            "name": "quang-tri-2024.yaml",
            "digest": digest.group(1),
        },
    )
    assert applied.status_code == 200 and "Đã thay đổi" in applied.text
    assert find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")["title"].startswith(
        "Điều tra, khảo sát"
    )
    assert (definitions_copy / "plans" / "quang-tri-2024.yaml").read_bytes() == changed
