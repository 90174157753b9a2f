"""Who writes a report, who signs it, its number and where it goes (Nơi nhận).

A report goes UP the chain: to the programme's managing body, to whoever the plan reported to
("UBND tỉnh (b/c)"), to the agency's leaders, and a copy is filed ("Lưu: VT, QLTCĐLCL"). It never
goes to a plan's "(phối hợp)" or "(thực hiện)" recipients, who received the plan to carry it
out. A `report:` block in the plan (or, for the rollup, the programme) says it all explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from kehoach_flow.db.tables import PROGRAMME, UNIT
from kehoach_flow.reports.content import Signature

_UP = re.compile(r"\(\s*(?:để\s+)?(?:b/c|báo cáo)\s*\)", re.IGNORECASE)
_SIDEWAYS = re.compile(
    r"\(\s*(?:để\s+)?(?:p/h|t/h|phối hợp|thực hiện|chỉ đạo|t/d|theo dõi)\s*\)", re.IGNORECASE
)
_LEADERS = re.compile(r"(?:^|[\s,(])(?:GĐ|PGĐ|Giám đốc|Lãnh đạo|Chủ tịch|Thủ trưởng)(?=$|[\s,;)])")
_FILED = re.compile(r"^\s*Lưu\b", re.IGNORECASE)
_PAREN = re.compile(r"\s*\([^)]*\)\s*")


@dataclass(frozen=True)
class Addressing:
    """Everything around a report's body that is not about the plan's tasks."""

    issuer: str  # "Sở Khoa học và Công nghệ tỉnh Quảng Trị"
    place: str  # "Quảng Trị"
    symbol: str  # "BC-SKHCN" ("BC" when unknown)
    signature: Signature
    recipients: tuple[str, ...]

    @property
    def number_line(self) -> str:
        """ "Số:      /BC-SKHCN": the number itself is given when the report is signed."""
        return f"Số:      /{self.symbol}"

    def appendix_note(self, issued: date) -> str:
        """The line under the appendix's title: "(Kèm theo Báo cáo số      /BC-SKHCN ngày
        20/12/2024 của Sở Khoa học và Công nghệ)"."""
        month = f"{issued.month:02d}" if issued.month <= 2 else str(issued.month)
        day = f"{issued.day:02d}/{month}/{issued.year}"
        issuer = f" của {self.short_issuer()}" if self.issuer else ""
        return f"(Kèm theo Báo cáo số      /{self.symbol} ngày {day}{issuer})"

    def short_issuer(self) -> str:
        """ "Sở Khoa học và Công nghệ tỉnh Quảng Trị" -> "Sở Khoa học và Công nghệ"."""
        for word in (" tỉnh ", " thành phố "):
            if word in self.issuer:
                return self.issuer.split(word, 1)[0]
        return self.issuer


def abbreviation(name: str) -> str:
    """A unit's initials as a "Lưu:" line writes them: "Phòng Quản lý TCĐLCL" -> "QLTCĐLCL",
    "Phòng Kế hoạch - Tài chính" -> "KHTC"."""
    words = re.findall(r"[^\W\d_]+|\d+", name.removeprefix("Phòng ").strip())
    return "".join(w if len(w) > 1 and w.isupper() else w[0].upper() for w in words)


def _signature(block: Mapping[str, Any] | None) -> Signature | None:
    if not block:
        return None
    return Signature(
        block.get("on_behalf") or "", block.get("title") or "", block.get("name") or ""
    )


def _bare(recipient: str) -> str:
    return _PAREN.sub(" ", recipient).strip(" ;.").casefold()


