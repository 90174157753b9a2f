"""Pydantic models of the plan definition format (see shared/definition-format.md)."""

from __future__ import annotations

from datetime import date as Date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kehoach_flow.cutoff import CutoffDayField

Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=120)]
UnitKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Amount = int | str


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


class Person(Model):
    name: Text
    email: Email | None = None


class Unit(Model):
    name: Text
    short: Text | None = None
    aliases: list[Text] = []
    email: Email | None = None
    head: Person | None = None
    parent: UnitKey | None = None
    kind: Literal["internal", "external"] = "internal"


class UnitsFile(Model):
    units: dict[UnitKey, Unit]


class DocumentRef(Model):
    """A document a plan carries out, as a report names it: "Quyết định số 996/QĐ-TTg ngày
    10/8/2018 của Thủ tướng Chính phủ phê duyệt Đề án ...". Only `code` is required: the type
    and the issuer are read from its symbol when not given ("QĐ" a Quyết định, "KH" a Kế
    hoạch, none a Công văn; "TTg" the Thủ tướng, "BKHCN" the Bộ, "UBND" the province)."""

    code: Text  # số và ký hiệu: "996/QĐ-TTg", "1928/QĐ-UBND", "49/KH-SKHCN"
    date: Date | None = None
    type: Text | None = None  # "Quyết định", "Kế hoạch", "Công văn", ...
    issuer: Text | None = None  # "Thủ tướng Chính phủ", "UBND tỉnh Quảng Trị"
    about: Text | None = None  # trích yếu: "phê duyệt Đề án ...", "về việc ..."


class Programme(Model):
    key: Key
    title: Text
    decision: DocumentRef | None = None
    # the unit owning the programme (a ministry's department): its subtree sees every plan
    # implementing it, whichever province coordinates it (accounts/scope.py)
    owner: UnitKey | None = None
    groups: dict[str, Text] = {}
    report: ReportBlock | None = None  # the rollup's, and where its plans' reports go


class ProgrammeFile(Model):
    programme: Programme


class Document(Model):
    type: Text = "KH"
    number: str | None = None
    symbol: str | None = None
    date: Date | None = None


class Signer(Model):
    on_behalf: str | None = None
    title: Text
    name: Text


ReportSymbol = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^BC-[^\s/]+$", max_length=40)
]


class ReportBlock(Model):
    """Who a report goes to and who signs it: a report goes up the chain, not to the plan's
    "(phối hợp)" recipients. Every key is optional; see `kehoach_flow.reports.recipients`."""

    issuer: Text | None = None  # the agency writing the report (a plan's defaults to its issuer)
    place: Text | None = None  # địa danh of the date line
    symbol: ReportSymbol | None = None  # "BC-SKHCN": the number line reads "Số:      /BC-SKHCN"
    signer: Signer | None = None
    recipients: list[Text] = []  # Nơi nhận, in order, "Lưu: VT, ..." last
    # the request the reports answer, cited in the opening ("Thực hiện <basis>, ..."):
    # "Công văn số 123/BKHCN-VP ngày 05/6/2024 của Bộ Khoa học và Công nghệ"; `kehoach
    # report --can-cu` gives one for a single report; without either the opening cites the
    # periodic reporting regime (Nghị định 09/2019/NĐ-CP)
    basis: Text | None = None


class Target(Model):
    quantity: int = Field(ge=0)
    unit: Text


class FundingLine(Model):
    source: Key
    amount: Amount | None = None


class Task(Model):
    key: Key
    title: Text
    result: str | None = None
    targets: list[Target] = []
    lead: UnitKey | None = None  # required on a task; a subtask inherits its parent's
    partners: list[UnitKey] = []  # a subtask that names none inherits its parent's
    schedule: str | None = None
    start: Date | None = None
    due: Date | None = None
    funding: Key | list[FundingLine] | None = None
    amount: Amount | None = None
    group: str | None = None
    depends_on: list[str] = []
    note: str | None = None
    tags: list[str] = []
    renamed_from: Key | list[Key] | None = None
    continues: str | None = None
    reminders: dict[str, Any] | None = None
    subtasks: list[Task] = []


class Section(Model):
    key: Key
    title: Text
    group: str | None = None
    schedule: str | None = None
    funding: Key | list[FundingLine] | None = None
    amount: Amount | None = None
    tasks: list[Task] = []
    sections: list[Section] = []


# Issue 22: completion review is on unless a plan says `review: false`. The coordinator
# confirms or returns a done report from the task page, the API or `kehoach review`, and the
# digest and /qua-han list what waits.
REVIEW_DEFAULT = True


class PlanHeader(Model):
    key: Key
    title: Text
    year: int = Field(ge=2000, le=2100)
    issuer: str | None = None
    place: str | None = None
    document: Document | None = None
    implements: list[DocumentRef] = []
    programme: Key | None = None
    coordinator: UnitKey
    signer: Signer | None = None
    recipients: list[str] = []
    report: ReportBlock | None = None  # the reports' own recipients, signer and number
    money_unit: Literal["dong", "nghin", "trieu"] = "dong"
    funding_sources: dict[Key, Text] = {}
    total: Amount | None = None
    reminders: dict[str, Any] | None = None
    report_cutoff_day: CutoffDayField | None = None  # reporting periods' last day of the month
    # `review: true`: a task reported done waits for the coordinator's confirmation.
    review: bool = REVIEW_DEFAULT


class PlanFile(Model):
    plan: PlanHeader
    sections: list[Section] = []


def json_schema() -> dict[str, Any]:
    """JSON Schema for any definition file (units, programme or plan), for editors."""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kehoach-flow definition file",
        "anyOf": [],
        "$defs": {},
    }
    for model in (UnitsFile, ProgrammeFile, PlanFile):
        part = model.model_json_schema(ref_template="#/$defs/{model}")
        schema["$defs"].update(part.pop("$defs", {}))
        schema["$defs"][model.__name__] = part
        schema["anyOf"].append({"$ref": f"#/$defs/{model.__name__}"})
    return schema
