"""Markdown and HTML versions of a report, from templates a user can restyle."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kehoach_flow.numbers import format_number
from kehoach_flow.reports.content import Report


def _markdown_cell(text: object) -> str:
    """A table cell: a pipe or a line break would break the Markdown table."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("kehoach_flow.reports", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = format_number
    env.filters["md"] = _markdown_cell
    env.filters["percent"] = lambda value: f"{value:g}".replace(".", ",")  # 14,3 in Vietnamese
    return env


def render_markdown(report: Report) -> str:
    return _environment().get_template("report.md.j2").render(r=report)


def render_html(report: Report) -> str:
    return _environment().get_template("report.html.j2").render(r=report)


def write_text(report: Report, path: Path, kind: str) -> Path:
    text = render_markdown(report) if kind == "md" else render_html(report)
    path.write_text(text, encoding="utf-8")
    return path
