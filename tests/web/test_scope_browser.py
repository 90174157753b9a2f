"""Issue 21, acceptance: in Debian's Chromium (Playwright), a ministry and two provinces on one
database (tests/web/orgs.py), signed in through the form as each account of that world
(province A's coordinator, viewer and admin, province B's coordinator, the ministry's viewer,
the whole installation's admin), at 390 and 1366 px. The overview `/` and /qua-han show a
province's accounts their own plan only, both provinces' plans to the other two; the other
province's plan is the not-found page. Screenshots go to .test-artifacts/browser/
scope-<who>-<width>.png (the overview) and scope-<who>-<width>-qua-han.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from kehoach_flow.settings import Settings
from tests.mail.conftest import free_port
from tests.web.helpers import ARTIFACTS, CHROMIUM, serving, sign_in_page
from tests.web.orgs import BOTH, SEES, build_orgs

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)

WHO = {  # screenshot name -> username (tests/web/orgs.py ACCOUNTS)
    "coordinator-a": "chutri-a",
    "viewer-a": "xem-a",
    "admin-a": "quantri-a",
    "coordinator-b": "chutri-b",
    "ministry-viewer": "bo-xem",
    "whole-admin": "quantri",
}
WIDTHS = (390, 1366)


@pytest.fixture
def served(tmp_path: Path, sqlite_settings: Settings, sqlite_engine: Engine) -> Iterator[str]:
    orgs = build_orgs(tmp_path, sqlite_settings, sqlite_engine)
    with serving(orgs.app, free_port()) as base:
        yield base


def _plans(page: Any, selector: str, attribute: str, pattern: str) -> set[str]:
    found = set()
    for element in page.locator(selector).all():
        match = re.match(pattern, element.get_attribute(attribute) or "")
        if match:
            found.add(match.group(1))
    return found


@pytest.mark.parametrize("who", sorted(WHO))
def test_each_account_sees_its_provinces_at_phone_and_laptop_width(
    served: str,
    browser: Any,
    who: str,
) -> None:
    username = WHO[who]
    sees = SEES[username]
    for width in WIDTHS:
        context = browser.new_context(
            viewport={"width": width, "height": 844 if width < 800 else 800},
            is_mobile=width < 800,
            locale="vi-VN",
        )
        page = context.new_page()
        sign_in_page(page, served, username)

        cards = _plans(page, "section.card.plan[data-plan]", "data-plan", r"(.+)")
        assert cards == sees, (who, width)
        linked = _plans(page, "main a[href^='/ke-hoach/']", "href", r"/ke-hoach/([^/?#]+)")
        assert linked <= sees and sees <= linked, (who, width)
        for hidden in BOTH - sees:
            assert hidden not in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"scope-{who}-{width}.png"), full_page=True)

        page.goto(f"{served}/qua-han")
        page.wait_for_selector("table.overdue tr[data-task]")
        rows = _plans(page, "table.overdue tr[data-task] a", "href", r"/nhiem-vu/([^/]+)/")
        assert rows == sees, (who, width)
        offered = {v for v in page.locator("#plan option").evaluate_all(
            "options => options.map(o => o.value)"
        ) if v}  # fmt: skip
        assert offered == sees, (who, width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"scope-{who}-{width}-qua-han.png"), full_page=True)

        for hidden in sorted(BOTH - sees):  # the same not-found page as a plan that never was
            answer = page.goto(f"{served}/ke-hoach/{hidden}")
            assert answer is not None and answer.status == 404
            text = page.inner_text("main").replace(hidden, "X")
            page.goto(f"{served}/ke-hoach/khong-co")
            assert text == page.inner_text("main").replace("khong-co", "X")
        context.close()
