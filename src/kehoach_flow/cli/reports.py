"""Commands on reports: generate a period's draft, list past runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kehoach_flow.cli.app import (
    JsonOption,
    app,
    engine_of,
    out,
    parse_date,
    print_json,
    settings_of,
)


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
        str, typer.Option("--format", help="Các định dạng, cách nhau bởi dấu phẩy.")
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
    from kehoach_flow.clock import today
    from kehoach_flow.reports.periods import period as make_period
    from kehoach_flow.reports.runs import check_year, generate, plan_period
    from kehoach_flow.tracking.board import BoardOptions
    from kehoach_flow.tracking.workcalendar import work_calendar

    settings = settings_of(ctx)
    check_year(engine_of(ctx), year, plan=plan, programme=programme)  # before any calendar
    cutoff_day = settings.report_cutoff_day
    chosen = make_period(period, year, cutoff_day)
    formats = tuple(f.strip() for f in fmt.split(",") if f.strip())
    issued = parse_date(on) or today(settings)
    calendar = work_calendar(settings)
    options = BoardOptions(calendar, settings.timezone, settings.at_risk_days)
    if programme is not None:
        from kehoach_flow.reports.runs import generate_rollup

        target = out_dir or settings.ensure_data_dir() / "reports" / programme
        files = generate_rollup(
            engine_of(ctx),
            programme,
            chosen,
            options,
            target,
            settings.report_templates,
            formats,
            issued=issued,
        )
        if as_json:
            print_json({"files": [str(f) for f in files]})
            return
        out.print(f"Đã soạn báo cáo tổng hợp {programme}, {chosen.title}:")
        for path in files:
            out.print(f"  {path}", markup=False)
        return
    assert plan is not None
    chosen = plan_period(engine_of(ctx), plan, period, year, cutoff_day)
    target = out_dir or settings.ensure_data_dir() / "reports" / plan
    result = generate(
        engine_of(ctx),
        plan,
        chosen,
        options,
        target,
        formats,
        issued,
        settings.report_templates,
        basis,
    )
    if as_json:
        print_json({"files": [str(f) for f in result.files], "content_hash": result.content_hash})
        return
    counts = ", ".join(f"{c.label.lower()} {c.count}" for c in result.report.categories)
    out.print(f"Đã soạn báo cáo {chosen.title} (số liệu đến {chosen.cutoff:%d/%m/%Y}): {counts}.")
    for path in result.files:
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
    from kehoach_flow.tracking.workcalendar import work_calendar
    from kehoach_flow.workdays import calendar_changed

    runs = list_runs(engine_of(ctx, writes=False), plan)
    calendar = work_calendar(settings_of(ctx))
    for run in runs:
        run["calendar_changed"] = calendar_changed(calendar, run.get("calendar_hash"))  # type: ignore[arg-type]
    if as_json:
        print_json(runs)
        return
    if not runs:
        out.print("Chưa soạn báo cáo nào.")
        return
    for run in runs:
        files = ", ".join(str(f) for f in run["files"] or [])  # type: ignore[attr-defined]
        when = shown(run["generated_at"], settings_of(ctx))  # type: ignore[arg-type]
        out.print(
            f"{run['subject']} {run['period']}/{run['year']} (chốt {run['cutoff']:%d/%m/%Y}) lúc {when}: {files}",
            markup=False,
        )
        if run["calendar_changed"]:
            out.print(f"  {CALENDAR_CHANGED}", markup=False)
