"""Issue 22's acceptance in a real browser (Playwright driving Debian's Chromium): a unit lead
on a 390x844 phone opens the update link of a reminder a real SMTP server received and asks
for an extension; the coordinator signs in at 1366x800, finds it under "Chờ quyết định" on the
overview and approves it on the task page with another date; the task page, the lead's form
and the next report show the new date and the extension. Screenshots go to
.test-artifacts/browser/extension-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.context import AppContext
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.sweep import sweep
from kehoach_flow.reports.service import make_report
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from tests.conftest import SEED_PLAN
from tests.mail.conftest import free_port, smtp_sink  # noqa: F401  (fixture)
from tests.web.helpers import ARTIFACTS, CHROMIUM, PASSWORD, serving, sign_in_page
from tests.web.helpers import link as update_link
from tests.web.test_extensions_pages import reviewed_definitions

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)
DAY = date(2024, 12, 20)  # a reminder day, 7 working days before the due date 31/12/2024
TASK = "khao-sat-30-dn"  # led by qltcdlcl, the plan's coordinating unit


@pytest.fixture
def served(
    sqlite_settings: Settings, sqlite_engine: Engine, definitions_copy: Path
) -> Iterator[tuple[str, Settings, Engine]]:
    """The app on the seed plan under completion review, today a reminder day."""
    sqlite_settings = sqlite_settings.model_copy(
        update={"definitions": reviewed_definitions(definitions_copy)}
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = sqlite_settings.model_copy(
        # the year report counts to 31/12 (KEHOACH_REPORT_CUTOFF_DAY=end): the approval is in it
        update={
            "base_url": base,
            "secret_key": "browser-secret",
            "today": DAY,
            "report_cutoff_day": "end",
        }
    )
    load_path(sqlite_engine, settings.definitions)
    # The coordinator is a person of the Sở's office, not the lead unit: who asked and who
    # decided read apart on every page and in the report.
    add_user(sqlite_engine, "phongkh", "Nguyễn Văn An", "coordinator", PASSWORD)
    with serving(create_app(settings, sqlite_engine), port):
        yield base, settings, sqlite_engine


def test_a_lead_asks_on_a_phone_the_coordinator_approves_the_report_tells_it(
    served: tuple[str, Settings, Engine],
    browser: object,
    smtp_sink: object,  # noqa: F811
) -> None:
    base, settings, engine = served
    with ThreadPoolExecutor(1) as pool:  # the sweep runs its own event loop
        pool.submit(sweep, engine, settings, smtp_sink.transport(), DAY).result()  # type: ignore[attr-defined]
    mail = next(
        m.message
        for m in smtp_sink.received  # type: ignore[attr-defined]
        if m.message["To"].addresses[0].addr_spec == "qltcdlcl@skhcn.example.vn"
    )
    text = mail.get_body(("plain",)).get_content()
    link = next(w for w in text.split() if "/cap-nhat/" in w and f"~{TASK}~" in w)
    assert link.startswith(base)

    lead = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN"
    )  # type: ignore[attr-defined]
    phone = lead.new_page()
    phone.goto(link)
    assert "Hạn đang áp dụng" in phone.inner_text("section.extension-state")
    phone.fill("#ext-due", "2025-01-31")
    phone.fill("#ext-reason", "Chờ 12 doanh nghiệp gửi số liệu phương tiện đo")
    phone.locator("form.extension-form").screenshot(
        path=str(ARTIFACTS / "extension-1-phone-ask.png")
    )
    phone.click("form.extension-form button[type=submit]")
    phone.wait_for_selector("text=Đã gửi đề nghị gia hạn")
    phone.screenshot(path=str(ARTIFACTS / "extension-2-phone-sent.png"), full_page=True)

    desk = browser.new_context(viewport={"width": 1366, "height": 800}, locale="vi-VN")  # type: ignore[attr-defined]
    page = desk.new_page()
    sign_in_page(page, base)
    waiting = page.locator("section.waiting-decisions")
    assert "Đề nghị gia hạn đến 31/01/2025" in waiting.inner_text()
    waiting.screenshot(path=str(ARTIFACTS / "extension-3-overview-waiting.png"))
    waiting.locator(f'li[data-task="{SEED_PLAN}/{TASK}"] a').click()
    page.wait_for_selector("form.approve-form")
    page.locator("section.due-story").screenshot(
        path=str(ARTIFACTS / "extension-4-task-pending.png")
    )
    page.fill("#approve-due", "2025-02-28")  # another date than the one asked
    page.fill("#approve-comment", "Đồng ý, hoàn thành trước 28/02/2025")
    page.click("form.approve-form button[type=submit]")
    page.wait_for_selector(".decision-notice")
    assert page.url.endswith(f"/nhiem-vu/{SEED_PLAN}/{TASK}?ghi=dong-y")
    due = page.inner_text("tr.due-in-force")
    assert "28/02/2025" in due and "hạn ban đầu 31/12/2024, gia hạn 1 lần" in due
    story = page.inner_text("section.due-story")
    assert "Đồng ý gia hạn" in story and "Hạn đang áp dụng: 28/02/2025" in story
    assert "Đề nghị hạn mới: 31/01/2025" in story
    asked, decided = (line for line in story.splitlines() if "(số " in line)
    assert "Phòng Quản lý TCĐLCL qua trang web" in asked and "Nguyễn Văn An" not in asked
    assert "Nguyễn Văn An qua trang web" in decided
    page.screenshot(path=str(ARTIFACTS / "extension-5-task-approved.png"), full_page=True)
    page.goto(f"{base}/")
    assert page.locator("section.waiting-decisions").count() == 0

    phone.goto(link)
    assert "28/02/2025" in phone.inner_text("span.due-in-force")
    phone.locator("section.extension-state").screenshot(
        path=str(ARTIFACTS / "extension-6-phone-after.png")
    )

    made = make_report(AppContext(settings, engine), "year", 2024, plan=SEED_PLAN, formats=("md",))
    report = next(f for f in made.files if f.suffix == ".md").read_text(encoding="utf-8")
    (ARTIFACTS / "extension-report.md").write_text(report, encoding="utf-8")
    assert "Cả năm<br>Gia hạn đến 28/02/2025" in report  # the appendix's "Tiến độ"
    assert "từ 01/01/2024 đến 28/02/2025" in report  # the prose
    extensions = report.split("Gia hạn và ngày hoàn thành thực tế")[1]
    row = next(line for line in extensions.splitlines() if "Khảo sát" in line)
    cells = [cell.strip() for cell in row.split("|")]
    # times extended, the old date, the date in force, the approver (the account's name)
    assert cells[3:7] == ["01", "31/12/2024", "28/02/2025", "Nguyễn Văn An"]


def test_a_done_reported_on_a_phone_is_returned_with_a_comment_the_lead_reads_it(
    served: tuple[str, Settings, Engine],
    browser: object,
) -> None:
    base, settings, _ = served
    link = base + update_link(f"{SEED_PLAN}/{TASK}", secret=str(settings.secret_key))
    lead = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN"
    )  # type: ignore[attr-defined]
    phone = lead.new_page()
    phone.goto(link)
    phone.select_option("#status", "done")
    phone.fill("#progress", "100")
    phone.fill("#note", "Đã khảo sát đủ 30 doanh nghiệp")
    phone.click("form.card[enctype] button[type=submit]")
    phone.wait_for_selector("text=Đã lưu cập nhật")
    phone.goto(link)
    assert "Đã báo hoàn thành, chờ phòng chủ trì xác nhận." in phone.inner_text("main")
    phone.screenshot(path=str(ARTIFACTS / "extension-7-phone-awaiting.png"))

    desk = browser.new_context(viewport={"width": 1366, "height": 800}, locale="vi-VN")  # type: ignore[attr-defined]
    page = desk.new_page()
    sign_in_page(page, base)
    waiting = page.locator("section.waiting-decisions")
    assert "Chờ xác nhận hoàn thành" in waiting.inner_text()
    waiting.locator(f'li[data-task="{SEED_PLAN}/{TASK}"] a').click()
    page.wait_for_selector("form.return-form")
    page.fill("#return-comment", "Thiếu biên bản khảo sát của 5 doanh nghiệp")
    page.locator("section.review-state").screenshot(
        path=str(ARTIFACTS / "extension-8-task-awaiting.png")
    )
    page.click("form.return-form button[type=submit]")
    page.wait_for_selector(".decision-notice")
    assert "Đã trả lại nhiệm vụ" in page.inner_text(".decision-notice")
    assert "Thiếu biên bản khảo sát" in page.inner_text("section.review-state")

    phone.goto(link)
    returned = phone.inner_text("p.returned")
    assert "Phòng chủ trì đã trả lại ngày 20/12/2024" in returned
    assert "Thiếu biên bản khảo sát của 5 doanh nghiệp" in returned
    phone.screenshot(path=str(ARTIFACTS / "extension-9-phone-returned.png"))
