"""The error pages in Debian's Chromium at 390x844 and 1366x800: a GET on a form's address
(405), a value the page cannot read (400), the update form sent with 21 files (400, the form
back), a server fault (500, with its reference): each in Vietnamese, in the site's layout, no
wider than the screen. Screenshots go to .test-artifacts/browser/error-<page>-<screen>.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from kehoach_flow.accounts import add_user
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.links import LinkGrant, make_token
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.mail.conftest import free_port
from tests.web.helpers import ARTIFACTS, CHROMIUM, PASSWORD, TASK, UNIT, serving, sign_in_page

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)

SCREENS = {"phone": (390, 844), "laptop": (1366, 800)}
SECRET = "browser-secret"
ENGLISH = re.compile(
    r"\b(?:Not Found|Method Not Allowed|Internal Server Error|Bad Request|Traceback|detail"
    r"|Too many|Input should|Field required|Error)\b"
)


@pytest.fixture
def served(sqlite_settings: Settings, sqlite_engine: Engine) -> Iterator[tuple[str, Engine]]:
    port = free_port()
    settings = sqlite_settings.model_copy(
        update={"base_url": f"http://127.0.0.1:{port}", "secret_key": SECRET}
    )
    load_path(sqlite_engine, settings.definitions)
    add_user(sqlite_engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    with serving(create_app(settings, sqlite_engine), port) as base:
        yield base, sqlite_engine


def _check(page, name: str, screen: str, status: int, response, heading: str) -> str:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / f"error-{name}-{screen}.png"), full_page=True)
    seen = page.inner_text("body")
    assert response.status == status, (name, response.status)
    assert page.inner_text("h1") == heading, name
    assert not ENGLISH.search(seen), (name, ENGLISH.search(seen))
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (name, width)
    return str(seen)


@pytest.mark.parametrize("screen", SCREENS)
def test_error_pages_read_in_vietnamese_and_fit(served, browser, screen: str) -> None:  # type: ignore[no-untyped-def]
    base, engine = served
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in_page(page, base)

    got = page.goto(f"{base}/dang-xuat")
    seen = _check(page, "405", screen, 405, got, "Không mở trực tiếp được")
    assert "Đăng xuất" in seen and "Về trang tổng quan" in seen

    got = page.goto(f"{base}/bao-cao/mot/bao-cao.md")
    seen = _check(page, "400", screen, 400, got, "Yêu cầu không hợp lệ")
    assert "phải là số nguyên" in seen

    form = f"{base}/cap-nhat/{make_token(SECRET, LinkGrant(TASK, UNIT))}"
    page.goto(form)
    assert page.inner_text(".file-pick") == "Chọn tệp…\nChưa chọn tệp nào"  # not "Choose Files"
    page.set_input_files(
        "#evidence",
        [{"name": n, "mimeType": "application/pdf", "buffer": b"%PDF"} for n in ("a.pdf", "b.pdf")],
    )
    assert page.inner_text(".file-names") == "Đã chọn 2 tệp: a.pdf, b.pdf"
    files = [
        {"name": f"anh-{n}.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8"} for n in range(21)
    ]
    page.set_input_files("#evidence", files)
    with page.expect_navigation() as sent:
        page.click("form.card button[type=submit]")
    response = sent.value
    page.screenshot(path=str(ARTIFACTS / f"error-form-files-{screen}.png"), full_page=True)
    assert response.status == 400
    seen = page.inner_text("body")
    assert "tối đa 20 tệp" in seen and "Chưa lưu gì." in seen and not ENGLISH.search(seen)
    assert page.locator("#evidence").count() == 1  # the form, to send again

    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE plan RENAME TO plan_gone"))
    try:
        got = page.goto(f"{base}/")
        seen = _check(page, "500", screen, 500, got, "Hệ thống đang gặp sự cố")
        assert re.search(r"Mã tham chiếu\s+[0-9A-F]{8}", seen)
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE plan_gone RENAME TO plan"))
    context.close()