def _unique(recipients: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for recipient in recipients:
        text = recipient.strip().rstrip(" ;.")
        if text:
            seen.setdefault(_bare(text), text)
    return tuple(seen.values())


def default_recipients(
    plan_recipients: Iterable[str],
    upward: Iterable[str],
    issuer: str,
    filing_unit: str,
) -> tuple[str, ...]:
    """Where a plan's report goes when its `report:` block does not say: `upward` (the
    programme's reporting line), the plan's "(b/c)" recipients, the agency's leaders and the
    file copy; never the plan's "(phối hợp)" or "(thực hiện)" recipients."""
    plan_recipients = [r for r in plan_recipients if r.strip()]
    up = [r for r in upward if not _FILED.match(r) and not _LEADERS.search(r)]
    up += [r for r in plan_recipients if _UP.search(r)]
    leaders = [
        r
        for r in plan_recipients
        if _LEADERS.search(r) and not _UP.search(r) and not _SIDEWAYS.search(r)
    ]
    if not leaders:
        leaders = ["Lãnh đạo Sở" if issuer.startswith("Sở ") else "Lãnh đạo đơn vị"]
    filed = [r for r in plan_recipients if _FILED.match(r)][:1]
    if not filed:
        filed = [f"Lưu: VT, {filing_unit}" if filing_unit else "Lưu: VT"]
    return _unique([*up, *leaders, *filed])


def plan_addressing(conn: Connection, plan: Any) -> Addressing:
    """The addressing of `plan`'s reports (a row of the plan table, its header as stored)."""
    header: Mapping[str, Any] = plan.header or {}
    block: Mapping[str, Any] = header.get("report") or {}
    programme_block: Mapping[str, Any] = {}
    if plan.programme_id is not None:
        stored = conn.execute(
            select(PROGRAMME.c.report).where(PROGRAMME.c.id == plan.programme_id)
        ).scalar()
        programme_block = stored or {}
    unit = conn.execute(
        select(UNIT.c.name, UNIT.c.short).where(UNIT.c.id == plan.coordinator_id)
    ).first()
    issuer = block.get("issuer") or header.get("issuer") or ""
    document_symbol = (header.get("document") or {}).get("symbol")
    recipients = tuple(block.get("recipients") or ()) or default_recipients(
        header.get("recipients") or (),
        programme_block.get("recipients") or (),
        issuer,
        abbreviation(unit.short or unit.name) if unit else "",
    )
    return Addressing(
        issuer=issuer,
        place=block.get("place") or header.get("place") or "",
        symbol=block.get("symbol") or (f"BC-{document_symbol}" if document_symbol else "BC"),
        signature=_signature(block.get("signer"))
        or _signature(header.get("signer"))
        or Signature("", "", ""),
        recipients=_unique(recipients),
    )


def rollup_addressing(
    programme_block: Mapping[str, Any] | None,
    plan_headers: list[Mapping[str, Any]],
    filing_units: list[str],
) -> Addressing:
    """The rollup's addressing: the programme's `report:` block; what it leaves out is taken
    from the plans when they all agree (one Sở rolling up its own plans), else left blank.
    The programme's recipients are its reporting line: with a "Lưu:" line they are the whole
    Nơi nhận, without one the agency's leaders and the file copy follow them."""
    block = programme_block or {}

    def common(get: Any) -> Any:
        values = {repr(v): v for h in plan_headers if (v := get(h))}
        return next(iter(values.values())) if len(values) == 1 else None

    def plan_block(h: Mapping[str, Any]) -> Mapping[str, Any]:
        return h.get("report") or {}

    issuer = block.get("issuer") or common(lambda h: plan_block(h).get("issuer") or h.get("issuer"))
    symbol = block.get("symbol") or common(lambda h: plan_block(h).get("symbol"))
    if not symbol:
        document = common(lambda h: (h.get("document") or {}).get("symbol"))
        symbol = f"BC-{document}" if document else "BC"
    signer = block.get("signer") or common(lambda h: plan_block(h).get("signer") or h.get("signer"))
    recipients = list(block.get("recipients") or ())
    if not any(_FILED.match(r) for r in recipients):
        if not any(_LEADERS.search(r) for r in recipients):
            recipients.append(
                "Lãnh đạo Sở" if (issuer or "").startswith("Sở ") else "Lãnh đạo đơn vị"
            )
        unit = filing_units[0] if len(set(filing_units)) == 1 else ""
        recipients.append(f"Lưu: VT, {unit}" if unit else "Lưu: VT")
    return Addressing(
        issuer=issuer or "",
        place=block.get("place")
        or common(lambda h: plan_block(h).get("place") or h.get("place"))
        or "",
        symbol=symbol,
        signature=_signature(signer) or Signature("", "", ""),
        recipients=_unique(recipients),
    )
