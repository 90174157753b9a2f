"""Resolves one plan file against the shared units and programmes: inheritance, amounts,
schedules, unit references and reminder rules; the dependencies are checked in dependencies.py."""

from __future__ import annotations

import re
from datetime import date

from kehoach_flow.definitions.catalog import (
    FundingDef,
    PlanDef,
    ProgrammeDef,
    SectionDef,
    TargetDef,
    TaskDef,
    try_schedule,
)
from kehoach_flow.definitions.dependencies import dependency_problems
from kehoach_flow.definitions.models import FundingLine, PlanFile, Section, Task
from kehoach_flow.definitions.reader import ParsedFile
from kehoach_flow.definitions.reminder_rules import ReminderRules
from kehoach_flow.definitions.shared import unknown_unit
from kehoach_flow.definitions.source import Loc, SourceDoc
from kehoach_flow.errors import AmountError, KehoachError, Problem
from kehoach_flow.numbers import format_number, parse_amount


def resolve_plan(
    item: ParsedFile, programmes: dict[str, ProgrammeDef], unit_keys: set[str]
) -> tuple[PlanDef, list[Problem]]:
    """One plan file against the shared units and programmes."""
    assert isinstance(item.model, PlanFile)
    return PlanResolver(item.doc, item.model, programmes, unit_keys).run()


_CONTINUES = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")


