"""Every page of the dashboard in Debian's Chromium at a phone's 390x844 and a laptop's 1366x800:
nothing wider than the screen, no link or button covered where a tap lands, and no English word or raw code in what a person reads.
Screenshots go to .test-artifacts/browser/every-<page>-<screen>.png to be looked at."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from itsdangerous import TimestampSigner
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user, issue_token
from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.orchestration.runs import claim, settle
from kehoach_flow.reminders.links import LinkGrant, make_token
from kehoach_flow.reminders.outbox import claim as claim_mail
from kehoach_flow.reminders.outbox import mark_failed, mark_sent
from kehoach_flow.reminders.sweep import queue_day
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from kehoach_flow.web.app import create_app
from tests.conftest import DEFINITIONS, SEED_PLAN
from tests.mail.conftest import free_port
from tests.tracking.helpers import FIGURES_PLAN, write_figures_plan
from tests.web.helpers import ARTIFACTS, CHROMIUM, PASSWORD, serving

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (deploy/test.sh installs it)"
)

TASK = f"{FIGURES_PLAN}/ho-tro-dn"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SCREENS = {"phone": (390, 844), "laptop": (1366, 800)}
SECRET = "browser-secret"
LINKS = ["form", "forged-link", "expired-link"]  # the signed update form's link: no account
AFTER = [*LINKS, "forbidden"]  # then a unit's lead
PAGES = {  # name -> address; "form" is the signed update form, added with its token
    "overview": "/",
    "today": "/hom-nay",
    "overdue": "/qua-han",
    "timeline": "/tien-do",
    "reports": "/bao-cao",
    "mail": "/thu",
    "flows": "/luong",
    "definitions": "/dinh-nghia",
    "plan": f"/ke-hoach/{SEED_PLAN}",
    "task": f"/nhiem-vu/{TASK}",
    "unit": "/don-vi/qltcdlcl",
    "programme": "/chuong-trinh/de-an-996",
    "accounts": "/tai-khoan",
    "audit": "/nhat-ky",
    "password": "/doi-mat-khau",
    "not-found": "/khong-co-trang-nay",
    "bad-request": "/bao-cao/mot/bao-cao.md",
    "method-not-allowed": "/dang-xuat",
    "no-task": "/nhiem-vu/khong/co",
}
# What must not be on screen: English words the code uses as states, framework messages,
# period and subject codes, the channel of an update, Python's and JSON's empties.
FORBIDDEN = re.compile(
    r"\b(?:sent|pending|failed|queued|skipped|running|completed|scheduled|cancelled"
    r"|in_progress|not_started|done|overdue)\b"
    r"|\b(?:Not Found|Method Not Allowed|Internal Server Error|Bad Request|Forbidden"
    r"|Completed|Failed|Running|Scheduled|Cancelled|Cancelling|Crashed|Pending|Paused"
    r"|Late|Retrying|AwaitingRetry|None|null|undefined|Traceback|Error|detail)\b"
    r"|\bq[1-4]/\d{4}|\b6m/\d{4}|\b9m/\d{4}|\byear/\d{4}|\bprogramme:|\bplan:"
    r"|\((?:web|cli|api)\)"
    r"|\b(?:track-status|send-reminders|build-report|load-definitions)\b"
)
# The world's unit and plan keys, said as words (not inside an e-mail address or a path).
KEYS = re.compile(
    r"(?<![\w/@.-])(?:"
    + "|".join(
        re.escape(k) for k in yaml.safe_load((DEFINITIONS / "units.yaml").read_text())["units"]
    )
    + rf"|{SEED_PLAN}|{FIGURES_PLAN}|de-an-996)(?![\w@/-])"
)


# The links and buttons on screen that another element covers at their centre, where a tap
# would land.
COVERED = """() => [...document.querySelectorAll('a[href], button')].filter(e => {
    // not drawn: in a closed <details> (its contents hidden) or under display:none
    if (!e.getClientRects().length || !e.checkVisibility()) return false;
    e.scrollIntoView({block: 'center', inline: 'center'});
    const r = e.getClientRects()[0];
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !(hit && (hit === e || e.contains(hit)));
}).map(e => e.textContent.trim().slice(0, 40))"""


# The table cells with text that lie beyond the screen's or their card's right edge (a table
# wider than its card, scrolled inside it): rows are cards on a phone, and on a laptop the
# table fits its card; nothing is off to the side.
OFF_SCREEN = """() => [...document.querySelectorAll('td, th')].filter(c => {
    const r = c.getBoundingClientRect();
    const card = (c.closest('.card') || document.body).getBoundingClientRect();
    const edge = Math.min(window.innerWidth, card.right);
    return c.innerText.trim() && r.width && r.right > edge + 1;
}).map(c => c.innerText.trim().slice(0, 30))"""


@pytest.fixture
def served(
    sqlite_settings: Settings, sqlite_engine: Engine, definitions_copy: Path
) -> Iterator[str]:
    """The app on the seed and figures plans, its clock where the seed plan's tasks are late,
    with reports on ho-tro-dn, served on a free port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = sqlite_settings.model_copy(
        update={
            "base_url": base,
            "secret_key": SECRET,
            "definitions": write_figures_plan(definitions_copy),
            "today": date(2025, 1, 15),
        }
    )
    load_path(sqlite_engine, settings.definitions)
    # an admin: it reaches every page, /tai-khoan and /nhat-ky too
    add_user(sqlite_engine, "phongkh", "Phòng Quản lý TCĐLCL", "admin", PASSWORD)
    issue_token(sqlite_engine, "phongkh", "đồng bộ số liệu")
    task_id = find_task(sqlite_engine, TASK)["id"]
    clock = datetime(2024, 5, 10, 12, 0, tzinfo=VN)
    reports = [
        (
            UpdateIn(Status.IN_PROGRESS, 40, {"1": 12}, {"sn-khcn-2024": 30_000_000}),
            Author("qltcdlcl", "web", at=datetime(2024, 5, 2, 9, 0, tzinfo=VN)),
        ),
        (
            UpdateIn(actuals={"1": 25}, note="Đã khảo sát"),
            Author("phongkh", "api", at=datetime(2024, 5, 10, 8, 30, tzinfo=VN)),
        ),
    ]
    for change, author in reports:
        record_update(sqlite_engine, task_id, change, author, now=clock)
    # a lead of one unit: /luong is not for it (the 403 page)
    add_user(sqlite_engine, "lanh", "Trung tâm KT TCĐLCL", "coordinator", PASSWORD, "ttkt-tcdlcl")
    # mail in the outbox (one refused by the mail server) and runs of the scheduler, one failed
    queue_day(sqlite_engine, settings, date(2024, 12, 20))  # due in 7 working days
    taken = claim_mail(sqlite_engine, 2, timedelta(minutes=5), now=datetime.now(UTC))
    assert len(taken) == 2, "the world's reminders: at least two messages"
    mark_sent(sqlite_engine, taken[0].id)
    mark_failed(sqlite_engine, taken[1], LONG_SMTP_ERROR, None)
    slot = datetime(2025, 1, 15, 7, 0, tzinfo=VN)
    for job, state, message in [
        ("send-reminders", "completed", None),
        ("build-report", "failed", "hết dung lượng đĩa"),
    ]:
        claim(sqlite_engine, job, slot)
        settle(sqlite_engine, job, slot, state, message)
    with serving(create_app(settings, sqlite_engine), port):
        yield base


