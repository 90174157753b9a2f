"""Regenerate docs/examples/: the seed plan's Q2 and yearly drafts from the scripted year
(tests/reports/scripted_year.py), as .docx and a PNG of each page.

    .venv/bin/python -m tests.reports.make_examples

The PNGs need LibreOffice (`soffice`) and poppler (`pdftoppm`); without them only the .docx
files are written. tests/reports/test_examples.py checks that the committed .docx files say
what this script writes today (their text, not their bytes).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document

from tests.reports.scripted_year import (
    BASIS,
    PLAN,
    Q2_ISSUED,
    REPO,
    YEAR_ISSUED,
    example_settings,
    record_year,
)

EXAMPLES = REPO / "docs" / "examples"
DRAFTS = {  # file stem -> (period, date line, request document cited)
    "bao-cao-quy-II-2024": ("q2", Q2_ISSUED, BASIS),
    "bao-cao-nam-2024": ("year", YEAR_ISSUED, None),
}


def write_drafts(out: Path, work: Path) -> list[Path]:
    """The example drafts written under `out` from a fresh database under `work`."""
    from kehoach_flow.db.engine import create_db_engine
    from kehoach_flow.reports.periods import period
    from kehoach_flow.reports.runs import generate
    from kehoach_flow.tracking.task_views import BoardOptions
    from kehoach_flow.tracking.workcalendar import work_calendar

    settings = example_settings(work)
    record_year(settings)
    engine = create_db_engine(settings.resolved_database_url())
    options = BoardOptions(work_calendar(settings), settings.timezone, settings.at_risk_days)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for stem, (kind, issued, basis) in DRAFTS.items():
            made = generate(
                engine,
                PLAN,
                period(kind, 2024),
                options,
                work / "out",
                ("docx",),
                issued,
                None,
                basis,
            )
            target = out / f"{stem}.docx"
            shutil.copyfile(made.files[0], target)
            written.append(target)
    finally:
        engine.dispose()
    return written


def docx_text(path: Path) -> list[str]:
    """What a reader reads in a .docx: its paragraphs, then each table's cells, in order."""
    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return lines


def render_pages(docx: Path, resolution: int = 60) -> list[Path]:
    """A PNG of each page of `docx`, next to it (stem-1.png, stem-2.png, ...)."""
    for old in docx.parent.glob(f"{docx.stem}-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(docx)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = Path(tmp) / f"{docx.stem}.pdf"
        prefix = docx.parent / docx.stem
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(resolution), str(pdf), str(prefix)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    pages = sorted(docx.parent.glob(f"{docx.stem}-*.png"))
    for page in pages:  # pdftoppm pads the page number ("-01"); keep "-1"
        number = int(page.stem.rsplit("-", 1)[1])
        page.rename(page.with_name(f"{docx.stem}-{number}.png"))
    return sorted(docx.parent.glob(f"{docx.stem}-*.png"))


def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        drafts = write_drafts(EXAMPLES, Path(work))
    for draft in drafts:
        print(draft.relative_to(REPO))
        if shutil.which("soffice") and shutil.which("pdftoppm"):
            for page in render_pages(draft):
                print(f"  {page.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
