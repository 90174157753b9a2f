"""The command line's modules imported on demand: a command imports its own module only.

`kehoach remind` runs every morning from cron; importing every command's module (and what
those import) would cost it more than its own work on a quiet day. The top-level group knows
which module defines each command and imports that one when the command is asked for. The
full list (help, completion, a mistyped name and its suggestions, or any code reading
`commands`) imports them all, in one fixed order, so the help reads the same however it is
reached.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import MutableMapping
from typing import Any

from typer import _click
from typer.core import TyperGroup

# In this order in the help. A command missing here still works: an unknown name imports all.
MODULES = (
    "importing",
    "plans",
    "reminders",
    "reports",
    "service",
    "tracking",
    "extensions",
    "users",
)
COMMAND_MODULES = {
    "import": "importing",
    "validate": "plans",
    "load": "plans",
    "archive": "plans",
    "plans": "plans",
    "tasks": "plans",
    "show": "plans",
    "schema": "plans",
    "db": "plans",
    "bench": "plans",
    "remind": "reminders",
    "outbox": "reminders",
    "report": "reports",
    "reports": "reports",
    "serve": "service",
    "web": "service",
    "run": "service",
    "simulate": "service",
    "update": "tracking",
    "status": "tracking",
    "graph": "tracking",
    "extension": "extensions",
    "review": "extensions",
    "user": "users",
}


def _import(modules: tuple[str, ...]) -> None:
    for name in modules:
        importlib.import_module(f"kehoach_flow.cli.{name}")


def _in_help_order() -> None:
    """Commands and groups in MODULES order (then in each module's order), whichever module
    a process happened to import first."""
    from kehoach_flow.cli.app import app

    def rank(callback: Any) -> int:
        module = getattr(callback, "__module__", "").rsplit(".", 1)[-1]
        return MODULES.index(module) if module in MODULES else -1

    def group_rank(info: Any) -> int:  # a group ranks as its first command's module
        commands = info.typer_instance.registered_commands if info.typer_instance else []
        return min((rank(c.callback) for c in commands), default=-1)

    app.registered_commands.sort(key=lambda info: rank(info.callback))
    app.registered_groups.sort(key=group_rank)


class LazyCommands(TyperGroup):
    """The `kehoach` group: commands come from their modules when first asked for."""

    def __init__(self, **kwargs: Any) -> None:
        self._complete = False
        super().__init__(**kwargs)

    @property
    def commands(self) -> MutableMapping[str, _click.Command]:
        if not self._complete:
            self._refresh(MODULES)
        return self._commands

    @commands.setter
    def commands(self, value: MutableMapping[str, _click.Command]) -> None:
        self._commands = value

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is None and cmd_name not in self._commands:
            self._refresh(MODULES)  # a mistyped name (then suggestions) or a new command
        elif module is not None and f"kehoach_flow.cli.{module}" not in sys.modules:
            self._refresh((module,))  # also a group declared beside the app (`db`)
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(self.commands)

    def _refresh(self, modules: tuple[str, ...]) -> None:
        """Import `modules` and build the group's commands again from what is registered."""
        import typer.main

        from kehoach_flow.cli.app import app

        _import(modules)
        complete = modules == MODULES
        if complete:
            _in_help_order()
        fresh = typer.main.get_group(app)
        self._commands = fresh._commands if isinstance(fresh, LazyCommands) else fresh.commands
        self._complete = self._complete or complete
