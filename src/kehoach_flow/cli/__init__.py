"""The `kehoach` command: a thin skin that parses, calls the library and prints."""

from kehoach_flow.cli import (  # noqa: F401  (registers the commands)
    importing,
    plans,
    reminders,
    reports,
    service,
    tracking,
    users,
)
from kehoach_flow.cli.app import app, main

__all__ = ["app", "main"]
