"""Builds a plan's report for a period from the database: states at the cut-off, history
within the window, money by funding source. Same history, same report, whenever it is run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, select

from kehoach_flow.db.queries import list_tasks
from kehoach_flow.db.sync import PLAN, PROGRAMME, SECTION
from kehoach_flow.errors import NotFoundError
from kehoach_flow.numbers import amount_in_words, format_number
from kehoach_flow.reports.content import (
    AppendixRow,
    BudgetRow,
    CategoryCount,
    GroupResult,
    Header,
    Report,
    Signature,
)
from kehoach_flow.reports.periods import Period
from kehoach_flow.tracking.board import BoardOptions, TaskView, plan_board
from kehoach_flow.tracking.history import UPDATE
from kehoach_flow.tracking.state import Category, end_of_day
from kehoach_flow.tracking.status import Status


@dataclass
class _Facts:
    plan: Any
    groups: dict[str, str]
    sections: list[Any]
    views: dict[str, TaskView]
    tasks: list[dict[str, Any]]
    notes: dict[str, list[Any]]  # task key -> updates recorded within the period


def build_report(
    engine: Engine, plan_key: str, period: Period, options: BoardOptions, issued: date
) -> Report:
    """The report of `plan_key` for `period`, dated `issued` (the date line)."""
    facts = _read(engine, plan_key, period, options)
    header = facts.plan.header or {}
    views = [facts.views[t["key"]] for t in facts.tasks]
    counted = [v for v in views if v.category is not None]
    budget = _budget(facts)
    return Report(
        header=_header(header, facts.plan.title, period, issued),
        intro=_intro(header, period),
        direction=_direction(header),
        results=_results(facts),
        categories=tuple(
            CategoryCount(c.label, n, round(100 * n / len(counted), 1) if counted else 0.0)
            for c in Category
            for n in [sum(1 for v in counted if v.category == c)]
        ),
        total_tasks=len(counted),
        budget_sentence=_budget_sentence(budget[-1]),
        difficulties=_difficulties(facts),
        next_steps=_next_steps(facts, period),
        proposals=tuple(
            f"{u.proposals}" for notes in facts.notes.values() for u in notes if u.proposals
        ),
        recipients=tuple(header.get("recipients") or ()),
        signature=_signature(header),
        appendix_title=f"Kết quả thực hiện các nhiệm vụ {period.title}",
        appendix=_appendix(facts),
        budget=tuple(budget),
        total_in_words=f"Viết bằng chữ: {amount_in_words(budget[-1].planned)}",
        metadata={
            "plan": plan_key,
            "period": period.kind,
            "year": str(period.year),
            "cutoff": period.cutoff.isoformat(),
        },
    )


def _read(engine: Engine, plan_key: str, period: Period, options: BoardOptions) -> _Facts:
    with engine.connect() as conn:
        plan = conn.execute(select(PLAN).where(PLAN.c.key == plan_key)).first()
        if plan is None:
            raise NotFoundError("kế hoạch", plan_key, "xem danh sách bằng `kehoach plans`")
        programme = conn.execute(
            select(PROGRAMME).where(PROGRAMME.c.id == plan.programme_id)
        ).first()
        sections = list(
            conn.execute(
                select(SECTION)
                .where(SECTION.c.plan_id == plan.id, SECTION.c.archived_at.is_(None))
                .order_by(SECTION.c.depth, SECTION.c.position)
            )
        )
        window = (UPDATE.c.at > end_of_day(period.start - timedelta(days=1), options.timezone)) & (
            UPDATE.c.at <= end_of_day(period.cutoff, options.timezone)
        )
        tasks = list_tasks(engine, plan=plan_key)
        ids = {t["id"]: t["key"] for t in tasks}
        notes: dict[str, list[Any]] = defaultdict(list)
        for row in conn.execute(
            select(UPDATE)
            .where(window, UPDATE.c.task_id.in_(list(ids)))
            .order_by(UPDATE.c.at, UPDATE.c.version)
        ):
            notes[ids[row.task_id]].append(row)
    views = {v.key: v for v in plan_board(engine, plan_key, period.cutoff, options)}
    return _Facts(
        plan, dict(programme.groups or {}) if programme else {}, sections, views, tasks, notes
    )


def _agency_lines(issuer: str) -> tuple[str, str]:
    """ "Sở Khoa học và Công nghệ tỉnh Quảng Trị" -> ("UBND TỈNH QUẢNG TRỊ", "SỞ KHOA HỌC VÀ CÔNG NGHỆ")."""
    for word in (" tỉnh ", " thành phố "):
        if word in issuer:
            agency, place = issuer.split(word, 1)
            return f"UBND {word.strip()} {place}".upper(), agency.upper()
    return "", issuer.upper()


def _date_line(place: str, day: date) -> str:
    # Nghị định 30/2020: days below 10 and months 1 and 2 take a leading zero.
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _header(header: dict[str, Any], title: str, period: Period, issued: date) -> Header:
    parent, agency = _agency_lines(header.get("issuer") or "")
    symbol = (header.get("document") or {}).get("symbol") or ""
    return Header(
        parent_agency=parent,
        agency=agency,
        number_line=f"Số:      /BC-{symbol}" if symbol else "Số:      /BC",
        place_date=_date_line(header.get("place") or "", issued),
        kind="BÁO CÁO",
        title=_title(title, period),
    )


def _title(plan_title: str, period: Period) -> str:
    text = f"Kết quả thực hiện Kế hoạch {plan_title[0].lower() + plan_title[1:]}"
    # A yearly plan's title already ends with its year: "... thực hiện năm 2024".
    return (
        text
        if period.kind == "year" and plan_title.endswith(period.title)
        else f"{text}, {period.title}"
    )


def _intro(header: dict[str, Any], period: Period) -> str:
    issuer = header.get("issuer") or "Đơn vị"
    return f"{issuer} báo cáo kết quả thực hiện Kế hoạch {period.title} (số liệu đến hết ngày {period.cutoff:%d/%m/%Y}) như sau:"


def _vn_date(value: str | None) -> str:
    if not value:
        return ""
    d = date.fromisoformat(value)
    return f" ngày {d.day}/{d.month}/{d.year}"


def _direction(header: dict[str, Any]) -> tuple[str, ...]:
    lines = [
        f"Triển khai Quyết định số {doc['code']}{_vn_date(doc.get('date'))}."
        for doc in header.get("implements") or ()
    ]
    document = header.get("document") or {}
    number = document.get("number") or ""
    lines.append(
        f"Ban hành Kế hoạch số {number}/{document.get('type') or 'KH'}-{document.get('symbol') or ''}{_vn_date(document.get('date'))} và giao các đơn vị triển khai."
    )
    return tuple(lines)


def _result_sentence(task: dict[str, Any], view: TaskView, notes: list[Any]) -> str:
    parts = [
        f"{task['title'].rstrip('.')}: {view.category.label.lower() if view.category else 'đã hủy'}"
    ]
    for target in task["targets"]:
        actual = view.state.actuals.get(target["id"])
        if actual is not None:
            parts.append(f"đạt {actual}/{target['quantity']} {target['unit']}")
    if not task["targets"] and task["result"]:
        parts.append(f"kết quả dự kiến: {task['result']}")
    latest = next((u.note for u in reversed(notes) if u.note), None) or view.state.note
    if latest:
        parts.append(latest.rstrip("."))
    return "; ".join(parts) + "."


def _results(facts: _Facts) -> tuple[GroupResult, ...]:
    by_group: dict[str, list[str]] = defaultdict(list)
    for task in facts.tasks:
        view = facts.views[task["key"]]
        by_group[view.group or "-"].append(
            _result_sentence(task, view, facts.notes.get(task["key"], []))
        )
    order = list(facts.groups) + sorted(g for g in by_group if g not in facts.groups)
    return tuple(
        GroupResult(code, facts.groups.get(code, "Nhiệm vụ khác"), tuple(by_group.get(code, ())))
        for code in order
    )


def _difficulties(facts: _Facts) -> tuple[str, ...]:
    found = [u.difficulties for notes in facts.notes.values() for u in notes if u.difficulties]
    for task in facts.tasks:
        view = facts.views[task["key"]]
        if view.category == Category.IN_PROGRESS_LATE or (
            view.category == Category.NOT_STARTED and view.derived.value == "overdue"
        ):
            found.append(
                f"Nhiệm vụ chậm so với tiến độ: {task['title'].rstrip('.')} (chủ trì: {task['lead']['name']}, hạn {view.window.due:%d/%m/%Y})."
            )
    return tuple(dict.fromkeys(found))


def _next_steps(facts: _Facts, period: Period) -> tuple[str, ...]:
    steps = []
    for task in facts.tasks:
        view = facts.views[task["key"]]
        if view.state.status in (Status.DONE, Status.CANCELLED):
            continue
        verb = "Triển khai" if view.window.start > period.cutoff else "Tiếp tục thực hiện"
        steps.append(
            f"{verb}: {task['title'].rstrip('.')} (chủ trì: {task['lead']['name']}, hạn {view.window.due:%d/%m/%Y})."
        )
    return tuple(steps)


def _signature(header: dict[str, Any]) -> Signature:
    signer = header.get("signer") or {}
    return Signature(
        signer.get("on_behalf") or "", signer.get("title") or "", signer.get("name") or ""
    )


def _task_money(task: dict[str, Any], view: TaskView) -> tuple[int, int]:
    planned = sum(f["amount"] or 0 for f in task["funding"])
    spent = sum(view.state.spending.get(f["line_id"], 0) for f in task["funding"])
    return planned, spent


def _budget(facts: _Facts) -> list[BudgetRow]:
    return budget_by_source(facts.tasks, facts.views)


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


def _budget_sentence(total: BudgetRow) -> str:
    if not total.planned:
        return f"Kinh phí: kế hoạch chưa ghi số tiền; đã chi {format_number(total.spent)} đồng theo báo cáo của các đơn vị."
    percent = round(100 * total.spent / total.planned, 1)
    return f"Kinh phí đã sử dụng {format_number(total.spent)}/{format_number(total.planned)} đồng, đạt {percent:g}% kế hoạch."


def _appendix(facts: _Facts) -> tuple[AppendixRow, ...]:
    children: dict[int | None, list[Any]] = defaultdict(list)
    for section in sorted(facts.sections, key=lambda s: s.position):
        children[section.parent_id].append(section)
    by_section: dict[int, list[dict[str, Any]]] = defaultdict(list)
    section_ids = {s.key: s.id for s in facts.sections}
    for task in facts.tasks:
        by_section[section_ids[task["section"]]].append(task)
    rows: list[AppendixRow] = []

    def walk(parent: int | None) -> int:
        total = 0
        for section in children[parent]:
            at = len(rows)
            rows.append(
                AppendixRow(section.key, section.title, is_section=True, depth=section.depth)
            )
            subtotal = walk(section.id)
            for task in by_section[section.id]:
                view = facts.views[task["key"]]
                planned, _ = _task_money(task, view)
                subtotal += planned
                rows.append(
                    AppendixRow(
                        "-",
                        task["title"],
                        task["result"] or "",
                        task["lead"]["short"] or task["lead"]["name"],
                        "; ".join(p["short"] or p["name"] for p in task["partners"]),
                        task["schedule"]
                        or f"{view.window.start:%d/%m/%Y}-{view.window.due:%d/%m/%Y}",
                        view.category.label if view.category else "Hủy",
                        format_number(planned) if planned else "",
                        depth=section.depth + 1,
                    )
                )
            if subtotal:
                rows[at] = AppendixRow(
                    section.key,
                    section.title,
                    amount=format_number(subtotal),
                    is_section=True,
                    depth=section.depth,
                )
            total += subtotal
        return total

    walk(None)
    return tuple(rows)
