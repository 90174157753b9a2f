"""The plan's timeline as an SVG Gantt chart drawn on the server: one bar per task from its
start to its due date, coloured by its state, arrows from each dependency's end to the
dependent's start, month lines and today's line. Text is XML-escaped."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from xml.sax.saxutils import escape

from kehoach_flow.tracking.task_views import TaskView

LABEL_W, CHART_W, ROW_H, TOP = 300, 900, 24, 30
WIDTH = LABEL_W + CHART_W + 10  # the viewBox's width; never drawn narrower (style.css)
FONT = 12  # every text, in px on any screen: the chart scrolls rather than shrinks
MONTH_LABEL_W = 58  # "01/2024" at font-size 12, with a gap
TODAY_LABEL_W = 54  # "hôm nay" at font-size 12
PIN_W = 200  # the pinned titles' white column, over the bars it hides
PIN_CHARS = 27  # a title cut to fit it at font-size 12
COLOURS = {
    "on_track": "#1f6fb2",
    "at_risk": "#d49a00",
    "overdue": "#c0392b",
    "blocked": "#7d3fb8",
    "done_on_time": "#0b6e3d",
    "done_late": "#6aa84f",
    "on_hold": "#8a939e",
    "cancelled": "#c5cad1",
}


def gantt_svg(views: Sequence[TaskView], today: date) -> str:
    if not views:
        return ""
    first = min(min(v.window.start for v in views), today)
    last = max(max(v.window.due for v in views), today)
    span = max(1, (last - first).days + 1)

    def x(day: date) -> float:
        return LABEL_W + CHART_W * (day - first).days / span

    height = TOP + ROW_H * len(views) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="Biểu đồ tiến độ">',
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#444"/></marker></defs>',
    ]
    month = date(first.year, first.month, 1)
    # A month label ("01/2024") is about MONTH_LABEL_W wide: over a long span only every
    # `step`-th month is labelled (the lines stay monthly), so the labels never run together.
    step = max(1, math.ceil(MONTH_LABEL_W / (CHART_W * 30.4 / span)))
    index = 0
    while month <= last:
        if month >= first:
            mx = x(month)
            parts.append(
                f'<line x1="{mx:.1f}" y1="{TOP - 12}" x2="{mx:.1f}" y2="{height}" stroke="#e2e5e9"/>'
            )
            if index % step == 0:
                parts.append(
                    f'<text x="{mx + 2:.1f}" y="{TOP - 16}" font-size="{FONT}" fill="#555">{month:%m/%Y}</text>'
                )
            index += 1
        month = (month + timedelta(days=32)).replace(day=1)
    rows = {v.key: i for i, v in enumerate(views)}
    for i, v in enumerate(views):
        y = TOP + i * ROW_H
        start, end = x(v.window.start), x(v.window.due + timedelta(days=1))
        title = escape(v.title)
        label = escape(v.title if len(v.title) <= 44 else v.title[:43] + "…")
        colour = COLOURS.get(v.derived.value, "#1f6fb2")
        parts.append(
            f'<g class="task" data-task="{escape(v.key)}"><title>{title}: {v.window.start:%d/%m/%Y} – '
            f"{v.window.due:%d/%m/%Y}, {escape(v.derived.label)}, {v.state.progress}%</title>"
            f'<text x="4" y="{y + 16}" font-size="{FONT}">{label}</text>'
            f'<rect x="{start:.1f}" y="{y + 5}" width="{max(2.0, end - start):.1f}" height="{ROW_H - 10}" rx="3" '
            f'fill="{colour}" opacity="0.35"/>'
            f'<rect x="{start:.1f}" y="{y + 5}" width="{max(0.0, (end - start) * v.state.progress / 100):.1f}" '
            f'height="{ROW_H - 10}" rx="3" fill="{colour}"/></g>'
        )
    for v in views:
        for dep in v.depends_on:
            if dep not in rows:
                continue
            source = views[rows[dep]]
            x1, y1 = x(source.window.due + timedelta(days=1)), TOP + rows[dep] * ROW_H + ROW_H / 2
            x2, y2 = x(v.window.start), TOP + rows[v.key] * ROW_H + ROW_H / 2
            parts.append(
                f'<path class="dependency" d="M{x1:.1f},{y1:.1f} C{x1 + 20:.1f},{y1:.1f} {x2 - 20:.1f},{y2:.1f} '
                f'{x2:.1f},{y2:.1f}" fill="none" stroke="#444" stroke-width="1" marker-end="url(#arrow)"/>'
            )
    tx = x(today)
    # "hôm nay" to the right of the line, or to its left near the chart's end (never cut off).
    near_end = tx > LABEL_W + CHART_W - TODAY_LABEL_W
    label_at = f'x="{tx - 3:.1f}" text-anchor="end"' if near_end else f'x="{tx + 3:.1f}"'
    parts.append(
        f'<line class="today" x1="{tx:.1f}" y1="{TOP - 12}" x2="{tx:.1f}" y2="{height}" stroke="#c0392b" '
        f'stroke-dasharray="4 3"/><text {label_at} y="{height - 2}" font-size="{FONT}" fill="#c0392b">hôm nay</text>'
    )
    # The titles again, hidden: timeline.js shows them at the visible left edge once the chart
    # is scrolled past its title column (on a phone, to today), in a white column of their own
    # that hides the bars behind it (a title never sits on a bar).
    parts.append(
        f'<g class="pinned-titles" visibility="hidden" data-from="{LABEL_W}">'
        f'<rect class="pin-panel" x="0" y="{TOP - 4}" width="{PIN_W}" height="{height - TOP + 4}" '
        f'fill="#fff"/><line x1="{PIN_W}" y1="{TOP - 4}" x2="{PIN_W}" y2="{height}" stroke="#b8bec6"/>'
    )
    for i, v in enumerate(views):
        short = v.title if len(v.title) <= PIN_CHARS else v.title[: PIN_CHARS - 1] + "…"
        parts.append(
            f'<text x="4" y="{TOP + i * ROW_H + 16}" font-size="{FONT}">{escape(short)}</text>'
        )
    parts.append("</g></svg>")
    return "".join(parts)
