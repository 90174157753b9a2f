"""The drafts as a reader sees them: rendered to PDF by LibreOffice and read back with
poppler's pdftotext. No amount or date broken across lines, Nơi nhận and the signature on one
page at the left margin, the rollup's table within the page, a sane number of pages.

deploy/test.sh installs LibreOffice (libreoffice-writer-nogui) and poppler-utils; these tests
are skipped only where soffice or pdftotext is truly absent."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import Engine

from kehoach_flow.reports.builder import build_report
from kehoach_flow.reports.docx_writer import write_docx, write_rollup_docx
from kehoach_flow.reports.periods import period
from kehoach_flow.reports.rollup import build_rollup
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar
from tests.conftest import SEED_PLAN, run_cli

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(
    not (SOFFICE and PDFTOTEXT),
    reason="soffice (libreoffice-writer-nogui) or pdftotext (poppler-utils) is not installed; "
    "deploy/test.sh installs both",
)
OPTIONS = BoardOptions(vietnam_calendar(range(2023, 2027)))
POINTS_PER_MM = 72 / 25.4
# dates (20/12/2024) and amounts (1.928.000.000, 1.977,5) as the drafts write them
FIGURE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{1,3}(?:\.\d{3})+(?:,\d+)?")
HISTORY = [
    ("chuan-do-luong", "--status", "done", "--date", "2024-06-10", "--note", "Chuẩn đã hiệu chuẩn"),
    (
        "khao-sat-30-dn",
        "--status",
        "in_progress",
        "--actual",
        "doanh nghiệp=12",
        "--date",
        "2024-05-10",
    ),
    ("khao-sat-30-dn", "--difficulty", "Doanh nghiệp chưa phối hợp", "--date", "2024-07-02"),
    ("tuyen-truyen-996", "--status", "done", "--actual", "phóng sự=1", "--date", "2024-09-10"),
    ("to-chuc-kiem-dinh", "--status", "in_progress", "--date", "2024-08-01"),
]


def _seed_with_dates_and_amounts(definitions: Path) -> None:
    """The seed plan with what stresses the tables: a task with start/due dates and an
    amount in đồng (the seed itself has "Cả năm" schedules and no amounts)."""
    plan = definitions / "plans" / "quang-tri-2024.yaml"
    text = plan.read_text(encoding="utf-8")
    anchor = "        schedule: Năm 2024-2025\n"
    assert text.count(anchor) == 1
    dated = "        start: 2024-03-01\n        due: 2025-06-30\n        amount: 1.928.000.000 đ\n"
    plan.write_text(text.replace(anchor, dated), encoding="utf-8")


def _render(docx: Path, workdir: Path) -> list[str]:
    """The PDF's pages as `pdftotext -layout` text; LibreOffice runs with a profile of its
    own under `workdir`, so parallel runs never share one."""
    assert SOFFICE and PDFTOTEXT
    profile = (workdir / "lo-profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = workdir / f"{docx.stem}.pdf"
    layout = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return layout.split("\f")[:-1] if layout.endswith("\f") else layout.split("\f")


def _words(pdf: Path) -> list[tuple[int, float, float, str]]:
    """(page, xMin, xMax, word) for every word, from `pdftotext -bbox`."""
    assert PDFTOTEXT
    html = subprocess.run(
        [PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    root = ElementTree.fromstring(html.replace("<!DOCTYPE", "<!--").replace('dtd">', "-->", 1))
    found = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            found.append((number, float(word.get("xMin")), float(word.get("xMax")), word.text))
    return found


def _docx_text(path: Path) -> str:
    """Every paragraph's text, in body paragraphs and table cells (a merged cell once)."""
    body = Document(str(path)).element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def _page_of(pages: list[str], text: str) -> int:
    found = [n for n, page in enumerate(pages, start=1) if text in page]
    assert found, f"{text!r} is on no page"
    return found[-1]


def _figures_whole(docx: Path, pages: list[str]) -> None:
    """Each date and amount of the document appears whole in the PDF as often as in the
    document: one broken across lines ("1.928.000.00" / "0") is missing there."""
    wanted = Counter(FIGURE.findall(_docx_text(docx)))
    assert wanted, "the document has no date or amount to check"
    seen = Counter(FIGURE.findall("\n".join(pages)))
    broken = {figure: n for figure, n in wanted.items() if seen[figure] < n}
    assert not broken, f"broken across lines: {broken}"


