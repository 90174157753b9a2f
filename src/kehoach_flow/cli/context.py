"""The application context of a CLI command, from the settings and database every command
shares (`cli.app.settings_of`, `cli.app.engine_of`)."""

from __future__ import annotations

import typer

from kehoach_flow.cli.app import engine_of, settings_of
from kehoach_flow.context import AppContext


def context_of(ctx: typer.Context, *, writes: bool = True) -> AppContext:
    """The command's context: its settings, its database (opened read-only on a copy when
    `writes=False`, schema checked), the clock and the working calendar."""
    return AppContext(settings_of(ctx), engine_of(ctx, writes=writes))
