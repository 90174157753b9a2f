"""A browser upload may not give a plan key that another definitions file already holds:
`kehoach load` of the folder would then refuse everything."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.db.queries import list_plans
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN
from tests.web.conftest import csrf_of, sign_in

OTHER = """plan:
  key: tinh-c-2024
  title: Ke hoach C
  year: 2024
  coordinator: qltcdlcl
sections:
  - key: "1"
    title: Muc 1
    tasks:
      - key: viec-1
        title: Viec 1
        lead: qltcdlcl
        schedule: Quý II
""".encode()


@pytest.fixture
def upload_web(
    web_settings: Settings, engine: Engine, definitions_copy: Path, web: TestClient
) -> TestClient:
    ours = web_settings.model_copy(update={"definitions": definitions_copy})
    client = TestClient(create_app(ours, engine), follow_redirects=False)
    sign_in(client)
    return client


def _preview(client: TestClient, name: str, content: bytes) -> httpx.Response:
    return client.post(
        "/dinh-nghia",
        data={"csrf_token": csrf_of(client, "/dinh-nghia")},
        files={"file": (name, content, "application/yaml")},
    )


def test_an_upload_whose_key_another_file_holds_is_refused_naming_that_file(
    upload_web: TestClient, engine: Engine, definitions_copy: Path
) -> None:
    seed = (definitions_copy / "plans" / "quang-tri-2024.yaml").read_bytes()
    copy = seed.replace("Khảo sát".encode(), "Điều tra".encode(), 1)
    page = _preview(upload_web, "ban-sao.yaml", copy)
    assert page.status_code == 409
    text = page.text
    assert f"Kế hoạch &#34;{SEED_PLAN}&#34; đã có trong tệp plans/quang-tri-2024.yaml" in text
    assert "quang-tri-2024.yaml&#34;" in text  # how to replace it instead
    assert not (definitions_copy / "plans" / "ban-sao.yaml").exists()
    assert 'name="digest"' not in text  # nothing offered to apply
    load_path(engine, definitions_copy)  # the folder still loads


def test_apply_refuses_a_key_another_file_took_since_the_preview(
    upload_web: TestClient, engine: Engine, definitions_copy: Path
) -> None:
    preview = _preview(upload_web, "tinh-c.yaml", OTHER)
    assert preview.status_code == 200, preview.text
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.text)
    assert digest is not None
    (definitions_copy / "plans" / "tinh-c-cu.yaml").write_bytes(OTHER)
    applied = upload_web.post(
        "/dinh-nghia/ap-dung",
        data={
            "csrf_token": csrf_of(upload_web, "/dinh-nghia"),
            "name": "tinh-c.yaml",
            "digest": digest.group(1),
        },
    )
    assert applied.status_code == 409
    assert "đã có trong tệp plans/tinh-c-cu.yaml" in applied.text
    assert not (definitions_copy / "plans" / "tinh-c.yaml").exists()
    assert [p["key"] for p in list_plans(engine)] == [SEED_PLAN]


def test_an_upload_under_the_holders_name_replaces_that_plan(
    upload_web: TestClient, definitions_copy: Path
) -> None:
    seed = (definitions_copy / "plans" / "quang-tri-2024.yaml").read_bytes()
    page = _preview(upload_web, "quang-tri-2024.yaml", seed)
    assert page.status_code == 200, page.text
    assert 'name="digest"' in page.text
