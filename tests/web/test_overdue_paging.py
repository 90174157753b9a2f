"""/qua-han on a generated dataset of two provinces at the bench's busy day: the list is
read a page of 100 rows at a time, with the sort and filters kept in every link, filtered
by plan and by lead unit; the xlsx exports the whole filtered list, every page of it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from kehoach_flow.web import overdue
from kehoach_flow.web.overdue import PAGE_SIZE
from tests.web.conftest import sign_in
from tests.web.helpers import national_app

ROW = re.compile(r'<tr data-task="([^"]+)"><td class="title"><a href="/nhiem-vu/([^/"]+)/')


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, engine = national_app(tmp_path_factory.mktemp("national"))
    client = TestClient(app, follow_redirects=False)
    sign_in(client)
    yield client
    engine.dispose()


def rows_of(html: str) -> list[tuple[str, str]]:
    """(plan, task key) of each row shown."""
    return [(plan, key) for key, plan in ROW.findall(html)]


def xlsx_rows(client: TestClient, **params: str) -> list[tuple[str, str]]:
    export = client.get("/qua-han.xlsx", params=params)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    return [(r[0], r[1]) for r in sheet.iter_rows(min_row=3, values_only=True)]


def link(html: str, rel: str) -> dict[str, list[str]]:
    found = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', html)
    assert found is not None, f"no {rel} link"
    return parse_qs(found.group(1).replace("&amp;", "&"))


def test_the_list_is_paged_and_the_pages_make_up_the_export(national: TestClient) -> None:
    everything = xlsx_rows(national, sort="due")
    assert len(everything) > 2 * PAGE_SIZE  # the dataset needs three pages or more
    pages = -(-len(everything) // PAGE_SIZE)
    first = national.get("/qua-han", params={"sort": "due"}).text
    assert f"{len(everything)} nhiệm vụ đến ngày 07/06/2024" in first
    assert f"Trang 1/{pages}" in first and 'rel="prev"' not in first
    shown = []
    for number in range(1, pages + 1):
        page = national.get("/qua-han", params={"sort": "due", "page": str(number)}).text
        assert f"Trang {number}/{pages}" in page
        rows = rows_of(page)
        assert len(rows) == (PAGE_SIZE if number < pages else len(everything) - len(shown))
        shown += rows
        if number < pages:
            assert link(page, "next") == {"sort": ["due"], "page": [str(number + 1)]}
    assert shown == everything  # the pages, in order, are the export
    beyond = national.get("/qua-han", params={"sort": "due", "page": "999"}).text
    assert f"Trang {pages}/{pages}" in beyond  # a page past the end shows the last one
    assert national.get("/qua-han", params={"page": "x"}).status_code == 200


def test_filters_by_plan_and_lead_unit_keep_in_links_and_in_the_export(
    national: TestClient,
) -> None:
    everything = xlsx_rows(national, sort="late")
    plan = everything[0][0]
    in_plan = xlsx_rows(national, sort="late", plan=plan)
    assert 0 < len(in_plan) < len(everything)
    assert in_plan == [r for r in everything if r[0] == plan]
    page = national.get("/qua-han", params={"sort": "late", "plan": plan}).text
    assert f"{len(in_plan)} nhiệm vụ" in page
    assert set(rows_of(page)) <= set(in_plan) and rows_of(page) == in_plan[:PAGE_SIZE]
    if len(in_plan) > PAGE_SIZE:
        assert link(page, "next") == {"sort": ["late"], "plan": [plan], "page": ["2"]}
    sort_link = re.search(r'<a href="\?([^"]*)">Hạn</a>', page)
    assert sort_link is not None
    assert parse_qs(sort_link.group(1).replace("&amp;", "&")) == {"sort": ["due"], "plan": [plan]}
    assert f'href="/qua-han.xlsx?sort=late&amp;plan={plan}"' in page

    leads = re.findall(r'<select id="lead" name="lead">(.*?)</select>', page)[0]
    lead = re.findall(r'<option value="([^"]+)">', leads)[0]
    both = xlsx_rows(national, sort="late", plan=plan, lead=lead)
    assert both and len(both) < len(in_plan)
    filtered = national.get("/qua-han", params={"sort": "late", "plan": plan, "lead": lead}).text
    assert rows_of(filtered) == both[:PAGE_SIZE]
    assert f'<option value="{lead}" selected>' in filtered

    unknown = national.get("/qua-han", params={"plan": "khong-co"}).text
    assert "Không có nhiệm vụ nào" in unknown and "theo bộ lọc này" in unknown
    assert xlsx_rows(national, plan="khong-co") == []


def test_the_title_is_the_first_column(national: TestClient) -> None:
    page = national.get("/qua-han").text
    header = re.search(r"<tr><th[^>]*>([^<]+)</th>", page)
    assert header is not None and header.group(1) == "Nhiệm vụ"


def test_past_the_limit_the_units_are_offered_once_a_plan_is_chosen(
    national: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overdue, "MAX_LEAD_CHOICES", 10)  # the two provinces lead 40
    page = national.get("/qua-han", params={"sort": "progress"}).text
    leads = re.findall(r'<select id="lead" name="lead">(.*?)</select>', page)[0]
    assert leads.count("<option") == 1 and "chọn kế hoạch để lọc theo đơn vị" in leads
    plan = rows_of(page)[0][0]
    in_plan = national.get("/qua-han", params={"sort": "progress", "plan": plan}).text
    leads = re.findall(r'<select id="lead" name="lead">(.*?)</select>', in_plan)[0]
    assert leads.count("<option") > 10
    lead = re.findall(r'<option value="([^"]+)">', leads)[0]
    chosen = national.get("/qua-han", params={"sort": "progress", "lead": lead}).text
    assert f'<option value="{lead}" selected>' in chosen  # a chosen unit stays shown
