"""The programme page in Debian's Chromium at a phone's 390x844 and a laptop's 1366x800, on
two generated provinces' plans of Đề án 996: nothing wider than the screen, a card per plan
on the phone, a table on the laptop. Screenshots go to .test-artifacts/browser/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mail.conftest import free_port
from tests.web.helpers import ARTIFACTS, CHROMIUM, national_app, serving, sign_in_page

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)

SCREENS = {"phone": (390, 844), "laptop": (1366, 800)}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    app, _ = national_app(tmp_path)
    port = free_port()
    with serving(app, port) as base:
        yield base


@pytest.mark.parametrize("screen", SCREENS)
def test_the_programme_page_fits_the_screen(served, browser, screen: str) -> None:  # type: ignore[no-untyped-def]
    base = served
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in_page(page, base)
    page.goto(f"{base}/chuong-trinh/de-an-996")
    main = page.inner_text("main")
    assert "Kế hoạch thực hiện Đề án 996 năm 2024 của tỉnh 1" in main
    assert "Tổng cộng" in main
    page.screenshot(path=str(ARTIFACTS / f"programme-{screen}.png"), full_page=True)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"the programme page is {scroll} px wide on a {inner} px screen"
    heading = page.locator("table.programme thead")
    # the phone shows a card per plan (its numbers labelled), the laptop the table's heading
    assert heading.is_visible() == (screen == "laptop")
    link = page.locator('a[href="/ke-hoach/province-01-2024"]')
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner
    context.close()
