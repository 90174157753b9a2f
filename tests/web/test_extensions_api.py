"""Issue 22 through /api, on SQLite and Postgres: a token of an account that edits the plan
asks for an extension (refused by the rule unless recorded late), decides it once (409 for a
second decision, with who decided), confirms or returns a completion; GET task tells the
due-date story; a token that sees the plan only gets a 403, one that does not see it a 404."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import issue_token
from kehoach_flow.db.queries import find_task
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import history_rows
from tests.web.test_extensions_pages import SPRING, TASK, make_client, world  # noqa: F401

URL = f"/api/tasks/{TASK}"
ASK = {"due": "2025-03-31", "reason": "Chờ số liệu của doanh nghiệp"}


@pytest.fixture
def api(world: Settings, engine: Engine) -> tuple[TestClient, dict[str, dict[str, str]]]:  # noqa: F811
    tokens = {
        name: {"Authorization": f"Bearer {issue_token(engine, name, 'test')}"}
        for name in ("phongkh", "lanhdao", "trungtam", "ngoai")
    }
    return make_client(world, engine, SPRING), tokens


def _kinds(engine: Engine) -> list[str]:
    return [r["kind"] for r in history_rows(engine, find_task(engine, TASK)["id"])]


def test_a_request_approved_on_another_date_then_a_second_decision_is_a_409(
    api: tuple[TestClient, dict[str, dict[str, str]]], engine: Engine
) -> None:
    client, tokens = api
    asked = client.post(f"{URL}/extensions", json=ASK, headers=tokens["phongkh"])
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request_id"]
    story = client.get(URL, headers=tokens["lanhdao"]).json()["due_story"]
    assert story["pending"] == request_id and story["current"] == "2024-12-31"
    decision = f"/api/extensions/{request_id}/decision"
    body = {"decision": "approve", "due": "2025-02-28", "comment": "Đồng ý đến cuối tháng 2"}
    decided = client.post(decision, json=body, headers=tokens["phongkh"])
    assert decided.status_code == 200, decided.text
    assert decided.json()["due"] == "2025-02-28"
    story = client.get(URL, headers=tokens["phongkh"]).json()["due_story"]
    assert (story["original"], story["current"], story["extensions"]) == (
        "2024-12-31",
        "2025-02-28",
        1,
    )
    assert [s["kind"] for s in story["steps"]] == ["extension_request", "extension_approved"]
    before = _kinds(engine)
    again = client.post(
        decision, json={"decision": "refuse", "comment": "Không"}, headers=tokens["phongkh"]
    )
    assert again.status_code == 409
    assert "đã được quyết định (đồng ý) bởi phongkh" in again.json()["detail"]
    assert _kinds(engine) == before


def test_a_late_request_is_refused_with_the_rule_unless_recorded_late(
    world: Settings,  # noqa: F811
    engine: Engine,
) -> None:
    client = make_client(world, engine, date(2024, 12, 26))
    token = {"Authorization": f"Bearer {issue_token(engine, 'phongkh', 'test')}"}
    late = client.post(f"{URL}/extensions", json=ASK, headers=token)
    assert late.status_code == 400
    assert "ít nhất 5 ngày làm việc" in late.json()["detail"]
    assert _kinds(engine) == []
    recorded = client.post(f"{URL}/extensions", json=ASK | {"record_late": True}, headers=token)
    assert recorded.status_code == 201
    story = client.get(URL, headers=token).json()["due_story"]
    assert story["steps"][0]["late_recorded"] is True


def test_a_refusal_needs_a_reason_and_fields_are_told_in_vietnamese(
    api: tuple[TestClient, dict[str, dict[str, str]]], engine: Engine
) -> None:
    client, tokens = api
    headers = tokens["phongkh"]
    wrong = client.post(f"{URL}/extensions", json={"due": "mai", "reason": ""}, headers=headers)
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == {
        "due": "phải là ngày dạng NNNN-TT-NN, ví dụ 2024-06-30",
        "reason": "cần ít nhất 1 ký tự",
    }
    request_id = client.post(f"{URL}/extensions", json=ASK, headers=headers).json()["request_id"]
    decision = f"/api/extensions/{request_id}/decision"
    bare = client.post(decision, json={"decision": "refuse"}, headers=headers)
    assert bare.status_code == 400 and bare.json()["detail"] == "không đồng ý gia hạn cần nêu lý do"
    refused = client.post(decision, json={"decision": "refuse", "comment": "Đủ"}, headers=headers)
    assert refused.status_code == 200
    story = client.get(URL, headers=headers).json()["due_story"]
    assert story["current"] == "2024-12-31" and story["pending"] is None
    unknown = client.post(
        "/api/extensions/999999/decision",
        json={"decision": "refuse", "comment": "x"},
        headers=headers,
    )
    assert (
        unknown.status_code == 404 and "không tìm thấy đề nghị gia hạn" in unknown.json()["detail"]
    )


def test_tokens_that_do_not_edit_the_plan_get_403_or_404(
    api: tuple[TestClient, dict[str, dict[str, str]]], engine: Engine
) -> None:
    client, tokens = api
    request_id = client.post(f"{URL}/extensions", json=ASK, headers=tokens["phongkh"]).json()[
        "request_id"
    ]
    decision = f"/api/extensions/{request_id}/decision"
    approve = {"decision": "approve"}
    for name in ("lanhdao", "trungtam"):  # they see the plan
        assert client.post(f"{URL}/extensions", json=ASK, headers=tokens[name]).status_code == 403
        assert client.post(decision, json=approve, headers=tokens[name]).status_code == 403
        review = client.post(f"{URL}/review", json={"decision": "confirm"}, headers=tokens[name])
        assert review.status_code == 403
    outside = tokens["ngoai"]
    hidden = client.post(f"{URL}/extensions", json=ASK, headers=outside)
    assert hidden.status_code == 404 and "không tìm thấy nhiệm vụ" in hidden.json()["detail"]
    hidden = client.post(decision, json=approve, headers=outside)
    assert hidden.status_code == 404 and "không tìm thấy đề nghị gia hạn" in hidden.json()["detail"]
    review = client.post(f"{URL}/review", json={"decision": "confirm"}, headers=outside)
    assert review.status_code == 404
    assert client.get(URL, headers=outside).status_code == 404
    assert _kinds(engine) == ["extension_request"]


def test_a_completion_is_returned_then_confirmed_and_a_stale_review_is_a_409(
    api: tuple[TestClient, dict[str, dict[str, str]]], engine: Engine
) -> None:
    client, tokens = api
    headers = tokens["phongkh"]
    review = f"{URL}/review"
    early = client.post(review, json={"decision": "confirm"}, headers=headers)
    assert early.status_code == 409 and "không chờ xác nhận hoàn thành" in early.json()["detail"]
    done = {"version": 1, "status": "done", "progress": 100, "completed_on": "2024-06-01"}
    assert client.post(f"{URL}/updates", json=done, headers=headers).status_code == 201
    assert find_task(engine, TASK)["status"] == "awaiting_review"
    bare = client.post(review, json={"decision": "return"}, headers=headers)
    assert bare.status_code == 400 and "cần nêu nhận xét" in bare.json()["detail"]
    back = client.post(review, json={"decision": "return", "comment": "Thiếu"}, headers=headers)
    assert back.status_code == 200 and back.json()["status"] == "in_progress"
    version = find_task(engine, TASK)["version"]
    again = done | {"version": version}
    assert client.post(f"{URL}/updates", json=again, headers=headers).status_code == 201
    ok = client.post(review, json={"decision": "confirm", "comment": "Tốt"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["status"] == "done"
    assert find_task(engine, TASK)["completed_on"] == "2024-06-01"
    twice = client.post(review, json={"decision": "confirm"}, headers=headers)
    assert twice.status_code == 409


def test_two_decisions_at_once_one_wins_the_other_is_a_409(
    api: tuple[TestClient, dict[str, dict[str, str]]], engine: Engine
) -> None:
    client, tokens = api
    headers = tokens["phongkh"]
    request_id = client.post(f"{URL}/extensions", json=ASK, headers=headers).json()["request_id"]
    decision = f"/api/extensions/{request_id}/decision"
    bodies = [{"decision": "approve"}, {"decision": "refuse", "comment": "Không cần"}]
    start = threading.Barrier(2)

    def post(body: dict[str, str]) -> int:
        start.wait()
        return client.post(decision, json=body, headers=headers).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(post, bodies))
    assert statuses == [200, 409]
    kinds = _kinds(engine)
    assert len([k for k in kinds if k in ("extension_approved", "extension_refused")]) == 1
