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
located (aliases share their node there, so composing expands nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
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

Loc = tuple[str | int, ...]

MAX_FILE_BYTES = 10 * 1024 * 1024  # the largest plan of the national dataset is 155 KB
MAX_DEPTH = 64  # nested blocks; a plan with sections in sections needs about a dozen
MAX_ALIASES = 10_000  # uses of *alias in one file
MAX_ALIAS_WEIGHT = 1_000_000  # nodes plus characters the aliases of one file may repeat

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_TAG = "tag:yaml.org,2002:"
_STR = _YAML_TAG + "str"
_SEQ = _YAML_TAG + "seq"
_MAP = _YAML_TAG + "map"
_TIMESTAMP = _YAML_TAG + "timestamp"
_SCALAR_TAGS = frozenset(_YAML_TAG + t for t in ("int", "float", "bool", "null", "timestamp"))
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
    parser = _Loader(text)
    problems: list[Problem] = []
    try:
        doc.data = _Values(name, problems).read(parser)
    except _Stop as stop:
        mark = stop.mark
        return doc, [Problem(name, mark.line + 1, mark.column + 1, stop.message)]
    except yaml.MarkedYAMLError as exc:
        return doc, [_syntax_problem(name, text, exc)]
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


class _Stop(Exception):
    """A fault after which the rest of the file cannot be read sensibly."""

    def __init__(self, mark: Any, message: str) -> None:  # a Mark of yaml or of yaml._yaml
        super().__init__(message)
        self.mark = mark
        self.message = message


_NO_KEY: Any = object()


class _Values:
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
                    raise _Stop(event.start_mark, message)
                if event.tag not in (None, "!", _MAP if mapping else _SEQ):
                    raise _Stop(event.start_mark, _tag_message(event.tag))
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
                    raise _Stop(event.start_mark, message)
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
            raise _Stop(event.start_mark, message)
        self.aliases += 1
        self.repeated += found[1]
        if self.aliases > MAX_ALIASES:
            message = f"tệp dùng quá nhiều bí danh YAML (*): tối đa {format_number(MAX_ALIASES)}"
            raise _Stop(event.start_mark, message)
        if self.repeated > MAX_ALIAS_WEIGHT:
            message = (
                f'bí danh "*{name}" làm tệp phình quá lớn khi mở rộng: các bí danh của một tệp '
                f"được lặp lại tối đa {format_number(MAX_ALIAS_WEIGHT)} phần tử và ký tự"
            )
            raise _Stop(event.start_mark, message)
        return found


def _tagged(event: ScalarEvent, tag: str) -> Any:
    if tag == "!" or tag == _STR:
        return event.value
    if tag in _SCALAR_TAGS:
        return _typed(event.value)
    raise _Stop(event.start_mark, _tag_message(tag))


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


_OPENERS = ("while scanning a quoted scalar", "while parsing a flow")


def _syntax_problem(name: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error, placed where a coordinator should look.

    An unclosed quote or bracket is only noticed lines later (at the end of the file, or at
    the next quote, which then closes it), so those point back at the opening character and
    still say where the parser gave up.
    """
    mark = exc.problem_mark or exc.context_mark
    what = _syntax_words(exc.problem or "", text, mark)
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


# What libyaml (and PyYAML's pure-Python parser) says, in the words a coordinator reads.
_SYNTAX_WORDS = (
    (r"could not find expected ':'", 'thiếu dấu ":" sau khóa'),
    (
        r"mapping values are not allowed",
        'dấu ":" không được đặt ở đây (văn bản có ": " cần đặt trong dấu ngoặc kép)',
    ),
    (r"mapping keys are not allowed", "không được đặt khóa ở đây"),
    (r"block sequence entries are not allowed", 'không được bắt đầu mục danh sách "-" ở đây'),
    (r"tab character", "thụt lề bằng phím Tab: YAML chỉ nhận dấu cách"),
    (r"expected ',' or '\]'", 'thiếu dấu "," hoặc "]"'),
    (r"expected ',' or '\}'", 'thiếu dấu "," hoặc "}"'),
    (r"expected '-' indicator", 'thiếu dấu "-" của mục danh sách (thụt lề lệch?)'),
    (r"expected key|expected <block end>", "thụt lề không khớp với các dòng phía trên"),
    (r"expected <document start>", "thụt lề không khớp với các dòng phía trên"),
    (r"expected (the )?node content", "thiếu giá trị ở đây"),
    (r"unexpected end of stream", "tệp kết thúc khi giá trị chưa được đóng"),
    (r"unknown escape character", 'ký tự sau dấu "\\" trong chuỗi ngoặc kép không hợp lệ'),
    (r"unexpected document indicator", 'dòng "---" hoặc "..." nằm giữa một giá trị'),
    (r"alphabetic or numeric character", 'tên sau "&" hoặc "*" phải là chữ hoặc số'),
    (r"comment or line break", "thừa ký tự sau giá trị trên dòng này"),
    (r"exceeded maximum nesting depth", "các khối lồng nhau quá sâu"),
    (r"indentation indicator equal to 0", "số thụt lề của khối văn bản không được là 0"),
    (r"tag", "nhãn YAML (!...) không hợp lệ"),
    (r"directive", "chỉ thị YAML (%...) không hợp lệ"),
)


def _syntax_words(problem: str, text: str, mark: yaml.Mark | None) -> str:
    """A libyaml problem in Vietnamese; unknown wording becomes a plain "cannot read here"."""
    if "cannot start any token" in problem and mark is not None:
        lines = text.split("\n")
        line = lines[mark.line] if mark.line < len(lines) else ""
        char = line[mark.column] if mark.column < len(line) else ""
        if char == "\t":
            return "thụt lề bằng phím Tab: YAML chỉ nhận dấu cách"
        shown = f'"{char}" ' if char.strip() else ""
        return f"ký tự {shown}không được đứng đầu một giá trị (đặt văn bản trong dấu ngoặc kép)"
    for pattern, words in _SYNTAX_WORDS:
        if re.search(pattern, problem):
            return words
    return "không đọc được YAML ở đây"


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
