"""Commands on dashboard accounts: each change is recorded in the audit log as made from the
command line (`cli:` and the operating-system account)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kehoach_flow.cli.app import JsonOption, app, engine_of, out, print_json

user_app = typer.Typer(
    help="Tài khoản trang quản trị (lãnh đạo, phòng chủ trì, quản trị).", no_args_is_help=True
)
app.add_typer(user_app, name="user")

RoleOption = Annotated[
    str,
    typer.Option(
        help="viewer (chỉ xem), coordinator (sửa, nạp, soạn báo cáo các kế hoạch mình chủ trì) "
        "hoặc admin (thêm quản lý tài khoản)."
    ),
]
UnitOption = Annotated[
    str | None,
    typer.Option(
        help="Khóa đơn vị trong units.yaml: tài khoản chỉ thấy kế hoạch của đơn vị này và các "
        "đơn vị trực thuộc. Bỏ trống: toàn hệ thống."
    ),
]


@user_app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    role: RoleOption = "viewer",
    unit: UnitOption = None,
    name: Annotated[str, typer.Option(help="Họ tên hiển thị.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Đọc mật khẩu từ đầu vào chuẩn.")
    ] = False,
) -> None:
    """Tạo tài khoản; mật khẩu được hỏi (không hiện) hoặc đọc từ đầu vào chuẩn.

    Ví dụ: kehoach user add lanhdao --role viewer --unit skhcn-quang-tri --name "Nguyễn Hữu Thắng"
    """
    from kehoach_flow.accounts import ROLE_LABELS, WHOLE_INSTALLATION, add_user, check_new_account
    from kehoach_flow.accounts.audit import cli_actor

    engine = engine_of(ctx)
    check_new_account(engine, role, unit)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(
            "Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu"
        )
    created = add_user(engine, username, name, role, password, unit, actor=cli_actor())
    out.print(
        f"Đã tạo tài khoản {created.username} ({ROLE_LABELS[created.role]}, "
        f"{created.unit_key or WHOLE_INSTALLATION.lower()}).",
        markup=False,
    )


@user_app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Danh sách tài khoản: vai trò, đơn vị, đang dùng hay đã khóa.

    Ví dụ: kehoach user list
    """
    from rich.table import Table

    from kehoach_flow.accounts import ROLE_LABELS, list_users

    rows = list_users(engine_of(ctx, writes=False))
    if as_json:
        print_json(
            [
                {
                    "username": r.account.username,
                    "name": r.account.name,
                    "role": r.account.role,
                    "unit": r.account.unit_key,
                    "unit_name": r.unit_name,
                    "disabled": r.disabled,
                    "must_change_password": r.account.must_change_password,
                }
                for r in rows
            ]
        )
        return
    if not rows:
        out.print("Chưa có tài khoản nào: tạo bằng `kehoach user add TÊN --role ... --unit ...`.")
        return
    table = Table(title=f"Tài khoản ({len(rows)})", expand=True)
    table.add_column("Tên đăng nhập", no_wrap=True)
    table.add_column("Họ tên", ratio=1)
    table.add_column("Vai trò", no_wrap=True)
    table.add_column("Đơn vị", ratio=1)
    table.add_column("Trạng thái", no_wrap=True)
    for r in rows:
        table.add_row(
            r.account.username,
            r.account.name,
            ROLE_LABELS.get(r.account.role, r.account.role),
            r.unit_short,
            "đã khóa"
            if r.disabled
            else "chờ đặt mật khẩu mới"
            if r.account.must_change_password
            else "đang dùng",
        )
    out.print(table)


