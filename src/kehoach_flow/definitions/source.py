"""YAML documents that can say where any value was written (file, line, column).

One reader for every definition file: `kehoach load`, `kehoach validate` and the web's
/dinh-nghia upload. It never reads more than it has checked:

- a file over MAX_FILE_BYTES, not UTF-8, or holding a control character (NUL included) is
  refused, at that character, before any parsing;
- values are built in one pass, without recursion, from the events of PyYAML's C parser
  (libyaml): a second document, nesting deeper than MAX_DEPTH, an alias to an unknown or
  enclosing anchor, and aliases that would repeat more than MAX_ALIASES times or
  MAX_ALIAS_WEIGHT nodes and characters stop the read at that event's line and column. An
  alias is the anchored value itself, never a copy, so nothing is expanded before it counts;
- scalars follow the YAML 1.2 core schema ("No" and "on" stay text, 010 is ten) plus dates
  and "_" in numbers; a repeated key is reported at the repetition;
- syntax errors are worded in Vietnamese at libyaml's position.

Positions of values come from PyYAML's node tree, composed only when a problem must be
located (aliases share their node there, so composing expands nothing). The values are built
in yaml_values.py, syntax errors worded in yaml_syntax.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kehoach_flow.definitions.yaml_syntax import syntax_problem
from kehoach_flow.definitions.yaml_values import Loader, StopReading, ValueReader
from kehoach_flow.errors import Problem
from kehoach_flow.numbers import format_number

Loc = tuple[str | int, ...]

MAX_FILE_BYTES = 10 * 1024 * 1024  # the largest plan of the national dataset is 155 KB

# Everything YAML accepts in a file; the rest (NUL, other control characters, U+FFFE/FFFF)
# is refused before parsing. (Strictly decoded UTF-8 holds no surrogates.)
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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
            loader = Loader(self.text)
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


def read_yaml(path: Path, display: str | None = None) -> tuple[SourceDoc, list[Problem]]:
    """Parse one YAML file; every fault comes back as a located problem, never an exception."""
    with path.open("rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)  # never more: the path may be a device or a pipe
    return read_yaml_bytes(raw, display or str(path))


def read_yaml_bytes(raw: bytes, name: str) -> tuple[SourceDoc, list[Problem]]:
    """`read_yaml` for the bytes of a file called `name`."""
    doc = SourceDoc(name, None)
    if len(raw) > MAX_FILE_BYTES:
        limit = format_number(MAX_FILE_BYTES // 1024 // 1024)
        return doc, [Problem(name, 1, 1, f"tệp quá lớn: tối đa {limit} MB cho một tệp")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode()) + 1
        return doc, [Problem(name, line, column, f"tệp không phải UTF-8 ({exc.reason})")]
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        line, column = _position(text, bad.start())
        return doc, [Problem(name, line, column, _forbidden_message(bad.group()))]
    parser = Loader(text)
    problems: list[Problem] = []
    try:
        doc.data = ValueReader(name, problems).read(parser)
    except StopReading as stop:
        mark = stop.mark
        return doc, [Problem(name, mark.line + 1, mark.column + 1, stop.message)]
    except yaml.MarkedYAMLError as exc:
        return doc, [syntax_problem(name, text, exc)]
    except yaml.YAMLError:  # pragma: no cover  (the checks above leave libyaml nothing else)
        return doc, [Problem(name, 1, 1, "lỗi cú pháp YAML")]
    finally:
        parser.dispose()
    if doc.data is None:
        return doc, [*problems, Problem(name, 1, 1, "tệp trống")]
    doc.text = text
    return doc, problems


def _position(text: str, index: int) -> tuple[int, int]:
    """Line and column (1-based) of a character of `text`."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def _forbidden_message(char: str) -> str:
    code = ord(char)
    name = "NUL" if code == 0 else f"U+{code:04X}"
    if code < 0x20 or 0x7F <= code < 0xA0:
        return f"tệp chứa ký tự điều khiển {name}: xóa ký tự này (tệp YAML chỉ nhận văn bản)"
    return f"tệp chứa ký tự không hợp lệ {name}: xóa ký tự này"
