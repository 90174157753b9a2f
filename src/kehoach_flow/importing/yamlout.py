"""Writing a definition file with review comments, line by line.

PyYAML cannot write comments, and an imported plan is mostly for a person to review, so the
file is written here from a small tree of mappings. Each line remembers the appendix row it
came from, so a validation error on line 40 can name "bảng 1, dòng 12" of the source too.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

import yaml

WIDTH = 100


@dataclass
class Flow:
    """A value written on one line: [a, b] or {quantity: 1, unit: bài viết}."""

    value: list[Any] | dict[str, Any]


@dataclass
class Entry:
    key: str
    value: Any  # scalar, Flow, Mapping, or a list of Mapping / Flow
    note: str | None = None  # a review comment, written on the line above
    where: str | None = None


@dataclass
class Mapping:
    entries: list[Entry] = field(default_factory=list)
    where: str | None = None  # the appendix row this mapping was read from

    def add(self, key: str, value: Any, note: str | None = None) -> None:
        if value is None or value == [] or value == {}:
            return
        self.entries.append(Entry(key, value, note))


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.sources: list[str | None] = []  # per line: the appendix row it came from

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def comment(self, text: str, indent: int = 0, where: str | None = None) -> None:
        for line in textwrap.wrap(text, WIDTH - indent - 2, break_long_words=False) or [""]:
            self._line(" " * indent + "# " + line, where)

    def blank(self) -> None:
        self._line("", None)

    def _line(self, line: str, where: str | None) -> None:
        self.lines.append(line.rstrip())
        self.sources.append(where)

    def mapping(self, mapping: Mapping, indent: int, first: str = "") -> None:
        """Write a block mapping; `first` prefixes its first line ("- " in a sequence)."""
        pad = " " * indent
        for n, entry in enumerate(mapping.entries):
            where = entry.where or mapping.where
            lead = first if n == 0 else " " * len(first)
            if entry.note:
                if n == 0 and first:  # a comment cannot sit between "- " and the key
                    self._line(pad + first.rstrip(), where)
                    lead = " " * len(first)
                self.comment("xem lại: " + entry.note, indent + len(lead), where)
            self._entry(entry, pad + lead, indent + len(lead), where)

    def _entry(self, entry: Entry, prefix: str, indent: int, where: str | None) -> None:
        key, value = entry.key, entry.value
        head = f"{prefix}{scalar(key)}:"
        if isinstance(value, Mapping):
            self._line(head, where)
            self.mapping(value, indent + 2)
        elif isinstance(value, list):
            self._line(head, where)
            for item in value:
                if isinstance(item, Mapping):
                    self.mapping(item, indent + 2, "- ")
                else:
                    self._line(" " * (indent + 2) + "- " + flow(item), where)
        elif isinstance(value, Flow):
            self._line(f"{head} {flow(value)}", where)
        elif isinstance(value, str) and len(head) + len(value) + 1 > WIDTH and folding_safe(value):
            self._line(head + " >-", where)
            width = WIDTH - indent - 2
            for line in textwrap.wrap(value, width, break_long_words=False, break_on_hyphens=False):
                self._line(" " * (indent + 2) + line, where)
        else:
            self._line(f"{head} {scalar(value)}", where)


def plain_value(value: Any) -> Any:
    """Data read from YAML, as values the writer takes: flat lists and mappings on one line,
    nested ones as blocks."""
    if isinstance(value, dict):
        if all(not isinstance(v, dict | list) for v in value.values()):
            return Flow({str(k): v for k, v in value.items()})
        mapping = Mapping()
        for k, v in value.items():
            mapping.entries.append(Entry(str(k), plain_value(v)))
        return mapping
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return Flow(list(value))
        return [plain_value(v) for v in value]
    return value


def flow(value: Any) -> str:
    if isinstance(value, Flow):
        value = value.value
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v, in_flow=True) for v in value) + "]"
    if isinstance(value, dict):
        parts = (f"{k}: {scalar(v, in_flow=True)}" for k, v in value.items())
        return "{" + ", ".join(parts) + "}"
    return scalar(value, in_flow=True)


_SAFE_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*")


def scalar(value: Any, in_flow: bool = False) -> str:
    """A scalar as YAML that reads back as the same value in PyYAML (YAML 1.1) and in the
    definitions reader (YAML 1.2 core) alike: plain when that is unambiguous, else
    double-quoted (JSON's escaping is valid YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = (
        _SAFE_PLAIN.fullmatch(text) is not None
        and text == text.strip()
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and not (in_flow and any(c in text for c in ",[]{}"))
        and _reads_back(text)
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def _reads_back(text: str) -> bool:
    try:
        return yaml.safe_load(f"k: {text}") == {"k": text} and not _looks_typed(text)
    except yaml.YAMLError:
        return False


def _looks_typed(text: str) -> bool:
    """Words YAML 1.1 or 1.2 may read as something other than text."""
    return bool(
        re.fullmatch(r"[-+]?(\d[\d_.,:eE+-]*|\.inf|\.nan|0x[0-9a-f]+|0o[0-7]+)", text, re.I)
        or text.lower() in {"yes", "no", "on", "off", "true", "false", "null", "~", "y", "n"}
    )


def folding_safe(text: str) -> bool:
    """A folded block (>-) gives back this text: one line, single spaces, no edge spaces."""
    return "\n" not in text and "  " not in text and text == text.strip() and "\t" not in text
