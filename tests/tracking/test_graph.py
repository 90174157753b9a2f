"""The task graph: the latest-due chain, open dependencies, Mermaid/DOT drawings and roll-ups."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kehoach_flow.tracking.graph import (
    GraphTask,
    latest_due_chain,
    roll_up_mean,
    roll_up_sum,
    to_dot,
    to_mermaid,
)

NASTY_TITLE = 'Báo cáo "nhanh" <khẩn> & [đợt 1] về đo lường'


def task(
    key: str,
    start: str,
    due: str,
    *deps: str,
    parent: str | None = None,
    done: bool = False,
    status_label: str = "",
) -> GraphTask:
    return GraphTask(
        key=key,
        title=f"Nhiệm vụ {key}",
        start=date.fromisoformat(start),
        due=date.fromisoformat(due),
        depends_on=deps,
        parent=parent,
        done=done,
        status_label=status_label,
    )


PLAN = [
    task("khao-sat", "2024-01-01", "2024-01-31", done=True),
    task("du-thao", "2024-02-01", "2024-02-28", "khao-sat"),
    task("lay-y-kien", "2024-02-01", "2024-03-15", "khao-sat", status_label="Đang thực hiện"),
    task("hoan-thien", "2024-03-01", "2024-04-30", "du-thao", "lay-y-kien"),
    task("ban-hanh", "2024-05-01", "2024-06-30", "hoan-thien", "chua-co-trong-ke-hoach"),
    task("truyen-thong", "2024-01-01", "2024-12-31"),
    task("truyen-thong-quy-1", "2024-01-01", "2024-03-31", parent="truyen-thong", done=True),
]
PATH = ["khao-sat", "lay-y-kien", "hoan-thien", "ban-hanh"]


# --- latest-due chain ----------------------------------------------------------------------


def test_latest_due_chain_follows_latest_due_dependency_back_from_latest_linked_task() -> None:
    # truyen-thong is due last but has no links, so the path ends at ban-hanh.
    assert latest_due_chain(PLAN) == PATH


def test_latest_due_chain_is_empty_when_no_task_has_dependencies() -> None:
    tasks = [task("a", "2024-01-01", "2024-02-01"), task("b", "2024-01-01", "2024-03-01")]
    assert latest_due_chain(tasks) == []


def test_latest_due_chain_ignores_unknown_dependencies() -> None:
    tasks = [
        task("a", "2024-01-01", "2024-02-01"),
        task("b", "2024-01-01", "2024-03-01", "a"),
        task("late", "2024-01-01", "2024-12-31", "khong-ton-tai"),
    ]
    assert latest_due_chain(tasks) == ["a", "b"]
    assert latest_due_chain([tasks[0], tasks[2]]) == []


def test_latest_due_chain_breaks_due_ties_by_later_start_then_key() -> None:
    tasks = [
        task("x", "2024-02-01", "2024-03-31"),
        task("y", "2024-03-01", "2024-03-31"),
        task("end", "2024-04-01", "2024-06-30", "x", "y"),
    ]
    assert latest_due_chain(tasks) == ["y", "end"]
    tasks = [
        task("p", "2024-03-01", "2024-03-31"),
        task("q", "2024-03-01", "2024-03-31"),
        task("end", "2024-04-01", "2024-06-30", "p", "q"),
    ]
    assert latest_due_chain(tasks) == ["q", "end"]


def test_latest_due_chain_start_tie_picks_later_start() -> None:
    tasks = [
        task("a", "2024-01-01", "2024-02-01"),
        task("b", "2024-03-01", "2024-06-30", "a"),
        task("c", "2024-05-01", "2024-06-30", "a"),
    ]
    assert latest_due_chain(tasks) == ["a", "c"]


def test_latest_due_chain_terminates_on_a_cycle() -> None:
    tasks = [
        task("a", "2024-01-01", "2024-03-01", "c"),
        task("b", "2024-01-01", "2024-04-01", "a"),
        task("c", "2024-01-01", "2024-05-01", "b"),
        task("self", "2024-01-01", "2024-02-01", "self"),
    ]
    path = latest_due_chain(tasks)
    assert path == ["a", "b", "c"]
    assert latest_due_chain([tasks[3]]) == ["self"]


# --- open dependencies ---------------------------------------------------------------------


# --- Mermaid -------------------------------------------------------------------------------

MERMAID_NODE = re.compile(r'^    (t_\w+)\["([^"\[\]]*)"\]$')
MERMAID_EDGE = re.compile(r"^    (t_\w+) (-->|==>|-\.->) (t_\w+)$")
MERMAID_CLASS = re.compile(r"^    class ([\w,]+) (critical|done)$")
MERMAID_OTHER = re.compile(r"^(flowchart LR|    classDef \w+ [^;]+|    linkStyle [\d,]+ [^;]+)$")


def decode_mermaid(text: str) -> str:
    names = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}
    return re.sub(r"#(\w+);", lambda m: names.get(m[1]) or chr(int(m[1])), text)


def parse_mermaid(
    text: str,
) -> tuple[dict[str, str], list[tuple[str, str, str]], dict[str, set[str]]]:
    """Nodes, edges and classes; fails on any line outside the grammar we emit."""
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    classes: dict[str, set[str]] = {}
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    for line in lines:
        if m := MERMAID_NODE.match(line):
            nodes[m[1]] = m[2]
        elif m := MERMAID_EDGE.match(line):
            edges.append((m[1], m[2], m[3]))
        elif m := MERMAID_CLASS.match(line):
            classes[m[2]] = set(m[1].split(","))
        else:
            assert MERMAID_OTHER.match(line), line
    assert all(src in nodes and dst in nodes for src, _, dst in edges)
    return nodes, edges, classes


def test_mermaid_has_a_node_per_task_and_an_edge_per_link() -> None:
    nodes, edges, _ = parse_mermaid(to_mermaid(PLAN))
    assert len(nodes) == len(PLAN)
    assert sorted(arrow for _, arrow, _ in edges) == ["-->"] * 5 + ["-.->"]
    assert ("t_khao_sat", "-->", "t_du_thao") in edges
    assert ("t_truyen_thong", "-.->", "t_truyen_thong_quy_1") in edges
    assert not any("chua_co" in src or "chua_co" in dst for src, _, dst in edges)


def test_mermaid_marks_latest_due_chain_exactly() -> None:
    text = to_mermaid(PLAN, chain=PATH)
    _, edges, classes = parse_mermaid(text)
    path_ids = {"t_" + key.replace("-", "_") for key in PATH}
    assert classes["critical"] == path_ids
    thick = {(src, dst) for src, arrow, dst in edges if arrow == "==>"}
    assert thick == {
        ("t_" + a.replace("-", "_"), "t_" + b.replace("-", "_")) for a, b in pairwise(PATH)
    }
    assert classes["done"] == {"t_khao_sat", "t_truyen_thong_quy_1"}
    assert "linkStyle" in text
    assert "critical" not in parse_mermaid(to_mermaid(PLAN))[2]


def test_mermaid_label_has_key_short_title_due_and_status() -> None:
    nodes, _, _ = parse_mermaid(to_mermaid(PLAN))
    assert nodes["t_lay_y_kien"].split("<br/>") == [
        "lay-y-kien",
        "Nhiệm vụ lay-y-kien",
        "15/03/2024",
        "Đang thực hiện",
    ]
    assert nodes["t_du_thao"].split("<br/>")[-1] == "28/02/2024"


def test_mermaid_escapes_quotes_brackets_and_entities() -> None:
    tricky = GraphTask("bao-cao", NASTY_TITLE, date(2024, 1, 1), date(2024, 1, 31))
    nodes, _, _ = parse_mermaid(to_mermaid([tricky]))
    label = nodes["t_bao_cao"]
    title = label.split("<br/>")[1]
    assert title.startswith("Báo cáo #quot;nhanh#quot; #lt;khẩn#gt; #amp; #91;đợt 1#93;")
    assert decode_mermaid(title) == NASTY_TITLE[:39].rstrip() + "…"
    assert "<" not in label.replace("<br/>", "")


def test_mermaid_ids_are_sanitised_unique_and_not_reserved() -> None:
    tasks = [
        GraphTask(key, "t", date(2024, 1, 1), date(2024, 2, 1))
        for key in ["end", "a-b", "a_b", "2.1 ư"]
    ]
    nodes, _, _ = parse_mermaid(to_mermaid(tasks))
    assert len(nodes) == 4
    assert "t_end" in nodes


@given(st.text(max_size=80), st.text(max_size=20))
@example("<br/>", "<br/>")
def test_mermaid_node_line_stays_valid_for_any_title(title: str, label: str) -> None:
    tricky = GraphTask("k", title, date(2024, 1, 1), date(2024, 1, 31), status_label=label)
    nodes, _, _ = parse_mermaid(to_mermaid([tricky]))
    assert list(nodes) == ["t_k"]
    # Split on the label's own line breaks first: a title may itself contain "<br/>".
    shown = decode_mermaid(nodes["t_k"].split("<br/>")[1])
    assert shown == " ".join(title.split())[:39].rstrip() + "…" or shown == " ".join(title.split())


# --- DOT -----------------------------------------------------------------------------------

DOT_STRING = r'"(?:[^"\\\n]|\\.)*"'
DOT_ATTRS = rf"(?: \[(?:\w+=(?:{DOT_STRING}|[\w.]+)(?:, )?)+\])?"
DOT_NODE = re.compile(rf"^  ({DOT_STRING}){DOT_ATTRS};$")
DOT_EDGE = re.compile(rf"^  ({DOT_STRING}) -> ({DOT_STRING})({DOT_ATTRS});$")


def unquote(token: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], token[1:-1])


def parse_dot(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    lines = text.rstrip("\n").split("\n")  # only "\n" ends a DOT line; "\f" may sit in a string
    assert lines[:3] == ["digraph plan {", "  rankdir=LR;", "  node [shape=box];"]
    assert lines[-1] == "}"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    for line in lines[3:-1]:
        if m := DOT_EDGE.match(line):
            edges.append((unquote(m[1]), unquote(m[2]), m[3]))
        else:
            m = DOT_NODE.match(line)
            assert m, line
            nodes[unquote(m[1])] = line
    return nodes, edges


def test_dot_has_nodes_edges_and_dashed_subtasks() -> None:
    nodes, edges = parse_dot(to_dot(PLAN))
    assert set(nodes) == {t.key for t in PLAN}
    assert len([e for e in edges if "dashed" not in e[2]]) == 5
    assert [e[:2] for e in edges if "dashed" in e[2]] == [("truyen-thong", "truyen-thong-quy-1")]
    assert "fillcolor=grey" in nodes["khao-sat"] and "filled" in nodes["khao-sat"]
    assert "fillcolor" not in nodes["du-thao"]


def test_dot_marks_latest_due_chain_red_and_bold_exactly() -> None:
    nodes, edges = parse_dot(to_dot(PLAN, chain=PATH))
    assert {key for key, line in nodes.items() if "color=red" in line} == set(PATH)
    assert all("bold" in nodes[key] for key in PATH)
    red = {(src, dst) for src, dst, attrs in edges if "color=red" in attrs}
    assert red == set(pairwise(PATH))
    assert all("style=bold" in attrs for _, _, attrs in edges if "color=red" in attrs)


def test_dot_escapes_backslashes_quotes_newlines() -> None:
    title = 'Đường dẫn C:\\du-lieu "mới"\ndòng hai ư'
    text = to_dot([GraphTask('k"1', title, date(2024, 1, 1), date(2024, 1, 31))])
    assert '"k\\"1"' in text
    assert 'C:\\\\du-lieu \\"mới\\" dòng hai ư' in text  # the title's own newline folds to a space
    assert "\\n01/01/2024" not in text and "\\n31/01/2024" in text
    nodes, _ = parse_dot(text)
    assert list(nodes) == ['k"1']


@given(st.text(max_size=60), st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}", fullmatch=True))
def test_dot_label_round_trips_for_any_text(title: str, key: str) -> None:
    """Any title; keys as the loader allows them (it refuses spaces and line breaks)."""
    text = to_dot([GraphTask(key, title, date(2024, 1, 1), date(2024, 1, 31))])
    nodes, _ = parse_dot(text)
    key = key.replace("\r\n", "\n").replace("\r", "\n")
    assert list(nodes) == [key]
    label = re.search(rf"label=({DOT_STRING})", nodes[key])
    assert label is not None
    assert unquote(label[1]).startswith(key.replace("&", "&amp;") + "\n")


def test_dot_output_is_accepted_by_graphviz() -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed; escaping is checked by the tests above")
    tricky = GraphTask(
        "bao-cao", NASTY_TITLE, date(2024, 1, 1), date(2024, 1, 31), depends_on=("khao-sat",)
    )
    run = subprocess.run(
        ["dot", "-Tsvg"],
        input=to_dot([*PLAN, tricky], PATH),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "khẩn" in run.stdout


# --- roll-ups ------------------------------------------------------------------------------

PARENTS: dict[str, str | None] = {
    "root": None,
    "g1": "root",
    "g2": "root",
    "g3": "root",
    "l1": "g1",
    "l2": "g1",
    "l3": "g1",
    "l4": "g2",
    "l5": "g3",
}


def test_roll_up_mean_averages_children_recursively_skipping_none() -> None:
    values = {
        "root": 0,
        "g1": 0,
        "g2": 5,
        "g3": 40,
        "l1": 10,
        "l2": None,
        "l3": 50,
        "l4": 100,
        "l5": None,
    }
    rolled = roll_up_mean(values, PARENTS)
    assert rolled["g1"] == 30  # (10 + 50) / 2, l2 ignored
    assert rolled["g2"] == 100
    assert rolled["g3"] == 40  # no valued child: keeps its own
    assert rolled["root"] == pytest.approx((30 + 100 + 40) / 3)
    assert rolled["l1"] == 10 and rolled["l2"] is None


def test_roll_up_sum_adds_children_recursively_skipping_none() -> None:
    values = {"g1": 999, "g3": 7, "l1": 10, "l2": None, "l3": 50, "l4": 100, "l5": None}
    rolled = roll_up_sum(values, PARENTS)
    assert rolled == {
        "root": 60 + 100 + 7,
        "g1": 60,
        "g2": 100,
        "g3": 7,
        "l1": 10,
        "l2": None,
        "l3": 50,
        "l4": 100,
        "l5": None,
    }
    assert isinstance(rolled["root"], int)


def test_roll_up_terminates_on_a_parent_cycle() -> None:
    rolled = roll_up_sum({"a": 1, "b": 2}, {"a": "b", "b": "a"})
    assert set(rolled) == {"a", "b"}


# --- property: latest-due chain on random DAGs ---------------------------------------------


@st.composite
def dags(draw: st.DrawFn) -> list[GraphTask]:
    size = draw(st.integers(min_value=1, max_value=12))
    base = date(2024, 1, 1)
    tasks = []
    for index in range(size):
        start = base + timedelta(days=draw(st.integers(0, 200)))
        due = start + timedelta(days=draw(st.integers(0, 200)))
        # Edges only point to lower indexes, so the graph has no cycle.
        deps = draw(st.sets(st.integers(0, index - 1), max_size=3)) if index else set()
        tasks.append(GraphTask(f"t{index}", "x", start, due, tuple(f"t{d}" for d in sorted(deps))))
    return tasks


@settings(max_examples=300)
@given(dags())
def test_latest_due_chain_is_a_dependency_chain_ending_at_latest_linked_task(
    tasks: list[GraphTask],
) -> None:
    by_key = {t.key: t for t in tasks}
    linked = {t.key for t in tasks if t.depends_on} | {d for t in tasks for d in t.depends_on}
    path = latest_due_chain(tasks)
    if not linked:
        assert path == []
        return
    assert path and len(set(path)) == len(path)
    for earlier, later in pairwise(path):
        deps = by_key[later].depends_on
        assert earlier in deps
        assert by_key[earlier].due == max(by_key[d].due for d in deps)
    assert by_key[path[-1]].due == max(by_key[key].due for key in linked)
    assert by_key[path[0]].depends_on == ()
