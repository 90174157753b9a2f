"""/qua-han's "Chờ quyết định" in Debian's Chromium (Playwright), on the two provinces with
decisions waiting (tests/web/waiting_world.py), as province A's coordinator: on a 390 px phone
each waiting decision is a card, its task's title first and on screen, the page no wider than
the screen, no link covered; the title opens the task page; the extended task's "(có gia
hạn)" shows beside its date. Screenshots at 390 and 1366 px go to .test-artifacts/browser/
(overdue-waiting-<width>.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.settings import Settings
from tests.mail.conftest import free_port
from tests.web.helpers import ARTIFACTS, CHROMIUM, PASSWORD, serving
from tests.web.orgs import PLAN_A
from tests.web.test_every_page_browser import COVERED
from tests.web.waiting_world import ASKED, REPORTED, build_waiting

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)


@pytest.fixture
def served(tmp_path: Path, sqlite_settings: Settings, sqlite_engine: Engine) -> Iterator[str]:
    world = build_waiting(tmp_path, sqlite_settings, sqlite_engine)
    with serving(world.app, free_port()) as base:
        yield base


def _open(browser, base: str, width: int):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 800 else 800}, is_mobile=width < 800
    )
    page = context.new_page()
    page.goto(f"{base}/dang-nhap?next=/qua-han")
    page.fill("#username", "chutri-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/**")
    page.goto(f"{base}/qua-han")
    page.wait_for_selector("table.waiting")
    return page


@pytest.mark.parametrize("width", [390, 1366])
def test_what_waits_reads_on_a_phone_and_a_laptop(served: str, browser, width: int) -> None:  # type: ignore[no-untyped-def]
    page = _open(browser, served, width)
    rows = page.locator("table.waiting tr[data-waiting]")
    assert {r.get_attribute("data-waiting") for r in rows.all()} == {ASKED, REPORTED}
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(COVERED) == []
    section = page.locator("#cho-quyet-dinh").bounding_box()
    assert section is not None and section["x"] >= 0 and section["x"] + section["width"] <= width
    for row in rows.all():
        title = row.locator("td.title a").bounding_box()
        assert title is not None and title["x"] >= 0 and title["x"] + 100 <= width
    text = page.inner_text("table.waiting")
    assert "Đề nghị gia hạn" in text and "Chờ xác nhận hoàn thành" in text
    assert "gia hạn đến 31/07/2024" in text and "hoàn thành 05/06/2024" in text
    if width < 800:  # a card: each cell says what it is
        labels = page.evaluate(
            f"""[...document.querySelectorAll('tr[data-waiting="{ASKED}"] td[data-label]')]
            .map(td => getComputedStyle(td, '::before').content)"""
        )
        assert '"Đã chờ (ngày LV)"' in labels and '"Hạn hiện tại"' in labels
        header = page.locator("table.waiting tr:first-child th").first
        assert not header.is_visible()
    else:
        box = "document.querySelector('#cho-quyet-dinh')"
        assert page.evaluate(f"{box}.scrollWidth <= {box}.clientWidth")  # no column cut off
    extended = page.locator('table.overdue tr[data-task="t3-3-01"] td[data-label="Hạn"]')
    assert extended.inner_text().replace("\n", " ") == "05/06/2024 (có gia hạn)"
    page.screenshot(path=str(ARTIFACTS / f"overdue-waiting-{width}.png"), full_page=True)
    page.locator(f'table.waiting tr[data-waiting="{ASKED}"] td.title a').click()
    page.wait_for_url(f"**/nhiem-vu/{PLAN_A}/{ASKED}")
    page.context.close()
