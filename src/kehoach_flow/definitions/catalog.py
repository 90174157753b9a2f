"""The resolved definitions: plans with inherited values filled in, every rule checked."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cached_property
from typing import Any

from kehoach_flow.errors import ScheduleError
from kehoach_flow.schedule import ACCEPTED_FORMS, parse_schedule


@dataclass(frozen=True)
class UnitDef:
    key: str
    name: str
    short: str | None
    aliases: tuple[str, ...]
    email: str | None
    head_name: str | None
    head_email: str | None
    parent: str | None
    kind: str


@dataclass(frozen=True)
class ProgrammeDef:
    key: str
    title: str
    decision_code: str | None
    decision_date: date | None
    groups: dict[str, str]
    report: dict[str, Any] | None = None  # the `report:` block, as JSON
    owner: str | None = None  # unit key of the unit owning the programme


@dataclass(frozen=True)
class SectionDef:
    key: str
    parent: str | None
    title: str
    group: str | None
    declared_amount: int | None
    position: int
    depth: int


@dataclass(frozen=True)
class FundingDef:
    source: str
    amount: int | None


@dataclass(frozen=True)
class TargetDef:
    quantity: int
    unit: str


@dataclass(frozen=True)
class TaskDef:
    key: str
    section: str | None
    parent: str | None
    position: int
    depth: int
    title: str
    result: str | None
    lead: str
    partners: tuple[str, ...]
    group: str | None
    schedule: str | None
    start: date
    due: date
    funding: tuple[FundingDef, ...]
    declared_amount: int | None
    targets: tuple[TargetDef, ...]
    depends_on: tuple[str, ...]
    note: str | None
    tags: tuple[str, ...]
    renamed_from: tuple[str, ...]
    continues: str | None
    reminders: dict[str, Any] | None

    @cached_property
    def fingerprint(self) -> str:
        """Changes exactly when a stored column or link of the task would change."""
        return _digest(repr(astuple_shallow(self)))


@dataclass
class PlanDef:
    key: str
    title: str
    year: int
    source_file: str
    header: dict[str, Any]
    programme: str | None
    coordinator: str
    funding_sources: dict[str, str]
    total: int | None
    sections: list[SectionDef] = field(default_factory=list)
    tasks: list[TaskDef] = field(default_factory=list)

    @cached_property
    def fingerprint(self) -> str:
        header = json.dumps(self.header, sort_keys=True, default=str, ensure_ascii=False)
        parts = (header, self.funding_sources, self.total, self.source_file, self.sections)
        return _digest(repr(parts) + "".join(t.fingerprint for t in self.tasks))


@dataclass
class Catalog:
    """Everything read from a definitions path, consistent and ready to store."""

    units: dict[str, UnitDef] = field(default_factory=dict)
    programmes: dict[str, ProgrammeDef] = field(default_factory=dict)
    plans: dict[str, PlanDef] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def astuple_shallow(instance: Any) -> tuple[Any, ...]:
    """Field values in order; nested frozen dataclasses keep their (stable) repr."""
    return tuple(getattr(instance, f.name) for f in fields(instance))


def schedule_message(text: str) -> str:
    forms = "; ".join(ACCEPTED_FORMS)
    return f'không hiểu tiến độ "{text}"; các dạng được chấp nhận: {forms}; hoặc ghi start:/due:'


def try_schedule(text: str, year: int) -> tuple[date, date] | str:
    """Start and due of a schedule expression, or the error message for it."""
    try:
        period = parse_schedule(text, year)
    except ScheduleError:
        return schedule_message(text)
    return period.start, period.due
