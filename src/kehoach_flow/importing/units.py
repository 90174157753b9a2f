"""The lead and partner units of the table's rows as unit keys: the units of units.yaml by
any of their names, and a new unit proposed for each name that is none of them."""

from __future__ import annotations

from collections.abc import Iterable

from kehoach_flow.definitions.catalog import UnitDef
from kehoach_flow.importing.appendix import Row
from kehoach_flow.importing.imported import NewUnit
from kehoach_flow.importing.outline import Node, ancestor_with
from kehoach_flow.importing.values import UnitMatch, UnitMatcher, UnitName, slug, unique
from kehoach_flow.importing.yamlout import Flow, Mapping
from kehoach_flow.text import fold

# Folded name starts of the department's own units; other new units are guessed external.
_INTERNAL = ("phong ", "trung tam", "chi cuc", "van phong", "thanh tra", "ban ")


class UnitKeys:
    """Unit names in cells to unit keys. A name no unit has becomes a new unit, proposed in
    `new_units`, and later cells naming it get the same key."""

    def __init__(self, units: dict[str, UnitDef]) -> None:
        self.units = units
        self.matcher = UnitMatcher(_unit_names(units))
        self.taken = set(units)
        self.new_units: list[NewUnit] = []

    def keys(self, row: Row, role: str) -> list[tuple[str, str | None]]:
        """The units a lead or partners cell names: (key, review note) each."""
        keys = []
        for match in self.matcher.split(row.cells.get(role, "")):
            key = match.key or self._new_unit(match, row, role)
            keys.append((key, match.note))
        return keys

    def _new_unit(self, match: UnitMatch, row: Row, role: str) -> str:
        key = unique(slug(match.text, 6) or "don-vi", self.taken)
        label = "đơn vị chủ trì" if role == "lead" else "đơn vị phối hợp"
        self.new_units.append(NewUnit(key, match.text, row.where, label))
        self.matcher.exact[fold(match.text)] = key
        self.matcher.labels[key] = match.text
        return key

    def task_units(
        self, task: Mapping, row: Row, parent: Node | None, lead_column: bool, coordinator: str
    ) -> None:
        """A task's lead and partners: its own lead cell, else its section row's, else the
        plan's coordinator; the units after the first in a lead cell become partners."""
        heading = ancestor_with(parent, "lead")
        if lead_column and not row.get("lead") and heading is not None:
            leads = self.keys(heading.row, "lead")
            task.add("lead", leads[0][0], f"chủ trì theo dòng mục ({heading.row.where})")
            partners = self.keys(row, "partners")
        elif not lead_column or not row.get("lead"):
            note = (
                None if not lead_column else "ô chủ trì để trống: tạm giao phòng chủ trì kế hoạch"
            )
            task.add("lead", coordinator, note)
            partners = self.keys(row, "partners")
        else:
            leads = self.keys(row, "lead")
            lead_key, lead_note = leads[0]
            extra = leads[1:]
            if extra:
                lead_note = _join_notes(
                    lead_note,
                    "ô chủ trì ghi nhiều đơn vị: đơn vị đầu chủ trì, các đơn vị sau chuyển sang phối hợp",
                )
            task.add("lead", lead_key, lead_note)
            partners = [p for p in [*extra, *self.keys(row, "partners")] if p[0] != lead_key]
        seen: dict[str, str | None] = {}
        for key, note in partners:
            seen.setdefault(key, note)
        notes = "; ".join(n for n in seen.values() if n)
        task.add("partners", Flow(list(seen)) if seen else None, notes or None)

    def new_units_entries(self) -> Mapping | None:
        """The proposed new units as the units file writes them; None when there are none."""
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


def _unit_names(units: dict[str, UnitDef]) -> Iterable[UnitName]:
    for key, unit in units.items():
        yield UnitName(key, unit.name)
        for other in (key, unit.short, *unit.aliases):
            if other:
                yield UnitName(key, other)


def _join_notes(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None
