"""A report's money: planned and spent per funding source, the sentence that sums them up,
and the total in words under the budget table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from kehoach_flow.numbers import (
    MONEY_UNIT_LABELS,
    MoneyUnit,
    amount_in_words,
    format_money,
    format_percent,
)
from kehoach_flow.reports.content import BudgetRow
from kehoach_flow.reports.periods import Period
from kehoach_flow.reports.prose import vn_date
from kehoach_flow.tracking.task_views import TaskView


def budget_by_source(tasks: list[dict[str, Any]], views: Mapping[str, TaskView]) -> list[BudgetRow]:
    """Planned and spent per funding source, then the total (the report's budget table)."""
    planned: dict[str, int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for task in tasks:
        view = views[task["key"]]
        for line in task["funding"]:
            names[line["source"]] = line["name"]
            planned[line["source"]] += line["amount"] or 0
            spent[line["source"]] += view.state.spending.get(line["line_id"], 0)
    rows = [BudgetRow(names[k], planned[k], spent[k]) for k in names]
    rows.append(BudgetRow("Tổng cộng", sum(planned.values()), sum(spent.values()), is_total=True))
    return rows


def _in_unit(dong: int, unit: MoneyUnit) -> str:
    return f"{format_money(dong, unit)} {MONEY_UNIT_LABELS[unit]}"


def budget_sentence(rows: list[BudgetRow], period: Period, unit: MoneyUnit) -> str:
    """The budget sentence of II.1: spent against planned, or (when the plan gives no
    amounts) what was spent by the cut-off and from which source."""
    total = rows[-1]
    if total.planned:
        percent = format_percent(100 * total.spent / total.planned)
        spent, planned = format_money(total.spent, unit), format_money(total.planned, unit)
        return (
            f"Kinh phí đã sử dụng {spent}/{planned} {MONEY_UNIT_LABELS[unit]}, "
            f"đạt {percent} kế hoạch."
        )
    # The plan gives no amounts: say what was spent, and from which source.
    if not total.spent:
        return f"Đến hết ngày {vn_date(period.cutoff)}, các đơn vị chưa báo cáo kinh phí đã chi."
    sources = [row for row in rows[:-1] if row.spent]
    where = (
        f" từ {sources[0].label[:1].lower()}{sources[0].label[1:]}"
        if len(sources) == 1
        else " (" + "; ".join(f"{r.label}: {_in_unit(r.spent, unit)}" for r in sources) + ")"
    )
    return (
        f"Đến hết ngày {vn_date(period.cutoff)}, các đơn vị đã chi "
        f"{_in_unit(total.spent, unit)}{where}."
    )


def total_in_words(total: BudgetRow) -> str:
    """The words under the budget table: of the planned total, or (when the plan gives no
    amounts) of what was spent; nothing when there is neither."""
    if total.planned:
        return f"Viết bằng chữ: {amount_in_words(total.planned)}"
    if total.spent:
        return f"Tổng số đã chi viết bằng chữ: {amount_in_words(total.spent)}"
    return ""