@user_app.command("set")
def set_(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    role: Annotated[
        str | None, typer.Option(help="Vai trò mới: viewer, coordinator hoặc admin.")
    ] = None,
    unit: Annotated[
        str | None, typer.Option(help="Đơn vị mới (khóa trong units.yaml): thu hẹp phạm vi.")
    ] = None,
    whole: Annotated[
        bool, typer.Option("--whole", help="Mở phạm vi ra toàn hệ thống (bỏ đơn vị).")
    ] = False,
) -> None:
    """Đổi vai trò hoặc đơn vị của một tài khoản; có hiệu lực ngay ở mọi phiên đăng nhập.

    Ví dụ: kehoach user set phongkh --unit qltcdlcl
    """
    from kehoach_flow.accounts import ROLE_LABELS, WHOLE_INSTALLATION, change_user
    from kehoach_flow.accounts.audit import cli_actor
    from kehoach_flow.errors import KehoachError

    if whole and unit is not None:
        raise KehoachError("chọn --unit hoặc --whole, không dùng cả hai")
    if role is None and unit is None and not whole:
        raise KehoachError("cần --role, --unit hoặc --whole")
    engine = engine_of(ctx)
    actor = cli_actor()
    if whole:
        changed = change_user(engine, username, role=role, unit_key=None, actor=actor)
    elif unit is not None:
        changed = change_user(engine, username, role=role, unit_key=unit, actor=actor)
    else:
        changed = change_user(engine, username, role=role, actor=actor)
    out.print(
        f"Tài khoản {changed.username}: {ROLE_LABELS[changed.role]}, "
        f"{changed.unit_key or WHOLE_INSTALLATION.lower()}.",
        markup=False,
    )


@user_app.command("disable")
def disable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Tên đăng nhập.")]
) -> None:
    """Khóa tài khoản: mọi phiên đăng nhập và mã API của nó ngừng ngay.

    Ví dụ: kehoach user disable lanhdao
    """
    from kehoach_flow.accounts import set_disabled
    from kehoach_flow.accounts.audit import cli_actor

    changed = set_disabled(engine_of(ctx), username, True, actor=cli_actor())
    out.print(f"Đã khóa tài khoản {changed.username}.", markup=False)


@user_app.command("enable")
def enable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Tên đăng nhập.")]
) -> None:
    """Mở lại tài khoản đã khóa (phải đăng nhập lại).

    Ví dụ: kehoach user enable lanhdao
    """
    from kehoach_flow.accounts import set_disabled
    from kehoach_flow.accounts.audit import cli_actor

    changed = set_disabled(engine_of(ctx), username, False, actor=cli_actor())
    out.print(f"Đã mở lại tài khoản {changed.username}.", markup=False)


@user_app.command("reset-password")
def reset_password(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Tên đăng nhập.")]
) -> None:
    """Đặt lại mật khẩu: in mật khẩu tạm thời một lần; mọi phiên đăng nhập kết thúc, mã API
    tạm ngừng, người dùng phải đặt mật khẩu mới khi đăng nhập lần tới.

    Ví dụ: kehoach user reset-password lanhdao
    """
    from kehoach_flow.accounts import reset_password as reset
    from kehoach_flow.accounts.audit import cli_actor

    temporary = reset(engine_of(ctx), username, actor=cli_actor())
    out.print(
        f"Đã đặt lại mật khẩu tài khoản {username.strip().lower()}. Mật khẩu tạm thời (chỉ hiện "
        f"lần này, hãy trao trực tiếp cho người dùng): {temporary}\nKhi đăng nhập, người dùng "
        "phải đặt mật khẩu mới; đến lúc đó mã API của tài khoản tạm ngừng.",
        markup=False,
    )


@user_app.command("token")
def token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Tài khoản mà mã này đại diện.")],
    name: Annotated[str, typer.Option(help="Dùng cho việc gì (để nhận ra sau này).")] = "script",
) -> None:
    """Cấp mã truy cập API cho một tài khoản; mã chỉ hiện một lần.

    Ví dụ: kehoach user token phongkh --name "đồng bộ số liệu"
    """
    from kehoach_flow.accounts import issue_token
    from kehoach_flow.accounts.audit import cli_actor

    sys.stdout.write(issue_token(engine_of(ctx), username, name, actor=cli_actor()) + "\n")
