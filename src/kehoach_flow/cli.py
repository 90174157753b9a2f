"""The `kehoach` command: a thin skin that parses, calls the library and prints."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kehoach_flow.errors import DefinitionError, KehoachError
from kehoach_flow.settings import Settings

app = typer.Typer(
    name="kehoach",
    help="kehoach-flow: kế hoạch năm chạy tự động (theo dõi, nhắc việc, dự thảo báo cáo).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Quản lý lược đồ cơ sở dữ liệu.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(soft_wrap=False)
JsonOption = Annotated[bool, typer.Option("--json", help="In JSON cho script thay vì bảng.")]


def _settings(ctx: typer.Context) -> Settings:
    if ctx.obj is None:
        root = ctx.find_root()
        root.obj = root.obj or Settings()
        return root.obj
    return ctx.obj


def _engine(ctx: typer.Context, check: bool = True) -> Any:
    from kehoach_flow.db.engine import check_schema, create_db_engine

    engine = create_db_engine(_settings(ctx).resolved_database_url())
    if check:
        check_schema(engine)
    return engine


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def _money(value: int | None) -> str:
    from kehoach_flow.numbers import format_number

    return "" if value is None else format_number(value)


@app.command()
def validate(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="Tệp hoặc thư mục định nghĩa.")] = None,
) -> None:
    """Kiểm tra tệp định nghĩa mà không ghi gì vào cơ sở dữ liệu.

    Ví dụ: kehoach validate definitions/plans/quang-tri-2024.yaml
    """
    from kehoach_flow.definitions import read_catalog

    catalog = read_catalog(path or _settings(ctx).definitions)
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

    engine = _engine(ctx)
    summary = load_path(engine, path or _settings(ctx).definitions)
    if as_json:
        _print_json(summary.as_dict())
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

    archive_plan(_engine(ctx), plan)
    out.print(f"Đã lưu trữ kế hoạch {plan}.")


@app.command()
def plans(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Danh sách kế hoạch đang theo dõi.

    Ví dụ: kehoach plans --json
    """
    from kehoach_flow.db.queries import list_plans

    rows = list_plans(_engine(ctx))
    if as_json:
        _print_json(rows)
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
            r["key"], _short(r["title"], 120), str(r["year"]), r["coordinator"], str(r["tasks"])
        )
    out.print(table)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f'"{value}" không phải ngày dạng YYYY-MM-DD') from None


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
        _engine(ctx), plan=plan, unit=unit, group=group, due_before=_parse_date(due_before)
    )
    if as_json:
        _print_json(rows)
        return
    if not rows:
        out.print("Không có nhiệm vụ nào khớp bộ lọc.")
        return
    out.print(_tasks_table(rows, with_plan=plan is None))


