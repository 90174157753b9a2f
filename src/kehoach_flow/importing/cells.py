"""Reading a row's cells into a section's or task's fields: schedule or start and due dates,
funding source and amount in đồng, and the targets counted in its result."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kehoach_flow.definitions.catalog import try_schedule
from kehoach_flow.errors import AmountError
from kehoach_flow.importing.appendix import Row
from kehoach_flow.importing.imported import Finding
from kehoach_flow.importing.outline import Node, inherits
from kehoach_flow.importing.values import FundingSources, Target, implied_document, targets_in
from kehoach_flow.importing.yamlout import Flow, Mapping
from kehoach_flow.numbers import MONEY_UNIT_BY_KEY, MoneyUnit, parse_amount
from kehoach_flow.schedule import Window
from kehoach_flow.text import fold

_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # a date as written: 30/9/2025
SCHEDULE_COLUMNS = frozenset({"schedule", "start", "end"})


def amount_in(row: Row, money_unit: MoneyUnit) -> int | None:
    """The row's amount in đồng; None when it has none or it cannot be read."""
    text = row.get("amount")
    if not text or _is_dash(text):
        return None
    try:
        return parse_amount(with_unit(text, money_unit))
    except AmountError:
        return None


def with_unit(text: str, money_unit: MoneyUnit) -> str:
    """A bare number is in the table's unit: "1.500,5" -> "1.500,5 triệu"."""
    return f"{text} {MONEY_UNIT_BY_KEY[money_unit].word}" if _is_number(text) else text


def targets(task: Mapping, result: str | None, title: str) -> None:
    """The things a task's result counts ("01 phóng sự; 02 bài viết"), and those its title
    counts that the result does not."""
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


@dataclass
class CellReader:
    """Reads the schedule and money cells of the table's rows, one after another; what cannot
    be read is kept as written and added to `findings`."""

    columns: frozenset[str]  # the roles the table has a column for
    money_unit: MoneyUnit
    year: int
    sources: FundingSources
    findings: list[Finding]
    amounts: int = 0  # how many amounts were read
    largest: int = 0  # the largest amount read, in đồng
    default_source: str | None = None  # the one source of a table with no funding column

    def values(
        self, mapping: Mapping, row: Row, own_schedule_only: bool, parent: Node | None = None
    ) -> None:
        """Schedule, funding and amount of a section or task row."""
        self._schedule_cells(mapping, row, own_schedule_only, parent)
        self._money_cells(mapping, row, own_schedule_only, parent)

    def _schedule_cells(
        self, mapping: Mapping, row: Row, own_schedule_only: bool, parent: Node | None
    ) -> None:
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
            and self.columns & SCHEDULE_COLUMNS
            and not any(inherits(parent, r) for r in ("schedule", "start", "end"))
        ):
            mapping.add("schedule", "Cả năm", "ô tiến độ để trống: tạm ghi cả năm")

    def _money_cells(
        self, mapping: Mapping, row: Row, own_schedule_only: bool, parent: Node | None
    ) -> None:
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
        self.amounts += 1
        task_row = not own_schedule_only
        if (
            task_row
            and not funding
            and not inherits(parent, "funding")
            and "funding" in self.columns
        ):
            mapping.add("funding", self._fallback_source(), "chưa ghi nguồn kinh phí")
        if "funding" not in self.columns and self.default_source is None:
            self.default_source = self._fallback_source()
        self._amount(mapping, row, amount_text)

    def _amount(self, mapping: Mapping, row: Row, amount_text: str) -> None:
        written = with_unit(amount_text, self.money_unit)
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
        opening = self._window(first) if first else None
        closing = self._window(last) if last else None
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

    def _window(self, text: str) -> Window | None:
        day = _DAY.fullmatch(text)
        if day:
            try:
                when = date(int(day.group(3)), int(day.group(2)), int(day.group(1)))
            except ValueError:
                return None
            return Window(when, when)
        parsed = try_schedule(text, self.year)
        return None if isinstance(parsed, str) else Window(*parsed)

    def _fallback_source(self) -> str:
        return self.sources.key_for(f"Kinh phí thực hiện kế hoạch năm {self.year}")

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


def _is_number(text: str) -> bool:
    return re.fullmatch(r"[\d.,]+", text.strip()) is not None


def _says_none(text: str) -> bool:
    return fold(text) in ("khong", "khong co")


def _is_dash(text: str) -> bool:
    return text.strip() in ("-", "–", "")
