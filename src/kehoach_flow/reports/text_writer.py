"""Markdown and HTML versions of a report, from templates a user can restyle."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)

from kehoach_flow.errors import KehoachError
from kehoach_flow.numbers import format_decimal, format_number
from kehoach_flow.reports.content import NO_TASKS, NOTHING, Report


def _markdown_cell(text: object) -> str:
    """A table cell: a pipe or a line break would break the Markdown table."""
    return str(text).replace("|", "\\|").replace("\n", " ")


@lru_cache(maxsize=8)
def template_environment(override: Path | None = None) -> Environment:
    """The report templates; files in `override` (KEHOACH_REPORT_TEMPLATES) named like the
    built-in ones (report.md.j2, report.html.j2, rollup.md.j2, rollup.html.j2) win."""
    loaders: list[BaseLoader] = [PackageLoader("kehoach_flow.reports", "templates")]
    if override is not None:
        if not override.is_dir():
            raise KehoachError(f"không có thư mục mẫu báo cáo {override}")
        loaders.insert(0, FileSystemLoader(override))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = format_number
    env.filters["md"] = _markdown_cell
    env.filters["percent"] = format_decimal  # 14,3 in Vietnamese, as in the docx
    # a recipient as the docx lists it: its own trailing ";" or "." dropped
    env.filters["recipient"] = lambda name: str(name).rstrip(" ;./")
    env.globals.update(nothing=NOTHING, no_tasks=NO_TASKS)
    return env


def render(template: str, templates: Path | None = None, **values: Any) -> str:
    """Render a report template; a broken user template is a user error, not a traceback."""
    try:
        return template_environment(templates).get_template(template).render(**values)
    except TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}: " if isinstance(exc, TemplateSyntaxError) else ""
        raise KehoachError(f"mẫu báo cáo {template} lỗi: {where}{exc.message}") from None


def render_markdown(report: Report, templates: Path | None = None) -> str:
    return render("report.md.j2", templates, r=report)


def render_html(report: Report, templates: Path | None = None) -> str:
    return render("report.html.j2", templates, r=report)


def render_text(report: Report, kind: str, templates: Path | None = None) -> str:
    """The report as "md" or "html"."""
    return render_markdown(report, templates) if kind == "md" else render_html(report, templates)
