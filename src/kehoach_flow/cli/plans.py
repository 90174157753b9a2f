"""Commands on definitions and plans: validate, load, archive, list, show, schema, db, bench."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from kehoach_flow.cli.app import (
    JsonOption,
    app,
    console,
    db_app,
    engine_of,
    money,
    out,
    parse_date,
    print_json,
    settings_of,
    vn_date,
)
from kehoach_flow.text import shorten

if TYPE_CHECKING:
    from kehoach_flow.tracking.figures import TaskFigures


@app.command()
def validate(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="Tệp hoặc thư mục định nghĩa.")] = None,
) -> None:
    """Kiểm tra tệp định nghĩa mà không ghi gì vào cơ sở dữ liệu.

    Ví dụ: kehoach validate definitions/plans/quang-tri-2024.yaml
    """
    from kehoach_flow.definitions import read_catalog
    from kehoach_flow.loading import stored_definitions

    settings = settings_of(ctx)
    units, programmes = stored_definitions(settings.resolved_database_url())
    catalog = read_catalog(
        path or settings.definitions, units, None, settings.definitions, programmes
    )
    tasks = sum(len(p.tasks) for p in catalog.plans.values())
    out.print(
        f"Hợp lệ: {len(catalog.files)} tệp, {len(catalog.units)} đơn vị, "
        f"{len(catalog.plans)} kế hoạch, {tasks} nhiệm vụ."
    )


@app.command()
def load(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="Tệp hoặc thư mục (mặc định: definitions/).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Kiểm tra rồi nạp định nghĩa vào cơ sở dữ liệu trong một giao dịch.

    Nhiệm vụ mới được thêm, nhiệm vụ đổi nội dung được cập nhật tại chỗ (giữ trạng thái và
    lịch sử), nhiệm vụ không còn trong tệp được lưu trữ. Tệp có lỗi thì không thay đổi gì.

    Ví dụ: kehoach load definitions/
    """
    from kehoach_flow.loading import load_path

    engine = engine_of(ctx)
    definitions = settings_of(ctx).definitions
    summary = load_path(engine, path or definitions, definitions_dir=definitions)
    if as_json:
        print_json(summary.as_dict())
        return
    _print_summary(summary)


def _print_summary(summary: Any) -> None:
    if not summary.changed:
        out.print("Không có thay đổi: cơ sở dữ liệu đã khớp với tệp định nghĩa.")
        return
    if summary.units_added or summary.units_updated:
        out.print(
            f"Đơn vị: thêm {len(summary.units_added)}, cập nhật {len(summary.units_updated)}."
        )
    if summary.programmes_added or summary.programmes_updated:
        out.print(
            f"Chương trình: thêm {len(summary.programmes_added)}, "
            f"cập nhật {len(summary.programmes_updated)}."
        )
    for plan in summary.plans:
        if plan.state == "unchanged":
            out.print(f"Kế hoạch {plan.key}: không đổi.")
            continue
        label = "mới" if plan.state == "new" else "cập nhật"
        parts = [
            f"thêm {len(plan.added)} nhiệm vụ",
            f"cập nhật {len(plan.updated)}",
            f"lưu trữ {len(plan.archived)}",
        ]
        if plan.restored:
            parts.append(f"khôi phục {len(plan.restored)}")
        if plan.renamed:
            parts.append("đổi khóa " + ", ".join(f"{a} → {b}" for a, b in plan.renamed))
        out.print(f"Kế hoạch {plan.key} ({label}): " + ", ".join(parts) + ".")


@app.command()
def archive(
    ctx: typer.Context, plan: Annotated[str, typer.Argument(help="Khóa kế hoạch.")]
) -> None:
    """Lưu trữ (ngừng theo dõi) một kế hoạch; dữ liệu và lịch sử được giữ nguyên.

    Ví dụ: kehoach archive qt-skhcn-2024-do-luong
    """
    from kehoach_flow.db.queries import archive_plan

    archive_plan(engine_of(ctx), plan)
    out.print(f"Đã lưu trữ kế hoạch {plan}.")


