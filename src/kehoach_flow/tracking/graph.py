"""The plan's task graph: the latest-due chain, roll-ups and Mermaid/DOT drawings.

Which dependencies are open at a date is a question of state: see state.open_dependencies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from kehoach_flow.text import shorten

Value = float | int | None

TITLE_LIMIT = 40

# Mermaid decodes "#name;" as an entity, so a literal "#" is encoded too (else "#1;" would decode).
_MERMAID_ESCAPES = str.maketrans(
    {
        "#": "#35;",
        '"': "#quot;",
        "&": "#amp;",
        "<": "#lt;",
        ">": "#gt;",
        "[": "#91;",
        "]": "#93;",
        "`": "#96;",
    }
)


@dataclass(frozen=True)
class GraphTask:
    key: str
    title: str
    start: date
    due: date
    depends_on: tuple[str, ...] = ()
    parent: str | None = None
    done: bool = False
    status_label: str = ""


def _by_key(tasks: Sequence[GraphTask]) -> dict[str, GraphTask]:
    return {task.key: task for task in tasks}


def _known_dependencies(task: GraphTask, known: Mapping[str, GraphTask]) -> list[GraphTask]:
    return [known[key] for key in dict.fromkeys(task.depends_on) if key in known]


def _dependency_edges(tasks: Sequence[GraphTask]) -> list[tuple[str, str]]:
    """(dependency, dependent) pairs, unknown keys dropped, in definition order."""
    known = _by_key(tasks)
    return [
        (dep.key, task.key) for task in known.values() for dep in _known_dependencies(task, known)
    ]


def _subtask_edges(tasks: Sequence[GraphTask]) -> list[tuple[str, str]]:
    known = _by_key(tasks)
    return [
        (task.parent, task.key)
        for task in known.values()
        if task.parent is not None and task.parent in known and task.parent != task.key
    ]


def _latest(tasks: Sequence[GraphTask]) -> GraphTask:
    return max(tasks, key=lambda task: (task.due, task.start, task.key))


def latest_due_chain(tasks: Sequence[GraphTask]) -> list[str]:
    """The chain of dependencies ending at the latest-due linked task, earliest first: from
    that task, step to its latest-due dependency until one has none.

    Not a critical path: the plan has no durations or slack to compute one from, only due
    dates, so this is the chain a late task most likely waits on."""
    known = _by_key(tasks)
    edges = _dependency_edges(tasks)
    if not edges:
        return []
    linked = {key for edge in edges for key in edge}
    current = _latest([known[key] for key in linked])
    path = [current.key]
    seen = {current.key}
    while dependencies := _known_dependencies(current, known):
        current = _latest(dependencies)
        # The loader rejects cycles; if one slips through, stop rather than loop forever.
        if current.key in seen:
            break
        path.append(current.key)
        seen.add(current.key)
    return path[::-1]


def _short_title(title: str) -> str:
    return shorten(" ".join(title.split()), TITLE_LIMIT)


def _label_lines(task: GraphTask) -> list[str]:
    lines = [task.key, _short_title(task.title), task.due.strftime("%d/%m/%Y")]
    if task.status_label:
        lines.append(" ".join(task.status_label.split()))
    return lines


def _chain_edges(chain: Sequence[str], edges: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    steps = set(pairwise(chain))
    return {edge for edge in edges if edge in steps}


def _mermaid_ids(tasks: Sequence[GraphTask]) -> dict[str, str]:
    """Keys to Mermaid ids; the prefix keeps ids off reserved words such as "end"."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for key in _by_key(tasks):
        base = "t_" + re.sub(r"[^A-Za-z0-9_]", "_", key)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}_{n}"
        ids[key] = candidate
        used.add(candidate)
    return ids


def _mermaid_label(task: GraphTask) -> str:
    # Mermaid statements end at a line break, so no raw break may survive inside a label.
    lines = (" ".join(line.split()) for line in _label_lines(task))
    return "<br/>".join(line.translate(_MERMAID_ESCAPES) for line in lines)


