"""A plan's task dependencies checked: each names a task of the plan due no later than its
dependent, no `renamed_from` takes a live key, and no chain of dependencies loops."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kehoach_flow.definitions.catalog import TaskDef
from kehoach_flow.definitions.source import Loc


def dependency_problems(
    tasks_in_order: Sequence[TaskDef], locs: Mapping[str, Loc]
) -> list[tuple[Loc, str]]:
    """Where each fault is (the task's location in the file) and what it is, in task order."""
    problems: list[tuple[Loc, str]] = []
    tasks = {t.key: t for t in tasks_in_order}
    for task in tasks_in_order:
        loc = locs[task.key]
        for i, dep in enumerate(task.depends_on):
            other = tasks.get(dep)
            if other is None:
                message = f'nhiệm vụ phụ thuộc "{dep}" không có trong kế hoạch'
                problems.append(((*loc, "depends_on", i), message))
            elif other.due > task.due:
                message = (
                    f'nhiệm vụ phụ thuộc "{dep}" có hạn {other.due:%d/%m/%Y}, muộn hơn hạn '
                    f"{task.due:%d/%m/%Y} của nhiệm vụ này"
                )
                problems.append(((*loc, "depends_on", i), message))
        names = {n for old in task.renamed_from for n in [old] if n in tasks}
        for name in names:
            message = f'"renamed_from: {name}" trùng khóa một nhiệm vụ đang có'
            problems.append(((*loc, "renamed_from"), message))
    for cycle in _cycles({t.key: [d for d in t.depends_on if d in tasks] for t in tasks_in_order}):
        path = " → ".join([*cycle, cycle[0]])
        # Point at the dependency that closes the loop, not at the start of the list.
        edge = tasks[cycle[0]].depends_on.index([*cycle, cycle[0]][1])
        problems.append(((*locs[cycle[0]], "depends_on", edge), f"phụ thuộc vòng tròn: {path}"))
    return problems


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each elementary cycle found by a depth-first walk, reported once."""
    state: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt) :])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    return found
