"""Commands on reminders: what goes out to whom on a day."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from kehoach_flow.cli.app import (
    JsonOption,
    app,
    console,
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

    Chạy lại trong ngày không gửi trùng; mục mới (kế hoạch khác, việc mới) đi trong thư bổ sung;
    thư lỗi tạm thời được gửi lại ở lần chạy sau.

    Ví dụ: kehoach remind --date 2024-12-20 --dry-run
    """
    from kehoach_flow.clock import today
    from kehoach_flow.mail.transport import transport_from_settings
    from kehoach_flow.reminders.outbox import status_counts
    from kehoach_flow.reminders.sweep import plan_day, sweep

    settings = settings_of(ctx)
    day = parse_date(on) or today(settings)
    engine = engine_of(ctx, writes=not dry_run)
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
        "reminders": result.reminder_count,
        "queued": result.queued,
        "already_queued": result.already_queued,
        "follow_ups": result.follow_ups,
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
        "unknown": report.unknown,
        "deferred": report.deferred,
        "outbox": status_counts(engine),
    }
    if as_json:
        print_json(summary)
        return
    follow_ups = (
        f"{result.follow_ups} thư bổ sung cho người đã có thư trong ngày; "
        if result.follow_ups
        else ""
    )
    out.print(
        f"Ngày {day:%d/%m/%Y}: {result.reminder_count} mục nhắc việc, xếp {result.queued} thư mới vào hộp thư đi"
        f" ({follow_ups}{result.already_queued} người nhận đã có đủ thư từ lần chạy trước); "
        f"đã gửi {report.sent}, "
        f"chờ gửi lại {report.retrying}, lỗi {report.failed}{_unsettled(report)}."
    )
    for line in _outbox_lines(engine, settings):
        out.print(line, markup=False, soft_wrap=True)  # a command is never cut in two


@app.command()
def outbox(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="pending, sending, unknown, sent hoặc failed.")
    ] = None,
    retry: Annotated[
        bool,
        typer.Option(
            "--retry", help="Gửi ngay các thư đang chờ, kể cả thư chờ gửi lại sau lỗi tạm thời."
        ),
    ] = False,
    failed: Annotated[
        bool, typer.Option("--failed", help="Cùng --retry: gửi lại cả các thư lỗi.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Hộp thư đi: thư đã gửi, đang chờ, lỗi (kèm lời báo của máy chủ thư).

    Thư "chưa rõ" (máy chủ thư không trả lời sau khi nhận nội dung thư) được tự gửi lại
    một lần sau KEHOACH_OUTBOX_LEASE_SECONDS giây: trường hợp duy nhất có thể gửi trùng.

    Ví dụ: kehoach outbox --status failed; kehoach outbox --retry --failed
    """
    from kehoach_flow.mail.transport import transport_from_settings
    from kehoach_flow.reminders.outbox import STATUS_LABELS, make_due, outbox_rows
    from kehoach_flow.reminders.sender import SendPolicy, deliver

    if status and status not in STATUS_LABELS:
        raise typer.BadParameter(
            f'"{status}" không hợp lệ; chọn: {", ".join(STATUS_LABELS)}', param_hint="--status"
        )
    if failed and not retry:
        raise typer.BadParameter("--failed chỉ dùng cùng --retry", param_hint="--failed")
    settings = settings_of(ctx)
    engine = engine_of(ctx, writes=retry)
    if retry:
        # In --json mode the lines go to stderr, so stdout stays one JSON document.
        say = console(stderr=True, soft_wrap=True) if as_json else out
        revived = make_due(engine, failed=failed)
        if failed:
            say.print(f"Đưa {revived} thư lỗi về hàng chờ gửi.")
        policy = SendPolicy.from_settings(settings)
        report = deliver(engine, transport_from_settings(settings), policy)
        say.print(
            f"Đã gửi {report.sent}, chờ gửi lại {report.retrying}, "
            f"lỗi {report.failed}{_unsettled(report)}."
        )
        for line in _outbox_lines(engine, settings):
            say.print(line, markup=False, soft_wrap=True)
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
        if row["status"] == "sent" and row["unknown_at"]:
            line += " (có thể đã đến hai lần: một lần gửi trước chưa rõ kết quả)"
        out.print(line, markup=False)


def _unsettled(report: Any) -> str:
    """The delivery outcomes beyond sent / retrying / failed, when there are any."""
    parts = []
    if report.unknown:
        parts.append(f"chưa rõ {report.unknown}")
    if report.deferred:
        parts.append(f"chưa gửi được {report.deferred} (không gửi được tới máy chủ thư)")
    return "".join(f", {part}" for part in parts)


def _outbox_lines(engine: Any, settings: Any) -> list[str]:
    """What the outbox still holds that is not sent, each count with the command to see it."""
    from kehoach_flow.reminders.outbox import status_counts

    counts = status_counts(engine)
    lease = _duration(settings.outbox_lease_seconds)
    lines = []
    if counts["pending"]:
        lines.append(
            f"Hộp thư đi còn {counts['pending']} thư chờ gửi (xem: kehoach outbox --status"
            " pending; gửi ngay: kehoach outbox --retry)."
        )
    if counts["sending"]:
        lines.append(
            f"{counts['sending']} thư đang gửi: nếu lần gửi đó đã dừng giữa chừng, thư được gửi"
            f" lại {lease} sau lúc nhận gửi (KEHOACH_OUTBOX_LEASE_SECONDS)"
            " (xem: kehoach outbox --status sending)."
        )
    if counts["unknown"]:
        lines.append(
            f"{counts['unknown']} thư chưa rõ máy chủ thư đã nhận chưa: tự gửi lại một lần sau"
            f" {lease} (xem: kehoach outbox --status unknown)."
        )
    if counts["failed"]:
        lines.append(
            f"{counts['failed']} thư lỗi (xem: kehoach outbox --status failed;"
            " gửi lại: kehoach outbox --retry --failed)."
        )
    return lines


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} phút"
    return f"{seconds:g} giây"


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