LONG_SMTP_ERROR = "550 5.1.1 <truongphong.qltcdlcl@skhcn.example.vn>: Recipient address rejected: User unknown in virtual mailbox table"


class _SignedLongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 400 * 86400


def _expired_token() -> str:
    """The form's link for TASK as a reminder mailed it 400 days ago (links.py's format)."""
    signer = _SignedLongAgo(SECRET, salt="kehoach-update-link/2", sep="~")
    return signer.sign(f"{TASK.replace('/', '~')}~qltcdlcl").decode()


def _visit(browser, base: str, screen: str) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """Each page, signed in where it needs it, loaded at the screen's size."""
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{base}/dang-nhap")
    yield "signin", page
    page.fill("#username", "phongkh")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    for name, address in PAGES.items():
        page.goto(f"{base}{address}")
        if name == "reports":  # a drafted report: its row and download links on the page
            page.select_option("#period", "q2")
            page.fill("#year", "2024")
            page.click("form.card button[type=submit]")
            page.wait_for_selector('a[href^="/bao-cao/"]')
        yield name, page
    form = context.new_page()
    form.goto(f"{base}/cap-nhat/{make_token(SECRET, LinkGrant(TASK, 'qltcdlcl'))}")
    yield "form", form
    form.goto(f"{base}/cap-nhat/{make_token('another-secret', LinkGrant(TASK, 'qltcdlcl'))}")
    yield "forged-link", form
    form.goto(f"{base}/cap-nhat/{_expired_token()}")
    yield "expired-link", form
    context.close()
    # a unit's lead: the page of the whole installation's runs is not for it
    lead = browser.new_context(viewport={"width": width, "height": height})
    page = lead.new_page()
    page.goto(f"{base}/dang-nhap")
    page.fill("#username", "lanh")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/luong")
    yield "forbidden", page
    lead.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_every_page_fits_the_screen(served, browser, screen: str) -> None:  # type: ignore[no-untyped-def]
    broken = {}
    seen = []
    for name, page in _visit(browser, served, screen):
        page.screenshot(path=str(ARTIFACTS / f"every-{name}-{screen}.png"), full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            broken[name] = f"{scroll} px on a {inner} px screen"
        if beyond := page.evaluate(OFF_SCREEN):
            broken[f"{name}: off screen"] = beyond[:5]
        covered = page.evaluate(COVERED)
        if covered:
            broken[f"{name}: covered"] = covered
        if name not in ("signin", *LINKS):  # signed in: sign-out in the header of every page
            assert page.locator("header form.signout button").count() == 1, name
        seen.append(name)
    assert seen == ["signin", *PAGES, *AFTER]
    assert not broken, broken


def test_the_favicon_is_linked_and_served(served, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(f"{served}/dang-nhap")
    icon = page.get_attribute('link[rel="icon"]', "href")
    assert icon == "/static/favicon.svg"
    answer = page.request.get(f"{served}{icon}")
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    page.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_every_page_reads_in_vietnamese(served, browser, screen: str) -> None:  # type: ignore[no-untyped-def]
    found = {}
    seen = []
    for name, page in _visit(browser, served, screen):
        text = page.evaluate("document.body.innerText")
        seen.append(name)
        words = sorted({m.group(0) for m in FORBIDDEN.finditer(text)})
        words += sorted({m.group(0) for m in KEYS.finditer(text)})
        if words:
            found[name] = words
    assert seen == ["signin", *PAGES, *AFTER]
    assert not found, found


def test_the_list_catches_english_and_codes_not_vietnamese() -> None:
    assert FORBIDDEN.search("Trạng thái: sent") and FORBIDDEN.search("Quý q2/2024")
    assert FORBIDDEN.search('{"detail":"Not Found"}') and FORBIDDEN.search("Lan (web)")
    vietnamese = "Đã gửi · Chờ gửi · Lỗi · Hoàn thành · Đang chạy · Quý II/2024 · Năm 2024"
    assert not FORBIDDEN.search(vietnamese + " · Không tìm thấy trang · Đăng xuất · Tất cả")
    assert KEYS.search("Chủ trì: qltcdlcl") and KEYS.search(f"Kế hoạch {SEED_PLAN}.")
    assert KEYS.search("Tác giả: kh-tc, lúc 9:00")
    address = f"qltcdlcl@skhcn.example.vn · /ke-hoach/{SEED_PLAN} · Phòng KH-TC"
    assert not KEYS.search(address)


def test_the_cover_check_sees_a_covered_link(browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_content(
        '<p><a href="/a">tự do</a></p><p style="position:relative"><a href="/b">bị che</a>'
        '<span style="position:absolute;inset:0;background:#fff"></span></p>'
    )
    assert page.evaluate(COVERED) == ["bị che"]
    page.close()
