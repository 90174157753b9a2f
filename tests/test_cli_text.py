"""The CLI prints file and user text as written: Rich neither reads it as markup ("[b]")
nor as emoji codes (":100:" would become an emoji, so "plan.yaml:100:7" lost its line)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import Engine

from kehoach_flow.settings import Settings
from tests.conftest import DEFINITIONS, SEED_PLAN, run_cli

PLAN = Path("plans") / "quang-tri-2024.yaml"


def test_an_error_at_line_100_column_7_is_printed_intact(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, root)
    plan = root / "plans" / "tram.yaml"
    plan.write_text("# ghi chú\n" * 99 + "plan: 5\n", encoding="utf-8")

    result = run_cli(sqlite_settings, "validate", str(plan))

    assert result.exit_code == 2
    assert "tram.yaml:100:7: " in result.stderr, result.stderr


def test_titles_that_look_like_markup_or_emoji_codes_are_shown_as_written(
    sqlite_settings: Settings, sqlite_engine: Engine, definitions_copy: Path
) -> None:
    heading = ":100:[b]tuyên[/b]:+1:"
    title = "Hội thảo :100:[bold]đo[/bold]:thumbs_up:"
    plan = definitions_copy / PLAN
    text = plan.read_text(encoding="utf-8")
    text = text.replace("title: Công tác tuyên truyền, phổ biến, hướng dẫn", f'title: "{heading}"')
    text = re.sub(
        r"title: >-\n +Tuyên truyền, .*?\n(?= +result:)",
        f'title: "{title}"\n',
        text,
        count=1,
        flags=re.S,
    )
    plan.write_text(text, encoding="utf-8")
    assert run_cli(sqlite_settings, "load", str(definitions_copy)).exit_code == 0

    shown = run_cli(sqlite_settings, "show", f"{SEED_PLAN}/tuyen-truyen-996")
    listed = run_cli(sqlite_settings, "tasks", "--plan", SEED_PLAN)

    assert shown.exit_code == 0, shown.stderr
    assert title in shown.stdout and heading in shown.stdout, shown.stdout
    assert listed.exit_code == 0, listed.stderr
    assert heading in listed.stdout and ":100:[bold]đo[/bold]" in listed.stdout, listed.stdout
