"""In a real browser (Playwright driving Debian's Chromium at /usr/bin/chromium, nothing
downloaded): a coordinator signs in and sees the overview; a unit lead opens the signed link
from a mail that a real SMTP server received, updates the task, and the overview changes; an
expired link gets 403. Screenshots go to .test-artifacts/browser/."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.links import LinkGrant, make_token
from kehoach_flow.reminders.sweep import sweep
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import ROOT, SEED_PLAN
from tests.mail.conftest import free_port, smtp_sink  # noqa: F401  (fixture)

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / ".test-artifacts" / "browser"
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)
PASSWORD = "mat-khau-du-dai"


@pytest.fixture
def live(
    sqlite_settings: Settings, sqlite_engine: Engine
) -> Iterator[tuple[str, Settings, Engine]]:
    """The real app served by uvicorn on a free loopback port, cookies Secure as by default."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = sqlite_settings.model_copy(update={"base_url": base, "secret_key": "browser-secret"})
    load_path(sqlite_engine, settings.definitions)
    add_user(sqlite_engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, sqlite_engine), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the app did not start"
    yield base, settings, sqlite_engine
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


def test_sign_in_mail_link_update_and_the_overview_changes(live, browser, smtp_sink) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, settings, engine = live
    coordinator = browser.new_context(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    page = coordinator.new_page()
    page.goto(f"{base}/")
    assert "/dang-nhap" in page.url
    page.fill("#username", "phongkh")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(f'section[data-plan="{SEED_PLAN}"]')
    before = page.inner_text(f'section[data-plan="{SEED_PLAN}"] .completion')
    page.screenshot(path=str(ARTIFACTS / "1-overview-before.png"), full_page=True)

    # Playwright's sync API keeps an event loop on this thread; the sweep runs its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(sweep, engine, settings, smtp_sink.transport(), date(2024, 12, 20)).result()
    mail = next(
        m.message
        for m in smtp_sink.received
        if m.message["To"].addresses[0].addr_spec == "ttkt@skhcn.example.vn"
    )
    text = mail.get_body(("plain",)).get_content()
    link = next(w for w in text.split() if "/cap-nhat/" in w)
    assert link.startswith(base)

    lead = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)  # type: ignore[attr-defined]
    form = lead.new_page()
    form.goto(link)
    form.screenshot(path=str(ARTIFACTS / "2-update-form-phone.png"), full_page=True)
    form.select_option("#status", "done")
    form.fill("#progress", "100")
    form.fill("#note", "Đã hoàn thành theo kế hoạch")
    form.click("button[type=submit]")
    form.wait_for_selector("text=Đã lưu cập nhật")
    form.screenshot(path=str(ARTIFACTS / "3-update-saved.png"), full_page=True)

    page.reload()
    after = page.inner_text(f'section[data-plan="{SEED_PLAN}"] .completion')
    page.screenshot(path=str(ARTIFACTS / "4-overview-after.png"), full_page=True)
    assert (before, after) == ("0%", "14,3%")


def test_an_expired_link_gets_403_in_the_browser(
    live, browser, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    base, settings, _ = live
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 40 * 86400)
    old = make_token(
        settings.resolved_secret_key(), LinkGrant(f"{SEED_PLAN}/khao-sat-30-dn", "ttkt-tcdlcl")
    )
    monkeypatch.setattr(time, "time", real_time)
    page = browser.new_page()  # type: ignore[attr-defined]
    response = page.goto(f"{base}/cap-nhat/{old}")
    assert response is not None and response.status == 403
    assert "hết hạn" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "5-expired-link.png"), full_page=True)
