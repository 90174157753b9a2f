"""In Chromium under the app's Content-Security-Policy: the pages work with nothing blocked
(charts, filters, forms), and /api/docs renders with every request off this machine refused.
Screenshots at phone (390 px) and desktop (1366 px) width go to .test-artifacts/browser/."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import pytest

from kehoach_flow.db.queries import find_task
from kehoach_flow.orchestration.runs import claim
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.review import confirm_done
from kehoach_flow.tracking.status import Status
from tests.conftest import SEED_PLAN
from tests.web.conftest import PASSWORD
from tests.web.helpers import ARTIFACTS, CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)


def _offline(context: Any) -> list[str]:
    """Refuse every request that leaves this machine; the list says what was tried."""
    tried: list[str] = []

    def route(r: Any) -> None:
        host = urlparse(r.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            tried.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return tried


def _watch(page: Any) -> list[str]:
    """Console errors and page errors (a CSP refusal shows up here)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_api_docs_render_with_no_network_and_nothing_refused(live, browser) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = live
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    tried = _offline(context)
    page = context.new_page()
    problems = _watch(page)
    response = page.goto(f"{base}/api/docs")
    assert response is not None and response.status == 200
    page.wait_for_selector("#swagger-ui .info .title", timeout=30_000)
    assert "kehoach-flow" in page.inner_text("#swagger-ui .info .title")
    page.wait_for_selector("#swagger-ui .opblock", timeout=30_000)
    assert page.locator("#swagger-ui .opblock").count() >= 5
    page.screenshot(path=str(ARTIFACTS / "api-docs-offline.png"))
    assert tried == []
    assert problems == []
    context.close()


def test_pages_work_under_the_policy_at_phone_and_desktop_width(live, browser) -> None:  # type: ignore[no-untyped-def]
    base, _, engine = live
    task = find_task(engine, f"{SEED_PLAN}/khao-sat-30-dn")
    at = datetime(2024, 5, 10, 1, 28, tzinfo=UTC)
    record_update(
        engine,
        task["id"],
        UpdateIn(status=Status("in_progress"), progress=40, note="Đã gửi phiếu"),
        Author("qltcdlcl", "web", at),
        now=at,
    )
    done = find_task(engine, f"{SEED_PLAN}/tuyen-truyen-996")
    record_update(engine, done["id"], UpdateIn(status=Status("done")), Author("qltcdlcl"))
    confirm_done(engine, done["id"], Author("qltcdlcl"))  # the seed plan has review: counted
    claim(engine, "track_status", datetime(2024, 5, 9, 23, 30, tzinfo=UTC))
    for width in (390, 1366):
        context = browser.new_context(viewport={"width": width, "height": 900})
        tried = _offline(context)
        page = context.new_page()
        problems = _watch(page)
        page.goto(f"{base}/")
        page.fill("#username", "phongkh")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        card = page.wait_for_selector(f'section[data-plan="{SEED_PLAN}"]')
        assert card is not None
        bars = page.locator(f'section[data-plan="{SEED_PLAN}"] .stack span')
        assert bars.count() >= 1
        stack = page.locator(f'section[data-plan="{SEED_PLAN}"] .stack').bounding_box()
        widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
        assert stack is not None and sum(widths) > 0.9 * stack["width"]  # the bar is filled
        page.screenshot(path=str(ARTIFACTS / f"csp-overview-{width}.png"), full_page=True)

        page.goto(f"{base}/ke-hoach/{SEED_PLAN}")
        fills = page.locator(".hbar .hfill")
        assert fills.count() >= 1
        assert max(fills.nth(i).bounding_box()["width"] for i in range(fills.count())) > 10
        page.screenshot(path=str(ARTIFACTS / f"csp-plan-{width}.png"), full_page=True)
        everything = page.locator("tr[data-task]").count()
        page.fill("#q", "khao sat")  # search without diacritics
        page.click("form.filters button[type=submit]")
        page.wait_for_url("**q=khao**")
        assert 1 <= page.locator("tr[data-task]").count() < everything
        assert page.locator('tr[data-task="khao-sat-30-dn"]').count() == 1
        page.screenshot(path=str(ARTIFACTS / f"csp-plan-filtered-{width}.png"), full_page=True)

        page.goto(f"{base}/nhiem-vu/{SEED_PLAN}/khao-sat-30-dn")
        assert "10/05/2024 08:28" in page.inner_text(".timeline:not(.story)")  # the history
        page.screenshot(path=str(ARTIFACTS / f"csp-task-{width}.png"), full_page=True)

        page.goto(f"{base}/luong")
        assert "10/05/2024 06:30" in page.inner_text("main")
        page.screenshot(path=str(ARTIFACTS / f"csp-flows-{width}.png"), full_page=True)

        page.goto(f"{base}/")
        page.click("text=Đăng xuất")
        page.wait_for_url("**/dang-nhap**")
        assert tried == []
        assert problems == [], problems
        context.close()
