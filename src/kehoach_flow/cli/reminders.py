"""Commands on reminders: what goes out to whom on a day."""

from __future__ import annotations

from collections import defaultdict
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
        bool, typer.Option("--dry-run", help="Chỉ in thư sẽ gửi cho ai và vì sao; không gửi.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Lập danh sách thư nhắc việc của một ngày làm việc: ai nhận, nhiệm vụ nào, vì sao.

    Ví dụ: kehoach remind --date 2024-12-20 --dry-run
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kehoach_flow.db.queries import list_plans
    from kehoach_flow.reminders.inputs import reminder_tasks
    from kehoach_flow.reminders.planner import plan_reminders, report_cutoffs
    from kehoach_flow.tracking.board import BoardOptions
    from kehoach_flow.tracking.workcalendar import work_calendar

    if not dry_run:
        raise typer.BadParameter(
            "gửi thư thật cần hộp thư đi (outbox), chưa có; dùng --dry-run để xem trước",
            param_hint="--dry-run",
        )
    settings = settings_of(ctx)
    day = parse_date(on) or datetime.now(ZoneInfo(settings.timezone)).date()
    engine = engine_of(ctx)
    calendar = work_calendar(settings, range(day.year - 1, day.year + 3))
    options = BoardOptions(calendar, settings.timezone, settings.at_risk_days)
    keys = [plan] if plan else [p["key"] for p in list_plans(engine)]
    tasks = [t for key in keys for t in reminder_tasks(engine, key, day, options)]
    reminders = plan_reminders(tasks, day, calendar, report_cutoffs(day.year))
    if as_json:
        print_json([_reminder_dict(r) for r in reminders])
        return
    _print_reminders(day, calendar, reminders)


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


def _print_reminders(day: Any, calendar: Any, reminders: list[Any]) -> None:
    from kehoach_flow.reminders.planner import describe

    if not calendar.is_working_day(day):
        name = calendar.holiday_name(day) or "ngày nghỉ cuối tuần"
        out.print(f"Ngày {day:%d/%m/%Y} là ngày nghỉ ({name}): không gửi thư nhắc việc.")
        return
    by_email: dict[str, list[Any]] = defaultdict(list)
    for r in reminders:
        by_email[r.email].append(r)
    out.print(
        f"Ngày {day:%d/%m/%Y}: {len(by_email)} thư (mỗi người nhận một thư tổng hợp), {len(reminders)} mục nhắc việc."
    )
    for email, items in by_email.items():
        out.print(f"{email} ({items[0].recipient.name}):", markup=False)
        for r in items:
            out.print(
                f"  - {r.task.plan}/{r.task.key}, hạn {r.task.due:%d/%m/%Y}: {describe(r)}",
                markup=False,
            )
