"""YAML documents that can say where any value was written (file, line, column).

Values come from yaml-rs, a YAML parser in Rust about five times faster than PyYAML's
composer on large plans; it refuses duplicate keys and parses the YAML 1.2 core schema, so
"No" or "on" stay text. Positions come from PyYAML's node tree, composed only when a problem
must be located, and PyYAML also words the syntax and duplicate-key errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
import yaml_rs

from kehoach_flow.errors import Problem

Loc = tuple[str | int, ...]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"


@dataclass
class SourceDoc:
    """Plain data from one YAML file plus its node tree for positions."""

    file: str
    data: Any
    root: yaml.Node | None = None
    text: str | None = None

    def tree(self) -> yaml.Node | None:
        """The node tree, composed from the text on first use."""
        if self.root is None and self.text is not None:
            loader = _Loader(self.text)
            try:
                self.root = loader.get_single_node()
            except yaml.YAMLError:
                self.text = None
            finally:
                loader.dispose()
        return self.root

    def locate(self, loc: Loc, at_key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the deepest node named by `loc`.

        Elements of `loc` that are not data keys (pydantic adds type tags such as
        "list[FundingLine]" to its error locations) are skipped. With `at_key`, a mapping
        entry is located by its key rather than its value (which may start lines later).
        """
        node = self.tree()
        if node is None:
            return (1, 1)
        key: yaml.Node | None = None
        for part in loc:
            child = _child(node, part)
            if child is not None:
                key, node = child
        mark = (key if at_key and key is not None else node).start_mark
        return mark.line + 1, mark.column + 1

    def problem(self, loc: Loc, message: str, at_key: bool = False) -> Problem:
        line, column = self.locate(loc, at_key)
        return Problem(self.file, line, column, message)


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    """(key node or None, value node) of one step down the tree."""
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return None, node.value[part]
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return key_node, value_node
    return None


class _Builder:
    """Turns composed nodes into plain values; reports duplicate keys on the way."""

    def __init__(self, file: str, loader: yaml.SafeLoader) -> None:
        self.file = file
        self.loader = loader
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR:
                return node.value
            try:
                return self.loader.construct_object(node, deep=True)
            except ValueError:
                # A date such as 2024-02-30, or an !!int that is no number: keep the text and
                # let the model say what the field needs, at this node's position.
                return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        return self.loader.construct_object(node, deep=True)  # pragma: no cover

    def _mapping(self, node: yaml.MappingNode) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node)
            if isinstance(key, int | float) and not isinstance(key, bool):
                key = str(key)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                mark = key_node.start_mark
                message = f'khóa "{key}" bị lặp lại trong cùng một khối'
                self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message))
                continue
            result[key] = self.build(value_node)
        return result


def read_yaml(path: Path, display: str | None = None) -> tuple[SourceDoc, list[Problem]]:
    """Parse one YAML file; syntax errors come back as problems, never as exceptions."""
    name = display or str(path)
    doc = SourceDoc(name, None)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode()) + 1
        return doc, [Problem(name, line, column, f"tệp không phải UTF-8 ({exc.reason})")]
    try:
        data = yaml_rs.loads(text)
    except yaml_rs.YAMLDecodeError as exc:
        return _read_slowly(doc, text, str(exc))
    if data is None:
        return _read_slowly(doc, text, "tệp trống")
    return SourceDoc(name, data, text=text), []


def _read_slowly(doc: SourceDoc, text: str, fast_error: str) -> tuple[SourceDoc, list[Problem]]:
    """PyYAML's reading of a file yaml-rs refused: located, worded problems (and data)."""
    name = doc.file
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return doc, [Problem(name, 1, 1, "tệp trống")]
        builder = _Builder(name, loader)
        doc.data = builder.build(node)
        doc.root = node
        return doc, builder.problems or [_fast_problem(name, fast_error)]
    except yaml.MarkedYAMLError as exc:
        return doc, [_syntax_problem(name, text, exc)]
    finally:
        loader.dispose()


def _fast_problem(name: str, message: str) -> Problem:
    """yaml-rs refused what PyYAML read: report yaml-rs's own words and position."""
    found = re.search(r"line (\d+), column (\d+)", message)
    line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
    first = message.strip().splitlines()[0] if message.strip() else "lỗi cú pháp"
    return Problem(name, line, column, f"lỗi cú pháp YAML: {first}")


_OPENERS = ("while scanning a quoted scalar", "while parsing a flow")


def _syntax_problem(name: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error, placed where a coordinator should look.

    An unclosed quote or bracket is only noticed lines later (at the end of the file, or at
    the next quote, which then closes it), so those point back at the opening character and
    still say where the parser gave up.
    """
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or "lỗi cú pháp"
    if mark is None:
        return Problem(name, 1, 1, f"lỗi cú pháp YAML: {what}")
    context = exc.context or ""
    opened = exc.context_mark if context.startswith(_OPENERS) else _runaway_quote(text, mark)
    if opened is None or opened.line == mark.line:
        return Problem(name, mark.line + 1, mark.column + 1, f"lỗi cú pháp YAML: {what}")
    lines = text.split("\n")
    line = lines[opened.line] if opened.line < len(lines) else ""
    char = line[opened.column] if opened.column < len(line) else "ngoặc"
    message = f"lỗi cú pháp YAML: dấu {char} mở ở đây chưa được đóng (dòng {mark.line + 1}: {what})"
    return Problem(name, opened.line + 1, opened.column + 1, message)


def _runaway_quote(text: str, mark: yaml.Mark) -> yaml.Mark | None:
    """Start of a quoted string that runs over several lines and ends on the error's line."""
    start = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            end = token.end_mark
            if end.line > mark.line:
                break
            quoted = isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
            if quoted and end.line == mark.line and token.start_mark.line < end.line:
                start = token.start_mark
    except yaml.YAMLError:
        pass
    return start
