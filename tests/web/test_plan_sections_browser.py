"""A long generated plan (300 tasks) in Debian's Chromium at 390x844 and 1366x800: it opens
as its sections' headings with their counts (a page a few screens long, not 60), every
visible link tappable, a tapped heading opens its tasks; /qua-han at 1366 keeps a short unit
name on one line. Screenshots: .test-artifacts/browser/long-plan-<screen>.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail.conftest import free_port
from tests.web.conftest import PASSWORD
from tests.web.helpers import ARTIFACTS, CHROMIUM, national_app, serving
from tests.web.test_every_page_browser import COVERED

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)
SCREENS = {"phone": (390, 844), "laptop": (1366, 800)}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app, engine = national_app(tmp_path_factory.mktemp("long-plan"))
    with serving(app, free_port()) as base:
        yield base
    engine.dispose()


def _signed_in(browser, base: str, screen: str):  # type: ignore[no-untyped-def]
    width, height = SCREENS[screen]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{base}/dang-nhap")
    page.fill("#username", "phongkh")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


@pytest.mark.parametrize("screen", SCREENS)
def test_a_long_plan_opens_as_its_sections_headings(served, browser, screen: str) -> None:  # type: ignore[no-untyped-def]
    page = _signed_in(browser, served, screen)
    plan = page.get_attribute("section.card.plan h2 a", "href")
    page.goto(f"{served}{plan}")
    page.screenshot(path=str(ARTIFACTS / f"long-plan-{screen}.png"), full_page=True)
    shown = int(page.inner_text("span.shown"))
    height, screen_height = page.evaluate("[document.documentElement.scrollHeight, innerHeight]")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    visible_rows = page.locator("tr[data-task]:visible").count()
    covered = page.evaluate(COVERED)
    first = page.locator("details.section > summary").first
    first.click()
    opened = page.locator("details.section[open] tr[data-task]:visible").count()
    page.context.close()
    assert shown > 40 and visible_rows == 0
    assert height < 8 * screen_height, f"{height} px for {shown} tasks"
    assert scroll <= inner and covered == []
    assert opened > 0


def test_a_short_unit_name_stays_on_one_line_at_1366(served, browser) -> None:  # type: ignore[no-untyped-def]
    page = _signed_in(browser, served, "laptop")
    page.goto(f"{served}/qua-han")
    cells = page.eval_on_selector_all(
        'td[data-label="Chủ trì"] a',
        "as => as.map(a => [a.textContent, a.getClientRects().length])",
    )
    page.screenshot(path=str(ARTIFACTS / "overdue-units-laptop.png"))
    page.context.close()
    short = [(name, lines) for name, lines in cells if len(name) <= 24]
    assert short and all(lines == 1 for _, lines in short), short
