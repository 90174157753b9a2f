"""The task page, the update form and the "hôm nay" page with reported figures in Debian's Chromium, at a phone's
390x844 and a laptop's 1366x800: nothing wider than the screen, the figures on the page.
Screenshots go to .test-artifacts/browser/ to be looked at."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.links import LinkGrant, make_token
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from kehoach_flow.web.app import create_app
from tests.mail.conftest import free_port
from tests.tracking.helpers import FIGURES_PLAN, write_figures_plan
from tests.web.helpers import ARTIFACTS, CHROMIUM, PASSWORD, serving, sign_in_page

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)

TASK = f"{FIGURES_PLAN}/ho-tro-dn"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SCREENS = {"phone": (390, 844), "laptop": (1366, 800)}


@pytest.fixture
def served(
    sqlite_settings: Settings, sqlite_engine: Engine, definitions_copy: Path
) -> Iterator[str]:
    """The app on the figures plan with two reports on ho-tro-dn, served on a free port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = sqlite_settings.model_copy(
        update={
            "base_url": base,
            "secret_key": "browser-secret",
            "definitions": write_figures_plan(definitions_copy),
            "today": date(2024, 5, 10),
        }
    )
    load_path(sqlite_engine, settings.definitions)
    add_user(sqlite_engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    add_user(sqlite_engine, "lanhdao", "Lãnh đạo Sở", "viewer", PASSWORD)
    task_id = find_task(sqlite_engine, TASK)["id"]
    clock = datetime(2024, 5, 10, 12, 0, tzinfo=VN)
    reports = [
        (
            UpdateIn(Status.IN_PROGRESS, 40, {"1": 12}, {"sn-khcn-2024": 30_000_000}),
            Author("qltcdlcl", "web", at=datetime(2024, 5, 2, 9, 0, tzinfo=VN)),
        ),
        (
            UpdateIn(actuals={"1": 25}, spending={"sn-khcn-2024": 120_000_000}, note="Đã khảo sát"),
            Author("lanhdao", "api", at=datetime(2024, 5, 10, 8, 30, tzinfo=VN)),
        ),
    ]
    for change, author in reports:
        record_update(sqlite_engine, task_id, change, author, now=clock)
    with serving(create_app(settings, sqlite_engine), port):
        yield base


def _fits(page: object) -> tuple[int, int]:
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )


@pytest.mark.parametrize("screen", SCREENS)
def test_task_page_and_form_with_figures_fit_the_screen(served, browser, screen: str) -> None:  # type: ignore[no-untyped-def]
    base = served
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in_page(page, base)
    page.goto(f"{base}/nhiem-vu/{TASK}")
    assert "25/30 doanh nghiệp" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / f"figures-task-{screen}.png"), full_page=True)
    scroll, inner = _fits(page)
    assert scroll <= inner, f"the task page is {scroll} px wide on a {inner} px screen"

    page.goto(f"{base}/hom-nay")
    assert "Lãnh đạo Sở qua API" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / f"today-{screen}.png"), full_page=True)
    scroll, inner = _fits(page)
    assert scroll <= inner, f"the today page is {scroll} px wide on a {inner} px screen"

    token = make_token("browser-secret", LinkGrant(TASK, "qltcdlcl"))
    form = context.new_page()
    form.goto(f"{base}/cap-nhat/{token}")
    assert form.input_value("#actual_1") == "25"
    assert form.input_value("#spent_sn-khcn-2024") == "120.000.000"
    form.screenshot(path=str(ARTIFACTS / f"figures-form-{screen}.png"), full_page=True)
    scroll, inner = _fits(form)
    assert scroll <= inner, f"the update form is {scroll} px wide on a {inner} px screen"
    context.close()
