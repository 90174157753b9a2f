"""The package's layers point one way, and the web holds no SQL (docs/architecture.md).

Every module under src/kehoach_flow is parsed with `ast`; every import counts, whether at the
top, inside a function or under TYPE_CHECKING, since each is a dependency someone must follow.
A module may import its own layer and the layers below it, never one above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "kehoach_flow"

# Lowest first. Each top-level module or subpackage of kehoach_flow sits in exactly one layer;
# a new one fails test_every_module_has_a_layer until it is placed here and in the doc.
LAYERS: dict[str, frozenset[str]] = {
    # Plain values in, plain values out: no database, no files of the installation.
    "pure": frozenset(
        {
            "__init__",  # the package itself: a docstring
            "clock",
            "cutoff",
            "errors",
            "numbers",
            "schedule",
            "settings",
            "text",
            "timefmt",
            "workdays",
        }
    ),
    # The database's tables and queries; the definition files read, checked and resolved.
    "data": frozenset({"db", "definitions"}),
    # What the product does, each on the data layer; they may use one another.
    "capabilities": frozenset(
        {
            "accounts",
            "context",  # the application context: settings, engine, clock, calendar, paths
            "importing",
            "loading",
            "mail",
            "reminders",
            "reports",
            "tracking",
        }
    ),
    # The daily jobs and the service that runs them (Prefect), over the capabilities.
    "orchestration": frozenset({"orchestration", "prefect_server"}),
    # Entry points: the CLI, the web app, the Prefect flows and the bench. flows/ sits beside
    # src/, outside the package: nothing in the package may import it.
    "edges": frozenset({"__main__", "bench", "cli", "flows", "web"}),
}
RANK = {name: rank for rank, names in enumerate(LAYERS.values()) for name in names}
LAYER_NAMES = list(LAYERS)

SQL_WORDS = frozenset({"select", "insert", "update", "delete", "text"})


def top_name(module: str) -> str | None:
    """The top-level part of a kehoach_flow module name; None for anything else."""
    parts = module.split(".")
    if parts[0] != "kehoach_flow":
        return None
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, int]]:
    """(module imported, line) for every import in the tree; `from kehoach_flow import x`
    counts as importing kehoach_flow.x, relative imports are resolved."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "kehoach_flow":
                found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((base, node.lineno))
    return found


def modules(package: Path) -> list[tuple[Path, str]]:
    return [(path, module_name(path, package)) for path in sorted(package.rglob("*.py"))]


def layer_violations(package: Path) -> list[str]:
    """Each import of a higher layer, as "module (layer) imports other (layer) at line n"."""
    problems = []
    for path, module in modules(package):
        own = RANK[top_name(module) or ""]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for imported, line in imported_modules(tree, module, path.name == "__init__.py"):
            top = top_name(imported)
            if top is None:
                continue
            other = RANK.get(top)
            if other is None:
                problems.append(f"{module} imports {imported}, which has no layer (line {line})")
            elif other > own:
                problems.append(
                    f"{module} ({LAYER_NAMES[own]}) imports {imported} "
                    f"({LAYER_NAMES[other]}) at line {line}"
                )
    return problems


def web_sql(package: Path) -> list[str]:
    """Each SQL statement builder imported, or `.execute(` called, in a module under web/."""
    problems: list[tuple[str, int, str]] = []
    for path, module in modules(package):
        if not module.startswith("kehoach_flow.web"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                "sqlalchemy",
                "sqlmodel",
            ):
                words = sorted(SQL_WORDS & {alias.name for alias in node.names})
                if words:
                    problems.append((module, node.lineno, f"imports {', '.join(words)}"))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "execute"
            ):
                problems.append((module, node.lineno, "calls .execute("))
    return [f"{module} {what} at line {line}" for module, line, what in sorted(problems)]


def test_every_module_has_a_layer() -> None:
    unplaced = sorted({top_name(m) for _, m in modules(PACKAGE)} - set(RANK))
    assert unplaced == [], f"place these in LAYERS and docs/architecture.md: {unplaced}"


def test_no_module_imports_a_higher_layer() -> None:
    assert layer_violations(PACKAGE) == []


def test_the_web_holds_no_sql() -> None:
    assert web_sql(PACKAGE) == []


# --- the checks themselves fail on what they are meant to catch -----------------------------


def plant(root: Path, files: dict[str, str]) -> Path:
    package = root / "kehoach_flow"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def test_a_planted_upward_import_is_caught_wherever_it_is_written(tmp_path: Path) -> None:
    package = plant(
        tmp_path,
        {
            "__init__.py": "",
            "definitions/__init__.py": "",
            "definitions/models.py": "from kehoach_flow.reports.periods import Period\n",
            "workdays.py": "def f():\n    from kehoach_flow import loading\n",
            "reports/__init__.py": "",
            "reports/periods.py": "from ..cli import app\nfrom kehoach_flow.errors import X\n",
            "tracking/__init__.py": "from . import state\n",
            "tracking/state.py": "import kehoach_flow.web.app\nimport kehoach_flow.flows\n",
        },
    )
    assert layer_violations(package) == [
        "kehoach_flow.definitions.models (data) imports kehoach_flow.reports.periods"
        " (capabilities) at line 1",
        "kehoach_flow.reports.periods (capabilities) imports kehoach_flow.cli (edges) at line 1",
        "kehoach_flow.tracking.state (capabilities) imports kehoach_flow.web.app (edges) at line 1",
        "kehoach_flow.tracking.state (capabilities) imports kehoach_flow.flows (edges) at line 2",
        "kehoach_flow.workdays (pure) imports kehoach_flow.loading (capabilities) at line 2",
    ]


def test_an_import_of_a_module_without_a_layer_is_caught(tmp_path: Path) -> None:
    package = plant(tmp_path, {"__init__.py": "", "text.py": "import kehoach_flow.newthing\n"})
    assert layer_violations(package) == [
        "kehoach_flow.text imports kehoach_flow.newthing, which has no layer (line 1)"
    ]


def test_planted_sql_in_the_web_is_caught(tmp_path: Path) -> None:
    package = plant(
        tmp_path,
        {
            "web/pages.py": "from sqlalchemy import Engine, select\n",
            "web/api.py": "def f(conn):\n    return conn.execute(q)\n",
            "web/ok.py": "from sqlalchemy import Engine\n",
            "tracking/board.py": "from sqlalchemy import select\n",
        },
    )
    assert web_sql(package) == [
        "kehoach_flow.web.api calls .execute( at line 2",
        "kehoach_flow.web.pages imports select at line 1",
    ]


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_each_layer_lists_modules_that_exist_or_are_reserved(layer: str) -> None:
    """A stale name in LAYERS would hide a rename. "flows" names the flows/ folder beside
    src/."""
    present = {top_name(m) for _, m in modules(PACKAGE)}
    stale = sorted(LAYERS[layer] - present - {"flows"})
    assert stale == []
