"""An extension request with its evidence from a phone (Playwright driving Debian's Chromium):
the request's file picker speaks Vietnamese and names the files chosen, the request is sent
with them, the form's story links them, and the coordinator downloads one from the task page.
Screenshots go to .test-artifacts/browser/extension-evidence-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.loading import load_path
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN
from tests.mail.conftest import free_port
from tests.web.helpers import ARTIFACTS, CHROMIUM, PASSWORD, serving, sign_in_page
from tests.web.helpers import link as update_link

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)
TASK = "khao-sat-30-dn"  # led by qltcdlcl, due 31/12/2024
LETTER = b"%PDF-1.4 cong van xin gia han"


@pytest.fixture
def served(sqlite_settings: Settings, sqlite_engine: Engine) -> Iterator[tuple[str, Settings]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = sqlite_settings.model_copy(
        update={"base_url": base, "secret_key": "browser-secret", "today": date(2024, 6, 3)}
    )
    load_path(sqlite_engine, settings.definitions)
    add_user(sqlite_engine, "phongkh", "Phòng Quản lý TCĐLCL", "coordinator", PASSWORD)
    with serving(create_app(settings, sqlite_engine), port):
        yield base, settings


def test_a_lead_attaches_a_letter_to_its_request_the_coordinator_downloads_it(
    served: tuple[str, Settings], browser: object
) -> None:
    base, _ = served
    link = base + update_link(f"{SEED_PLAN}/{TASK}", "browser-secret")
    lead = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN"
    )
    phone = lead.new_page()
    phone.goto(link)
    picker = phone.locator("form.extension-form .file-pick")
    assert picker.inner_text() == "Chọn tệp…\nChưa chọn tệp nào"  # not "Choose Files"
    phone.fill("#ext-due", "2025-03-31")
    phone.fill("#ext-reason", "Chờ công văn của Bộ")
    phone.set_input_files(
        "#ext-evidence", [{"name": "cong-van.pdf", "mimeType": "application/pdf", "buffer": LETTER}]
    )
    assert picker.locator(".file-names").inner_text() == "Đã chọn 1 tệp: cong-van.pdf"
    assert phone.locator("form.card:not(.extension-form) .file-names").inner_text() == (
        "Chưa chọn tệp nào"  # the update's picker is its own
    )
    phone.locator("form.extension-form").screenshot(
        path=str(ARTIFACTS / "extension-evidence-1-phone.png")
    )
    phone.click("form.extension-form button[type=submit]")
    phone.wait_for_selector("text=Đã gửi đề nghị gia hạn")
    assert "cong-van.pdf" in phone.inner_text("main")
    phone.goto(link)
    assert "Minh chứng: cong-van.pdf" in phone.inner_text("section.extension-state")

    desk = browser.new_context(viewport={"width": 1366, "height": 800}, locale="vi-VN")  # type: ignore[attr-defined]
    desk_page = desk.new_page()
    sign_in_page(desk_page, base)
    desk_page.goto(f"{base}/nhiem-vu/{SEED_PLAN}/{TASK}")
    story = desk_page.locator("section.due-story")
    assert "Minh chứng: cong-van.pdf" in story.inner_text()
    story.screenshot(path=str(ARTIFACTS / "extension-evidence-2-task.png"))
    with desk_page.expect_download() as download:
        story.locator("a", has_text="cong-van.pdf").click()
    got = download.value
    assert got.suggested_filename == "cong-van.pdf"
    assert Path(got.path()).read_bytes() == LETTER
