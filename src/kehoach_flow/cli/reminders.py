"""Commands on reminders: what goes out to whom on a day."""

from __future__ import annotations

from typing import Annotated, Any

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
def remind(
    ctx: typer.Context,
    plan: Annotated[
        str | None, typer.Option(help="Chỉ kế hoạch này (mặc định: mọi kế hoạch đang theo dõi).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Ngày gửi YYYY-MM-DD (mặc định: hôm nay).")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Chỉ in thư sẽ gửi cho ai và vì sao; không lưu, không gửi."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Gửi thư nhắc việc của một ngày làm việc: mỗi người nhận một thư tổng hợp.

    Chạy lại trong ngày không gửi trùng; thư lỗi tạm thời được gửi lại ở lần chạy sau.

    Ví dụ: kehoach remind --date 2024-12-20 --dry-run
    """
    from kehoach_flow.clock import today
    from kehoach_flow.mail.transport import transport_from_settings
    from kehoach_flow.reminders.sweep import plan_day, sweep

    settings = settings_of(ctx)
    day = parse_date(on) or today(settings)
    engine = engine_of(ctx)
    plans = [plan] if plan else None
    if dry_run:
        result = plan_day(engine, settings, day, plans)
        if as_json:
            print_json([_reminder_dict(r) for r in result.reminders])
            return
        _print_reminders(result)
        return
    result = sweep(engine, settings, transport_from_settings(settings), day, plans)
    report = result.delivery
    summary = {
        "day": day,
        "reminders": len(result.reminders),
        "queued": result.queued,
        "already_queued": result.already_queued,
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
    }
    if as_json:
        print_json(summary)
        return
    out.print(
        f"Ngày {day:%d/%m/%Y}: {len(result.reminders)} mục nhắc việc, xếp {result.queued} thư mới vào hộp thư đi"
        f" ({result.already_queued} thư đã có từ lần chạy trước); đã gửi {report.sent}, "
        f"chờ gửi lại {report.retrying}, lỗi {report.failed}."
    )
    if report.failed or report.retrying:
        out.print("Xem lỗi bằng: kehoach outbox --status failed")


@app.command()
def outbox(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="pending, sending, sent hoặc failed.")] = None,
    retry: Annotated[
        bool, typer.Option("--retry", help="Gửi ngay các thư đang chờ (kể cả chờ gửi lại).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Hộp thư đi: thư đã gửi, đang chờ, lỗi (kèm lời báo của máy chủ thư).

    Ví dụ: kehoach outbox --status failed
    """
    from kehoach_flow.mail.transport import transport_from_settings
    from kehoach_flow.reminders.outbox import STATUS_LABELS, outbox_rows
    from kehoach_flow.reminders.sender import deliver

    if status and status not in STATUS_LABELS:
        raise typer.BadParameter(
            f'"{status}" không hợp lệ; chọn: {", ".join(STATUS_LABELS)}', param_hint="--status"
        )
    settings = settings_of(ctx)
    engine = engine_of(ctx)
    if retry:
        report = deliver(engine, transport_from_settings(settings))
        out.print(f"Đã gửi {report.sent}, chờ gửi lại {report.retrying}, lỗi {report.failed}.")
    rows = outbox_rows(engine, status)
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print(
            "Hộp thư đi trống."
            if not status
            else f"Không có thư nào ở trạng thái {STATUS_LABELS[status]}."
        )
        return
    for row in rows:
        line = f"{row['day']:%d/%m/%Y} {STATUS_LABELS[row['status']]:<9} {row['recipient']}: {row['subject']}"
        if row["last_error"]:
            line += f" (lần {row['attempts']}: {row['last_error']})"
        out.print(line, markup=False)


def _reminder_dict(r: Any) -> dict[str, Any]:
    from kehoach_flow.reminders.planner import describe

    return {
        "day": r.day,
        "email": r.email,
        "unit": r.recipient.unit,
        "role": r.role.value,
        "rule": r.rule.value,
        "task": f"{r.task.plan}/{r.task.key}",
        "due": r.task.due,
        "days": r.days,
        "why": describe(r),
        "dedupe_key": r.dedupe_key,
    }


def _print_reminders(result: Any) -> None:
    from kehoach_flow.reminders.planner import describe

    day = result.day
    if not result.working_day:
        out.print(f"Ngày {day:%d/%m/%Y} là ngày nghỉ ({result.day_off}): không gửi thư nhắc việc.")
        return
    out.print(
        f"Ngày {day:%d/%m/%Y}: {len(result.digests)} thư (mỗi người nhận một thư tổng hợp), "
        f"{len(result.reminders)} mục nhắc việc."
    )
    for digest in result.digests:
        out.print(f"{digest.email} ({digest.recipient.name}):", markup=False)
        for r in digest.reminders:
            out.print(
                f"  - {r.task.plan}/{r.task.key}, hạn {r.task.due:%d/%m/%Y}: {describe(r)}",
                markup=False,
            )
