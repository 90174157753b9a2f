"""The plan page on a long generated plan (two provinces of the bench's data, 300 tasks a
plan): its sections collapsed to their headings and counts, open again when filtered; the
lead unit of every row linked to its unit page (plan page and /qua-han); the programme a
plan implements linked from its overview card and its page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SEED_PLAN
from tests.web.conftest import sign_in
from tests.web.helpers import national_app

SECTION = re.compile(
    r"<details class=\"card section\"( open)?>\s*<summary><h2>([^<]+)</h2>"
    r"<span class=\"meta counts\">(\d+) nhiệm vụ"
)
ROW = re.compile(
    r'<tr data-task="[^"]+"><td><a href="/nhiem-vu/[^"]+">[^<]+</a><div class="meta">'
    r'<a href="/don-vi/([^"]+)">'
)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, engine = national_app(tmp_path_factory.mktemp("national"))
    client = TestClient(app, follow_redirects=False)
    sign_in(client)
    yield client
    engine.dispose()


def _long_plan(client: TestClient) -> str:
    overview = client.get("/").text
    plans = re.findall(r'<h2><a href="/ke-hoach/([^"]+)">', overview)
    assert plans
    return plans[0]


def test_a_long_plan_opens_with_its_sections_collapsed_to_their_counts(national) -> None:  # type: ignore[no-untyped-def]
    plan = _long_plan(national)
    html = national.get(f"/ke-hoach/{plan}").text
    total = int(re.search(r'<span class="shown">(\d+)</span>', html).group(1))  # type: ignore[union-attr]
    assert total > 40
    sections = SECTION.findall(html)
    assert len(sections) > 1
    assert all(not opened for opened, _, _ in sections), "every section closed"
    assert sum(int(n) for _, _, n in sections) == total  # the counts add up to the plan
    assert "các mục đang thu gọn" in html
    # filtered, the matches are shown open
    unit = re.search(r'<option value="([^"]+)">', html).group(1)  # type: ignore[union-attr]
    filtered = national.get(f"/ke-hoach/{plan}", params={"unit": unit}).text
    shown = SECTION.findall(filtered)
    assert shown and all(opened for opened, _, _ in shown)
    assert "các mục đang thu gọn" not in filtered


def test_a_short_plan_shows_its_sections_open(web: TestClient) -> None:
    sign_in(web)
    html = web.get(f"/ke-hoach/{SEED_PLAN}").text
    sections = SECTION.findall(html)
    assert sections and all(opened for opened, _, _ in sections)


def test_every_row_links_its_lead_unit_and_the_programme_is_linked(national) -> None:  # type: ignore[no-untyped-def]
    plan = _long_plan(national)
    html = national.get(f"/ke-hoach/{plan}").text
    rows = html.count('<tr data-task="')
    units = ROW.findall(html)
    assert rows and len(units) == rows
    assert national.get(f"/don-vi/{units[0]}").status_code == 200
    programme = re.search(r'Thực hiện chương trình: <a href="(/chuong-trinh/[^"]+)">', html)
    assert programme and national.get(programme.group(1)).status_code == 200
    overview = national.get("/").text
    assert f'<a href="{programme.group(1)}">' in overview
    overdue = national.get("/qua-han").text
    leads = re.findall(
        r'<td data-label="Chủ trì" class="unit[^"]*"><a href="/don-vi/([^"]+)">', overdue
    )
    assert len(leads) == overdue.count('data-label="Chủ trì"') > 0
