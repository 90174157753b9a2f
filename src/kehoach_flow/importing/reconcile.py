"""A re-import: what the plan file being replaced keeps (task and section keys, so each task
keeps its history; what people added by hand), and what changed since, said as findings."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kehoach_flow.definitions.source import read_yaml
from kehoach_flow.errors import AmountError, KehoachError
from kehoach_flow.importing.imported import Finding
from kehoach_flow.importing.outline import Node, clean_title, task_nodes
from kehoach_flow.importing.yamlout import Flow
from kehoach_flow.numbers import parse_amount
from kehoach_flow.text import fold, shorten


@dataclass
class Previous:
    """What a re-import keeps from the plan file it replaces: task and section keys (so each
    task keeps its history), source keys, and what people add by hand after an import
    (dependencies, tags, programme groups, reminders, dates; the header's signer, programme,
    recipients...), matched by title."""

    tasks: list[OldTask] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    funding_sources: dict[str, str] = field(default_factory=dict)
    header: dict[str, Any] = field(default_factory=dict)  # fields the import does not write
    task_fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # by task key
    section_fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # by section key
    coordinator: str | None = None

    @classmethod
    def read(cls, path: Path) -> Previous:
        try:
            doc, problems = read_yaml(path)
        except OSError:
            doc, problems = None, []
        if doc is not None and not problems:
            data = doc.data
        elif doc is not None and not path.read_bytes().strip():
            data = None  # an empty file keeps nothing
        else:
            where = f" (dòng {problems[0].line}: {problems[0].message})" if problems else ""
            raise KehoachError(
                f"không đọc được tệp đang có {path.name}{where} để giữ khóa nhiệm vụ và phần "
                "sửa tay: sửa lỗi đó rồi nhập lại (hoặc xóa tệp để nhập mới từ đầu)"
            )
        previous = cls()
        if not isinstance(data, dict):
            return previous
        found = data.get("plan")
        header: dict[str, Any] = found if isinstance(found, dict) else {}
        if isinstance(header.get("coordinator"), str):
            previous.coordinator = header["coordinator"]
        sources = header.get("funding_sources")
        if isinstance(sources, dict):
            previous.funding_sources = {str(k): str(v) for k, v in sources.items()}
        previous.header = {k: v for k, v in header.items() if k in KEEP_HEADER}
        previous._walk(data.get("sections"))
        return previous

    def _walk(self, sections: object) -> None:
        for section in sections if isinstance(sections, list) else []:
            if not isinstance(section, dict) or not section.get("key"):
                continue
            key = str(section["key"])
            self.sections.setdefault(fold(str(section.get("title", ""))), key)
            self.section_fields[key] = {k: v for k, v in section.items() if k in KEEP_SECTION}
            self._walk(section.get("sections"))
            self._tasks(section.get("tasks"), fold(str(section.get("title", ""))))

    def _tasks(self, tasks: object, section: str) -> None:
        for task in tasks if isinstance(tasks, list) else []:
            if isinstance(task, dict) and task.get("key"):
                key, title = str(task["key"]), str(task.get("title", ""))
                written = {k: task[k] for k in COMPARED if k in task}
                self.tasks.append(OldTask(key, title, fold(title), section, written))
                self.task_fields[key] = {k: v for k, v in task.items() if k in KEEP_TASK}
                self._tasks(task.get("subtasks"), section)


@dataclass
class OldTask:
    key: str
    title: str
    folded: str
    section: str  # folded title of its section
    written: dict[str, Any]  # the fields an import writes, as the file had them


COMPARED = ("lead", "partners", "schedule", "funding", "amount")


# Fields an import never writes, kept from the file it replaces.
KEEP_HEADER = (
    "issuer",
    "place",
    "document",
    "implements",
    "programme",
    "signer",
    "recipients",
    "reminders",
    "report_cutoff_day",
)
KEEP_SECTION = ("group",)
KEEP_TASK = (
    "group",
    "depends_on",
    "tags",
    "reminders",
    "renamed_from",
    "continues",
    "start",
    "due",
)


def plan_key_of(path: Path) -> str | None:
    """The plan key of a definition file, read cheaply (None for other files)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(
        r"^plan:\s*$(?:\n[ \t#].*$)*?\n[ \t]+key:[ \t]*[\"']?([^\s\"'#]+)", text, re.M
    )
    return match.group(1) if match else None


@dataclass(frozen=True)
class KeptKeys:
    """The keys task rows take from the file being replaced, by id of their node, with a
    review note when the title only looks alike; and the old tasks no row took."""

    keys: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    unmatched: list[OldTask] = field(default_factory=list)

    def reserved(self) -> set[str]:
        return {key for key, _ in self.keys.values()}


def match_previous(previous: Previous, roots: list[Node]) -> KeptKeys:
    """Each task row's key in the file being replaced, so a reload keeps its status and
    history: the same title in the same section, else the same title, else the most
    alike title (a guess, said so)."""
    old = list(previous.tasks)
    if not old:
        return KeptKeys()
    rows = [(n, fold(clean_title(n.title)[0]), fold(s)) for n, s in task_nodes(roots, "")]
    kept: dict[int, tuple[str, str | None]] = {}
    for same_section in (True, False):
        for node, title, section in rows:
            if id(node) in kept:
                continue
            match = next(
                (
                    o
                    for o in old
                    if o.folded == title and (o.section == section or not same_section)
                ),
                None,
            )
            if match is not None:
                kept[id(node)] = (match.key, None)
                old.remove(match)
    for node, title, _ in rows:
        if id(node) in kept or not old:
            continue
        ratio, match = max((difflib.SequenceMatcher(None, title, o.folded).ratio(), o) for o in old)
        if ratio >= 0.75:
            note = f'giữ khóa của nhiệm vụ cũ "{shorten(match.title, 60)}" (tên gần giống) để giữ lịch sử'
            kept[id(node)] = (match.key, note)
            old.remove(match)
    return KeptKeys(kept, old)


def changes_from_previous(
    previous: Previous, kept: KeptKeys, written: dict[str, tuple[str, dict[str, Any]]]
) -> list[Finding]:
    """The old tasks no row kept (archived on load), then each kept task's fields that the
    table changed. `written`: task key -> (its row, the fields the import wrote)."""
    findings = [
        Finding(
            None,
            f'nhiệm vụ {gone.key} ("{shorten(gone.title, 60)}") của tệp cũ không còn trong bảng: '
            "khi nạp sẽ được lưu trữ, lịch sử vẫn giữ; nếu chỉ đổi tên, đặt lại khóa "
            f"{gone.key} cho nhiệm vụ mới",
        )
        for gone in kept.unmatched
    ]
    by_key = {o.key: o for o in previous.tasks}
    for key, (where, new) in written.items():
        old = by_key.get(key)
        if old is None:
            continue
        for name in COMPARED:
            before, after = _comparable(name, old.written.get(name)), new.get(name)
            after = _comparable(name, after.value if isinstance(after, Flow) else after)
            if before is not None and before != after:
                findings.append(
                    Finding(
                        where, f"{key}: {name} đổi theo bảng, {_shown(before)} → {_shown(after)}"
                    )
                )
    return findings


def _comparable(name: str, value: object) -> object:
    """Amounts as đồng, so "50 triệu" written by hand equals 50000000 from the table."""
    if name == "amount" and isinstance(value, int | str):
        try:
            return parse_amount(value)
        except AmountError:
            return value
    return value


def _shown(value: object) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
