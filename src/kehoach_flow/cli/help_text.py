"""The help pages in Vietnamese: Typer's own words ("Usage:", "Options", "Show this message
and exit.", "[required]", the type names) are English and fixed in its code.

The commands' own texts are Vietnamese already; only the frame around them is translated,
by `install()` (the CLI's edge calls it; nothing else depends on it). Words Typer looks up
through gettext and the type names are translated before the page is laid out, so columns
stay aligned; the few literal ones are replaced in the finished page.
"""

from __future__ import annotations

import re
from typing import Any

# Literal in Typer's code: replaced in the finished page. The help option's text keeps its
# length (27 characters), so its column wraps as before.
_LITERALS: tuple[tuple[str, str], ...] = (
    ("Show this message and exit.", "In hướng dẫn này rồi thoát."),
    ("COMMAND [ARGS]...", "LỆNH [THAM_SỐ]..."),
    ("[OPTIONS]", "[TÙY_CHỌN]"),
)
_USAGE = re.compile(r"^Usage: ", re.M)
# Looked up through gettext by Typer as it lays the page out.
_MESSAGES = {
    "Options": "Tùy chọn",
    "Arguments": "Tham số",
    "Commands": "Lệnh",
    "required": "bắt buộc",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tính khi chạy)",
    "Aborted!": "Đã hủy.",
}
# The value shown beside an option ("--date <str>").
_TYPES = {
    "str": "chữ",
    "int": "số",
    "integer": "số",
    "float": "số",
    "path": "đường dẫn",
    "file": "tệp",
    "directory": "thư mục",
    "dir": "thư mục",
    "datetime": "thời điểm",
    "bool": "có/không",
}
_TYPE = re.compile(r"^<(\w+)>$")


def vietnamese(text: str) -> str:
    """A finished help page with Typer's literal words in Vietnamese."""
    text = _USAGE.sub("Cách dùng: ", text)
    for english, said in _LITERALS:
        text = text.replace(english, said)
    return text


def _type_name(label: str) -> str:
    match = _TYPE.match(label)
    if match is None:
        return label
    return f"<{_TYPES.get(match.group(1).lower(), match.group(1))}>"


def install() -> None:
    """Translate every help page this process prints (idempotent)."""
    import typer.core
    from typer._click import core

    if hasattr(core.Command.get_help, "__wrapped__"):
        return
    get_help = core.Command.get_help
    display_type = typer.core._TyperParameter.display_type
    english = typer.core._

    def get_help_vi(self: Any, ctx: Any) -> str:
        return vietnamese(get_help(self, ctx))

    def display_type_vi(self: Any, ctx: Any) -> str:
        return _type_name(display_type(self, ctx))

    def gettext_vi(message: str) -> str:
        return _MESSAGES.get(message, english(message))

    get_help_vi.__wrapped__ = get_help  # type: ignore[attr-defined]
    core.Command.get_help = get_help_vi  # type: ignore[method-assign]
    typer.core._TyperParameter.display_type = display_type_vi  # type: ignore[method-assign]
    typer.core._ = gettext_vi