def to_mermaid(tasks: Sequence[GraphTask], chain: Sequence[str] = ()) -> str:
    """A Mermaid `flowchart LR` of the plan, `chain` thick and red, done tasks grey.

    The chain's style class is still called "critical" in the output, as drawings already
    styled by it expect."""
    known = _by_key(tasks)
    ids = _mermaid_ids(tasks)
    edges = _dependency_edges(tasks)
    hot = _chain_edges(chain, edges)
    lines = ["flowchart LR"]
    lines += [f'    {ids[t.key]}["{_mermaid_label(t)}"]' for t in known.values()]
    hot_indexes = []
    for index, (src, dst) in enumerate(edges):
        arrow = "==>" if (src, dst) in hot else "-->"
        if arrow == "==>":
            hot_indexes.append(str(index))
        lines.append(f"    {ids[src]} {arrow} {ids[dst]}")
    lines += [f"    {ids[src]} -.-> {ids[dst]}" for src, dst in _subtask_edges(tasks)]
    lines.append("    classDef critical fill:#fdecea,stroke:#c62828,stroke-width:3px")
    lines.append("    classDef done fill:#e0e0e0,stroke:#9e9e9e,color:#616161")
    on_path = [ids[key] for key in dict.fromkeys(chain) if key in known]
    if on_path:
        lines.append(f"    class {','.join(on_path)} critical")
    finished = [ids[t.key] for t in known.values() if t.done]
    if finished:
        lines.append(f"    class {','.join(finished)} done")
    if hot_indexes:
        lines.append(f"    linkStyle {','.join(hot_indexes)} stroke:#c62828,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n") + '"'


def _dot_label(text: str) -> str:
    # Graphviz decodes HTML entities in plain labels, so a literal "&" must become "&amp;".
    return _dot_string(text.replace("&", "&amp;"))


def _dot_attrs(attrs: Mapping[str, str]) -> str:
    return ", ".join(f"{name}={value}" for name, value in attrs.items())


def _dot_node(task: GraphTask, on_path: bool) -> str:
    styles = ["rounded"]
    attrs = {"label": _dot_label("\n".join(_label_lines(task)))}
    if on_path:
        styles.append("bold")
        attrs |= {"color": "red", "penwidth": "2"}
    if task.done:
        styles.append("filled")
        attrs["fillcolor"] = "grey"
    attrs["style"] = _dot_string(",".join(styles))
    return f"  {_dot_string(task.key)} [{_dot_attrs(attrs)}];"


def to_dot(tasks: Sequence[GraphTask], chain: Sequence[str] = ()) -> str:
    """A Graphviz digraph of the plan, `chain` red and bold, done tasks filled grey."""
    known = _by_key(tasks)
    edges = _dependency_edges(tasks)
    hot = _chain_edges(chain, edges)
    on_path = set(chain)
    lines = ["digraph plan {", "  rankdir=LR;", "  node [shape=box];"]
    lines += [_dot_node(task, task.key in on_path) for task in known.values()]
    for src, dst in edges:
        attrs = " [color=red, style=bold, penwidth=2]" if (src, dst) in hot else ""
        lines.append(f"  {_dot_string(src)} -> {_dot_string(dst)}{attrs};")
    for src, dst in _subtask_edges(tasks):
        lines.append(f"  {_dot_string(src)} -> {_dot_string(dst)} [style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _children(parents: Mapping[str, str | None]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        if parent is not None and parent != child:
            children.setdefault(parent, []).append(child)
    return children


def _roll_up(
    values: Mapping[str, Value],
    parents: Mapping[str, str | None],
    combine: Callable[[list[float | int]], float | int],
) -> dict[str, Value]:
    children = _children(parents)
    result: dict[str, Value] = {}

    def visit(key: str, trail: frozenset[str]) -> Value:
        if key in result:
            return result[key]
        # A cycle in the parent links would recurse forever; treat the repeat as a leaf.
        kids = [kid for kid in children.get(key, []) if kid not in trail]
        rolled = [visit(kid, trail | {kid}) for kid in kids]
        valued = [value for value in rolled if value is not None]
        result[key] = combine(valued) if valued else values.get(key)
        return result[key]

    for key in [*values, *parents, *children]:
        visit(key, frozenset({key}))
    return result


def roll_up_mean(
    values: Mapping[str, Value], parents: Mapping[str, str | None]
) -> dict[str, Value]:
    """Progress up the subtask tree: a parent gets the mean of its valued children."""
    return _roll_up(values, parents, lambda valued: sum(valued) / len(valued))


def roll_up_sum(values: Mapping[str, Value], parents: Mapping[str, str | None]) -> dict[str, Value]:
    """Amounts up the subtask tree: a parent gets the sum of its valued children."""
    return _roll_up(values, parents, sum)
