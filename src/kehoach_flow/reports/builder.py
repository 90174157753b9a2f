"""Builds a plan's report for a period from the database: states at the cut-off, history
within the window, money by funding source. Same history, same report, whenever it is run."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypedDict

from sqlalchemy import Engine, select

from kehoach_flow.db.queries import list_tasks
from kehoach_flow.db.tables import PLAN, PROGRAMME, SECTION, TASK
from kehoach_flow.errors import NotFoundError
from kehoach_flow.numbers import (
    MONEY_UNIT_LABELS,
    MoneyUnit,
    format_money,
    format_number,
)
from kehoach_flow.reports import narrative
from kehoach_flow.reports.addressing import Addressing, plan_addressing
from kehoach_flow.reports.budget import budget_by_source, budget_sentence, total_in_words
from kehoach_flow.reports.content import (
    AppendixRow,
    BudgetRow,
    CategoryCount,
    ExtensionRow,
    Header,
    Report,
)
from kehoach_flow.reports.periods import Period
from kehoach_flow.reports.prose import vn_date
from kehoach_flow.tracking.authors import Directory, read_directory
from kehoach_flow.tracking.history import UPDATE
from kehoach_flow.tracking.state import Category, end_of_day
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import BoardOptions, TaskView, plan_board


@dataclass
class _Facts:
    plan: Any
    groups: dict[str, str]
    sections: list[Any]
    views: dict[str, TaskView]
    tasks: list[dict[str, Any]]
    notes: dict[str, list[Any]]  # task key -> updates recorded within the period
    positions: dict[str, int]  # task key -> place among its siblings in the plan
    declared: dict[str, int]  # task key -> declared subtotal of a task with subtasks (đồng)
    subtasks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for task in self.tasks:
            parent = self.views[task["key"]].parent
            if parent is not None:
                self.subtasks.setdefault(parent, []).append(task)
        for children in self.subtasks.values():
            children.sort(key=lambda t: self.positions.get(t["key"], 0))

    @property
    def money_unit(self) -> MoneyUnit:
        unit = (self.plan.header or {}).get("money_unit")
        return unit if unit in MONEY_UNIT_LABELS else "dong"

    def in_order(self) -> list[tuple[dict[str, Any], int, str]]:
        """Every task in plan order (section by section, a subtask under its parent), with
        its level (0 for a task) and its number in the appendix: "-", then "a)", "b)" ...
        for subtasks, "-" below those."""
        top: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for task in self.tasks:
            if self.views[task["key"]].parent is None:
                top[task["section"]].append(task)
        found: list[tuple[dict[str, Any], int, str]] = []

        def add(task: dict[str, Any], level: int, number: str) -> None:
            found.append((task, level, number))
            for i, sub in enumerate(self.subtasks.get(task["key"], ())):
                add(sub, level + 1, _subtask_number(level + 1, i))

        for section in _section_order(self.sections):
            for task in sorted(top[section.key], key=lambda t: self.positions.get(t["key"], 0)):
                add(task, 0, "-")
        return found

    def is_leaf(self, key: str) -> bool:
        return key not in self.subtasks


def build_report(
    engine: Engine,
    plan_key: str,
    period: Period,
    options: BoardOptions,
    issued: date,
    basis: str | None = None,
) -> Report:
    """The report of `plan_key` for `period`, dated `issued` (the date line); `basis` is the
    period's request document the opening cites (default: the plan's `report: basis`, else
    the periodic reporting regime)."""
    facts = _read(engine, plan_key, period, options)
    with engine.connect() as conn:
        addressing = plan_addressing(conn, facts.plan)
        directory = read_directory(conn)  # approvers' names
    # The government's categories count the items that carry results, each once: a task
    # with subtasks is counted through them.
    views = [facts.views[t["key"]] for t in facts.tasks if facts.is_leaf(t["key"])]
    counted = [v for v in views if v.category is not None]
    budget = _budget(facts)
    report_header = _header(addressing, facts.plan.title, period, issued)
    unit = facts.money_unit
    words = narrative.write(
        engine,
        facts,
        period,
        report_header.issuer,
        report_header.title,
        addressing.recipients,
        basis,
    )
    return Report(
        header=report_header,
        intro=words.intro,
        direction=words.direction,
        results=words.results,
        categories=tuple(
            CategoryCount(c.label, n, round(100 * n / len(counted), 1) if counted else 0.0)
            for c in Category
            for n in [sum(1 for v in counted if v.category == c)]
        ),
        total_tasks=len(counted),
        budget_sentence=budget_sentence(budget, period, unit),
        difficulties=words.difficulties,
        next_steps=words.next_steps,
        proposals=words.proposals,
        recipients=addressing.recipients,
        signature=addressing.signature,
        appendix_title=f"Kết quả thực hiện các nhiệm vụ {period.title}",
        appendix_note=addressing.appendix_note(issued),
        appendix=_appendix(facts, directory),
        extension_rows=_extension_rows(facts, directory),
        budget=tuple(budget),
        total_in_words=total_in_words(budget[-1]),
        metadata={
            "plan": plan_key,
            "period": period.kind,
            "year": str(period.year),
            "cutoff": period.cutoff.isoformat(),
        },
        closing=words.closing,
        money_unit=unit,
        evaluation=words.evaluation,
        outlook=words.outlook,
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
        places = conn.execute(
            select(TASK.c.key, TASK.c.position, TASK.c.declared_amount).where(
                TASK.c.plan_id == plan.id, TASK.c.archived_at.is_(None)
            )
        )
        positions, declared = {}, {}
        for row in places:
            positions[row.key] = row.position
            if row.declared_amount is not None:
                declared[row.key] = row.declared_amount
        notes: dict[str, list[Any]] = defaultdict(list)
        for row in conn.execute(
            select(UPDATE)
            # a unit's updates: an extension's reason or a review's comment is not its note
            .where(window, UPDATE.c.task_id.in_(list(ids)), UPDATE.c.kind == "update")
            .order_by(UPDATE.c.at, UPDATE.c.version)
        ):
            notes[ids[row.task_id]].append(row)
    views = {v.key: v for v in plan_board(engine, plan_key, period.cutoff, options)}
    groups = dict(programme.groups or {}) if programme else {}
    return _Facts(plan, groups, sections, views, tasks, notes, positions, declared)


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


def _header(addressing: Addressing, title: str, period: Period, issued: date) -> Header:
    parent, agency = _agency_lines(addressing.issuer)
    return Header(
        parent_agency=parent,
        agency=agency,
        number_line=addressing.number_line,
        place_date=_date_line(addressing.place, issued),
        kind="BÁO CÁO",
        title=_title(title, period),
        issuer=addressing.issuer,
    )


def _title(plan_title: str, period: Period) -> str:
    """ "Kết quả thực hiện Kế hoạch ... quý II năm 2024": the period once. A yearly plan's
    title already ends with its year ("... thực hiện năm 2024"), which the year's report
    keeps and a shorter period's replaces."""
    title = plan_title.strip().rstrip(".")
    title = title[len("Kế hoạch ") :] if title.lower().startswith("kế hoạch ") else title
    text = f"Kết quả thực hiện Kế hoạch {title[:1].lower() + title[1:]}"
    year = f"năm {period.year}"
    if text.endswith(year):
        if period.kind == "year":
            return text
        text = text.removesuffix(year).rstrip(" ,").removesuffix(" thực hiện")
    return f"{text} {period.title}"


