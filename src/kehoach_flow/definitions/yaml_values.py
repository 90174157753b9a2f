"""Plain values built in one pass from the events of PyYAML's C parser, every limit checked
as the events come (see source.py's notes): the reader behind every definition file."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from kehoach_flow.errors import Problem
from kehoach_flow.numbers import format_number

MAX_DEPTH = 64  # nested blocks; a plan with sections in sections needs about a dozen
MAX_ALIASES = 10_000  # uses of *alias in one file
MAX_ALIAS_WEIGHT = 1_000_000  # nodes plus characters the aliases of one file may repeat

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_TAG = "tag:yaml.org,2002:"
_STR = _YAML_TAG + "str"
_SEQ = _YAML_TAG + "seq"
_MAP = _YAML_TAG + "map"
_TIMESTAMP = _YAML_TAG + "timestamp"
_SCALAR_TAGS = frozenset(_YAML_TAG + t for t in ("int", "float", "bool", "null", "timestamp"))


class StopReading(Exception):
    """A fault after which the rest of the file cannot be read sensibly."""

    def __init__(self, mark: Any, message: str) -> None:  # a Mark of yaml or of yaml._yaml
        super().__init__(message)
        self.mark = mark
        self.message = message


_NO_KEY: Any = object()


class ValueReader:
    """Plain values from a parser's events, checked as they come (see the module's notes).

    The weight of a value is what an alias to it repeats: one per node plus the characters
    of its scalars (aliases inside it counted expanded). One loop, hot for large plans.
    """

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.aliases = 0
        self.repeated = 0

    def read(self, parser: yaml.SafeLoader) -> Any:  # one flat loop: hot for large plans
        get = parser.get_event
        anchors = self.anchors
        containers: list[Any] = []  # the open collections, innermost last
        keys: list[Any] = []  # for each: its pending key (_NO_KEY: none), None for a sequence
        key_marks: list[Any] = []
        opened: list[tuple[str | None, int]] = []  # for each: its anchor, the weight before it
        root: Any = None
        total = 0  # weight read so far
        documents = 0
        event = get()
        while event is not None:
            kind = type(event)
            if kind is ScalarEvent:
                text = event.value
                total += 1 + len(text)
                if keys and keys[-1] is _NO_KEY and event.tag is None and event.anchor is None:
                    keys[-1] = text  # a key is a name: kept as written (010 stays "010")
                    key_marks[-1] = event.start_mark
                    event = get()
                    continue
                if event.tag is not None:
                    value = _tagged(event, event.tag)
                elif event.implicit[0] and (not text or text[0] in _MAYBE_TYPED):
                    value = _typed(text)
                else:
                    value = text
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1 + len(text))
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                mapping = kind is MappingStartEvent
                if len(containers) >= MAX_DEPTH:
                    message = f"các khối lồng nhau quá sâu: tối đa {MAX_DEPTH} cấp"
                    raise StopReading(event.start_mark, message)
                if event.tag not in (None, "!", _MAP if mapping else _SEQ):
                    raise StopReading(event.start_mark, _tag_message(event.tag))
                containers.append({} if mapping else [])
                keys.append(_NO_KEY if mapping else None)
                key_marks.append(None)
                opened.append((event.anchor, total))
                total += 1
                event = get()
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value = containers.pop()
                keys.pop()
                key_marks.pop()
                anchor, before = opened.pop()
                if anchor is not None:
                    anchors[anchor] = (value, total - before)
            elif kind is AliasEvent:
                value, weight = self._alias(event, opened)
                total += weight
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    message = (
                        "tệp chỉ được chứa một tài liệu YAML: tài liệu thứ hai bắt đầu ở đây "
                        '(bỏ dòng "---" hoặc tách thành tệp riêng)'
                    )
                    raise StopReading(event.start_mark, message)
                event = get()
                continue
            else:
                event = get()
                continue
            if not containers:
                root = value
            else:
                key = keys[-1]
                if key is None:
                    containers[-1].append(value)
                elif key is _NO_KEY:  # a key with an anchor, a tag, or not a scalar
                    keys[-1] = text if kind is ScalarEvent else str(value)
                    key_marks[-1] = event.start_mark
                else:
                    self._put(containers[-1], key, key_marks[-1], value)
                    keys[-1] = _NO_KEY
            event = get()
        return root

    def _put(self, mapping: dict[str, Any], key: str, mark: Any, value: Any) -> None:
        if key in mapping:
            message = f'khóa "{key}" bị lặp lại trong cùng một khối'
            self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message))
        else:
            mapping[key] = value

    def _alias(self, event: AliasEvent, opened: list[tuple[str | None, int]]) -> tuple[Any, int]:
        name = event.anchor or ""
        found = self.anchors.get(name)
        if found is None:
            if any(anchor == name for anchor, _ in opened):
                message = f'bí danh "*{name}" nằm bên trong chính khối "&{name}" mà nó trỏ tới'
            else:
                message = f'bí danh "*{name}" chưa được khai báo: cần "&{name}" ở phía trước'
            raise StopReading(event.start_mark, message)
        self.aliases += 1
        self.repeated += found[1]
        if self.aliases > MAX_ALIASES:
            message = f"tệp dùng quá nhiều bí danh YAML (*): tối đa {format_number(MAX_ALIASES)}"
            raise StopReading(event.start_mark, message)
        if self.repeated > MAX_ALIAS_WEIGHT:
            message = (
                f'bí danh "*{name}" làm tệp phình quá lớn khi mở rộng: các bí danh của một tệp '
                f"được lặp lại tối đa {format_number(MAX_ALIAS_WEIGHT)} phần tử và ký tự"
            )
            raise StopReading(event.start_mark, message)
        return found


def _tagged(event: ScalarEvent, tag: str) -> Any:
    if tag == "!" or tag == _STR:
        return event.value
    if tag in _SCALAR_TAGS:
        return _typed(event.value)
    raise StopReading(event.start_mark, _tag_message(tag))


def _tag_message(tag: str) -> str:
    shown = "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag
    return f'nhãn YAML "{shown}" không được hỗ trợ trong tệp định nghĩa: bỏ nhãn này'


_WORDS: dict[str, Any] = {
    "": None,
    "~": None,
    **dict.fromkeys(("null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
}
_NUMERIC_START = frozenset("0123456789+-.")
_MAYBE_TYPED = _NUMERIC_START | frozenset("~nNtTfF")
_INT = re.compile(r"[-+]?[0-9][0-9_]*")
_BASED_INT = re.compile(r"0x[0-9a-fA-F_]+|0o[0-7_]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMPS = SafeConstructor()


def _typed(text: str) -> Any:
    """The value of a plain scalar: YAML 1.2 core schema, plus dates and "_" in numbers.

    A date that does not exist (2024-02-30) or a number too long to convert stays text, so
    the model says what its field needs, at its position.
    """
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMERIC_START:
        return text
    try:
        if _INT.fullmatch(text):
            return int(text.replace("_", ""))
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
        if _FLOAT.fullmatch(text):
            return float(text.replace("_", ""))
        if _BASED_INT.fullmatch(text):
            return int(text.replace("_", ""), 0)
        if SafeConstructor.timestamp_regexp.fullmatch(text):
            return _TIMESTAMPS.construct_yaml_timestamp(yaml.ScalarNode(_TIMESTAMP, text))
    except ValueError:
        return text
    return text
