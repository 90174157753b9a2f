"""Commands on reports: generate a period's draft, list past runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kehoach_flow.cli.app import (
    JsonOption,
    app,
    out,
    parse_date,
    print_json,
)
from kehoach_flow.cli.context import context_of


@app.command()
def report(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="q1, q2, q3, q4, 6m, 9m hoặc year.")],
    plan: Annotated[str | None, typer.Option(help="Khóa kế hoạch.")] = None,
    programme: Annotated[
        str | None,
        typer.Option(help="Báo cáo tổng hợp mọi kế hoạch của chương trình (ví dụ de-an-996)."),
    ] = None,
    year: Annotated[int, typer.Option(help="Năm báo cáo.")] = 0,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="Các định dạng, cách nhau bởi dấu phẩy: docx, md, html; xlsx (phụ lục dạng "
            "bảng tính, có cột gia hạn và ngày hoàn thành thực tế) khi ghi rõ.",
        ),
    ] = "docx,md,html",
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Thư mục ghi (mặc định: .kehoach/reports/KẾ_HOẠCH/)."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Ngày ghi ở dòng địa danh (mặc định: hôm nay).")
    ] = None,
    can_cu: Annotated[
        str | None,
        typer.Option(
            "--can-cu",
            help="Văn bản yêu cầu báo cáo, dẫn ở câu mở đầu, ví dụ "
            '"Công văn số 123/BKHCN-VP ngày 05/6/2024 của Bộ Khoa học và Công nghệ" '
            "(mặc định: report: basis của kế hoạch, không có thì dẫn chế độ báo cáo định kỳ "
            "theo Nghị định 09/2019/NĐ-CP).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Soạn dự thảo báo cáo của một kỳ theo thể thức Nghị định 30/2020 (docx, Markdown, HTML).

    Số liệu lấy theo trạng thái đến hết ngày chốt số liệu (Nghị định 09/2019), nên soạn lại sau
    vẫn cho cùng số liệu. Mỗi lần soạn được lưu lại (xem `kehoach reports`).

    Ví dụ: kehoach report --plan qt-skhcn-2024-do-luong --period q2 --year 2024
    """
    if (plan is None) == (programme is None):
        raise typer.BadParameter("cần đúng một trong --plan hoặc --programme", param_hint="--plan")
    if not year:
        raise typer.BadParameter("cần --year, ví dụ --year 2024", param_hint="--year")
    basis = _basis(can_cu)
    from kehoach_flow.reports.service import make_report

    context = context_of(ctx)
    made = make_report(
        context,
        period,
        year,
        plan=plan,
        programme=programme,
        formats=tuple(f.strip() for f in fmt.split(",") if f.strip()),
        issued=parse_date(on) or context.today(),  # a rollup too is dated today
        out_dir=out_dir,
        basis=basis,
    )
    if as_json:
        facts: dict[str, object] = {"files": [str(f) for f in made.files]}
        if made.report is not None:
            facts["content_hash"] = made.content_hash
        print_json(facts)
        return
    if made.report is None:
        out.print(f"Đã soạn báo cáo tổng hợp {programme}, {made.period.title}:")
    else:
        counts = ", ".join(f"{c.label.lower()} {c.count}" for c in made.report.categories)
        out.print(
            f"Đã soạn báo cáo {made.period.title} "
            f"(số liệu đến {made.period.cutoff:%d/%m/%Y}): {counts}."
        )
    for path in made.files:
        out.print(f"  {path}", markup=False)


def _basis(text: str | None) -> str | None:
    """`--can-cu` as given, on one line; refused when empty or too long for a sentence."""
    if text is None:
        return None
    one_line = " ".join(text.split())
    if not one_line.strip(" .,;"):
        raise typer.BadParameter(
            '--can-cu cần tên văn bản, ví dụ "Công văn số 123/BKHCN-VP ngày 05/6/2024 của Bộ Khoa học '
            'và Công nghệ"',
            param_hint="--can-cu",
        )
    if len(one_line) > 500:
        raise typer.BadParameter("--can-cu dài quá 500 ký tự", param_hint="--can-cu")
    return one_line


CALENDAR_CHANGED = (
    "lịch ngày nghỉ đã đổi từ lần soạn này (gói holidays hoặc calendar.yaml): "
    "soạn lại sẽ ra kết quả khác"
)


@app.command()
def reports(
    ctx: typer.Context,
    plan: Annotated[str | None, typer.Option(help="Chỉ kế hoạch này.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Các lần soạn báo cáo đã lưu: kỳ, ngày chốt, lúc soạn, tệp; lần nào mà lịch ngày nghỉ
    đã đổi từ khi soạn (nâng cấp holidays, sửa calendar.yaml) thì soạn lại sẽ khác.

    Ví dụ: kehoach reports --plan qt-skhcn-2024-do-luong
    """
    from kehoach_flow.reports.runs import list_runs
    from kehoach_flow.timefmt import shown
    from kehoach_flow.workdays import calendar_changed

    context = context_of(ctx, writes=False)
    runs = list_runs(context.engine, plan)
    for run in runs:
        run["calendar_changed"] = calendar_changed(context.calendar, run.get("calendar_hash"))  # type: ignore[arg-type]
    if as_json:
        print_json(runs)
        return
    if not runs:
        out.print("Chưa soạn báo cáo nào.")
        return
    for run in runs:
        files = ", ".join(str(f) for f in run["files"] or [])  # type: ignore[attr-defined]
        when = shown(run["generated_at"], context.settings)  # type: ignore[arg-type]
        out.print(
            f"{run['subject']} {run['period']}/{run['year']} (chốt {run['cutoff']:%d/%m/%Y}) lúc {when}: {files}",
            markup=False,
        )
        if run["calendar_changed"]:
            out.print(f"  {CALENDAR_CHANGED}", markup=False)
