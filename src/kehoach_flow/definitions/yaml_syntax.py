"""YAML syntax errors in Vietnamese, placed where a coordinator should look."""

from __future__ import annotations

import re

import yaml

from kehoach_flow.definitions.yaml_values import Loader
from kehoach_flow.errors import Problem

_OPENERS = ("while scanning a quoted scalar", "while parsing a flow")


def syntax_problem(name: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
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
        for token in yaml.scan(text, Loader=Loader):
            end = token.end_mark
            if end.line > mark.line:
                break
            quoted = isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
            if quoted and end.line == mark.line and token.start_mark.line < end.line:
                start = token.start_mark
    except yaml.YAMLError:
        pass
    return start
