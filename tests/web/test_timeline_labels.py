"""/tien-do over a plan spanning two years: its month labels never run into each other."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from kehoach_flow.web.timeline import MONTH_LABEL_W
from tests.conftest import SEED_PLAN
from tests.web.conftest import sign_in


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return web_settings.model_copy(update={"today": date(2025, 3, 3)})


def test_month_labels_of_a_two_year_plan_do_not_overlap(web: TestClient) -> None:
    sign_in(web)
    page = web.get(f"/tien-do?plan={SEED_PLAN}").text
    lines = re.findall(r'<line x1="([\d.]+)" y1="18"', page)
    labels = re.findall(
        r'<text x="([\d.]+)" y="14" font-size="12" fill="#555">(\d\d/\d{4})</text>', page
    )
    assert len(lines) >= 24  # 01/2024 to 12/2025: a line every month
    assert "01/2024" in {name for _, name in labels} and len(labels) < len(lines)
    xs = [float(x) for x, _ in labels]
    assert all(b - a >= MONTH_LABEL_W for a, b in itertools.pairwise(xs))


@pytest.mark.parametrize(
    ("day", "anchored_end"), [(date(2025, 3, 3), False), (date(2025, 12, 31), True)]
)
def test_todays_label_stays_inside_the_chart(
    web_settings: Settings, engine: Engine, web: TestClient, day: date, anchored_end: bool
) -> None:
    """Mid-chart, "hôm nay" is written right of today's line; on the chart's last day, left
    of it, never past the chart's edge."""
    client = TestClient(create_app(web_settings.model_copy(update={"today": day}), engine))
    sign_in(client)
    page = client.get(f"/tien-do?plan={SEED_PLAN}").text
    line = re.search(r'<line class="today" x1="([\d.]+)"', page)
    label = re.search(r'<text x="([\d.]+)"( text-anchor="end")? y="\d+" [^>]*>hôm nay<', page)
    assert line is not None and label is not None
    assert bool(label.group(2)) is anchored_end
    offset = float(label.group(1)) - float(line.group(1))
    assert offset == (-3 if anchored_end else 3)
