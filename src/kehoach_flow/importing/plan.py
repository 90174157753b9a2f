"""An appendix table read into a plan definition file, with every guess marked for review.

Rows become sections and tasks by their numbering (I, II / 1, 2 / a), b) / -) and bold text;
unit names become unit keys; funding text becomes declared sources; amounts in the table's
unit become đồng; a "Tổng cộng" row becomes the plan's total and a total written in words is
checked against it. What cannot be mapped is kept as written and reported, never dropped.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kehoach_flow.definitions.catalog import UnitDef, try_schedule
from kehoach_flow.definitions.source import read_yaml, read_yaml_bytes
from kehoach_flow.errors import AmountError, KehoachError
from kehoach_flow.importing.appendix import Appendix, Row, find_appendix
from kehoach_flow.importing.documents import read_document
from kehoach_flow.importing.values import (
    FundingSources,
    Target,
    UnitMatch,
    UnitMatcher,
    UnitName,
    implied_document,
    slug,
    targets_in,
    unique,
)
from kehoach_flow.importing.yamlout import Entry, Flow, Mapping, Writer, plain_value
from kehoach_flow.numbers import (
    MONEY_UNIT_BY_KEY,
    amount_in_words,
    format_number,
    parse_amount,
    parse_number_words,
)
from kehoach_flow.schedule import Window
from kehoach_flow.text import fold, shorten

_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # a date as written: 30/9/2025
_DETAILS = ("result", "lead", "partners", "schedule", "funding", "start", "end")
_MARKER_CELL = re.compile(r"([IVXLC]+|[ivx]{2,}|\d+(?:\.\d+)*|[A-Za-zđ]|[-+•*–])\s*[.)]?")
_MARKER_TEXT = re.compile(r"([IVXLC]+[.)]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[A-Z][.)]|[-+•*–])\s+")
# The whole label of a total row: "Tổng cộng", "Tổng số:", "Tổng cộng (I+II)", "TỔNG"
_TOTAL = re.compile(
    r"^(tong cong|tong so|tong)( kinh phi| chung| toan bo)?\s*(\([^)]*\))?\s*[:.]?$"
)
# "Cộng", "Cộng mục I", "Cộng (1)": the sum of the section above, written under its rows
_SUBTOTAL = re.compile(r"^cong(?: muc)?\s*\(?\s*([ivxlc]+|\d+(?:\.\d+)*|[a-z])?\s*\)?\s*[.:]?$")
_IN_WORDS = re.compile(r"bang chu\s*:?", re.I)
_KEY_STOP = {"va", "cac", "cua", "the", "tai", "tren", "ve", "voi", "de", "nhung", "mot"}
_INTERNAL = ("phong ", "trung tam", "chi cuc", "van phong", "thanh tra", "ban ")


@dataclass
class Finding:
    """Something the coordinator must look at; `blocking` when the file cannot be loaded as
    written (a schedule or amount that could not be read, a total that does not add up)."""

    where: str | None
    message: str
    blocking: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class NewUnit:
    key: str
    name: str
    where: str
    role: str


@dataclass
class Imported:
    plan_key: str
    plan_text: str
    line_sources: list[str | None]  # per line of plan_text: the appendix row it came from
    units_entries: Mapping | None  # proposed new units, key -> fields
    new_units: list[NewUnit]
    findings: list[Finding]
    sections: int
    tasks: int
    source_table: str
    file_name: str

    def units_file(self, existing: str | None = None) -> str | None:
        """The proposed units file: `existing` (proposed by an earlier import of this plan,
        perhaps given e-mails since) with the new units added at the end, at its indent.
        Raises when the file was reshaped so that they cannot be added safely."""
        if self.units_entries is None:
            return existing
        if existing and existing.strip():
            found = re.search(r"^units:[ \t]*\n(?:[ \t]*(?:#.*)?\n)*([ \t]+)\S", existing, re.M)
            indent = len(found.group(1)) if found else 2
            writer = Writer()
            writer.comment(f'Thêm khi nhập lại "{self.file_name}":', indent)
            writer.mapping(self.units_entries, indent)
            combined = existing.rstrip("\n") + "\n" + writer.text()
            if not _has_units(combined, [u.key for u in self.new_units]):
                names = ", ".join(f"{u.key} ({u.name})" for u in self.new_units)
                raise KehoachError(
                    f"không thêm được đơn vị mới vào tệp đơn vị đề xuất của kế hoạch "
                    f"{self.plan_key} (tệp đã được sửa lại): thêm tay {names}, rồi nhập lại"
                )
            return combined
        writer = Writer()
        writer.comment(
            f'Đơn vị chưa có trong units.yaml, gặp khi nhập "{self.file_name}" '
            f"(kế hoạch {self.plan_key}). Khóa do chương trình tạo: xem lại tên và khóa, thêm "
            "email để đơn vị nhận nhắc việc, gộp đơn vị trùng với đơn vị đã có; có thể chuyển "
            "vào units.yaml rồi xóa tệp này."
        )
        top = Mapping()
        top.add("units", self.units_entries)
        writer.mapping(top, 0)
        return writer.text()


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
        return any(self.row.get(role) for role in _DETAILS)


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


def import_plan(
    path: Path,
    plan_key: str,
    units: dict[str, UnitDef],
    year: int | None = None,
    coordinator: str | None = None,
    previous: Previous | None = None,
    today: date | None = None,
) -> Imported:
    appendix = find_appendix(read_document(path))
    return Importer(appendix, path.name, plan_key, units, previous or Previous()).run(
        year, coordinator, today or date.today()
    )


class Importer:
    def __init__(
        self,
        appendix: Appendix,
        file_name: str,
        plan_key: str,
        units: dict[str, UnitDef],
        previous: Previous,
    ) -> None:
        self.appendix = appendix
        self.file_name = file_name
        self.plan_key = plan_key
        self.units = units
        self.previous = previous
        self.matcher = UnitMatcher(_unit_names(units))
        self.sources = FundingSources(previous.funding_sources)
        self.findings: list[Finding] = []
        self.new_units: list[NewUnit] = []
        self.unit_keys = set(units)
        self.task_keys: set[str] = set()
        self.section_keys: set[str] = set()
        self.mentions: Counter[str] = Counter()
        self.default_source: str | None = None
        self.counts = Counter[str]()
        self.has = set(appendix.columns)
        self.total_row: Row | None = None
        self.words: tuple[str, str] | None = None  # (where, text) of the total in words
        self.written: dict[str, tuple[str, dict[str, Any]]] = {}  # task key -> (row, fields)
        self.unmatched: list[OldTask] = []  # tasks of the replaced file not in the table
        self.largest = 0  # the largest amount read, in đồng

    # -- the whole file ------------------------------------------------------------------

    def run(self, year: int | None, coordinator: str | None, today: date) -> Imported:
        rows = self._content_rows()
        for where, message in self.appendix.skipped:
            self.findings.append(Finding(where, message))
        if not rows:
            raise KehoachError(
                "bảng phụ lục chỉ có dòng tiêu đề, không có dòng nhiệm vụ nào: không có gì để nhập"
            )
        self.title = self._title()  # (title, review note)
        self.year_note = None
        if year is None:
            year, self.year_note = self._detect_year()
        self.year = year
        roots = self._tree(rows)
        self.coordinator, coordinator_note = self._coordinator(coordinator, roots)
        self.kept_keys = self._match_previous(roots)
        sections = self._sections(roots)
        self._report_previous()
        header = self._header(coordinator_note)
        self._check_words(header)
        writer = Writer()
        for line in self._intro(today):
            writer.comment(line)
        top = Mapping()
        top.add("plan", header)
        top.add("sections", sections)
        writer.mapping(top, 0)
        return Imported(
            plan_key=self.plan_key,
            plan_text=writer.text(),
            line_sources=writer.sources,
            units_entries=self._units_entries(),
            file_name=self.file_name,
            new_units=self.new_units,
            findings=self.findings,
            sections=self.counts["sections"],
            tasks=self.counts["tasks"],
            source_table=self.appendix.rows[0].where.split(",")[0] if self.appendix.rows else "",
        )

    def _intro(self, today: date) -> list[str]:
        lines = [
            f'Nhập từ phụ lục của "{self.file_name}" bằng `kehoach import` ngày {today:%d/%m/%Y}.',
            'Chỗ ghi "xem lại:" là chỗ chương trình đã đoán: kiểm tra, sửa nếu cần, rồi xóa '
            "dòng ghi chú. Kiểm tra cả tệp bằng `kehoach validate`.",
        ]
        if "lead" not in self.has:
            lines.append(
                f"Bảng không có cột đơn vị chủ trì: phòng chủ trì kế hoạch ({self.coordinator}) "
                "chủ trì mọi nhiệm vụ."
            )
        if not self.has & {"schedule", "start", "end"}:
            lines.append('Bảng không có cột tiến độ: mỗi mục tạm ghi "Cả năm".')
        return lines

    def _detect_year(self) -> tuple[int, str]:
        """The plan's year: from its title ("... năm 2025"), else the year its rows name most
        (a plan cites last year's documents, so the rest of the text comes last)."""
        title, _ = self.title
        table = [r.get(role) for r in self.appendix.rows for role in ("schedule", "funding")]
        for texts, said in (
            ([title], "tên kế hoạch"),
            (table, "tiến độ và nguồn kinh phí trong bảng"),
            (self.appendix.preamble, "phần đầu văn bản"),
        ):
            years = Counter(int(y) for t in texts for y in re.findall(r"\b(20\d\d)\b", t))
            if years:
                year = years.most_common(1)[0][0]
                return year, f"năm {year} lấy từ {said}; nếu sai, nhập lại với --year"
        raise KehoachError("không thấy năm của kế hoạch trong tệp: thêm --year, ví dụ --year 2025")

    def _header(self, coordinator_note: str | None) -> Mapping:
        header = Mapping()
        header.add("key", self.plan_key)
        title, note = self.title
        header.add("title", title, note)
        for name, value in self.previous.header.items():
            header.add(name, plain_value(value))
        header.add("year", self.year, self.year_note)
        header.add("coordinator", self.coordinator, coordinator_note)
        unit = self.appendix.money_unit
        money_note = None
        if unit != "dong":
            money_note = (
                f"bảng ghi số tiền bằng {MONEY_UNIT_BY_KEY[unit].label}; ở đây đã đổi ra đồng"
            )
        elif not self.appendix.money_unit_said and self.counts["amounts"]:
            money_note = (
                "bảng không ghi đơn vị tính: số tiền hiểu là đồng; nếu bảng tính bằng triệu "
                'đồng, thêm dòng "Đơn vị tính: triệu đồng" rồi nhập lại'
            )
            if self.largest < 100_000:
                message = (
                    "bảng không ghi đơn vị tính và mọi số tiền đều dưới 100.000 đồng: có lẽ "
                    'bảng tính bằng triệu đồng; thêm dòng "Đơn vị tính: triệu đồng" rồi nhập lại'
                )
                self.findings.append(Finding(None, message))
        header.add("money_unit", "dong", money_note)
        sources = Mapping()
        for source in self.sources.used():
            others = [s for s in source.spellings if s != source.title]
            note = "gộp các cách viết: " + "; ".join(f'"{s}"' for s in others) if others else None
            sources.add(source.key, source.title, note)
        header.add("funding_sources", sources if sources.entries else None)
        if self.total_row is not None:
            total = self._amount_value(self.total_row)
            if total is not None:
                header.add("total", total)
                header.entries[-1].where = self.total_row.where
        return header

    def _title(self) -> tuple[str, str | None]:
        lines = self.appendix.preamble
        for n, line in enumerate(lines):
            folded = fold(line)
            if folded == "ke hoach" and n + 1 < len(lines):
                return lines[n + 1], None
            if folded.startswith("ke hoach ") and len(folded) > 20:
                return line[len("kế hoạch") :].strip(" :"), None
        for line in lines:
            folded = fold(line)
            if len(folded) > 20 and not folded.startswith(("phu luc", "don vi tinh", "(ban hanh")):
                return line, "tên kế hoạch lấy từ dòng đầu của tệp"
        return f"Kế hoạch {self.plan_key}", "không thấy tên kế hoạch trong tệp: ghi tên đầy đủ"

    # -- rows to a tree ------------------------------------------------------------------

    def _content_rows(self) -> list[Row]:
        rows = []
        for row in self.appendix.rows:
            label = fold(row.get("content") or row.label)
            if _IN_WORDS.search(fold(row.text)):
                self.words = (row.where, row.text)
            elif _TOTAL.match(label) and not _marker(row)[0]:
                self.total_row = row
            else:
                rows.append(row)
        if self.words is None:
            for line in self.appendix.closing:
                if _IN_WORDS.search(fold(line)):
                    self.words = ("dưới bảng", line)
                    break
        return rows

    def _tree(self, rows: list[Row]) -> list[Node]:
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
            marker, title = _marker(row)
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

    # -- sections and tasks ----------------------------------------------------------------

    def _sections(self, roots: list[Node]) -> list[Mapping]:
        sections: list[Mapping] = []
        loose: list[Node] = []
        for node in roots:
            if _is_section(node):
                sections += self._flush(loose)
                loose = []
                sections.append(self._section(node, None))
            else:
                loose.append(node)
        sections += self._flush(loose)
        if not self.has & {"schedule", "start", "end"}:
            for section in sections:
                section.entries.insert(2, Entry("schedule", "Cả năm"))
        if self.default_source is not None:
            note = "bảng không có cột nguồn kinh phí: một nguồn chung, đặt lại tên nguồn"
            for section in sections:
                section.entries.insert(2, Entry("funding", self.default_source, note))
        return sections

    def _flush(self, tasks: list[Node]) -> list[Mapping]:
        """Tasks outside any section go into one of their own (the format nests tasks in
        sections)."""
        if not tasks:
            return []
        section = Mapping(where=tasks[0].row.where)
        key = unique(str(len(self.section_keys) + 1), self.section_keys)
        section.add("key", key)
        note = "bảng không chia mục ở đây: các nhiệm vụ được gom vào một mục; đặt lại tên mục"
        section.add("title", "Các nhiệm vụ", note)
        section.add("tasks", [self._task(n) for n in tasks])
        self.counts["sections"] += 1
        return [section]

    def _section(self, node: Node, parent_key: str | None) -> Mapping:
        self.counts["sections"] += 1
        section = Mapping(where=node.row.where)
        title = node.title or f"Mục {node.marker}"
        key = self.previous.sections.get(fold(title))
        if key is None or key in self.section_keys:
            own = node.marker or str(len(self.section_keys) + 1)
            key = f"{parent_key}.{own}" if parent_key else own
        key = unique(key, self.section_keys)
        section.add("key", key)
        section.add("title", title)
        for name, value in self.previous.section_fields.get(key, {}).items():
            section.add(name, plain_value(value))
        self._values(section, node.row, own_schedule_only=True)
        if node.subtotal is not None:
            self._closing_subtotal(section, node, title)
        children = [c for c in node.children if _is_section(c)]
        tasks = [c for c in node.children if not _is_section(c)]
        section.add("sections", [self._section(c, key) for c in children])
        section.add("tasks", [self._task(c) for c in tasks])
        if not node.children:
            self.findings.append(Finding(node.row.where, f'mục "{title}" không có nhiệm vụ nào'))
        return section

    def _closing_subtotal(self, section: Mapping, node: Node, title: str) -> None:
        """A "Cộng" row under the section: its declared subtotal, unless the heading row
        already gave one (then the two must agree)."""
        assert node.subtotal is not None
        amount = self._amount_value(node.subtotal)
        own = self._amount_value(node.row)
        if amount is None:
            return
        if own is None:
            section.add("amount", amount)
            section.entries[-1].where = node.subtotal.where
        elif own != amount:
            message = (
                f'dòng cộng của mục "{title}" ghi {format_number(amount)} đ, dòng tên mục ghi '
                f"{format_number(own)} đ"
            )
            self.findings.append(Finding(node.subtotal.where, message, True))

    def _task(self, node: Node) -> Mapping:
        self.counts["tasks"] += 1
        row = node.row
        task = Mapping(where=row.where)
        title, title_note = _clean_title(node.title)
        if not title:
            title = row.get("result") or f"Nhiệm vụ {node.marker}".strip()
            title_note = "dòng không có nội dung công việc: tên lấy tạm, cần sửa"
        key, kept_note = self.kept_keys.get(id(node), (None, None))
        if key is None or key in self.task_keys:
            # a new key: not one a later row keeps from the file being replaced
            reserved = {k for k, _ in self.kept_keys.values()} - self.task_keys
            key = unique(slug(title, 4, _KEY_STOP), self.task_keys | reserved)
        self.task_keys.add(key)
        task.add("key", key, kept_note)
        task.add("title", title, title_note)
        result = row.get("result") or None
        task.add("result", result)
        self._targets(task, result, title)
        self._units(task, row, node.parent)
        self._values(task, row, own_schedule_only=False, parent=node.parent)
        extra = [f"{name}: {text}" for name, text in row.extra]
        task.add("note", "; ".join([*row.lines("note"), *extra]) or None)
        for remark in row.remarks:
            self.findings.append(Finding(row.where, remark))
        for name, value in self.previous.task_fields.get(key, {}).items():
            task.add(name, plain_value(value))  # written by hand after an earlier import
        self.written[key] = (row.where, {e.key: e.value for e in task.entries})
        task.add("subtasks", [self._task(c) for c in node.children])
        return task

    def _targets(self, task: Mapping, result: str | None, title: str) -> None:
        found = targets_in(result or "")
        if not found and result and (implied := implied_document(result)) is not None:
            found = [implied]
        units = {fold(t.unit) for t in found}
        for target in targets_in(title):
            if fold(target.unit) not in units:
                units.add(fold(target.unit))
                note = target.note or f'"{target.quantity} {target.unit}" lấy từ nội dung công việc'
                found.append(Target(target.quantity, target.unit, note))
        notes = "; ".join(t.note for t in found if t.note)
        task.add(
            "targets",
            [Flow({"quantity": t.quantity, "unit": t.unit}) for t in found],
            notes or None,
        )

    def _units(self, task: Mapping, row: Row, parent: Node | None = None) -> None:
        heading = _ancestor_with(parent, "lead")
        if "lead" in self.has and not row.get("lead") and heading is not None:
            leads = self._unit_keys(heading.row, "lead")
            task.add("lead", leads[0][0], f"chủ trì theo dòng mục ({heading.row.where})")
            partners = self._unit_keys(row, "partners")
        elif "lead" not in self.has or not row.get("lead"):
            note = (
                None
                if "lead" not in self.has
                else "ô chủ trì để trống: tạm giao phòng chủ trì kế hoạch"
            )
            task.add("lead", self.coordinator, note)
            partners = self._unit_keys(row, "partners")
        else:
            leads = self._unit_keys(row, "lead")
            lead_key, lead_note = leads[0]
            extra = leads[1:]
            if extra:
                lead_note = _join_notes(
                    lead_note,
                    "ô chủ trì ghi nhiều đơn vị: đơn vị đầu chủ trì, các đơn vị sau chuyển sang phối hợp",
                )
            task.add("lead", lead_key, lead_note)
            partners = [p for p in [*extra, *self._unit_keys(row, "partners")] if p[0] != lead_key]
        seen: dict[str, str | None] = {}
        for key, note in partners:
            seen.setdefault(key, note)
        notes = "; ".join(n for n in seen.values() if n)
        task.add("partners", Flow(list(seen)) if seen else None, notes or None)

    def _unit_keys(self, row: Row, role: str) -> list[tuple[str, str | None]]:
        keys = []
        for match in self.matcher.split(row.cells.get(role, "")):
            key = match.key or self._new_unit(match, row, role)
            self.mentions[key] += 1
            keys.append((key, match.note))
        return keys

    def _new_unit(self, match: UnitMatch, row: Row, role: str) -> str:
        key = unique(slug(match.text, 6) or "don-vi", self.unit_keys)
        label = "đơn vị chủ trì" if role == "lead" else "đơn vị phối hợp"
        self.new_units.append(NewUnit(key, match.text, row.where, label))
        self.matcher.exact[fold(match.text)] = key
        self.matcher.labels[key] = match.text
        return key

    def _values(
        self, mapping: Mapping, row: Row, own_schedule_only: bool, parent: Node | None = None
    ) -> None:
        """Schedule, funding and amount of a section or task row."""
        schedule = row.get("schedule")
        if row.get("start") or row.get("end"):
            self._start_end(mapping, row)
        elif schedule:
            text, note, blocking = self._schedule(schedule)
            mapping.add("schedule", text, note)
            if blocking:
                self.findings.append(
                    Finding(row.where, f'tiến độ "{schedule}" chưa đọc được', True)
                )
        elif (
            not own_schedule_only
            and self.has & {"schedule", "start", "end"}
            and not any(_inherits(parent, r) for r in ("schedule", "start", "end"))
        ):
            mapping.add("schedule", "Cả năm", "ô tiến độ để trống: tạm ghi cả năm")
        funding = row.get("funding")
        if _says_none(funding):  # "Không": no money, not a source
            funding = ""
        amount_text = row.get("amount")
        if funding and not amount_text and _is_number(funding):
            amount_text, funding = funding, ""
        if amount_text and not re.search(r"\d", amount_text) and not amount_text.startswith("="):
            # words about the money ("Lồng ghép", "Xã hội hóa", "Không"), not an amount: a
            # source when the row names none, else kept in the note
            if funding and not _says_none(amount_text):
                row.extra.append(("Kinh phí", amount_text))
            elif not _says_none(amount_text):
                key = self.sources.key_for(amount_text)
                note = f'ô kinh phí ghi "{amount_text}": hiểu là nguồn kinh phí'
                mapping.add("funding", key, note)
            amount_text = ""
        if funding:
            mapping.add("funding", self.sources.key_for(funding))
        if not amount_text or _is_dash(amount_text):
            return
        self.counts["amounts"] += 1
        task_row = not own_schedule_only
        if task_row and not funding and not _inherits(parent, "funding") and "funding" in self.has:
            mapping.add("funding", self._fallback_source(), "chưa ghi nguồn kinh phí")
        if "funding" not in self.has and self.default_source is None:
            self.default_source = self._fallback_source()
        written = self._with_unit(amount_text)
        try:
            value = parse_amount(written)
            mapping.add("amount", value)
            self.largest = max(self.largest, value)
        except AmountError as exc:
            mapping.add("amount", written)  # kept as written, for the coordinator to fix
            message = f'số tiền "{amount_text}": {exc.reason}; đã giữ nguyên'
            if amount_text.startswith("="):
                message = (
                    f"ô số tiền là công thức {amount_text} chưa có giá trị đã tính: mở tệp bằng "
                    "Excel hoặc LibreOffice, lưu lại rồi nhập lại"
                )
            self.findings.append(Finding(row.where, message, True))

    def _start_end(self, mapping: Mapping, row: Row) -> None:
        """Split schedule columns ("Bắt đầu" / "Hoàn thành"): start and due dates, each read
        as a date or as a schedule ("Tháng 3" starts on 1/3, "Tháng 6" is due 30/6)."""
        first, last = row.get("start"), row.get("end")
        opening = self._period(first) if first else None
        closing = self._period(last) if last else None
        start = opening.start if opening else None
        due = closing.due if closing else None
        if (first and start is None) or (last and due is None):
            written = f"{first or '?'} - {last or '?'}"
            mapping.add("schedule", written, "không đọc được thời gian bắt đầu/hoàn thành; sửa")
            self.findings.append(Finding(row.where, f'thời gian "{written}" chưa đọc được', True))
            return
        if start is None or due is None:  # one end given: the other is the plan year's
            mapping.add("schedule", "Cả năm")
        mapping.add("start", start.isoformat() if start else None)
        mapping.add("due", due.isoformat() if due else None)

    def _period(self, text: str) -> Window | None:
        day = _DAY.fullmatch(text)
        if day:
            try:
                when = date(int(day.group(3)), int(day.group(2)), int(day.group(1)))
            except ValueError:
                return None
            return Window(when, when)
        parsed = try_schedule(text, self.year)
        return None if isinstance(parsed, str) else Window(*parsed)

    def _with_unit(self, text: str) -> str:
        """A bare number is in the table's unit: "1.500,5" -> "1.500,5 triệu"."""
        word = MONEY_UNIT_BY_KEY[self.appendix.money_unit].word
        return f"{text} {word}" if _is_number(text) else text

    def _fallback_source(self) -> str:
        return self.sources.key_for(f"Kinh phí thực hiện kế hoạch năm {self.year}")

    def _amount_value(self, row: Row) -> int | None:
        text = row.get("amount")
        if not text or _is_dash(text):
            return None
        try:
            return parse_amount(self._with_unit(text))
        except AmountError:
            return None

    def _schedule(self, text: str) -> tuple[str, str | None, bool]:
        if _DAY.fullmatch(text):
            written = f"Trước ngày {text}"
            if not isinstance(try_schedule(written, self.year), str):
                return written, f'ô tiến độ ghi một ngày ("{text}"): hiểu là hạn hoàn thành', False
        if isinstance(try_schedule(text, self.year), str):
            note = (
                f'không đọc được tiến độ "{text}": sửa thành một dạng như "Quý I-II", '
                '"Tháng 3-5", "Trước 30/6", "Cả năm", hoặc ghi start:/due:'
            )
            return text, note, True
        return text, None, False

    # -- a re-import: the tasks of the file it replaces -------------------------------------

    def _match_previous(self, roots: list[Node]) -> dict[int, tuple[str, str | None]]:
        """Each task row's key in the file being replaced, so a reload keeps its status and
        history: the same title in the same section, else the same title, else the most
        alike title (a guess, said so)."""
        old = list(self.previous.tasks)
        if not old:
            return {}
        rows = [(n, fold(_clean_title(n.title)[0]), fold(s)) for n, s in _task_nodes(roots, "")]
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
            ratio, match = max(
                (difflib.SequenceMatcher(None, title, o.folded).ratio(), o) for o in old
            )
            if ratio >= 0.75:
                note = f'giữ khóa của nhiệm vụ cũ "{shorten(match.title, 60)}" (tên gần giống) để giữ lịch sử'
                kept[id(node)] = (match.key, note)
                old.remove(match)
        self.unmatched = old
        return kept

    def _report_previous(self) -> None:
        for gone in self.unmatched:
            self.findings.append(
                Finding(
                    None,
                    f'nhiệm vụ {gone.key} ("{shorten(gone.title, 60)}") của tệp cũ không còn trong bảng: '
                    "khi nạp sẽ được lưu trữ, lịch sử vẫn giữ; nếu chỉ đổi tên, đặt lại khóa "
                    f"{gone.key} cho nhiệm vụ mới",
                )
            )
        by_key = {o.key: o for o in self.previous.tasks}
        for key, (where, new) in self.written.items():
            old = by_key.get(key)
            if old is None:
                continue
            for name in COMPARED:
                before, after = _comparable(name, old.written.get(name)), new.get(name)
                after = _comparable(name, after.value if isinstance(after, Flow) else after)
                if before is not None and before != after:
                    self.findings.append(
                        Finding(
                            where,
                            f"{key}: {name} đổi theo bảng, {_shown(before)} → {_shown(after)}",
                        )
                    )

    # -- who coordinates, new units, the total in words ------------------------------------

    def _coordinator(self, given: str | None, roots: list[Node]) -> tuple[str, str | None]:
        kept = self.previous.coordinator
        if not given and kept in self.units:
            return kept, None  # as the file being replaced says
        if given:
            if given in self.units:
                return given, None
            match = self.matcher.match(given)
            if match is None or match.key is None:
                raise KehoachError(
                    f'--coordinator "{given}": không có đơn vị này trong units.yaml (ghi khóa, ví dụ qltcdlcl)'
                )
            return match.key, None
        counts: Counter[str] = Counter()
        for row in _all_rows(roots):
            for role in ("lead", "partners"):
                for match in self.matcher.split(row.cells.get(role, "")):
                    unit = self.units.get(match.key or "")
                    if unit is not None and unit.kind == "internal":
                        counts[unit.key] += 1
        if not counts:
            raise KehoachError(
                "không đoán được phòng chủ trì kế hoạch: thêm --coordinator KHÓA_ĐƠN_VỊ"
            )
        key = counts.most_common(1)[0][0]
        return key, "đơn vị được nêu nhiều nhất trong bảng; sửa nếu phòng khác chủ trì kế hoạch"

    def _units_entries(self) -> Mapping | None:
        if not self.new_units:
            return None
        units = Mapping()
        for unit in self.new_units:
            body = Mapping()
            body.add("name", unit.name, f"gặp ở {unit.where} ({unit.role})")
            if not fold(unit.name).startswith(_INTERNAL):
                body.add("kind", "external", "đoán là đơn vị ngoài sở (không nhận thư riêng)")
            units.add(unit.key, body)
        return units

    def _check_words(self, header: Mapping) -> None:
        if self.words is None:
            return
        where, text = self.words
        written = _IN_WORDS.split(fold(text), maxsplit=1)[-1]
        value = parse_number_words(written)
        if value is None:
            self.findings.append(Finding(where, f'không đọc được số tiền viết bằng chữ "{text}"'))
            return
        totals = [e.value for e in header.entries if e.key == "total"]
        if not totals:
            self.findings.append(
                Finding(where, "có dòng viết bằng chữ nhưng không có dòng tổng cộng để đối chiếu")
            )
            return
        total = totals[0]
        factor = MONEY_UNIT_BY_KEY[self.appendix.money_unit].factor  # "Bằng chữ" may be in the unit
        if value != total and value * factor != total:
            self.findings.append(
                Finding(
                    where,
                    f"số viết bằng chữ ({format_number(value)}) khác tổng cộng "
                    f"{format_number(total)} đ ({amount_in_words(total)})",
                    True,
                )
            )


def _has_units(text: str, keys: list[str]) -> bool:
    doc, problems = read_yaml_bytes(text.encode("utf-8"), "units")
    if problems:
        return False
    data = doc.data
    units = data.get("units") if isinstance(data, dict) else None
    return isinstance(units, dict) and all(isinstance(units.get(k), dict) for k in keys)


def _unit_names(units: dict[str, UnitDef]) -> Iterable[UnitName]:
    for key, unit in units.items():
        yield UnitName(key, unit.name)
        for other in (key, unit.short, *unit.aliases):
            if other:
                yield UnitName(key, other)


def _task_nodes(nodes: list[Node], section: str) -> Iterable[tuple[Node, str]]:
    """Every task row with the title of the section it is in."""
    for node in nodes:
        if _is_section(node):
            yield from _task_nodes(node.children, node.title)
        else:
            yield node, section
            yield from _task_nodes(node.children, section)


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


def _marker(row: Row) -> tuple[str, str]:
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


def _is_section(node: Node) -> bool:
    """A heading: bold or without any details of its own, with rows under it; at the top
    level a bold line without details is a heading even with nothing under it yet. A
    section cannot sit inside a task."""
    if node.parent is not None and not _is_section(node.parent):  # (which checks its own)
        return False
    heading = node.row.bold or not node.details()
    if node.children:
        return heading
    return (
        node.parent is None and node.row.bold and not node.details() and not node.row.get("amount")
    )


def _ancestor_with(node: Node | None, role: str) -> Node | None:
    while node is not None:
        if node.row.get(role):
            return node
        node = node.parent
    return None


def _inherits(node: Node | None, role: str) -> bool:
    return _ancestor_with(node, role) is not None


def _all_rows(nodes: list[Node]) -> Iterable[Row]:
    for node in nodes:
        yield node.row
        yield from _all_rows(node.children)


def _clean_title(title: str) -> tuple[str, str | None]:
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


def _is_number(text: str) -> bool:
    return re.fullmatch(r"[\d.,]+", text.strip()) is not None


def _says_none(text: str) -> bool:
    return fold(text) in ("khong", "khong co")


def _is_dash(text: str) -> bool:
    return text.strip() in ("-", "–", "")


def _join_notes(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None
