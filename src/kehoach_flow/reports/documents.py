"""The documents a report names: a document by its type, number, date and issuer (from a
plan's `implements:`), the request document a report answers, and the opening sentence that
cites it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from kehoach_flow.reports.prose import bare, lower_first, vn_date

# Nghị định 09/2019/NĐ-CP: the periodic reporting regime a report cites when the period's
# request document is not given.
REGIME_BASIS = (
    "chế độ báo cáo định kỳ theo Nghị định số 09/2019/NĐ-CP ngày 24/01/2019 của Chính phủ "
    "quy định về chế độ báo cáo của cơ quan hành chính nhà nước"
)

# The kinds of document a code's symbol names ("996/QĐ-TTg" is a Quyết định); a symbol
# without one ("690/TĐC-ĐL") is a Công văn.
DOCUMENT_TYPES = {
    "QĐ": "Quyết định",
    "KH": "Kế hoạch",
    "NQ": "Nghị quyết",
    "NĐ": "Nghị định",
    "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch",
    "CT": "Chỉ thị",
    "TB": "Thông báo",
    "BC": "Báo cáo",
    "HD": "Hướng dẫn",
    "CV": "Công văn",
    "ĐA": "Đề án",
    "CTr": "Chương trình",
}
# Issuers a symbol names ("-TTg" is the Thủ tướng); "{place}" is the plan's province.
ISSUERS = {
    "TTg": "Thủ tướng Chính phủ",
    "CP": "Chính phủ",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "UBND": "UBND tỉnh {place}",
    "HĐND": "Hội đồng nhân dân tỉnh {place}",
    "SKHCN": "Sở Khoa học và Công nghệ",
}


def document_name(doc: Mapping[str, Any], place: str = "") -> str:
    """ "Quyết định số 996/QĐ-TTg ngày 10/8/2018 của Thủ tướng Chính phủ": a document by its
    type, number, date and issuer, from `implements:` (type and issuer read from the code's
    symbol when not given)."""
    code = bare(str(doc.get("code") or ""))
    kind, issuer = _from_symbol(code, place)
    kind = bare(str(doc.get("type") or "")) or kind
    issuer = bare(str(doc.get("issuer") or "")) or issuer
    text = f"{kind} số {code}" if code else kind
    day = doc.get("date")
    if day:
        text += f" ngày {vn_date(day if isinstance(day, date) else date.fromisoformat(day))}"
    if issuer:
        text += f" của {issuer}"
    about = bare(str(doc.get("about") or ""))
    if about:
        text += f" {lower_first(about)}"
    return text


def _from_symbol(code: str, place: str) -> tuple[str, str]:
    """("Quyết định", "Thủ tướng Chính phủ") from "996/QĐ-TTg"; ("Công văn", "") when the
    symbol names no type."""
    symbol = code.rsplit("/", 1)[-1]
    parts = symbol.split("-")
    kind = DOCUMENT_TYPES.get(parts[0])
    issuers = parts[1:] if kind else parts
    issuer = ISSUERS.get(issuers[0], "") if issuers else ""
    if "{place}" in issuer:
        issuer = issuer.format(place=place) if place else issuer.replace(" tỉnh {place}", "")
    return kind or "Công văn", issuer


def basis_text(text: str | None) -> str:
    """The period's request document as the opening cites it, from what a coordinator typed
    ("Công văn số 123/BKHCN-VP ngày 05/6/2024 của Bộ Khoa học và Công nghệ"); the periodic
    reporting regime when nothing was given."""
    text = bare(text or "")
    text = re.sub(r"^thực hiện\s+", "", text, flags=re.IGNORECASE)
    return lower_first(text) if text else REGIME_BASIS


def opening(basis: str, agency: str, period_title: str, cutoff: date) -> str:
    """ "Thực hiện <căn cứ>, <Sở> báo cáo kết quả thực hiện Kế hoạch quý II năm 2024 (số liệu
    tính đến hết ngày 14/6/2024) như sau:"."""
    return (
        f"Thực hiện {basis}, {agency} báo cáo kết quả thực hiện Kế hoạch {period_title} "
        f"(số liệu tính đến hết ngày {vn_date(cutoff)}) như sau:"
    )
