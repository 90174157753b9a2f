"""The reports form and the JSON API refuse a year the plan does not cover, in Vietnamese."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.accounts import issue_token
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN
from tests.web.conftest import csrf_of, sign_in


def test_the_reports_form_refuses_a_year_the_plan_does_not_cover(
    web: TestClient, engine: Engine, web_settings: Settings
) -> None:
    sign_in(web)
    form = {
        "csrf_token": csrf_of(web, "/bao-cao"),
        "subject": f"plan:{SEED_PLAN}",
        "period": "q2",
        "year": "2001",
    }
    refused = web.post("/bao-cao", data=form)
    assert refused.status_code == 422
    assert "thực hiện trong các năm 2024-2025; không soạn báo cáo năm 2001" in refused.text
    programme = {**form, "csrf_token": csrf_of(web, "/bao-cao"), "subject": "programme:de-an-996"}
    refused = web.post("/bao-cao", data=programme)
    assert refused.status_code == 422
    assert "không soạn báo cáo tổng hợp năm 2001" in refused.text
    assert list_runs(engine) == []
    assert not (web_settings.data_dir / "reports").exists()


def test_the_api_refuses_a_year_the_plan_does_not_cover(web: TestClient, engine: Engine) -> None:
    headers = {"Authorization": f"Bearer {issue_token(engine, 'phongkh', 'test')}"}
    for body in (
        {"plan": SEED_PLAN, "period": "q2", "year": 2030},
        {"programme": "de-an-996", "period": "year", "year": 2030},
    ):
        made = web.post("/api/reports", json=body, headers=headers)
        assert made.status_code == 400, made.text
        assert "không soạn báo cáo" in made.json()["detail"] and "2030" in made.json()["detail"]
    assert list_runs(engine) == []
