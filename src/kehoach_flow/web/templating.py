"""Jinja2 templates for the pages (autoescaped), with Vietnamese formatting filters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from kehoach_flow.numbers import format_number

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _vn_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    return f"{value:%d/%m/%Y %H:%M}" if isinstance(value, datetime) else f"{value:%d/%m/%Y}"


TEMPLATES.env.filters["vn_date"] = _vn_date
TEMPLATES.env.filters["money"] = lambda v: "" if v is None else format_number(v)
TEMPLATES.env.filters["percent"] = lambda v: f"{v:g}".replace(".", ",")  # 14,3 in Vietnamese
