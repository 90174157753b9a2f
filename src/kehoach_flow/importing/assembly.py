"""The outline made into the plan file: sections and tasks with their keys and fields, then
the whole file written with its review comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kehoach_flow.importing.cells import SCHEDULE_COLUMNS, CellReader, amount_in, targets
from kehoach_flow.importing.imported import Finding
from kehoach_flow.importing.outline import Node, clean_title, is_section
from kehoach_flow.importing.reconcile import KeptKeys, Previous
from kehoach_flow.importing.units import UnitKeys
from kehoach_flow.importing.values import slug, unique
from kehoach_flow.importing.yamlout import Entry, Mapping, Writer, plain_value
from kehoach_flow.numbers import format_number
from kehoach_flow.text import fold

# Folded words left out of a task key made from its title.
_KEY_STOP = {"va", "cac", "cua", "the", "tai", "tren", "ve", "voi", "de", "nhung", "mot"}


@dataclass(frozen=True)
class Body:
    """The plan's sections as the file writes them, counted, and each task's fields as
    written (task key -> (its row, fields)) for comparing with the file being replaced."""

    sections: list[Mapping]
    section_count: int
    task_count: int
    written: dict[str, tuple[str, dict[str, Any]]]


def plan_sections(
    roots: list[Node],
    *,
    cells: CellReader,
    units: UnitKeys,
    previous: Previous,
    kept: KeptKeys,
    coordinator: str,
    findings: list[Finding],
) -> Body:
    """Sections and tasks from the outline, in table order; what needs a look is added to
    `findings`."""
    walk = _Walk(cells, units, previous, kept, coordinator, findings)
    sections = walk.sections(roots)
    return Body(sections, walk.section_count, walk.task_count, walk.written)


def write_plan(
    *,
    file_name: str,
    today: date,
    columns: frozenset[str],
    coordinator: str,
    header: Mapping,
    body: Body,
) -> Writer:
    """The plan file: a comment on how it was made, the header, the sections."""
    writer = Writer()
    for line in _intro(file_name, today, columns, coordinator):
        writer.comment(line)
    top = Mapping()
    top.add("plan", header)
    top.add("sections", body.sections)
    writer.mapping(top, 0)
    return writer


def _intro(file_name: str, today: date, columns: frozenset[str], coordinator: str) -> list[str]:
    lines = [
        f'Nhập từ phụ lục của "{file_name}" bằng `kehoach import` ngày {today:%d/%m/%Y}.',
        'Chỗ ghi "xem lại:" là chỗ chương trình đã đoán: kiểm tra, sửa nếu cần, rồi xóa '
        "dòng ghi chú. Kiểm tra cả tệp bằng `kehoach validate`.",
    ]
    if "lead" not in columns:
        lines.append(
            f"Bảng không có cột đơn vị chủ trì: phòng chủ trì kế hoạch ({coordinator}) "
            "chủ trì mọi nhiệm vụ."
        )
    if not columns & SCHEDULE_COLUMNS:
        lines.append('Bảng không có cột tiến độ: mỗi mục tạm ghi "Cả năm".')
    return lines


class _Walk:
    """One pass over the outline, keeping the keys given so far unique."""

    def __init__(
        self,
        cells: CellReader,
        units: UnitKeys,
        previous: Previous,
        kept: KeptKeys,
        coordinator: str,
        findings: list[Finding],
    ) -> None:
        self.cells = cells
        self.units = units
        self.previous = previous
        self.kept = kept
        self.coordinator = coordinator
        self.findings = findings
        self.section_keys: set[str] = set()
        self.task_keys: set[str] = set()
        self.section_count = 0
        self.task_count = 0
        self.written: dict[str, tuple[str, dict[str, Any]]] = {}

    def sections(self, roots: list[Node]) -> list[Mapping]:
        sections: list[Mapping] = []
        loose: list[Node] = []
        for node in roots:
            if is_section(node):
                sections += self._loose(loose)
                loose = []
                sections.append(self._section(node, None))
            else:
                loose.append(node)
        sections += self._loose(loose)
        if not self.cells.columns & SCHEDULE_COLUMNS:
            for section in sections:
                section.entries.insert(2, Entry("schedule", "Cả năm"))
        if self.cells.default_source is not None:
            note = "bảng không có cột nguồn kinh phí: một nguồn chung, đặt lại tên nguồn"
            for section in sections:
                section.entries.insert(2, Entry("funding", self.cells.default_source, note))
        return sections

    def _loose(self, tasks: list[Node]) -> list[Mapping]:
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
        self.section_count += 1
        return [section]

    def _section(self, node: Node, parent_key: str | None) -> Mapping:
        self.section_count += 1
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
        self.cells.values(section, node.row, own_schedule_only=True)
        if node.subtotal is not None:
            self._closing_subtotal(section, node, title)
        children = [c for c in node.children if is_section(c)]
        tasks = [c for c in node.children if not is_section(c)]
        section.add("sections", [self._section(c, key) for c in children])
        section.add("tasks", [self._task(c) for c in tasks])
        if not node.children:
            self.findings.append(Finding(node.row.where, f'mục "{title}" không có nhiệm vụ nào'))
        return section

    def _closing_subtotal(self, section: Mapping, node: Node, title: str) -> None:
        """A "Cộng" row under the section: its declared subtotal, unless the heading row
        already gave one (then the two must agree)."""
        assert node.subtotal is not None
        amount = amount_in(node.subtotal, self.cells.money_unit)
        own = amount_in(node.row, self.cells.money_unit)
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
        self.task_count += 1
        row = node.row
        task = Mapping(where=row.where)
        title, title_note = clean_title(node.title)
        if not title:
            title = row.get("result") or f"Nhiệm vụ {node.marker}".strip()
            title_note = "dòng không có nội dung công việc: tên lấy tạm, cần sửa"
        key, kept_note = self._task_key(node, title)
        task.add("key", key, kept_note)
        task.add("title", title, title_note)
        result = row.get("result") or None
        task.add("result", result)
        targets(task, result, title)
        lead_column = "lead" in self.cells.columns
        self.units.task_units(task, row, node.parent, lead_column, self.coordinator)
        self.cells.values(task, row, own_schedule_only=False, parent=node.parent)
        extra = [f"{name}: {text}" for name, text in row.extra]
        task.add("note", "; ".join([*row.lines("note"), *extra]) or None)
        for remark in row.remarks:
            self.findings.append(Finding(row.where, remark))
        for name, value in self.previous.task_fields.get(key, {}).items():
            task.add(name, plain_value(value))  # written by hand after an earlier import
        self.written[key] = (row.where, {e.key: e.value for e in task.entries})
        task.add("subtasks", [self._task(c) for c in node.children])
        return task

    def _task_key(self, node: Node, title: str) -> tuple[str, str | None]:
        """The key the replaced file gave this row's task (with a note when the title only
        looked alike), else one made from its title."""
        key, kept_note = self.kept.keys.get(id(node), (None, None))
        if key is None or key in self.task_keys:
            # a new key: not one a later row keeps from the file being replaced
            reserved = self.kept.reserved() - self.task_keys
            key = unique(slug(title, 4, _KEY_STOP), self.task_keys | reserved)
        self.task_keys.add(key)
        return key, kept_note
