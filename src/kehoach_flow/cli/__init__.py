"""The `kehoach` command: a thin skin that parses, calls the library and prints.

Each command's module is imported when that command runs (cli.lazy), so a command pays for
its own imports only."""

from kehoach_flow.cli.app import app, main

__all__ = ["app", "main"]