def _budget(facts: _Facts) -> list[BudgetRow]:
    return budget_by_source(facts.tasks, facts.views)


def _subtask_number(level: int, index: int) -> str:
    """ "a)", "b)" ... for a task's subtasks (then "aa)" past "z)"), "-" below those."""
    if level != 1:
        return "-"
    letters = "abcdefghijklmnopqrstuvwxyz"
    word = letters[index % 26] * (index // 26 + 1)
    return f"{word})"


def _section_order(sections: list[Any]) -> list[Any]:
    """Sections depth first, as the plan lists them."""
    children: dict[int | None, list[Any]] = defaultdict(list)
    for section in sorted(sections, key=lambda s: s.position):
        children[section.parent_id].append(section)
    ordered: list[Any] = []

    def walk(parent: int | None) -> None:
        for section in children[parent]:
            ordered.append(section)
            walk(section.id)

    walk(None)
    return ordered


def _task_amount(facts: _Facts, task: dict[str, Any]) -> int:
    """A task's planned amount in đồng: its funding lines, or for a task with subtasks the
    sum of theirs (its declared subtotal when they give none)."""
    if facts.is_leaf(task["key"]):
        return sum(f["amount"] or 0 for f in task["funding"])
    rolled = facts.views[task["key"]].planned
    return rolled if rolled is not None else facts.declared.get(task["key"], 0)


def level_label(view: TaskView) -> str:
    """The task's category as the report says it: "Hoàn thành đúng hạn (có gia hạn)" for one
    done after the plan's date within an approved extension; "Hủy" for a cancelled one."""
    label = view.category.label if view.category else "Hủy"
    return f"{label} (có gia hạn)" if view.extended_on_time else label


def _achieved(facts: _Facts, task: dict[str, Any], view: TaskView) -> str:
    """The appendix's "Kết quả đạt được": the task's state at the cut-off, then the figures
    and the latest note its unit reported; a finished task without either achieved what the
    plan expected. One item a line."""
    lines = [level_label(view)]
    if view.state.status == Status.AWAITING_REVIEW and view.state.completed_on:
        lines.append(f"Báo cáo hoàn thành ngày {vn_date(view.state.completed_on)}, chờ xác nhận")
    figures = [
        f"{format_number(actual)}/{format_number(target['quantity'])} {target['unit']}"
        for target in task["targets"]
        if (actual := view.state.actuals.get(target["id"])) is not None
    ]
    if figures:
        lines.append("Đạt " + "; ".join(figures))
    notes = facts.notes.get(task["key"], [])
    note = next((u.note for u in reversed(notes) if u.note), None) or view.state.note
    if note:
        lines.append(note.strip())
    elif not figures and view.category in (Category.DONE_ON_TIME, Category.DONE_LATE):
        lines.append((task["result"] or "").strip())
    return "\n".join(line for line in lines if line)


def _funding_names(task: dict[str, Any]) -> str:
    """ "Nguồn kinh phí" as the plan names its sources, each once."""
    return "; ".join(dict.fromkeys(line["name"] for line in task["funding"] if line["name"]))


def _schedule(task: dict[str, Any], view: TaskView) -> str:
    """ "Tiến độ" as the plan says it, then the date in force when an extension moved it."""
    planned = view.original_due or view.window.due
    text = task["schedule"] or f"{vn_date(view.window.start)}-{vn_date(planned)}"
    if view.original_due is not None:
        text += f"\nGia hạn đến {vn_date(view.window.due)}"
    return text


def _extension_rows(facts: _Facts, directory: Directory) -> tuple[ExtensionRow, ...]:
    """The tasks extended or reported done at the cut-off, in the appendix's order and
    numbering: number of extensions, the plan's date, the date in force, the approver of the
    last one, the completion date the unit reported, the category."""
    rows = []
    for task, _level, number in facts.in_order():
        view = facts.views[task["key"]]
        state = view.state
        finished = state.status in (Status.DONE, Status.AWAITING_REVIEW)
        if not state.extensions and not finished:
            continue
        rows.append(
            ExtensionRow(
                number=number,
                content=task["title"],
                due=vn_date(view.window.due),
                **_extension_cells(view, directory),
                level=(
                    "Chờ xác nhận hoàn thành"
                    if state.status == Status.AWAITING_REVIEW
                    else level_label(view)
                ),
            )
        )
    return tuple(rows)


class _ExtensionCells(TypedDict):
    extensions: str
    original_due: str
    approver: str
    completed_on: str


def _extension_cells(view: TaskView, directory: Directory) -> _ExtensionCells:
    """The standard columns' texts of a task: number of extensions, the plan's date, the
    approver, the completion date reported (done or awaiting confirmation)."""
    state = view.state
    finished = state.status in (Status.DONE, Status.AWAITING_REVIEW)
    return _ExtensionCells(
        extensions=f"{state.extensions:02d}" if state.extensions else "",
        original_due=vn_date(view.original_due) if view.original_due else "",
        approver=directory.author(state.approved_by, "").who if state.approved_by else "",
        completed_on=vn_date(state.completed_on) if finished and state.completed_on else "",
    )


def _appendix(facts: _Facts, directory: Directory) -> tuple[AppendixRow, ...]:
    """Sections with their subtotals, each task under its section and each subtask under
    its task; a task with subtasks keeps its own row with their subtotal."""
    unit = facts.money_unit
    tasks = facts.in_order()
    by_section: dict[str, list[tuple[dict[str, Any], int, str]]] = defaultdict(list)
    for item in tasks:
        by_section[item[0]["section"]].append(item)
    children: dict[int | None, list[Any]] = defaultdict(list)
    for section in sorted(facts.sections, key=lambda s: s.position):
        children[section.parent_id].append(section)
    rows: list[AppendixRow] = []

    def walk(parent: int | None) -> int:
        total = 0
        for section in children[parent]:
            at = len(rows)
            rows.append(
                AppendixRow(section.key, section.title, is_section=True, depth=section.depth)
            )
            subtotal = walk(section.id)
            for task, level, number in by_section[section.key]:
                view = facts.views[task["key"]]
                planned = _task_amount(facts, task)
                if level == 0:
                    subtotal += planned
                rows.append(
                    AppendixRow(
                        number,
                        task["title"],
                        task["result"] or "",
                        task["lead"]["short"] or task["lead"]["name"],
                        "; ".join(p["short"] or p["name"] for p in task["partners"]),
                        _schedule(task, view),
                        level_label(view),
                        format_money(planned, unit) if planned else "",
                        depth=section.depth + 1 + level,
                        achieved=_achieved(facts, task, view),
                        funding=_funding_names(task),
                        **_extension_cells(view, directory),
                    )
                )
            if subtotal:
                rows[at] = AppendixRow(
                    section.key,
                    section.title,
                    amount=format_money(subtotal, unit),
                    is_section=True,
                    depth=section.depth,
                )
            total += subtotal
        return total

    walk(None)
    return tuple(rows)
