"""Commands on live work: update a task, the status scoreboard, the task graph."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kehoach_flow.cli.app import (
    JsonOption,
    app,
    engine_of,
    out,
    parse_date,
    print_json,
    settings_of,
)
from kehoach_flow.cli.context import context_of


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

    from kehoach_flow.clock import now
    from kehoach_flow.db.queries import find_task
    from kehoach_flow.tracking.evidence import store_evidence
    from kehoach_flow.tracking.history import Author, UpdateIn, record_update
    from kehoach_flow.tracking.status import parse_status

    settings = settings_of(ctx)
    if force and not (reason and reason.strip()):
        raise typer.BadParameter('--force cần kèm --reason "lý do"', param_hint="--force")
    engine = engine_of(ctx)
    row = find_task(engine, task)
    day = parse_date(on)
    at = datetime.combine(day, time(12), tzinfo=ZoneInfo(settings.timezone)) if day else None
    change = UpdateIn(
        status=parse_status(status) if status else None,
        progress=progress,
        actuals=_quantities(actual),
        spending=_amounts(spent),
        note=note,
        difficulties=difficulty,
        proposals=proposal,
        completed_on=parse_date(completed_on),
    )
    files = [
        store_evidence(p, settings.ensure_data_dir(), settings.evidence_max_bytes)
        for p in evidence or []
    ]
    author = Author(by or getpass.getuser(), "cli", at, settings.timezone)
    result = record_update(
        engine, row["id"], change, author, version, reason if force else None, files, now(settings)
    )
    if as_json:
        print_json(result.__dict__)
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
        print_json({**board.as_dict(), "tasks": [_view_dict(v) for v in views]})
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
        "due": view.window.due,  # in force: an approved extension's date
        "original_due": view.original_due,  # the plan's, when an extension moved it
        "extensions": view.state.extensions,
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
        if v.derived.value in ("overdue", "at_risk", "blocked", "awaiting_review"):
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
    """In đồ thị nhiệm vụ (phụ thuộc, nhiệm vụ con) dạng Mermaid hoặc DOT, tô đậm chuỗi phụ thuộc có hạn muộn nhất.

    Ví dụ: kehoach graph --plan qt-skhcn-2024-do-luong --format dot > ke-hoach.dot
    """
    from kehoach_flow.tracking.graph import GraphTask, latest_due_chain, to_dot, to_mermaid
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
    sys.stdout.write(render(tasks, latest_due_chain(tasks)) + "\n")


def _board(ctx: typer.Context, plan: str, on: str | None) -> tuple[date, list[Any]]:
    """The plan's tasks at `on` (default: today where the plan runs), with that date."""
    from kehoach_flow.tracking.task_views import plan_board

    given = parse_date(on)  # a mistyped date is said before the database is opened
    context = context_of(ctx, writes=False)
    ref = given or context.today()
    return ref, plan_board(context.engine, plan, ref, context.options())
