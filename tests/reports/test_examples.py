"""docs/examples/ holds reviewed drafts: regenerated from the same scripted year, they must
say the same (paragraphs and table cells), or the examples are stale: run
`.venv/bin/python -m tests.reports.make_examples` and look at the pages again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports.make_examples import DRAFTS, EXAMPLES, docx_text, write_drafts


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    work = tmp_path_factory.mktemp("examples")
    return write_drafts(work / "out", work / "db")


@pytest.mark.parametrize("stem", list(DRAFTS))
def test_committed_example_drafts_read_as_regenerated(stem: str, regenerated: list[Path]) -> None:
    committed = EXAMPLES / f"{stem}.docx"
    fresh = next(p for p in regenerated if p.stem == stem)
    assert docx_text(fresh) == docx_text(committed), (
        "docs/examples is stale: python -m tests.reports.make_examples"
    )
    assert list(EXAMPLES.glob(f"{stem}-*.png")), "a PNG of each page"
