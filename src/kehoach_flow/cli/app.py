"""The `kehoach` Typer app, the helpers every command shares, and the error edge."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console

from kehoach_flow.cli.lazy import LazyCommands
from kehoach_flow.errors import DefinitionError, KehoachError, os_reason
from kehoach_flow.settings import Settings, load_settings

app = typer.Typer(
    name="kehoach",
    help="kehoach-flow: kế hoạch năm chạy tự động (theo dõi, nhắc việc, dự thảo báo cáo).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    cls=LazyCommands,  # a command's module is imported when the command is asked for
)
db_app = typer.Typer(help="Quản lý lược đồ cơ sở dữ liệu.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def console(*, stderr: bool = False, soft_wrap: bool = False) -> Console:
    """A Rich console that prints text as given: no markup ("[b]" stays), no emoji codes
    (":100:" in "plan.yaml:100:7" would become an emoji), no highlighting. Whatever the CLI
    prints may hold file or user text; style comes from Table and Text, never from markup."""
    return Console(stderr=stderr, soft_wrap=soft_wrap, markup=False, emoji=False, highlight=False)


out = console()
JsonOption = Annotated[bool, typer.Option("--json", help="In JSON cho script thay vì bảng.")]


def settings_of(ctx: typer.Context) -> Settings:
    if ctx.obj is None:
        root = ctx.find_root()
        root.obj = root.obj or load_settings()
        return root.obj
    return ctx.obj


def engine_of(
    ctx: typer.Context, check: bool = True, *, writes: bool = True, creates: bool = False
) -> Any:
    """The command's database. A read command passes `writes=False` (it then works on a
    read-only copy); only a command that creates the database passes `creates=True`."""
    from kehoach_flow.db.engine import check_schema, open_configured

    engine = open_configured(settings_of(ctx), creates=creates, writes=writes)
    if check:
        check_schema(engine)
    return engine


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def money(value: int | None) -> str:
    from kehoach_flow.numbers import format_number

    return "" if value is None else format_number(value)


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f'"{value}" không phải ngày dạng YYYY-MM-DD') from None


def vn_date(iso: str) -> str:
    return f"{date.fromisoformat(iso):%d/%m/%Y}"


def main(argv: list[str] | None = None, settings: Settings | None = None) -> None:
    """Entry point: user errors become one line (or one line per definition fault) and exit 2."""
    from kehoach_flow.cli.help_text import install

    install()  # Typer's own words on the help pages, in Vietnamese
    err = console(stderr=True, soft_wrap=True)
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
    if isinstance(exc, OSError) and exc.filename is not None:  # a path the command needed
        err.print(f"Lỗi: {exc.filename}: {os_reason(exc)}", markup=False)
        raise SystemExit(2) from None
    sql_errors = sys.modules.get("sqlalchemy.exc")
    if sql_errors is not None and isinstance(exc, sql_errors.SQLAlchemyError):
        # never the statement or its parameters (addresses, names): the driver's first line
        cause = getattr(exc, "orig", None) or exc
        said = str(cause).strip().splitlines()[:1] or [""]
        err.print(
            f"Lỗi cơ sở dữ liệu: {type(cause).__name__}: {said[0]} "
            "(đặt KEHOACH_DEBUG=1 để xem chi tiết)",
            markup=False,
        )
        raise SystemExit(1) from None
    err.print(
        f"Lỗi không mong đợi: {type(exc).__name__}: {exc} (đặt KEHOACH_DEBUG=1 để xem chi tiết)",
        markup=False,
    )
    raise SystemExit(1) from None
