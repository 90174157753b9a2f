"""`kehoach remind` as cron starts it: a fresh process that imports what the command needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import typer.main
from sqlalchemy import Engine

from kehoach_flow.cli import lazy
from kehoach_flow.loading import load_path
from kehoach_flow.reminders.rerun import RECORD_FILE
from kehoach_flow.settings import Settings
from tests.conftest import DEFINITIONS

# Run as cron runs it, then say which modules the process ended with.
PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
from kehoach_flow.cli import main
main(sys.argv[1:])
"""


def _modules_after(settings: Settings, *args: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHOACH_")}
    env |= {
        "KEHOACH_DATABASE_URL": settings.resolved_database_url(),
        "KEHOACH_DATA_DIR": str(settings.data_dir),
        "KEHOACH_DEFINITIONS": str(settings.definitions),
    }
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=env,
        cwd=settings.data_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return set(modules)


def test_remind_imports_its_own_command_module_and_no_web_flow_or_office_library(
    sqlite_settings: Settings, sqlite_engine: Engine
) -> None:
    load_path(sqlite_engine, DEFINITIONS)
    modules = _modules_after(sqlite_settings, "remind", "--date", "2024-12-20", "--dry-run")
    commands = {m for m in modules if m.startswith("kehoach_flow.cli.")}
    assert commands == {
        "kehoach_flow.cli.app",
        "kehoach_flow.cli.help_text",  # Typer's help frame in Vietnamese; imports nothing
        "kehoach_flow.cli.lazy",
        "kehoach_flow.cli.reminders",
    }
    heavy = {"prefect", "fastapi", "starlette", "openpyxl", "docx", "uvicorn"}
    assert not {m.split(".")[0] for m in modules} & heavy


def test_a_rerun_with_nothing_new_neither_plans_nor_renders(
    sqlite_settings: Settings, sqlite_engine: Engine
) -> None:
    load_path(sqlite_engine, DEFINITIONS)
    planning = {"jinja2", "holidays", "kehoach_flow.reminders.planner"}
    first = _modules_after(sqlite_settings, "remind", "--date", "2024-12-20")
    assert planning <= first
    for _ in range(3):  # the code is one of the inputs: a file edited meanwhile plans again
        before = _record(sqlite_settings)
        again = _modules_after(sqlite_settings, "remind", "--date", "2024-12-20")
        if _record(sqlite_settings) == before:
            break
    assert not planning & again
    assert "kehoach_flow.reminders.sender" in again  # it still delivers what is due


def _record(settings: Settings) -> str:
    return (settings.data_dir / RECORD_FILE).read_text(encoding="utf-8")


def test_every_command_is_found_in_the_module_the_table_names() -> None:
    from kehoach_flow.cli.app import app

    lazy._import(lazy.MODULES)
    defined = {}
    for info in app.registered_commands:
        name = info.name or info.callback.__name__  # type: ignore[union-attr]
        defined[name] = info.callback.__module__.rsplit(".", 1)[-1]  # type: ignore[union-attr]
    for group in app.registered_groups:
        assert group.typer_instance is not None
        [module] = {c.callback.__module__ for c in group.typer_instance.registered_commands}  # type: ignore[union-attr]
        defined[group.name or ""] = module.rsplit(".", 1)[-1]
    assert defined == lazy.COMMAND_MODULES
    assert set(typer.main.get_command(app).commands) == set(defined)  # type: ignore[attr-defined]
