"""The appendix's rows as an outline: the total and the total-in-words rows set apart, the
others nested by their numbering (I, II / 1, 2 / a), b) / -) and bold text, like headings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kehoach_flow.importing.appendix import Appendix, Row
from kehoach_flow.text import fold

DETAILS = ("result", "lead", "partners", "schedule", "funding", "start", "end")
_MARKER_CELL = re.compile(r"([IVXLC]+|[ivx]{2,}|\d+(?:\.\d+)*|[A-Za-zđ]|[-+•*–])\s*[.)]?")
_MARKER_TEXT = re.compile(r"([IVXLC]+[.)]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[A-Z][.)]|[-+•*–])\s+")
# The whole label of a total row: "Tổng cộng", "Tổng số:", "Tổng cộng (I+II)", "TỔNG"
_TOTAL = re.compile(
    r"^(tong cong|tong so|tong)( kinh phi| chung| toan bo)?\s*(\([^)]*\))?\s*[:.]?$"
)
# "Cộng", "Cộng mục I", "Cộng (1)": the sum of the section above, written under its rows
_SUBTOTAL = re.compile(r"^cong(?: muc)?\s*\(?\s*([ivxlc]+|\d+(?:\.\d+)*|[a-z])?\s*\)?\s*[.:]?$")
IN_WORDS = re.compile(r"bang chu\s*:?", re.I)


@dataclass(frozen=True)
class InWords:
    """The plan's total written in words ("Bằng chữ: ..."), and where."""

    where: str
    text: str


@dataclass(frozen=True)
class TableParts:
    """The appendix's rows sorted: the rows of sections and tasks, the "Tổng cộng" row, the
    total in words (a row of the table or a line under it)."""

    rows: list[Row]
    total: Row | None
    words: InWords | None


@dataclass
class Node:
    row: Row
    marker: str
    style: str
    title: str
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    subtotal: Row | None = None  # a "Cộng mục" row under this section

    def details(self) -> bool:
        return any(self.row.get(role) for role in DETAILS)


def table_parts(appendix: Appendix) -> TableParts:
    rows: list[Row] = []
    total: Row | None = None
    words: InWords | None = None
    for row in appendix.rows:
        label = fold(row.get("content") or row.label)
        if IN_WORDS.search(fold(row.text)):
            words = InWords(row.where, row.text)
        elif _TOTAL.match(label) and not marker_of(row)[0]:
            total = row
        else:
            rows.append(row)
    if words is None:
        for line in appendix.closing:
            if IN_WORDS.search(fold(line)):
                words = InWords("dưới bảng", line)
                break
    return TableParts(rows, total, words)


def outline(rows: list[Row]) -> list[Node]:
    """Nest rows by their numbering: a style not open yet goes one level deeper, a style
    already open closes the levels below it (like an outline)."""
    roots: list[Node] = []
    stack: list[Node] = []
    for row in rows:
        closing = _SUBTOTAL.match(fold(row.get("content") or row.label))
        if closing and stack:
            named = closing.group(1)
            owner = next((n for n in stack if named and n.marker.lower() == named), stack[0])
            owner.subtotal = row
            continue
        node = _node(row, stack)
        open_at = next((i for i, n in enumerate(stack) if n.style == node.style), None)
        if node.style == "bold":
            # an unnumbered heading is a sibling of the heading open above it
            headings = [i for i, n in enumerate(stack) if n.row.bold and not n.details()]
            open_at = headings[-1] if headings else open_at
        if open_at is not None:
            del stack[open_at:]
        node.parent = stack[-1] if stack else None
        (node.parent.children if node.parent else roots).append(node)
        stack.append(node)
    return roots


def _node(row: Row, stack: list[Node]) -> Node:
    marker, title = marker_of(row)
    style = _style(marker) if marker else ("bold" if row.bold else "none")
    # "C" after "B" is the third part, not a hundred
    if (
        len(marker) == 1
        and style == "roman"
        and any(n.style == "upper" and ord(n.marker) == ord(marker) - 1 for n in stack)
    ):
        style = "upper"
    node = Node(row, marker, style, title)
    if not marker and row.bold and node.details():
        node.style = "none"
    return node


def marker_of(row: Row) -> tuple[str, str]:
    """The row's numbering ("I", "1", "a", "-") and its content without it."""
    content = row.get("content")
    number = row.get("number")
    if number and not content and not _MARKER_CELL.fullmatch(number):
        content, number = number, ""  # "I. KIỂM TRA" merged across the row
    if number:
        if re.fullmatch(r"\d+(,\d+)+", number):  # "1.1" that Excel stored as the number 1,1
            number = number.replace(",", ".")
        bullet = re.match(r"[-+•*–]\s+", content)  # "1" in the number column and "- " in the text
        content = content[bullet.end() :] if bullet else content
        match = _MARKER_CELL.fullmatch(number)
        if match:
            return match.group(1), content
        return re.sub(r"[^A-Za-z0-9.]+", "", number), content  # an odd number, its own style
    match = _MARKER_TEXT.match(content)
    if match:
        return match.group(1).rstrip(".)"), content[match.end() :].strip()
    return "", content


def _style(marker: str) -> str:
    if marker in ("-", "–"):
        return "dash"
    if marker in ("+",):
        return "plus"
    if marker in ("•", "*"):
        return "bullet"
    if re.fullmatch(r"[IVXLC]+", marker):
        return "roman"
    if re.fullmatch(r"[ivx]{2,}", marker):
        return "roman-lower"
    if re.fullmatch(r"\d+(\.\d+)*", marker):
        return f"arabic{marker.count('.') + 1}"
    if re.fullmatch(r"[a-zđ]", marker):
        return "letter"
    if re.fullmatch(r"[A-Z]", marker):
        return "upper"
    return "other"


def is_section(node: Node) -> bool:
    """A heading: bold or without any details of its own, with rows under it; at the top
    level a bold line without details is a heading even with nothing under it yet. A
    section cannot sit inside a task."""
    if node.parent is not None and not is_section(node.parent):  # (which checks its own)
        return False
    heading = node.row.bold or not node.details()
    if node.children:
        return heading
    return (
        node.parent is None and node.row.bold and not node.details() and not node.row.get("amount")
    )


def ancestor_with(node: Node | None, role: str) -> Node | None:
    while node is not None:
        if node.row.get(role):
            return node
        node = node.parent
    return None


def inherits(node: Node | None, role: str) -> bool:
    return ancestor_with(node, role) is not None


def all_rows(nodes: list[Node]) -> Iterable[Row]:
    for node in nodes:
        yield node.row
        yield from all_rows(node.children)


def task_nodes(nodes: list[Node], section: str) -> Iterable[tuple[Node, str]]:
    """Every task row with the title of the section it is in."""
    for node in nodes:
        if is_section(node):
            yield from task_nodes(node.children, node.title)
        else:
            yield node, section
            yield from task_nodes(node.children, section)


def clean_title(title: str) -> tuple[str, str | None]:
    """Drop a closing quote with no opening one (“996/QĐ-TTg”;” in seed 001)."""
    cleaned, notes = title, []
    for opening, closing in (("“", "”"), ("«", "»")):
        if cleaned.count(closing) > cleaned.count(opening):
            depth, out = 0, []
            for char in cleaned:
                if char == opening:
                    depth += 1
                elif char == closing:
                    if depth == 0:
                        notes.append(f"bỏ dấu {closing} thừa")
                        continue
                    depth -= 1
                out.append(char)
            cleaned = "".join(out)
    cleaned = re.sub(r"\s+([;,.])", r"\1", cleaned).strip()
    return cleaned, "; ".join(notes) or None