@pytest.fixture
def seed_history(settings: Settings, engine: Engine, definitions_copy: Path) -> Engine:
    _seed_with_dates_and_amounts(definitions_copy)
    ours = settings.model_copy(update={"definitions": definitions_copy})
    assert run_cli(ours, "load").exit_code == 0
    for ref, *args in HISTORY:
        result = run_cli(ours, "update", ref, *args, "--by", "qltcdlcl")
        assert result.exit_code == 0, result.stderr
    return engine


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_yearly_draft_renders_whole_figures_and_a_signature_page(
    seed_history: Engine, tmp_path: Path
) -> None:
    report = build_report(
        seed_history, SEED_PLAN, period("year", 2024), OPTIONS, date(2024, 12, 20)
    )
    docx = write_docx(report, tmp_path / "bao-cao-nam.docx")
    pages = _render(docx, tmp_path)
    assert 2 <= len(pages) <= 8, f"{len(pages)} pages"
    _figures_whole(docx, pages)
    assert "1.928.000.000" in "\n".join(pages)  # the amount, on one line in its column
    # Nơi nhận and the whole signature on one page: the body's last, before the appendix
    signer = report.signature.name
    appendix = _page_of(pages, "PHỤ LỤC")
    assert _page_of(pages, "Nơi nhận") == _page_of(pages, signer) == appendix - 1
    assert _page_of(pages, report.signature.title) == appendix - 1
    assert _page_of(pages, "./.") == appendix - 1  # the closing sentence goes with them
    # the signature table starts at the left margin (30 mm), not outside it
    words = _words(tmp_path / "bao-cao-nam.pdf")
    left = min(x for page, x, _, word in words if word == "Nơi" and page == appendix - 1)
    assert left >= 30 * POINTS_PER_MM - 0.5, f"Nơi nhận starts at {left / POINTS_PER_MM:.1f} mm"
    assert all(x >= 30 * POINTS_PER_MM - 3 for _, x, _, _ in words)  # no text in the margin
    assert all(x <= (210 - 15) * POINTS_PER_MM + 3 for _, _, x, _ in words)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_programme_rollup_renders_within_the_page_with_its_signature(
    seed_history: Engine, tmp_path: Path
) -> None:
    rollup = build_rollup(
        seed_history, "de-an-996", period("year", 2024), OPTIONS, date(2024, 12, 20)
    )
    docx = write_rollup_docx(rollup, tmp_path / "tong-hop.docx")
    pages = _render(docx, tmp_path)
    assert 1 <= len(pages) <= 4, f"{len(pages)} pages"
    _figures_whole(docx, pages)
    text = "\n".join(pages)
    assert "BÁO CÁO" in pages[0] and "Số:" in pages[0] and "ngày 20 tháng 12 năm 2024" in pages[0]
    assert "Đề án" in text and "Sở Khoa học và Công nghệ tỉnh" in text
    last = len(pages)
    assert _page_of(pages, "Nơi nhận") == _page_of(pages, rollup.signature.name) == last
    # landscape A4, margins 20 and 15 mm: every word within them
    words = _words(tmp_path / "tong-hop.pdf")
    assert min(x for _, x, _, _ in words) >= 20 * POINTS_PER_MM - 1
    assert max(x for _, _, x, _ in words) <= (297 - 15) * POINTS_PER_MM + 1


def test_extensions_and_completion_dates_render_whole(
    engine: Engine, definitions_copy: Path, tmp_path: Path
) -> None:
    """The seed plan with one task extended and done within it, one returned, one awaiting
    confirmation (tests/reports/test_extension_report.py): every date whole, the appendix's
    second table there with its "(có gia hạn)"."""
    from kehoach_flow.reports.docx_writer import write_docx
    from tests.reports.test_extension_report import extended_and_returned

    extended_and_returned(engine, definitions_copy)
    report = build_report(engine, SEED_PLAN, period("year", 2024), OPTIONS, date(2024, 12, 20))
    docx = write_docx(report, tmp_path / "gia-han.docx")
    pages = _render(docx, tmp_path)
    _figures_whole(docx, pages)
    table = _page_of(pages, "Gia hạn và ngày hoàn thành thực tế")
    assert table == len(pages)  # the last page, with the budget
    text = " ".join(" ".join(pages).split())
    assert "(có gia hạn)" in text and "30/8/2024" in text  # the narrow cells wrap words
    assert "đang chờ xác nhận" in text
