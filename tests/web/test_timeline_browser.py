"""/tien-do in Debian's Chromium at 390x844 and 1366x800 with the clock in the plan's fourth
quarter: once loaded, today's line is inside the visible part of the chart's scroll box (a
phone is scrolled to it, the tasks' titles pinned at its left edge), and the page is no wider
than the screen. Screenshots go to
.test-artifacts/browser/timeline-today-<day>-<screen>.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN
from tests.mail.conftest import free_port
from tests.web.helpers import ARTIFACTS, CHROMIUM, PASSWORD, serving, sign_in_page

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)

SCREENS = {"phone": (390, 844), "laptop": (1366, 800)}
# The seed plan runs from 01/2024 to 12/2025 (one task is due 31/12/2025): a day in the fourth
# quarter of its year, and one in the fourth quarter of its last year.
DAYS = [date(2024, 11, 15), date(2025, 11, 20)]

WHERE = """() => {
    const box = document.querySelector('.timeline-chart');
    const line = box.querySelector('line.today').getBoundingClientRect();
    const seen = box.getBoundingClientRect();
    return {
        line: line.left, left: seen.left, right: seen.left + box.clientWidth,
        scrolled: box.scrollLeft, scrollable: box.scrollWidth > box.clientWidth,
        page: document.documentElement.scrollWidth, screen: window.innerWidth,
        pinned: box.querySelector('g.pinned-titles').getAttribute('visibility'),
        pinnedLeft: box.querySelector('g.pinned-titles text').getBoundingClientRect().left,
    };
}"""
# The smallest text of the chart as drawn, in CSS px (its font-size times the chart's scale).
SMALLEST = """() => {
    const svg = document.querySelector('svg.gantt');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Math.min(...[...svg.querySelectorAll('text')].map(
        t => Number(t.getAttribute('font-size')) * scale));
}"""
# Points along each pinned title's row, from the chart's visible left edge to the title's
# end, where a task's bar is what shows: a title sitting on a bar.
ON_BARS = """() => {
    const box = document.querySelector('.timeline-chart').getBoundingClientRect();
    const hits = [];
    const pinned = document.querySelector('g.pinned-titles');
    if (pinned.getAttribute('visibility') !== 'visible') return [];
    for (const t of pinned.querySelectorAll('text')) {
        const r = t.getBoundingClientRect();
        if (r.bottom < 0 || r.top > window.innerHeight) continue;
        for (let x = box.left + 1; x <= r.right; x += 2) {
            const hit = document.elementFromPoint(x, r.top + r.height / 2);
            if (hit && hit.closest('g.task') && hit.tagName === 'rect') hits.push(t.textContent);
        }
    }
    return [...new Set(hits)];
}"""


@pytest.fixture(params=DAYS, ids=str)
def served(
    request: pytest.FixtureRequest, sqlite_settings: Settings, sqlite_engine: Engine
) -> Iterator[tuple[str, date]]:
    port = free_port()
    settings = sqlite_settings.model_copy(
        update={
            "base_url": f"http://127.0.0.1:{port}",
            "secret_key": "browser-secret",
            "today": request.param,
        }
    )
    load_path(sqlite_engine, settings.definitions)
    add_user(sqlite_engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    with serving(create_app(settings, sqlite_engine), port) as base:
        yield base, request.param


@pytest.mark.parametrize("screen", SCREENS)
def test_todays_line_is_in_view_once_the_timeline_loads(served, browser, screen: str) -> None:  # type: ignore[no-untyped-def]
    base, day = served
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in_page(page, base)
    page.goto(f"{base}/tien-do?plan={SEED_PLAN}")
    page.wait_for_load_state("load")
    where = page.evaluate(WHERE)
    smallest = page.evaluate(SMALLEST)
    on_bars = page.evaluate(ON_BARS)
    lines = page.locator("line.today").count()
    name = f"timeline-today-{day.isoformat()}-{screen}.png"
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    context.close()
    assert lines == 1
    assert where["left"] <= where["line"] <= where["right"], where
    assert where["page"] <= where["screen"], where
    assert smallest >= 11.9, f"text drawn at {smallest:.1f} px"
    assert on_bars == [], on_bars
    if screen == "phone":  # scrolled to today, the titles pinned at the visible left edge
        assert where["scrollable"] and where["scrolled"] > 0, where
        assert where["pinned"] == "visible", where
        assert where["left"] <= where["pinnedLeft"] <= where["left"] + 20, where
    else:  # the whole chart in view, its own title column too
        assert where["pinned"] == "hidden", where
