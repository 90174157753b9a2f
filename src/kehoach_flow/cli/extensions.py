"""Commands on extension requests (đề nghị gia hạn) and completion review (xác nhận hoàn
thành): each step is an entry of the task's history; `kehoach show` tells the story."""

from __future__ import annotations

import getpass
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer

from kehoach_flow.cli.app import JsonOption, app, out, parse_date, print_json, settings_of
from kehoach_flow.cli.context import context_of

extension_app = typer.Typer(
    help="Đề nghị gia hạn nhiệm vụ và quyết định đồng ý hoặc không đồng ý.", no_args_is_help=True
)
app.add_typer(extension_app, name="extension")
review_app = typer.Typer(
    help="Xác nhận hoặc trả lại nhiệm vụ đơn vị báo cáo hoàn thành (kế hoạch có review: true).",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

TaskArgument = Annotated[
    str, typer.Argument(help="KẾ_HOẠCH/NHIỆM_VỤ, hoặc khóa nhiệm vụ nếu không trùng.")
]
ByOption = Annotated[
    str | None, typer.Option(help="Người hoặc đơn vị ghi (mặc định: tên đăng nhập).")
]
DateOption = Annotated[
    str | None, typer.Option("--date", help="Ngày ghi nhận YYYY-MM-DD (mặc định: hôm nay).")
]


def _author(ctx: typer.Context, by: str | None, on: str | None) -> Any:
    from kehoach_flow.tracking.history import Author

    settings = settings_of(ctx)
    day = parse_date(on)
    zone = _zone(settings.timezone)
    at = datetime.combine(day, time(12), tzinfo=zone) if day else None
    return Author(by or getpass.getuser(), "cli", at, settings.timezone)


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _required_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f'"{value}" không phải ngày dạng YYYY-MM-DD', param_hint=option
        ) from None


def _text(value: str | None, option: str, what: str) -> str:
    if value is None or not value.strip():
        raise typer.BadParameter(f"cần {what}", param_hint=option)
    return value.strip()


