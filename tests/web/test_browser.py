"""In a real browser (Playwright driving Debian's Chromium at /usr/bin/chromium, nothing
downloaded): a coordinator signs in and sees the overview; a unit lead opens the signed link
from a mail that a real SMTP server received, updates the task, and the overview changes; an
expired link gets 403. Screenshots go to .test-artifacts/browser/."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from kehoach_flow.reminders.links import LinkGrant, make_token
from kehoach_flow.reminders.sweep import sweep
from tests.conftest import SEED_PLAN
from tests.mail.conftest import smtp_sink  # noqa: F401  (fixture)
from tests.web.conftest import PASSWORD
from tests.web.helpers import ARTIFACTS, CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)


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

    # the seed plan has completion review: the done waits for the coordinator, who confirms
    # it from the overview's list of what waits; only then does the overview count it
    page.reload()
    waiting = page.inner_text(f'section[data-plan="{SEED_PLAN}"] .completion')
    assert "Chờ xác nhận hoàn thành" in page.inner_text("section.waiting-decisions")
    page.locator("section.waiting-decisions li[data-task] a").first.click()
    page.wait_for_selector("form.confirm-form")
    page.click("form.confirm-form button[type=submit]")
    page.wait_for_selector(".decision-notice")
    page.goto(f"{base}/")
    after = page.inner_text(f'section[data-plan="{SEED_PLAN}"] .completion')
    page.screenshot(path=str(ARTIFACTS / "4-overview-after.png"), full_page=True)
    assert (before, waiting, after) == ("0%", "0%", "14,3%")


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
