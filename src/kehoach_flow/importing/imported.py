"""What an import gives back: the plan file's text, the new units it proposes and the
findings the coordinator must look at."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kehoach_flow.definitions.source import read_yaml_bytes
from kehoach_flow.errors import KehoachError
from kehoach_flow.importing.yamlout import Mapping, Writer


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


def _has_units(text: str, keys: list[str]) -> bool:
    doc, problems = read_yaml_bytes(text.encode("utf-8"), "units")
    if problems:
        return False
    data = doc.data
    units = data.get("units") if isinstance(data, dict) else None
    return isinstance(units, dict) and all(isinstance(units.get(k), dict) for k in keys)