@extension_app.command("request")
def request(
    ctx: typer.Context,
    task: TaskArgument,
    to: Annotated[str, typer.Option("--to", help="Hạn mới đề nghị, YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option(help="Lý do đề nghị gia hạn.")],
    coordinator: Annotated[
        bool,
        typer.Option(
            "--coordinator",
            help="Điều phối viên ghi nhận: được nhận cả đề nghị gửi muộn hơn quy định.",
        ),
    ] = False,
    evidence: Annotated[
        list[Path] | None,
        typer.Option(help="Tệp minh chứng kèm đề nghị (lặp lại được)."),
    ] = None,
    by: ByOption = None,
    on: DateOption = None,
    version: Annotated[
        int | None,
        typer.Option(help="Phiên bản đang xem; từ chối nếu đã có người cập nhật sau đó."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Đề nghị gia hạn một nhiệm vụ: hạn mới, lý do và tệp minh chứng nếu có. Đề nghị phải
    gửi trước hạn hiện tại ít nhất KEHOACH_EXTENSION_NOTICE_DAYS ngày làm việc (mặc định 5),
    trừ khi điều phối viên ghi nhận (--coordinator).

    Ví dụ: kehoach extension request qt-skhcn-2024-do-luong/khao-sat-30-dn --to 2024-12-31 --reason "Chờ số liệu của doanh nghiệp" --evidence cong-van.pdf
    """
    from kehoach_flow.db.queries import find_task
    from kehoach_flow.tracking.evidence import store_evidence
    from kehoach_flow.tracking.extensions import ExtensionRule, request_extension

    new_due = _required_date(to, "--to")
    text = _text(reason, "--reason", "lý do đề nghị gia hạn")
    app_ctx = context_of(ctx)
    row = find_task(app_ctx.engine, task)
    settings = app_ctx.settings
    rule = ExtensionRule(app_ctx.calendar, settings.extension_notice_days)
    files = [
        store_evidence(p, settings.ensure_data_dir(), settings.evidence_max_bytes)
        for p in evidence or []
    ]
    result = request_extension(
        app_ctx.engine,
        row["id"],
        new_due,
        text,
        _author(ctx, by, on),
        rule,
        by_coordinator=coordinator,
        expected_version=version,
        now=app_ctx.now(),
        evidence=files,
    )
    if as_json:
        names = [f.name for f in files]
        print_json({**result.__dict__, "request_id": result.update_id, "evidence": names})
        return
    attached = f" Kèm {len(files)} tệp minh chứng." if files else ""
    out.print(
        f"Đã ghi đề nghị gia hạn số {result.update_id} cho {row['ref']}: hạn mới đề nghị "
        f"{new_due:%d/%m/%Y}.{attached} Quyết định bằng: kehoach extension decide "
        f"{result.update_id} --approve hoặc --refuse --reason ...",
        markup=False,
    )


@extension_app.command("decide")
def decide(
    ctx: typer.Context,
    request_id: Annotated[
        int, typer.Argument(metavar="SỐ_ĐỀ_NGHỊ", help="Số đề nghị gia hạn (xem `kehoach show`).")
    ],
    approve: Annotated[bool, typer.Option("--approve", help="Đồng ý gia hạn.")] = False,
    refuse: Annotated[bool, typer.Option("--refuse", help="Không đồng ý (cần --reason).")] = False,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Đồng ý với hạn khác hạn đề nghị, YYYY-MM-DD."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="Lý do không đồng ý, hoặc ý kiến khi đồng ý.")
    ] = None,
    by: ByOption = None,
    on: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Quyết định một đề nghị gia hạn: đồng ý (hạn đề nghị, hoặc hạn khác với --to) hoặc không
    đồng ý kèm lý do. Mỗi đề nghị chỉ được quyết định một lần.

    Ví dụ: kehoach extension decide 12 --approve --to 2024-11-30 --reason "Đồng ý, lùi đến cuối tháng 11"
    """
    from kehoach_flow.tracking.extensions import decide_extension

    if approve == refuse:
        raise typer.BadParameter("chọn một trong --approve hoặc --refuse", param_hint="--approve")
    if refuse:
        _text(reason, "--reason", "lý do không đồng ý")
        if to is not None:
            raise typer.BadParameter("--to chỉ dùng khi đồng ý (--approve)", param_hint="--to")
    new_due = _required_date(to, "--to") if to is not None else None
    app_ctx = context_of(ctx)
    result = decide_extension(
        app_ctx.engine,
        request_id,
        approve,
        _author(ctx, by, on),
        to=new_due,
        reason=reason,
        now=app_ctx.now(),
    )
    if as_json:
        print_json(result.__dict__)
        return
    said = "đồng ý" if approve else "không đồng ý"
    out.print(f"Đã ghi quyết định {said} đề nghị gia hạn số {request_id}.", markup=False)


@review_app.command("confirm")
def confirm(
    ctx: typer.Context,
    task: TaskArgument,
    comment: Annotated[str | None, typer.Option(help="Ý kiến khi xác nhận.")] = None,
    by: ByOption = None,
    on: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Xác nhận hoàn thành một nhiệm vụ đang chờ xác nhận: tính hoàn thành vào ngày đơn vị
    báo cáo.

    Ví dụ: kehoach review confirm qt-skhcn-2024-do-luong/khao-sat-30-dn
    """
    from kehoach_flow.db.queries import find_task
    from kehoach_flow.tracking.review import confirm_done

    app_ctx = context_of(ctx)
    row = find_task(app_ctx.engine, task)
    result = confirm_done(
        app_ctx.engine, row["id"], _author(ctx, by, on), comment, now=app_ctx.now()
    )
    if as_json:
        print_json(result.__dict__)
        return
    out.print(f"Đã xác nhận hoàn thành {row['ref']}.", markup=False)


@review_app.command("return")
def return_(
    ctx: typer.Context,
    task: TaskArgument,
    comment: Annotated[str, typer.Option(help="Nhận xét: đơn vị cần làm gì thêm.")],
    by: ByOption = None,
    on: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Trả lại một nhiệm vụ đang chờ xác nhận: nhiệm vụ trở lại "Đang thực hiện" và đơn vị chủ
    trì nhận thư kèm nhận xét.

    Ví dụ: kehoach review return qt-skhcn-2024-do-luong/khao-sat-30-dn --comment "Thiếu biên bản nghiệm thu"
    """
    from kehoach_flow.db.queries import find_task
    from kehoach_flow.tracking.review import return_done

    text = _text(comment, "--comment", "nhận xét cho đơn vị")
    app_ctx = context_of(ctx)
    row = find_task(app_ctx.engine, task)
    settings = app_ctx.settings
    result = return_done(
        app_ctx.engine,
        row["id"],
        _author(ctx, by, on),
        text,
        base_url=settings.base_url,
        mail_from=settings.mail_from,
        secret=settings.resolved_secret_key(),
        now=app_ctx.now(),
    )
    if as_json:
        print_json(result.__dict__)
        return
    out.print(
        f"Đã trả lại {row['ref']}: nhiệm vụ trở lại Đang thực hiện; thư báo cho đơn vị chủ trì "
        "(nếu đơn vị có địa chỉ thư) đã vào hộp thư đi.",
        markup=False,
    )