def _vn_date(iso: str) -> str:
    return f"{date.fromisoformat(iso):%d/%m/%Y}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
            table.add_row("", f"[bold]{_short(heading, 80)}[/bold]", "", "", "")
        table.add_row(
            r["ref"] if with_plan else r["key"],
            _short(r["title"], 70),
            r["lead"]["short"] or r["lead"]["name"],
            _vn_date(r["due"]),
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
    from kehoach_flow.tracking.history import history_rows
    from kehoach_flow.tracking.status import status_label

    engine = _engine(ctx)
    row = find_task(engine, task)
    row["history"] = history_rows(engine, row["id"])
    previous = _continued(engine, row["continues"])
    if previous is not None:
        row["continued_history"] = history_rows(engine, previous["id"])
    if as_json:
        _print_json(row)
        return
    table = Table(show_header=False, title=row["ref"])
    table.add_column("", style="bold")
    table.add_column("", overflow="fold")
    fields = [
        ("Nội dung", row["title"]),
        ("Kết quả", row["result"] or ""),
        ("Chủ trì", f"{row['lead']['name']} ({row['lead']['key']})"),
        ("Phối hợp", "; ".join(p["name"] for p in row["partners"])),
        ("Mục", f"{row['section']}. {row['section_title']}"),
        ("Tiến độ", f"{row['schedule'] or ''} ({_vn_date(row['start'])} → {_vn_date(row['due'])})"),
        ("Nhóm giải pháp", row["group"] or ""),
        ("Chỉ tiêu", "; ".join(f"{t['quantity']} {t['unit']}" for t in row["targets"])),
        (
            "Kinh phí",
            "; ".join(f"{f['name']} {_money(f['amount'])}".strip() for f in row["funding"]),
        ),
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
    timezone = _settings(ctx).timezone
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


def _print_history(title: str, entries: list[dict[str, Any]], timezone: str) -> None:
    from zoneinfo import ZoneInfo

    from kehoach_flow.tracking.status import status_label

    if not entries:
        return
    out.print(f"{title}:")
    for e in entries:
        change = status_label(e["old_status"])
        if e["new_status"] != e["old_status"]:
            change += f" → {status_label(e['new_status'])}"
        line = f"  v{e['version']} {e['at'].astimezone(ZoneInfo(timezone)):%d/%m/%Y} {e['actor']} ({e['channel']}): {change}, {e['progress']}%"
        if e["note"]:
            line += f"; {e['note']}"
        if e["forced"]:
            line += f"; ghi hoàn thành khi còn phụ thuộc mở, lý do: {e['force_reason']}"
        out.print(line, markup=False)


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values or []:
        name, sep, amount = value.partition("=")
        if not sep or not name.strip() or not amount.strip():
            raise typer.BadParameter(
                f'"{value}" cần dạng TÊN=GIÁ_TRỊ, ví dụ "doanh nghiệp=2"', param_hint=option
            )
        pairs[name.strip()] = amount.strip()
    return pairs


def _quantities(values: list[str] | None) -> dict[str, int]:
    result = {}
    for name, text in _pairs(values, "--actual").items():
        if not text.isdigit():
            raise typer.BadParameter(
                f'số lượng "{text}" của "{name}" phải là số nguyên không âm', param_hint="--actual"
            )
        result[name] = int(text)
    return result


def _amounts(values: list[str] | None) -> dict[str, int]:
    from kehoach_flow.numbers import parse_amount

    return {name: parse_amount(text) for name, text in _pairs(values, "--spent").items()}


@app.command()
def update(
    ctx: typer.Context,
    task: Annotated[
        str, typer.Argument(help="KẾ_HOẠCH/NHIỆM_VỤ, hoặc khóa nhiệm vụ nếu không trùng.")
    ],
    status: Annotated[
        str | None,
        typer.Option(
            help="not_started, in_progress, done, on_hold, cancelled (hoặc nhãn tiếng Việt)."
        ),
    ] = None,
    progress: Annotated[int | None, typer.Option(help="Tiến độ thực hiện, 0-100 (%).")] = None,
    actual: Annotated[
        list[str] | None,
        typer.Option(
            help='Số lượng đạt được theo chỉ tiêu, ví dụ "doanh nghiệp=2" (lặp lại được).'
        ),
    ] = None,
    spent: Annotated[
        list[str] | None,
        typer.Option(help='Kinh phí đã chi đến nay theo nguồn, ví dụ "sn-khcn-2024=30 triệu".'),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Kết quả, ghi chú.")] = None,
    difficulty: Annotated[str | None, typer.Option(help="Khó khăn, vướng mắc.")] = None,
    proposal: Annotated[str | None, typer.Option(help="Đề xuất, kiến nghị.")] = None,
    evidence: Annotated[
        list[Path] | None, typer.Option(help="Tệp minh chứng (lặp lại được).")
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Người hoặc đơn vị cập nhật (mặc định: tên đăng nhập).")
    ] = None,
    version: Annotated[
        int | None,
        typer.Option(help="Phiên bản đang sửa; từ chối nếu đã có người cập nhật sau đó."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Ngày ghi nhận YYYY-MM-DD (mặc định: hôm nay).")
    ] = None,
    completed_on: Annotated[
        str | None, typer.Option(help="Ngày hoàn thành YYYY-MM-DD (mặc định: ngày ghi nhận).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Ghi hoàn thành dù nhiệm vụ phụ thuộc chưa xong (cần --reason)."
        ),
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Lý do khi dùng --force; được lưu vào lịch sử.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ghi một cập nhật vào lịch sử nhiệm vụ (trạng thái, tiến độ, số liệu, minh chứng).

    Ví dụ: kehoach update khao-sat-30-dn --status in_progress --progress 60 --actual "doanh nghiệp=12" --note "Đã khảo sát 12 DN"
    """
    import getpass
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from kehoach_flow.db.queries import find_task
    from kehoach_flow.tracking.evidence import store_evidence
    from kehoach_flow.tracking.history import Author, UpdateIn, record_update
    from kehoach_flow.tracking.status import parse_status

    settings = _settings(ctx)
    if force and not (reason and reason.strip()):
        raise typer.BadParameter('--force cần kèm --reason "lý do"', param_hint="--force")
    engine = _engine(ctx)
    row = find_task(engine, task)
    day = _parse_date(on)
    at = datetime.combine(day, time(12), tzinfo=ZoneInfo(settings.timezone)) if day else None
    change = UpdateIn(
        status=parse_status(status) if status else None,
        progress=progress,
        actuals=_quantities(actual),
        spending=_amounts(spent),
        note=note,
        difficulties=difficulty,
        proposals=proposal,
        completed_on=_parse_date(completed_on),
    )
    files = [
        store_evidence(p, settings.ensure_data_dir(), settings.evidence_max_bytes)
        for p in evidence or []
    ]
    author = Author(by or getpass.getuser(), "cli", at, settings.timezone)
    result = record_update(
        engine, row["id"], change, author, version, reason if force else None, files
    )
    if as_json:
        _print_json(result.__dict__)
        return
    out.print(
        f"Đã cập nhật {row['ref']}: {result.status.label}, {result.progress}% (phiên bản {result.version})."
    )


@app.command()
def status(
    ctx: typer.Context,
    plan: Annotated[str, typer.Option(help="Khóa kế hoạch.")],
    on: Annotated[
        str | None, typer.Option("--date", help="Ngày tham chiếu YYYY-MM-DD (mặc định: hôm nay).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Bảng tổng hợp tình hình thực hiện tại một ngày: theo nhóm giải pháp và đơn vị chủ trì.

    Ví dụ: kehoach status --plan qt-skhcn-2024-do-luong --date 2024-06-14
    """
    from kehoach_flow.tracking.scoreboard import build_scoreboard

    ref, views = _board(ctx, plan, on)
    board = build_scoreboard(plan, ref, views)
    if as_json:
        _print_json({**board.as_dict(), "tasks": [_view_dict(v) for v in views]})
        return
    _print_scoreboard(board, views)


def _view_dict(view: Any) -> dict[str, Any]:
    return {
        "key": view.key,
        "lead": view.lead,
        "group": view.group,
        "status": view.state.status.value,
        "progress": view.state.progress,
        "completed_on": view.state.completed_on,
        "derived": view.derived.value,
        "category": view.category.value if view.category else None,
        "open_dependencies": list(view.open_dependencies),
        "due": view.window.due,
    }


SHORT_CATEGORY = ("HT đúng hạn", "HT quá hạn", "Đang TH trong hạn", "Đang TH quá hạn", "Chưa TH")


def _print_scoreboard(board: Any, views: list[Any]) -> None:
    from kehoach_flow.tracking.state import Category

    overall = board.overall
    out.print(
        f"Tình hình thực hiện kế hoạch {board.plan} đến ngày {board.date:%d/%m/%Y}: "
        f"{overall.total} nhiệm vụ, hoàn thành {overall.completion_percent:g}%"
    )
    for c in Category:
        out.print(f"  {c.label:<26}{overall.counts[c]:>4}")
    if overall.cancelled:
        out.print(f"  {'Hủy (không tính)':<26}{overall.cancelled:>4}")
    table = Table(expand=True, caption="HT: hoàn thành; TH: thực hiện")
    table.add_column("Theo nhóm / đơn vị chủ trì", ratio=3)
    for name in (*SHORT_CATEGORY, "% HT"):
        table.add_column(name, justify="right", ratio=1)
    rows = [(f"Nhóm {g}", t) for g, t in board.by_group.items()]
    rows += [(board.unit_names[u], t) for u, t in board.by_unit.items()]
    for name, tally in rows:
        table.add_row(
            name, *(str(tally.counts[c]) for c in Category), f"{tally.completion_percent:g}"
        )
    out.print(table)
    for v in views:
        if v.derived.value in ("overdue", "at_risk", "blocked"):
            extra = f" (chờ: {', '.join(v.open_dependencies)})" if v.open_dependencies else ""
            out.print(
                f"- {v.derived.label}: {v.key}, hạn {v.window.due:%d/%m/%Y}, {v.state.progress}%{extra}"
            )


@app.command()
def graph(
    ctx: typer.Context,
    plan: Annotated[str, typer.Option(help="Khóa kế hoạch.")],
    fmt: Annotated[str, typer.Option("--format", help="mermaid hoặc dot.")] = "mermaid",
    on: Annotated[
        str | None,
        typer.Option("--date", help="Trạng thái tại ngày YYYY-MM-DD (mặc định: hôm nay)."),
    ] = None,
) -> None:
    """In đồ thị nhiệm vụ (phụ thuộc, nhiệm vụ con) dạng Mermaid hoặc DOT, tô đậm đường găng theo hạn.

    Ví dụ: kehoach graph --plan qt-skhcn-2024-do-luong --format dot > ke-hoach.dot
    """
    from kehoach_flow.tracking.graph import GraphTask, critical_path, to_dot, to_mermaid
    from kehoach_flow.tracking.status import Status

    if fmt not in ("mermaid", "dot"):
        raise typer.BadParameter(
            f'"{fmt}" không hợp lệ; chọn mermaid hoặc dot', param_hint="--format"
        )
    _, views = _board(ctx, plan, on)
    tasks = [
        GraphTask(
            key=v.key,
            title=v.title,
            start=v.window.start,
            due=v.window.due,
            depends_on=v.depends_on,
            parent=v.parent,
            done=v.state.status == Status.DONE,
            status_label=v.derived.label,
        )
        for v in views
    ]
    render = to_mermaid if fmt == "mermaid" else to_dot
    sys.stdout.write(render(tasks, critical_path(tasks)) + "\n")


def _board(ctx: typer.Context, plan: str, on: str | None) -> tuple[date, list[Any]]:
    """The plan's tasks at `on` (default: today where the plan runs), with that date."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kehoach_flow.tracking.board import BoardOptions, plan_board
    from kehoach_flow.tracking.workcalendar import work_calendar

    settings = _settings(ctx)
    ref = _parse_date(on) or datetime.now(ZoneInfo(settings.timezone)).date()
    calendar = work_calendar(settings, range(ref.year - 1, ref.year + 3))
    options = BoardOptions(calendar, settings.timezone, settings.at_risk_days)
    return ref, plan_board(_engine(ctx), plan, ref, options)


@app.command()
def schema() -> None:
    """In JSON Schema của tệp định nghĩa (cho trình soạn thảo tự gợi ý và kiểm tra).

    Ví dụ: kehoach schema > definitions/schema.json
    """
    from kehoach_flow.definitions.models import json_schema

    _print_json(json_schema())


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Đưa lược đồ cơ sở dữ liệu lên phiên bản mới nhất (an toàn khi chạy lại).

    Ví dụ: kehoach db upgrade
    """
    from kehoach_flow.db.engine import upgrade

    before, after = upgrade(_engine(ctx, check=False))
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

    engine = _engine(ctx, check=False)
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
    from kehoach_flow.bench import run_bench

    figures = run_bench(
        only=only or [], postgres_url=postgres_url or os.environ.get("KEHOACH_TEST_POSTGRES_URL")
    )
    if as_json:
        _print_json({"figures": figures})
        return
    table = Table(title="kehoach bench")
    table.add_column("Số liệu")
    table.add_column("Giá trị", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:.3f}")
    out.print(table)


def main(argv: list[str] | None = None, settings: Settings | None = None) -> None:
    """Entry point: user errors become one line (or one line per definition fault) and exit 2."""
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        code = app(args=argv, obj=settings, prog_name="kehoach", standalone_mode=False)
    except DefinitionError as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        err.print(f"Lỗi: {exc.message}", markup=False)
        raise SystemExit(2) from None
    except KehoachError as exc:
        err.print(f"Lỗi: {exc.message}", markup=False)
        raise SystemExit(2) from None
    except Exception as exc:  # click usage errors and anything unexpected end here
        _last_resort(err, exc)
    raise SystemExit(code if isinstance(code, int) else 0)


def _usage_message(exc: Any) -> str:
    """Click's usage errors, said in Vietnamese with the command to get help."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    name = getattr(exc, "option_name", None) or ""
    if not name and param is not None:
        is_argument = param.param_type_name == "argument"
        name = (param.name or "").upper() if is_argument else param.opts[0]
    if kind == "NoSuchOption":
        text = f"không có tùy chọn {name}"
        if exc.possibilities:
            text += f" (có phải ý bạn là {', '.join(sorted(exc.possibilities))}?)"
    elif kind == "MissingParameter":
        text = f"thiếu {name or 'tham số'}"
    elif kind == "BadOptionUsage" and "requires an argument" in exc.message:
        text = f"tùy chọn {name} cần một giá trị"
    elif kind == "BadParameter":
        text = f"giá trị không hợp lệ cho {name}: {exc.message}" if name else exc.message
    else:
        text = f"cách dùng không đúng: {exc.message}"
    ctx = getattr(exc, "ctx", None)
    return text + f"; xem `{ctx.command_path if ctx else 'kehoach'} --help`"


def _last_resort(err: Console, exc: Exception) -> None:
    if isinstance(exc, typer.TyperException) and type(exc).__name__ == "NoArgsIsHelpError":
        exc.show()  # type: ignore[attr-defined]
        raise SystemExit(0) from None
    if isinstance(exc, typer.TyperException) and hasattr(exc, "exit_code"):  # usage errors
        err.print(f"Lỗi: {_usage_message(exc)}", markup=False)
        raise SystemExit(2) from None
    if os.environ.get("KEHOACH_DEBUG"):
        raise exc
    err.print(
        f"Lỗi không mong đợi: {type(exc).__name__}: {exc} (đặt KEHOACH_DEBUG=1 để xem chi tiết)",
        markup=False,
    )
    raise SystemExit(1) from None
