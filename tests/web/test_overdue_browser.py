"""/qua-han in Debian's Chromium (Playwright) on two generated provinces at the busy day:
on a 390 px phone the task's title is the first column and on screen, the page has no
horizontal scroll of its own, and the pager leads to the next page with the filters kept.
Screenshots at 390 and 1366 px go to .test-artifacts/browser/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail.conftest import free_port
from tests.web.conftest import PASSWORD
from tests.web.helpers import ARTIFACTS, CHROMIUM, national_app, serving

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app, engine = national_app(tmp_path_factory.mktemp("national-browser"))
    port = free_port()
    with serving(app, port) as base:
        yield base
    engine.dispose()


def signed_in(browser, base: str, width: int):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 800 else 900}, is_mobile=width < 800
    )
    page = context.new_page()
    page.goto(f"{base}/dang-nhap?next=/qua-han")
    page.fill("#username", "phongkh")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("table.overdue")
    if not page.url.endswith("/qua-han"):
        page.goto(f"{base}/qua-han")
    return page


def test_on_a_phone_the_title_is_on_screen_and_the_pager_keeps_the_filter(  # type: ignore[no-untyped-def]
    served: str,
    browser,
) -> None:
    page = signed_in(browser, served, 390)
    title = page.locator("table.overdue tr[data-task] td.title").first.bounding_box()
    assert title is not None and title["x"] >= 0 and title["x"] + 150 <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "Trang 1/" in page.inner_text(".pager")
    page.screenshot(path=str(ARTIFACTS / "6-overdue-phone.png"), full_page=False)
    plan = page.locator("#plan option").nth(1).get_attribute("value")
    page.select_option("#plan", plan)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**plan={plan}**")
    page.locator(".pager a[rel=next]").first.click()
    page.wait_for_url("**page=2**")
    assert f"plan={plan}" in page.url and "Trang 2/" in page.inner_text(".pager")
    cells = page.locator("table.overdue tr[data-task] td[data-plan]")
    assert cells.count() and {c.get_attribute("data-plan") for c in cells.all()} == {plan}
    page.screenshot(path=str(ARTIFACTS / "7-overdue-phone-page-2.png"), full_page=False)


def test_on_a_wide_screen_every_column_fits(served: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(browser, served, 1366)
    box = "document.querySelector('.card.scroll')"
    assert page.evaluate(f"{box}.scrollWidth <= {box}.clientWidth")  # no column cut off
    table = page.locator("table.overdue").bounding_box()
    assert table is not None and table["x"] >= 0 and table["x"] + table["width"] <= 1366
    page.screenshot(path=str(ARTIFACTS / "8-overdue-1366.png"), full_page=False)
