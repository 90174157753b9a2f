"""`kehoach report` and `kehoach reports`: files written, runs recorded, same figures later."""

from __future__ import annotations

import json
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from sqlalchemy import Engine

from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN, run_cli


def test_report_writes_the_files_and_records_the_run(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    assert run_cli(settings, "load").exit_code == 0
    run_cli(settings, "update", "khao-sat-30-dn", "--status", "in_progress", "--date", "2024-05-10")
    args = (
        "report",
        "--plan",
        SEED_PLAN,
        "--period",
        "q2",
        "--year",
        "2024",
        "--format",
        "md,html",
        "--out",
        str(tmp_path),
        "--json",
    )
    first = run_cli(settings, *args)
    assert first.exit_code == 0, first.stderr
    made = json.loads(first.stdout)
    assert sorted(Path(f).suffix for f in made["files"]) == [".html", ".md"]
    assert "Đang thực hiện trong hạn: 01 nhiệm vụ" in Path(made["files"][0]).read_text(
        encoding="utf-8"
    )
    run_cli(settings, "update", "chuan-do-luong", "--status", "done", "--date", "2024-10-01")
    again = json.loads(run_cli(settings, *args).stdout)
    assert again["content_hash"] == made["content_hash"]  # later updates do not change Q2
    runs = json.loads(run_cli(settings, "reports", "--plan", SEED_PLAN, "--json").stdout)
    assert [(r["period"], r["year"]) for r in runs] == [("q2", 2024), ("q2", 2024)]


def test_bad_period_and_format_are_one_line_errors(settings: Settings, engine: Engine) -> None:
    run_cli(settings, "load")
    bad = run_cli(settings, "report", "--plan", SEED_PLAN, "--period", "q5", "--year", "2024")
    assert bad.exit_code == 2 and "q1, q2" in bad.stderr
    fmt = run_cli(
        settings,
        "report",
        "--plan",
        SEED_PLAN,
        "--period",
        "q1",
        "--year",
        "2024",
        "--format",
        "pdf",
    )
    assert fmt.exit_code == 2 and "docx, md, html" in fmt.stderr


def test_programme_rollup_has_one_row_per_plan_and_totals(
    settings: Settings, engine: Engine, definitions_copy: Path, tmp_path: Path
) -> None:
    ours = settings.model_copy(update={"definitions": definitions_copy})
    text = (definitions_copy / "plans" / "quang-tri-2024.yaml").read_text(encoding="utf-8")
    (definitions_copy / "plans" / "tinh-b.yaml").write_text(
        text.replace(f"key: {SEED_PLAN}", "key: tinh-b-2024"), encoding="utf-8"
    )
    assert run_cli(ours, "load").exit_code == 0
    run_cli(
        ours, "update", "tinh-b-2024/chuan-do-luong", "--status", "done", "--date", "2024-05-02"
    )
    confirm = ("tinh-b-2024/chuan-do-luong", "--date", "2024-05-03")  # a copy of the seed: review
    assert run_cli(ours, "review", "confirm", *confirm).exit_code == 0
    result = run_cli(
        ours,
        "report",
        "--programme",
        "de-an-996",
        "--period",
        "q2",
        "--year",
        "2024",
        "--out",
        str(tmp_path),
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    markdown = next(
        Path(f) for f in json.loads(result.stdout)["files"] if f.endswith(".md")
    ).read_text(encoding="utf-8")
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "---" not in line][
        1:
    ]
    assert len(rows) == 3  # two plans and the total
    assert rows[-1].startswith(
        "| | **Tổng cộng** | | **1** | **0** | **0** | **0** | **13** | **14** |"
    )
    docx_file = next(Path(f) for f in json.loads(result.stdout)["files"] if f.endswith(".docx"))
    document = Document(str(docx_file))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    table = document.tables[1]  # after the heading block
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][:4] == ["TT", "Đơn vị", "Kế hoạch", "Hoàn thành đúng hạn"]
    assert [row[0] for row in cells[1:]] == ["1", "2", ""]
    assert cells[-1][1:9] == ["Tổng cộng", "Tổng cộng", "1", "0", "0", "0", "13", "14"]
    assert all(run.bold for c in table.rows[-1].cells for run in c.paragraphs[0].runs)
    # the seed plan gives no amounts: no "Không đồng" in words
    assert not any("Viết bằng chữ" in p.text for p in document.paragraphs)
    both = run_cli(
        ours,
        "report",
        "--plan",
        SEED_PLAN,
        "--programme",
        "de-an-996",
        "--period",
        "q2",
        "--year",
        "2024",
    )
    assert both.exit_code == 2 and "--plan hoặc --programme" in both.stderr


def test_a_template_directory_restyles_the_text_formats(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    run_cli(settings, "load")
    templates = tmp_path / "mau"
    templates.mkdir()
    (templates / "report.md.j2").write_text(
        "# Mẫu riêng: {{ r.header.title }}\n{% for c in r.categories %}{{ c.label }}={{ c.count }}\n{% endfor %}",
        encoding="utf-8",
    )
    restyled = settings.model_copy(update={"report_templates": templates})
    args = ("report", "--plan", SEED_PLAN, "--period", "q2", "--year", "2024", "--out")
    result = run_cli(restyled, *args, str(tmp_path / "out"), "--format", "md,html")
    assert result.exit_code == 0, result.stderr
    md = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert md.startswith("# Mẫu riêng: Kết quả thực hiện Kế hoạch")
    assert "Chưa thực hiện=" in md
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert "Mẫu riêng" not in html  # the built-in HTML template still applies

    (templates / "report.md.j2").write_text("{% for c in r.categories %}\n", encoding="utf-8")
    broken = run_cli(restyled, *args, str(tmp_path / "out2"), "--format", "docx,md")
    assert broken.exit_code == 2
    assert not (tmp_path / "out2").exists()  # nothing written, not even the docx
    assert broken.stderr.startswith("Lỗi: mẫu báo cáo report.md.j2 lỗi:")
    assert len(broken.stderr.strip().splitlines()) == 1
