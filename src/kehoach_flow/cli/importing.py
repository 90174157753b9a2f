"""`kehoach import`: a plan's appendix table from Word, Excel or CSV into a plan file."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kehoach_flow.cli.app import app, out, settings_of
from kehoach_flow.definitions.reader import _definitions_root, display_path
from kehoach_flow.errors import KehoachError

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@app.command("import")
def import_plan_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Tệp kế hoạch: .docx, .xlsx hoặc .csv.")],
    plan_key: Annotated[
        str, typer.Option("--plan-key", help="Khóa của kế hoạch, ví dụ qt-skhcn-2025-do-luong.")
    ],
    year: Annotated[
        int | None, typer.Option(help="Năm kế hoạch (mặc định: đoán từ tệp).", min=2000, max=2100)
    ] = None,
    coordinator: Annotated[
        str | None,
        typer.Option(help="Phòng chủ trì kế hoạch (khóa đơn vị; mặc định: đoán từ bảng)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Tệp ghi ra (mặc định definitions/plans/KHÓA.yaml; - là màn hình).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Ghi đè tệp đã có (giữ khóa nhiệm vụ cũ theo tên).")
    ] = False,
) -> None:
    """Nhập bảng phụ lục của kế hoạch (Word, Excel, CSV) thành tệp định nghĩa kế hoạch.

    Đơn vị chưa có trong units.yaml được đề xuất trong tệp units.KHÓA.yaml bên cạnh; chỗ
    chương trình phải đoán có ghi chú "# xem lại:" trong tệp. Mã thoát 0: tệp hợp lệ;
    1: đã ghi tệp nhưng còn lỗi cần sửa (liệt kê kèm dòng của bảng); 2: không nhập được.

    Ví dụ: kehoach import ke-hoach-2025.docx --plan-key qt-skhcn-2025-do-luong --year 2025
    """
    from kehoach_flow.definitions import open_definitions
    from kehoach_flow.importing import Previous, check_imported, import_plan, units_path_for

    if not _KEY.fullmatch(plan_key):
        raise KehoachError(
            f'--plan-key "{plan_key}": khóa chỉ gồm chữ không dấu, số, ".", "_" và "-"'
        )
    definitions = settings_of(ctx).definitions
    to_screen = output is not None and str(output) == "-"
    target = output or definitions / "plans" / f"{plan_key}.yaml"
    units_target = None if to_screen else units_path_for(target, plan_key)
    if not to_screen and target.exists() and not force:
        raise KehoachError(
            f"đã có tệp {display_path(target)}: thêm --force để ghi đè "
            "(khóa nhiệm vụ cũ được giữ theo tên nhiệm vụ)"
        )
    _check_key_is_free(definitions, plan_key, None if to_screen else target)
    previous = Previous.read(target) if not to_screen and target.exists() else None
    # Units proposed by an earlier import of this plan count as known: they are kept, with
    # whatever the coordinator added since, and new ones are added after them.
    units = open_definitions(definitions).shared.units if definitions.exists() else {}
    imported = import_plan(file, plan_key, units, year, coordinator, previous)
    existing = (
        units_target.read_text(encoding="utf-8") if units_target and units_target.exists() else None
    )
    units_text = imported.units_file(existing)
    problems = check_imported(imported, definitions, units_text)

    if to_screen:
        sys.stdout.write(imported.plan_text)
        shown = "màn hình"
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(imported.plan_text, encoding="utf-8")
        if units_text and units_text != existing and units_target is not None:
            units_target.write_text(units_text, encoding="utf-8")
        shown = display_path(target)
    console = Console(stderr=True) if to_screen else out  # the plan itself is on stdout

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    verb = "Đã nhập" if to_screen else f"Đã ghi {shown}"
    say(
        f"{verb}: {imported.sections} mục, {imported.tasks} nhiệm vụ "
        f'(từ {imported.source_table} của "{file.name}").'
    )
    reviews = imported.plan_text.count("# xem lại:")
    if reviews:
        say(f'{reviews} chỗ chương trình đã đoán, có ghi chú "# xem lại:" trong tệp.')
    if imported.new_units:
        where = display_path(units_target) if units_target else "(không ghi khi in ra màn hình)"
        say(f"{len(imported.new_units)} đơn vị chưa có trong units.yaml, đề xuất trong {where}:")
        for unit in imported.new_units:
            say(f'  {unit.key}: "{unit.name}" ({unit.where}, {unit.role})')
    if imported.findings:
        say(f"{len(imported.findings)} điểm cần xem:")
        for finding in imported.findings:
            say(f"  {finding}")
    if problems:
        say(f"Tệp chưa hợp lệ ({len(problems)} lỗi), sửa rồi chạy `kehoach validate`:")
        for problem in problems:
            name = display_path(units_target) if problem.in_units_file and units_target else shown
            row = f" ({problem.where})" if problem.where else ""
            say(f"  {name}:{problem.line}:{problem.column}: {problem.message}{row}")
    else:
        say("Kiểm tra: tệp hợp lệ.")
    if not to_screen and _definitions_root(target.parent) is None:
        say(
            f"Lưu ý: {shown} nằm ngoài thư mục định nghĩa (không có units.yaml ở trên nó); "
            f"chuyển vào {display_path(definitions / 'plans')} trước khi `kehoach load`."
        )
    if problems or any(f.blocking for f in imported.findings):
        raise typer.Exit(1)


def _check_key_is_free(definitions: Path, plan_key: str, target: Path | None) -> None:
    """Another file already holding this plan key would make the definitions invalid."""
    from kehoach_flow.definitions.reader import discover
    from kehoach_flow.importing.plan import plan_key_of

    for path in discover(definitions) if definitions.is_dir() else []:
        if target is not None and path.resolve() == target.resolve():
            continue
        if plan_key_of(path) == plan_key:
            raise KehoachError(
                f'kế hoạch "{plan_key}" đã có trong {display_path(path)}: dùng khóa khác, '
                "hoặc nhập lại vào chính tệp đó bằng -o TỆP --force"
            )
