"""/tai-khoan, /nhat-ky and /doi-mat-khau in Debian's Chromium at a phone's 390x844 and a
laptop's 1366x800: an admin of province A creates an account and resets a password through
the page's forms, the new account sets its password at its first sign-in; every page fits the
screen, no button is covered, nothing in English. Screenshots go to
.test-artifacts/browser/accounts-<page>-<screen>.png to be looked at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.accounts import issue_token, token_account
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.mail.conftest import free_port
from tests.web.helpers import ARTIFACTS, CHROMIUM, PASSWORD, serving
from tests.web.test_every_page_browser import COVERED, FORBIDDEN, SCREENS
from tests.web.test_people_pages import provinces

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)


@pytest.fixture
def served(sqlite_settings: Settings, sqlite_engine: Engine, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provinces(tmp_path / "defs", sqlite_engine)
    token = issue_token(sqlite_engine, "xem-a", "đồng bộ số liệu hằng tuần")
    assert token_account(sqlite_engine, token) is not None  # a last use on the page
    issue_token(sqlite_engine, "xem-a", "báo cáo quý")
    settings = sqlite_settings.model_copy(
        update={"base_url": base, "secret_key": "browser-secret", "definitions": tmp_path / "defs"}
    )
    with serving(create_app(settings, sqlite_engine), port):
        yield base


def check(page, name: str, screen: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What is wrong with the page as shown: too wide, a covered button, English words."""
    page.screenshot(path=str(ARTIFACTS / f"accounts-{name}-{screen}.png"), full_page=True)
    problems = []
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        problems.append(f"{name}: {scroll} px on a {inner} px screen")
    covered = page.evaluate(COVERED)
    if covered:
        problems.append(f"{name}: covered {covered}")
    words = sorted(
        {m.group(0) for m in FORBIDDEN.finditer(page.evaluate("document.body.innerText"))}
    )
    if words:
        problems.append(f"{name}: {words}")
    return problems


@pytest.mark.parametrize("screen", SCREENS)
def test_an_admin_manages_accounts_in_the_browser(served, browser, screen: str) -> None:  # type: ignore[no-untyped-def]
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{served}/dang-nhap")
    page.fill("#username", "quantri-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served}/")
    page.click("nav a[href='/tai-khoan']")
    page.wait_for_url(f"{served}/tai-khoan")
    problems = check(page, "list", screen)
    assert page.locator("tr[data-account]").count() == 2

    page.fill("#username", "lan.tt-a")
    page.fill("#name", "Nguyễn Thị Lan")
    page.select_option("#role", "coordinator")
    page.select_option("#unit", "tt-a")
    page.click("#tao button[type=submit]")
    temporary = page.locator(".temporary").inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", temporary)
    problems += check(page, "created", screen)

    page.locator('tr[data-account="xem-a"] form[action$="/khoa"] button').click()
    page.wait_for_selector("text=Đã khóa tài khoản xem-a")
    page.locator('tr[data-account="xem-a"] form[action$="/mo-lai"] button').click()
    page.wait_for_selector("text=Đã mở lại tài khoản xem-a")
    page.locator('tr[data-account="xem-a"] form[action$="/thu-hoi"] button').first.click()
    page.wait_for_selector("text=Đã thu hồi mã truy cập API")
    page.locator('tr[data-account="xem-a"] form[action$="/dat-lai-mat-khau"] button').click()
    page.wait_for_selector("text=Đã đặt lại mật khẩu của tài khoản xem-a")
    problems += check(page, "reset", screen)

    page.click("nav a[href='/nhat-ky']")
    page.wait_for_url(f"{served}/nhat-ky")
    assert page.locator("tr[data-entry]").count() >= 6
    problems += check(page, "audit", screen)

    other = browser.new_context(viewport={"width": width, "height": height}).new_page()
    other.goto(f"{served}/dang-nhap")
    other.fill("#username", "lan.tt-a")
    other.fill("#password", temporary)
    other.click("button[type=submit]")
    other.wait_for_url(f"{served}/doi-mat-khau?next=/")
    problems += check(other, "new-password", screen)
    other.fill("#new", "mot-cau-de-nho-cua-lan")
    other.fill("#confirm", "mot-cau-de-nho-cua-lan")
    other.click("button[type=submit]")
    other.wait_for_url(f"{served}/")
    other.goto(f"{served}/doi-mat-khau")
    problems += check(other, "own-password", screen)
    assert not problems, problems