@app.command()
def plans(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Danh sách kế hoạch đang theo dõi.

    Ví dụ: kehoach plans --json
    """
    from kehoach_flow.db.queries import list_plans

    rows = list_plans(engine_of(ctx, writes=False))
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("Chưa có kế hoạch nào đang theo dõi: nạp bằng `kehoach load definitions/`.")
        return
    table = Table(title="Kế hoạch", expand=True)
    table.add_column("Khóa", no_wrap=True)
    table.add_column("Tên kế hoạch", ratio=1)
    table.add_column("Năm", no_wrap=True)
    table.add_column("Phòng chủ trì", no_wrap=True)
    table.add_column("Nhiệm vụ", justify="right", no_wrap=True)
    for r in rows:
        table.add_row(
            r["key"], shorten(r["title"], 120), str(r["year"]), r["coordinator"], str(r["tasks"])
        )
    out.print(table)


@app.command()
def tasks(
    ctx: typer.Context,
    plan: Annotated[str | None, typer.Option(help="Chỉ kế hoạch này (khóa).")] = None,
    unit: Annotated[str | None, typer.Option(help="Đơn vị chủ trì hoặc phối hợp (khóa).")] = None,
    group: Annotated[str | None, typer.Option(help='Nhóm giải pháp, ví dụ "2.4".')] = None,
    due_before: Annotated[str | None, typer.Option(help="Hạn trước ngày YYYY-MM-DD.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Danh sách nhiệm vụ, có bộ lọc.

    Ví dụ: kehoach tasks --plan qt-skhcn-2024-do-luong --unit qltcdlcl --due-before 2024-07-01
    """
    from kehoach_flow.db.queries import list_tasks

    rows = list_tasks(
        engine_of(ctx, writes=False),
        plan=plan,
        unit=unit,
        group=group,
        due_before=parse_date(due_before),
    )
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("Không có nhiệm vụ nào khớp bộ lọc.")
        return
    out.print(_tasks_table(rows, with_plan=plan is None))


def _tasks_table(rows: list[dict[str, Any]], with_plan: bool) -> Table:
    """Tasks grouped under their section titles; full details are in `show` and --json."""
    table = Table(title=f"Nhiệm vụ ({len(rows)})", expand=True)
    table.add_column("Nhiệm vụ", no_wrap=True)
    table.add_column("Nội dung", ratio=2)
    table.add_column("Chủ trì", ratio=1)
    table.add_column("Hạn", no_wrap=True)
    table.add_column("Nhóm", no_wrap=True)
    section = None
    for r in rows:
        if (r["plan"], r["section"]) != section:
            section = (r["plan"], r["section"])
            heading = f"{r['section']}. {r['section_title']}"
            table.add_row("", Text(shorten(heading, 80), style="bold"), "", "", "")
        table.add_row(
            r["ref"] if with_plan else r["key"],
            shorten(r["title"], 70),
            r["lead"]["short"] or r["lead"]["name"],
            vn_date(r["due"]),
            r["group"] or "",
        )
    return table


@app.command()
def show(
    ctx: typer.Context,
    task: Annotated[
        str, typer.Argument(help="KẾ_HOẠCH/NHIỆM_VỤ, hoặc khóa nhiệm vụ nếu không trùng.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Chi tiết một nhiệm vụ.

    Ví dụ: kehoach show qt-skhcn-2024-do-luong/khao-sat-30-dn
    """
    from kehoach_flow.db.queries import find_task
    from kehoach_flow.tracking.authors import read_directory
    from kehoach_flow.tracking.extensions import due_story
    from kehoach_flow.tracking.figures import figures_of
    from kehoach_flow.tracking.status import status_label
    from kehoach_flow.tracking.task_history import readable_history

    engine = engine_of(ctx, writes=False)
    row = find_task(engine, task)
    previous = _continued(engine, row["continues"])
    ids = [row["id"]] + ([previous["id"]] if previous is not None else [])
    figures = figures_of(engine, ids)
    directory = read_directory(engine)
    row["figures"] = figures[row["id"]].as_dict()
    row["history"] = readable_history(engine, row["id"], figures[row["id"]], directory)
    row["due_story"] = due_story(engine, row["id"])
    if previous is not None:
        row["continued_history"] = readable_history(
            engine, previous["id"], figures[previous["id"]], directory
        )
    if as_json:
        print_json(row)
        return
    timezone = settings_of(ctx).timezone
    table = Table(show_header=False, title=row["ref"])
    table.add_column("", style="bold")
    table.add_column("", overflow="fold")
    fields = [
        ("Nội dung", row["title"]),
        ("Kết quả", row["result"] or ""),
        ("Chủ trì", f"{row['lead']['name']} ({row['lead']['key']})"),
        ("Phối hợp", "; ".join(p["name"] for p in row["partners"])),
        ("Mục", f"{row['section']}. {row['section_title']}"),
        ("Tiến độ", f"{row['schedule'] or ''} ({vn_date(row['start'])} → {vn_date(row['due'])})"),
        ("Hạn hiện tại", _due_now(row["due_story"])),
        ("Nhóm giải pháp", row["group"] or ""),
        ("Chỉ tiêu", "; ".join(f"{t['quantity']} {t['unit']}" for t in row["targets"])),
        (
            "Kinh phí",
            "; ".join(
                f"{f['name']} {money(f['amount'])} đ" if f["amount"] else f["name"]
                for f in row["funding"]
            ),
        ),
        *_figure_fields(figures[row["id"]], timezone),
        ("Phụ thuộc", ", ".join(row["depends_on"])),
        (
            "Trạng thái",
            f"{status_label(row['status'])}, {row['progress']}%"
            + (" (đã lưu trữ)" if row["archived"] else ""),
        ),
        ("Tiếp nối", row["continues"] or ""),
        ("Ghi chú", row["note"] or ""),
    ]
    for name, value in fields:
        table.add_row(name, value)
    out.print(table)
    _print_due_story(row["due_story"], timezone)
    _print_history("Lịch sử cập nhật", row["history"], timezone)
    if previous is not None:
        _print_history(f"Lịch sử từ {previous['ref']}", row["continued_history"], timezone)


def _continued(engine: Any, ref: str | None) -> dict[str, Any] | None:
    """The task a multi-year task continues (`continues: plan/task`), if it is loaded."""
    from kehoach_flow.db.queries import find_task
    from kehoach_flow.errors import NotFoundError

    if not ref:
        return None
    try:
        return find_task(engine, ref)
    except NotFoundError:
        return None


def _figure_fields(figures: TaskFigures, timezone: str) -> list[tuple[str, str]]:
    """The rows that show reported figures back: totals to date, and who reported last."""
    fields = []
    if figures.targets:
        fields.append(("Đã đạt (lũy kế)", "\n".join(t.text for t in figures.targets)))
    if figures.lines:
        lines = [line.text for line in figures.lines]
        if len(figures.lines) > 1:
            lines.append(f"Tổng cộng: {figures.budget.text}")
        fields.append(("Đã chi (lũy kế)", "\n".join(lines)))
    if figures.latest is not None:
        fields.append(("Số liệu báo cáo", f"lần gần nhất {figures.latest.text(timezone)}"))
    return fields


def _due_now(story: dict[str, Any]) -> str:
    """The due date in force, and the plan's when extensions moved it."""
    text = f"{story['current']:%d/%m/%Y}"
    if story["extensions"]:
        text += f" (gia hạn {story['extensions']} lần; hạn gốc {story['original']:%d/%m/%Y})"
    if story["pending"] is not None:
        text += f"; đề nghị gia hạn số {story['pending']} đang chờ quyết định"
    return text


def _print_due_story(story: dict[str, Any], timezone: str) -> None:
    """Original date, each request and decision, the date in force: `kehoach show`'s story."""
    from kehoach_flow.timefmt import shown

    if not story["steps"]:
        return
    out.print("Gia hạn:")
    out.print(f"  Hạn gốc theo kế hoạch: {story['original']:%d/%m/%Y}", markup=False)
    for step in story["steps"]:
        who = step["author"]["text"]
        line = f"  Số {step['id']}, {shown(step['at'], timezone)}, {who}: {step['label']}"
        if step["requested_due"]:
            line += f" đến {step['requested_due']:%d/%m/%Y}"
        if step["decided_due"]:
            line += f", hạn mới {step['decided_due']:%d/%m/%Y}"
        if step["request_id"]:
            line += f" (đề nghị số {step['request_id']})"
        if step["text"]:
            line += f"; {step['text']}"
        if step["late_recorded"]:
            line += "; gửi muộn, điều phối viên ghi nhận"
        if step.get("files"):
            line += "; minh chứng: " + ", ".join(f["name"] for f in step["files"])
        out.print(line, markup=False)
    out.print(f"  Hạn hiện tại: {story['current']:%d/%m/%Y}", markup=False)


def _print_history(title: str, entries: list[dict[str, Any]], timezone: str) -> None:
    from kehoach_flow.timefmt import DAY, shown
    from kehoach_flow.tracking.state import ENTRY_LABELS, EntryKind
    from kehoach_flow.tracking.status import status_label

    if not entries:
        return
    out.print(f"{title}:")
    for e in entries:
        change = status_label(e["old_status"])
        if e["new_status"] != e["old_status"]:
            change += f" → {status_label(e['new_status'])}"
        line = f"  v{e['version']} {shown(e['at'], timezone, DAY)} {e['author']['text']}: {change}, {e['progress']}%"
        if e["figures"]["text"]:
            line += f"; số liệu đến nay: {e['figures']['text']}"
        kind = e.get("kind") or "update"
        if kind != "update":
            line += f"; {ENTRY_LABELS[EntryKind(kind)].lower()}"
        if e["note"]:
            line += f"; {e['note']}"
        if e["forced"] and kind == "update":
            line += f"; ghi hoàn thành khi còn phụ thuộc mở, lý do: {e['force_reason']}"
        out.print(line, markup=False)


@app.command()
def schema() -> None:
    """In JSON Schema của tệp định nghĩa (cho trình soạn thảo tự gợi ý và kiểm tra).

    Ví dụ: kehoach schema > definitions/schema.json
    """
    from kehoach_flow.definitions.models import json_schema

    print_json(json_schema())


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Đưa lược đồ cơ sở dữ liệu lên phiên bản mới nhất (an toàn khi chạy lại).

    Ví dụ: kehoach db upgrade
    """
    from kehoach_flow.db.engine import upgrade

    before, after = upgrade(engine_of(ctx, check=False, creates=True))
    if before == after:
        out.print(f"Lược đồ đã ở phiên bản mới nhất ({after}).")
    else:
        out.print(f"Đã nâng lược đồ: {before or 'trống'} → {after}.")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """In phiên bản lược đồ hiện tại và phiên bản cần có.

    Ví dụ: kehoach db current
    """
    from kehoach_flow.db.engine import current_revision, head_revision

    engine = engine_of(ctx, check=False, writes=False)
    out.print(f"Hiện tại: {current_revision(engine) or 'trống'}; cần: {head_revision(engine)}.")


@app.command()
def bench(
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Chỉ chạy phép đo này (lặp lại được).")
    ] = None,
    as_json: JsonOption = False,
    postgres_url: Annotated[
        str | None,
        typer.Option(
            envvar="KEHOACH_BENCH_POSTGRES_URL", help="Postgres cho phép đo (bỏ qua nếu trống)."
        ),
    ] = None,
) -> None:
    """Đo tốc độ trên bộ dữ liệu toàn quốc tổng hợp và in số liệu kèm tỷ lệ so với mốc.

    Ví dụ: kehoach bench --only load_sqlite --json
    """
    from kehoach_flow.bench import BenchFailed, run_bench

    failed: BenchFailed | None = None
    try:
        figures = run_bench(
            only=only or [],
            postgres_url=postgres_url or os.environ.get("KEHOACH_TEST_POSTGRES_URL"),
        )
    except BenchFailed as exc:  # every figure measured is still printed, then the failures
        failed, figures = exc, exc.figures
    if as_json:
        print_json({"figures": figures, "failures": failed.failures if failed else {}})
    else:
        table = Table(title="kehoach bench")
        table.add_column("Số liệu")
        table.add_column("Giá trị", justify="right")
        for name, value in figures.items():
            table.add_row(name, f"{value:.3f}")
        out.print(table)
    if failed is not None:
        err = console(stderr=True, soft_wrap=True)
        for name, reason in failed.failures.items():
            err.print(f"Phép đo {name} không xong: {reason}", markup=False)
        raise failed
