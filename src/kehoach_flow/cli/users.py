"""Commands on dashboard accounts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kehoach_flow.cli.app import app, engine_of, out

user_app = typer.Typer(
    help="Tài khoản trang quản trị (lãnh đạo, phòng chủ trì).", no_args_is_help=True
)
app.add_typer(user_app, name="user")


@user_app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    role: Annotated[
        str, typer.Option(help="viewer (chỉ xem) hoặc coordinator (sửa, nạp, soạn báo cáo).")
    ] = "viewer",
    name: Annotated[str, typer.Option(help="Họ tên hiển thị.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Đọc mật khẩu từ đầu vào chuẩn.")
    ] = False,
) -> None:
    """Tạo tài khoản; mật khẩu được hỏi (không hiện) hoặc đọc từ đầu vào chuẩn.

    Ví dụ: kehoach user add lanhdao --role viewer --name "Nguyễn Hữu Thắng"
    """
    from kehoach_flow.accounts import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(
            "Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu"
        )
    created = add_user(engine_of(ctx), username, name, role, password)
    out.print(f"Đã tạo tài khoản {created.username} ({created.role}).", markup=False)


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

    sys.stdout.write(issue_token(engine_of(ctx), username, name) + "\n")
