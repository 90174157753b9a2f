"""`kehoach import`: a plan's appendix table from Word, Excel or CSV into a plan file."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from kehoach_flow import clock
from kehoach_flow.cli.app import app, console, out, settings_of
from kehoach_flow.definitions.reader import definitions_root, display_path
from kehoach_flow.errors import KehoachError

if TYPE_CHECKING:
    from kehoach_flow.importing import Imported, PlanProblem

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@app.command("import")
def import_plan_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Tệp kế hoạch: .docx, .xlsx hoặc .csv.")],
    plan_key: Annotated[
        str, typer.Option("--plan-key", help="Khóa của kế hoạch, ví dụ qt-skhcn-2025-do-luong.")
    ],
    year: Annotated[str | None, typer.Option(help="Năm kế hoạch (mặc định: đoán từ tệp).")] = None,
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
    if year is not None and not (year.isdigit() and 2000 <= int(year) <= 2100):
        raise KehoachError(f"--year {year}: năm kế hoạch cần là số trong khoảng 2000-2100")
    definitions = settings_of(ctx).definitions
    to_screen = output is not None and str(output) == "-"
    target = None if to_screen else output or definitions / "plans" / f"{plan_key}.yaml"
    if target is not None:
        _check_target(target, plan_key, force)
    _check_key_is_free(definitions, plan_key, target)
    units_target = None if target is None else units_path_for(target, plan_key)
    previous = Previous.read(target) if target is not None and target.exists() else None
    # Units proposed by an earlier import of this plan count as known: they are kept, with
    # whatever the coordinator added since, and new ones are added after them.
    units = open_definitions(definitions).shared.units if definitions.is_dir() else {}
    settings = settings_of(ctx)
    today = clock.today(settings)
    plan_year = int(year) if year is not None else None
    imported = import_plan(
        file,
        plan_key,
        units,
        today=today,
        year=plan_year,
        coordinator=coordinator,
        previous=previous,
    )
    existing = _read(units_target) if units_target and units_target.exists() else None
    units_text = imported.units_file(existing)
    problems = check_imported(imported, definitions, units_text)

    if target is None:
        sys.stdout.write(imported.plan_text)
    else:
        if units_target is not None and units_text and units_text != existing:
            _write(units_target, units_text)
        _write(target, imported.plan_text)
    report = _Report(console(stderr=True) if target is None else out)  # a plan on stdout
    report.imported(imported, file, target, units_target)
    report.problems(problems, target, units_target, definitions, plan_key)
    if target is not None and definitions_root(target.parent) is None:
        report.say(
            f"Lưu ý: {display_path(target)} nằm ngoài thư mục định nghĩa (không có units.yaml "
            f"ở trên nó); chuyển vào {display_path(definitions / 'plans')} trước khi "
            "`kehoach load`."
        )
    if problems or any(f.blocking for f in imported.findings):
        raise typer.Exit(1)


class _Report:
    def __init__(self, console: Console) -> None:
        self.console = console

    def say(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def imported(
        self, imported: Imported, file: Path, target: Path | None, units_target: Path | None
    ) -> None:
        verb = "Đã nhập" if target is None else f"Đã ghi {display_path(target)}"
        self.say(
            f"{verb}: {imported.sections} mục, {imported.tasks} nhiệm vụ "
            f'(từ {imported.source_table} của "{file.name}").'
        )
        reviews = imported.plan_text.count("# xem lại:")
        if reviews:
            self.say(f'{reviews} chỗ chương trình đã đoán, có ghi chú "# xem lại:" trong tệp.')
        if imported.new_units:
            where = (
                display_path(units_target) if units_target else "(chưa ghi: đang in ra màn hình)"
            )
            self.say(
                f"{len(imported.new_units)} đơn vị chưa có trong units.yaml, đề xuất trong {where}:"
            )
            for unit in imported.new_units:
                self.say(f'  {unit.key}: "{unit.name}" ({unit.where}, {unit.role})')
        if imported.findings:
            self.say(f"{len(imported.findings)} điểm cần xem:")
            for finding in imported.findings:
                self.say(f"  {finding}")

    def problems(
        self,
        problems: list[PlanProblem],
        target: Path | None,
        units_target: Path | None,
        definitions: Path,
        plan_key: str,
    ) -> None:
        if not problems:
            self.say("Kiểm tra: tệp hợp lệ.")
            return
        self.say(f"Tệp chưa hợp lệ ({len(problems)} lỗi), sửa rồi chạy `kehoach validate`:")
        for problem in problems:
            if problem.file is None:
                name = display_path(target) if target else "màn hình"
            elif problem.file == f"units.{plan_key}.yaml" and units_target is not None:
                name = display_path(units_target)
            else:
                name = display_path(definitions / problem.file)
            row = f" ({problem.where})" if problem.where else ""
            self.say(f"  {name}:{problem.line}:{problem.column}: {problem.message}{row}")


def _check_target(target: Path, plan_key: str, force: bool) -> None:
    from kehoach_flow.importing import plan_key_of

    if target.is_dir():
        raise KehoachError(
            f"-o {display_path(target)} là thư mục: ghi tên tệp, ví dụ {target}/{plan_key}.yaml"
        )
    if not target.exists():
        return
    if not force:
        raise KehoachError(
            f"đã có tệp {display_path(target)}: thêm --force để ghi đè "
            "(khóa nhiệm vụ và phần sửa tay được giữ theo tên nhiệm vụ)"
        )
    held = plan_key_of(target)
    if held is not None and held != plan_key:
        raise KehoachError(
            f'{display_path(target)} là kế hoạch "{held}", không phải "{plan_key}": '
            "không ghi đè kế hoạch khác"
        )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KehoachError(f"không đọc được {display_path(path)}: {exc}") from None


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a reader never sees half a file."""
    partial = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise KehoachError(f"không ghi được {display_path(path)}: {exc.strerror or exc}") from None


def _check_key_is_free(definitions: Path, plan_key: str, target: Path | None) -> None:
    """Another file already holding this plan key (in any case) would make the definitions
    invalid, or clash on a disk that ignores case."""
    from kehoach_flow.definitions.reader import discover
    from kehoach_flow.importing import plan_key_of

    for path in discover(definitions) if definitions.is_dir() else []:
        if target is not None and path.resolve() == target.resolve():
            continue
        held = plan_key_of(path)
        if held is not None and held.lower() == plan_key.lower():
            raise KehoachError(
                f'kế hoạch "{held}" đã có trong {display_path(path)}: dùng khóa khác, '
                "hoặc nhập lại vào chính tệp đó bằng -o TỆP --force"
            )