class PlanResolver:
    """Walks one plan file: inheritance, amounts, schedules, references and the task graph."""

    def __init__(
        self,
        doc: SourceDoc,
        model: PlanFile,
        programmes: dict[str, ProgrammeDef],
        units: set[str],
    ) -> None:
        self.doc = doc
        self.model = model
        self.header = model.plan
        self.programmes = programmes
        self.units = units
        self.problems: list[Problem] = []
        self.tasks: list[TaskDef] = []
        self.sections: list[SectionDef] = []
        self.task_locs: dict[str, Loc] = {}
        self.section_locs: dict[str, Loc] = {}
        self.groups: dict[str, str] | None = None

    def error(self, loc: Loc, message: str) -> None:
        self.problems.append(self.doc.problem(loc, message))

    def run(self) -> tuple[PlanDef, list[Problem]]:
        header = self.header
        self._check_header()
        top_amounts = [
            self._section(s, ("sections", i), None, i, 0, _Inherited())
            for i, s in enumerate(self.model.sections)
        ]
        total = self._amount(header.total, ("plan", "total"))
        self._check_subtotal(total, top_amounts, ("plan", "total"), "tổng kinh phí kế hoạch")
        self._check_graph()
        plan = PlanDef(
            key=header.key,
            title=header.title,
            year=header.year,
            source_file=self.doc.file,
            header=header.model_dump(mode="json", exclude={"funding_sources", "total"}),
            programme=header.programme,
            coordinator=header.coordinator,
            funding_sources=dict(header.funding_sources),
            total=total,
            sections=self.sections,
            tasks=self.tasks,
        )
        return plan, self.problems

    def _check_reminders(self, block: dict[str, object] | None, loc: Loc) -> None:
        """A `reminders:` block must name known rules with values of the right kind."""
        known = set(ReminderRules.__dataclass_fields__)
        unknown = [key for key in block or {} if key not in known]
        if unknown:  # point at the mistyped key itself
            message = f"khóa nhắc việc không có: {unknown[0]}; có: {', '.join(sorted(known))}"
            self.problems.append(self.doc.problem((*loc, unknown[0]), message, at_key=True))
            return
        try:
            ReminderRules().merged(block).validate()
        except (KehoachError, TypeError, ValueError) as exc:
            self.error(loc, str(exc))

    def _check_header(self) -> None:
        header = self.header
        self._check_reminders(header.reminders, ("plan", "reminders"))
        if header.coordinator not in self.units:
            self.error(
                ("plan", "coordinator"), unknown_unit(header.coordinator, "phòng chủ trì kế hoạch")
            )
        if header.programme:
            programme = self.programmes.get(header.programme)
            if programme is None:
                known = ", ".join(sorted(self.programmes)) or "chưa có"
                message = f'chương trình "{header.programme}" không có trong programmes/ (đang có: {known})'
                self.error(("plan", "programme"), message)
            else:
                self.groups = programme.groups

    def _amount(self, value: object, loc: Loc) -> int | None:
        if value is None:
            return None
        try:
            return parse_amount(value, self.header.money_unit)
        except AmountError as exc:
            self.error(loc, exc.message)
            return None

    def _check_group(self, group: str | None, loc: Loc) -> None:
        if group is not None and self.groups is not None and group not in self.groups:
            known = ", ".join(self.groups)
            self.error(loc, f'nhóm giải pháp "{group}" không có trong chương trình (có: {known})')

    def _section(
        self,
        section: Section,
        loc: Loc,
        parent: str | None,
        position: int,
        depth: int,
        inherited: _Inherited,
    ) -> int | None:
        if section.key in self.section_locs:
            self.error((*loc, "key"), f'mục "{section.key}" bị trùng khóa trong kế hoạch')
        self.section_locs[section.key] = loc
        self._check_group(section.group, (*loc, "group"))
        here = inherited.child(section.group, section.schedule, section.funding, (*loc, "schedule"))
        declared = self._amount(section.amount, (*loc, "amount"))
        self.sections.append(
            SectionDef(section.key, parent, section.title, here.group, declared, position, depth)
        )
        amounts = [
            self._section(child, (*loc, "sections", i), section.key, i, depth + 1, here)
            for i, child in enumerate(section.sections)
        ]
        amounts += [
            self._task(task, (*loc, "tasks", i), section.key, None, i, depth + 1, here)
            for i, task in enumerate(section.tasks)
        ]
        label = f'mục "{section.key}"'
        return self._check_subtotal(declared, amounts, (*loc, "amount"), label)

    def _check_subtotal(
        self, declared: int | None, parts: list[int | None], loc: Loc, label: str
    ) -> int | None:
        known = [p for p in parts if p is not None]
        if not known:
            return declared
        total = sum(known)
        if declared is not None and declared != total:
            message = (
                f"{label}: số khai báo {format_number(declared)} đ khác tổng các mục con "
                f"{format_number(total)} đ"
            )
            self.error(loc, message)
        return declared if declared is not None else total

    def _task(
        self,
        task: Task,
        loc: Loc,
        section: str,
        parent: str | None,
        position: int,
        depth: int,
        inherited: _Inherited,
        owner: tuple[str, tuple[str, ...]] | None = None,
    ) -> int | None:
        """`owner` is the parent task's lead and partners, which a subtask inherits unless it
        names its own (the items of an investment task sit under the task's one lead)."""
        if task.key in self.task_locs:
            self.error((*loc, "key"), f'nhiệm vụ "{task.key}" bị trùng khóa trong kế hoạch')
        self.task_locs[task.key] = loc
        lead, partners = self._units(task, loc, owner)
        if task.continues is not None and not _CONTINUES.fullmatch(task.continues):
            message = f'"continues: {task.continues}" cần dạng KẾ_HOẠCH/NHIỆM_VỤ, ví dụ qt-skhcn-2024-do-luong/ctdl-ap-dung'
            self.error((*loc, "continues"), message)
        self._check_group(task.group, (*loc, "group"))
        self._check_reminders(task.reminders, (*loc, "reminders"))
        here = inherited.child(task.group, task.schedule, task.funding, (*loc, "schedule"))
        start, due = self._dates(task, loc, here)
        declared = self._amount(task.amount, (*loc, "amount"))
        funding = self._funding(task, loc, here, declared)
        child_amounts = [
            self._task(
                sub, (*loc, "subtasks", i), section, task.key, i, depth + 1, here, (lead, partners)
            )
            for i, sub in enumerate(task.subtasks)
        ]
        own = sum(f.amount for f in funding if f.amount is not None) if funding else None
        own = own if any(f.amount is not None for f in funding) else None
        renamed = task.renamed_from
        self.tasks.append(
            TaskDef(
                key=task.key,
                section=section,
                parent=parent,
                position=position,
                depth=depth,
                title=task.title,
                result=task.result,
                lead=lead,
                partners=partners,
                group=here.group,
                schedule=here.schedule,
                start=start,
                due=due,
                funding=funding,
                declared_amount=declared if task.subtasks else None,
                targets=tuple(TargetDef(t.quantity, t.unit) for t in task.targets),
                depends_on=tuple(task.depends_on),
                note=task.note,
                tags=tuple(task.tags),
                renamed_from=(renamed,) if isinstance(renamed, str) else tuple(renamed or ()),
                continues=task.continues,
                reminders=task.reminders,
            )
        )
        if task.subtasks:
            # `amount` on a task with subtasks is its declared subtotal (the funding line
            # carries none), checked against the subtasks and counted in the section's sum
            label = f'nhiệm vụ "{task.key}"'
            subtotal = declared if declared is not None else own
            return self._check_subtotal(subtotal, child_amounts, (*loc, "amount"), label)
        return own

    def _units(
        self, task: Task, loc: Loc, owner: tuple[str, tuple[str, ...]] | None
    ) -> tuple[str, tuple[str, ...]]:
        """The task's lead and partners, its own or (for a subtask) its parent's, checked
        where they are written."""
        if task.lead is not None:
            lead = task.lead
            if lead not in self.units:
                self.error((*loc, "lead"), unknown_unit(lead, "đơn vị chủ trì"))
        elif "lead" in task.model_fields_set:  # written "lead:" with nothing after it
            self.error((*loc, "lead"), '"lead" cần là văn bản')
            lead = owner[0] if owner else ""
        elif owner is not None:
            lead = owner[0]
        else:  # as the reader words a missing field, at the task
            self.error((*loc, "lead"), 'thiếu trường bắt buộc "lead"')
            lead = ""
        if "partners" not in task.model_fields_set and owner is not None:
            return lead, owner[1]
        for i, partner in enumerate(task.partners):
            if partner not in self.units:
                self.error((*loc, "partners", i), unknown_unit(partner, "đơn vị phối hợp"))
        return lead, tuple(task.partners)

    def _dates(self, task: Task, loc: Loc, here: _Inherited) -> tuple[date, date]:
        year = self.header.year
        start, due = date(year, 1, 1), date(year, 12, 31)
        if here.schedule is not None and (task.start is None or task.due is None):
            parsed = try_schedule(here.schedule, year)
            if isinstance(parsed, str):
                self.error(here.schedule_loc, parsed)
            else:
                start, due = parsed
        elif here.schedule is None and task.start is None and task.due is None:
            message = 'nhiệm vụ chưa có tiến độ: thêm schedule: (ví dụ "Cả năm") hoặc start:/due:'
            self.error((*loc, "key"), message)
        start, due = task.start or start, task.due or due
        if due < start:
            message = f"hạn hoàn thành {due:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y}"
            own = "due" if task.due else "start" if task.start else None
            self.error((*loc, own) if own else here.schedule_loc, message)
        return start, due

    def _funding(
        self, task: Task, loc: Loc, here: _Inherited, declared: int | None
    ) -> tuple[FundingDef, ...]:
        lines: list[FundingDef] = []
        if isinstance(task.funding, list):
            for i, line in enumerate(task.funding):
                amount = self._amount(line.amount, (*loc, "funding", i, "amount"))
                self._check_source(line.source, (*loc, "funding", i, "source"))
                lines.append(FundingDef(line.source, amount))
            if task.amount is not None:
                self.error(
                    (*loc, "amount"), 'đã ghi số tiền trong từng dòng "funding", bỏ "amount"'
                )
            return tuple(lines)
        source = here.funding_source
        if isinstance(source, str):
            self._check_source(
                source, here.funding_loc if task.funding is None else (*loc, "funding")
            )
            return (FundingDef(source, None if task.subtasks else declared),)
        if declared is not None and not task.subtasks:
            self.error((*loc, "amount"), 'có "amount" nhưng chưa ghi nguồn kinh phí ("funding")')
        return ()

    def _check_source(self, source: str, loc: Loc) -> None:
        if source not in self.header.funding_sources:
            known = ", ".join(self.header.funding_sources) or "chưa khai báo nguồn nào"
            self.error(
                loc, f'nguồn kinh phí "{source}" không có trong plan.funding_sources (có: {known})'
            )

    def _check_graph(self) -> None:
        for loc, message in dependency_problems(self.tasks, self.task_locs):
            self.error(loc, message)


class _Inherited:
    """Values a section or task passes down to its children."""

    def __init__(
        self,
        group: str | None = None,
        schedule: str | None = None,
        funding_source: object = None,
        schedule_loc: Loc = (),
        funding_loc: Loc = (),
    ) -> None:
        self.group = group
        self.schedule = schedule
        self.funding_source = funding_source
        self.schedule_loc = schedule_loc
        self.funding_loc = funding_loc

    def child(
        self,
        group: str | None,
        schedule: str | None,
        funding: str | list[FundingLine] | None,
        schedule_loc: Loc,
    ) -> _Inherited:
        funding_loc = (*schedule_loc[:-1], "funding")
        return _Inherited(
            group if group is not None else self.group,
            schedule if schedule is not None else self.schedule,
            funding if funding is not None else self.funding_source,
            schedule_loc if schedule is not None else self.schedule_loc,
            funding_loc if funding is not None else self.funding_loc,
        )
