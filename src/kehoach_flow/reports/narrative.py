"""The report's words, from the facts the builder read: the opening, I.1 (công tác chỉ đạo),
I.2 (results by solution group), II's evaluation and difficulties, III and IV, the closing.

Every sentence is built here once; the docx, Markdown and HTML writers print it as it is.
The phrasing rules live in `prose`; this module decides which facts each sentence states.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select

from kehoach_flow.db.tables import PROGRAMME, UNIT
from kehoach_flow.numbers import format_percent
from kehoach_flow.reports import prose
from kehoach_flow.reports.content import GroupResult
from kehoach_flow.reports.documents import basis_text, document_name, opening
from kehoach_flow.reports.periods import Period
from kehoach_flow.tracking.state import Category
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import TaskView

if TYPE_CHECKING:
    from kehoach_flow.reports.builder import _Facts

_NEXT = {"q1": "quý II", "q2": "quý III", "q3": "quý IV", "6m": "6 tháng cuối năm", "9m": "quý IV"}
_PAREN = re.compile(r"\s*\([^)]*\)")
_NOT_UP = re.compile(r"^(?:Lưu\b|GĐ|PGĐ|Giám đốc|Lãnh đạo|Các phòng)", re.IGNORECASE)


@dataclass(frozen=True)
class Narrative:
    intro: str
    direction: tuple[str, ...]
    results: tuple[GroupResult, ...]
    evaluation: tuple[str, ...]
    difficulties: tuple[str, ...]
    outlook: str
    next_steps: tuple[str, ...]
    proposals: tuple[str, ...]
    closing: str


def agency_of(issuer: str) -> str:
    """ "Sở Khoa học và Công nghệ tỉnh Quảng Trị" -> "Sở Khoa học và Công nghệ": how the body
    names its own agency."""
    for word in (" tỉnh ", " thành phố "):
        if word in issuer:
            return issuer.split(word, 1)[0]
    return issuer or "Đơn vị"


def write(
    engine: Engine,
    facts: _Facts,
    period: Period,
    issuer: str,
    title: str,
    recipients: Sequence[str],
    basis: str | None,
) -> Narrative:
    header: dict[str, Any] = facts.plan.header or {}
    agency = agency_of(issuer)
    cited = basis_text(basis or _default_basis(engine, facts))
    tops = [(t, level) for t, level, _ in facts.in_order() if level == 0]
    return Narrative(
        intro=opening(cited, agency, period.title, period.cutoff),
        direction=_direction(engine, facts, header, agency),
        results=_results(facts, period),
        evaluation=_evaluation(facts, [t for t, _ in tops], period),
        difficulties=_difficulties(facts),
        outlook=_outlook(facts, [t for t, _ in tops], period, agency),
        next_steps=_next_steps(facts, [t for t, _ in tops], period),
        proposals=_proposals(facts, recipients, issuer, agency),
        closing=f"Trên đây là báo cáo {prose.lower_first(title)}./.",
    )


def _default_basis(engine: Engine, facts: _Facts) -> str | None:
    """The plan's `report: basis`, else its programme's."""
    own = ((facts.plan.header or {}).get("report") or {}).get("basis")
    if own or facts.plan.programme_id is None:
        return own
    with engine.connect() as conn:
        block = conn.execute(
            select(PROGRAMME.c.report).where(PROGRAMME.c.id == facts.plan.programme_id)
        ).scalar()
    return (block or {}).get("basis")


def _direction(
    engine: Engine, facts: _Facts, header: dict[str, Any], agency: str
) -> tuple[str, ...]:
    """I.1: the documents the plan carries out, each by type, number, date and issuer; the
    plan itself; who was charged with it; how the work was followed in the period."""
    place = header.get("place") or ""
    documents = [document_name(doc, place) for doc in header.get("implements") or ()]
    plan = _plan_name(header, facts.plan.title)
    with engine.connect() as conn:
        unit = conn.execute(
            select(UNIT.c.name).where(UNIT.c.id == facts.plan.coordinator_id)
        ).scalar()
    charged = (
        f", giao {unit} chủ trì, phối hợp với các phòng, đơn vị liên quan triển khai thực hiện"
        if unit
        else ""
    )
    issued = f"{agency} đã ban hành {plan}{charged}."
    if documents:
        cited = "; ".join(documents[:-1]) + (" và " if len(documents) > 1 else "") + documents[-1]
        issued = f"Thực hiện {cited}, {issued}"
    lines = [issued]
    reports = sum(len(notes) for notes in facts.notes.values())
    if reports:
        lines.append(
            f"Trong kỳ, {agency} thường xuyên theo dõi, đôn đốc các phòng, đơn vị triển khai "
            f"nhiệm vụ; các đơn vị đã cập nhật tiến độ thực hiện {prose.count(reports, 'lượt')}."
        )
    return tuple(lines)


def _plan_name(header: dict[str, Any], title: str) -> str:
    """ "Kế hoạch số 12/KH-SKHCN ngày 15/01/2024 về việc tăng cường ..." (the number and date
    when the plan gives them)."""
    document = header.get("document") or {}
    text = prose.bare(title)
    text = re.sub(r"^kế hoạch\s+", "", text, flags=re.IGNORECASE)
    number = document.get("number")
    if not number:
        return f"Kế hoạch {prose.lower_first(text)}"
    code = f"{number}/{document.get('type') or 'KH'}"
    if document.get("symbol"):
        code += f"-{document['symbol']}"
    day = document.get("date")
    when = f" ngày {prose.vn_date(date.fromisoformat(day))}" if day else ""
    return f"Kế hoạch số {code}{when} về việc {prose.lower_first(text)}"


def _state(view: TaskView) -> prose.State:
    status = view.state.status
    if status == Status.DONE:
        return "done_late" if view.category == Category.DONE_LATE else "done"
    if status == Status.AWAITING_REVIEW:
        return "awaiting"
    if status == Status.CANCELLED:
        return "cancelled"
    if status == Status.ON_HOLD:
        return "on_hold"
    if status == Status.IN_PROGRESS:
        return "running_late" if view.category == Category.IN_PROGRESS_LATE else "running"
    return "overdue" if view.derived.value == "overdue" else "waiting"


def _latest(facts: _Facts, key: str, field: str) -> str:
    """The unit's latest words (note, difficulties) about the task's present state: said
    since its status last changed within the period ("chưa được bố trí vốn" no longer holds
    once the task started); as of the cut-off when the period has no update of it."""
    updates = facts.notes.get(key, [])
    if not updates:
        return str(getattr(facts.views[key].state, field, None) or "")
    for update in reversed(updates):
        value = getattr(update, field, None)
        if value:
            return str(value)
        if update.new_status != update.old_status:
            break
    return ""


def _task_facts(facts: _Facts, task: dict[str, Any], subject: str) -> prose.TaskFacts:
    view = facts.views[task["key"]]
    state = _state(view)
    figures = tuple(
        prose.Figure(actual, target["quantity"], target["unit"])
        for target in task["targets"]
        if (actual := view.state.actuals.get(target["id"])) is not None
    )
    finished = ("done", "done_late", "awaiting")
    reason = "" if state in finished else _latest(facts, task["key"], "difficulties")
    note = _latest(facts, task["key"], "note")
    return prose.TaskFacts(
        subject=subject,
        title=task["title"],
        state=state,
        figures=figures,
        progress=view.state.progress,
        due=view.window.due,
        start=view.window.start,
        completed_on=view.state.completed_on,
        extended=view.extended_on_time,
        original_due=view.original_due,
        reason=reason,
        note="" if prose.bare(note) == prose.bare(reason) else note,
        parts=len(facts.subtasks.get(task["key"], ())),
    )


def _subject(task: dict[str, Any]) -> str:
    return _PAREN.sub("", task["lead"]["name"] or "").strip()


def _results(facts: _Facts, period: Period) -> tuple[GroupResult, ...]:
    """I.2 by solution group: one sentence per task, its subtasks ("a) ...") under it."""
    by_group: dict[str, list[tuple[str, int]]] = defaultdict(list)
    group = "-"
    leads: dict[str, str] = {}
    for task, level, number in facts.in_order():
        view = facts.views[task["key"]]
        if level == 0:
            group = view.group or "-"
        subject = _subject(task)
        leads[task["key"]] = subject
        if view.parent is not None and leads.get(view.parent) == subject:
            subject = ""  # "a) Bộ kiểm tra công tơ: đã hoàn thành."
        text = prose.result_sentence(_task_facts(facts, task, subject))
        by_group[group].append((text if level == 0 else f"{number} {text}", level))
    order = list(facts.groups) + sorted(g for g in by_group if g not in facts.groups)
    return tuple(
        GroupResult(
            code,
            facts.groups.get(code, "Nhiệm vụ khác"),
            tuple(text for text, _ in by_group.get(code, ())),
            tuple(level for _, level in by_group.get(code, ())),
        )
        for code in order
    )


_UNIT_WORD = re.compile(r"^(?:Phòng|Trung tâm|Chi cục|Sở|Văn phòng|Thanh tra|Ban|Các|Doanh)\b")


def _short_lead(task: dict[str, Any]) -> str:
    """The lead unit's short name when it reads as a name ("Phòng KH-TC"), else its name."""
    short = task["lead"]["short"] or ""
    if short and _UNIT_WORD.match(short):
        return _PAREN.sub("", short).strip()
    return _subject(task)


def _evaluation(facts: _Facts, tops: list[dict[str, Any]], period: Period) -> tuple[str, ...]:
    """II.1's evaluation: what went well, what is late and why, what has not started yet."""
    leaves = [facts.views[t["key"]] for t in facts.tasks if facts.is_leaf(t["key"])]
    counted = [v for v in leaves if v.category is not None]
    if not counted:
        return ()
    done = [v for v in counted if v.category in (Category.DONE_ON_TIME, Category.DONE_LATE)]
    paragraphs = []
    late = [t for t in tops if _state(facts.views[t["key"]]) in ("running_late", "overdue")]
    if done:
        share = format_percent(100 * len(done) / len(counted))
        finished = [
            prose.clause(prose.short_title(t["title"], purpose=True))
            for t in tops
            if facts.views[t["key"]].state.status == Status.DONE
        ]
        among = "gồm" if len(finished) <= 3 else "trong đó có"
        text = (
            f"Đến hết ngày {prose.vn_date(period.cutoff)}, các đơn vị đã hoàn thành "
            f"{len(done):02d}/{len(counted):02d} nhiệm vụ ({share})"
        )
        if finished:
            text += f", {among}: {'; '.join(finished[:3])}"
        paragraphs.append(text + ".")
    else:
        paragraphs.append(
            f"Đến hết ngày {prose.vn_date(period.cutoff)}, chưa có nhiệm vụ nào hoàn thành."
        )
    if not late and any(v.category == Category.IN_PROGRESS_ON_TIME for v in counted):
        paragraphs.append("Các nhiệm vụ đang thực hiện đều bảo đảm tiến độ đề ra.")
    if late:
        items = []
        for task in late:
            reason = _latest(facts, task["key"], "difficulties")
            because = f" do {prose.clause(reason)}" if reason else ""
            name = prose.clause(prose.short_title(task["title"], purpose=True))
            items.append(f"{name} ({_short_lead(task)}){because}")
        paragraphs.append(
            f"Còn {prose.count(len(late), 'nhiệm vụ')} chậm so với tiến độ: {'; '.join(items)}."
        )
    waiting = [t for t in tops if _state(facts.views[t["key"]]) == "waiting"]
    if waiting:
        paragraphs.append(
            f"Có {prose.count(len(waiting), 'nhiệm vụ')} chưa triển khai, còn trong thời hạn "
            "thực hiện theo Kế hoạch."
        )
    return tuple(paragraphs)


def _difficulties(facts: _Facts) -> tuple[str, ...]:
    """II.2: the units' own difficulties in the period, each once, as a punctuated list."""
    found = [
        prose.bare(u.difficulties)
        for notes in facts.notes.values()
        for u in notes
        if u.difficulties
    ]
    unique = list(dict.fromkeys(f for f in found if f))
    late = any(
        v.category == Category.IN_PROGRESS_LATE
        or (v.category == Category.NOT_STARTED and v.derived.value == "overdue")
        for v in facts.views.values()
    )
    if not unique and late:
        unique = [
            "Một số nhiệm vụ triển khai chậm so với Kế hoạch, các đơn vị chủ trì chưa báo cáo "
            "nguyên nhân"
        ]
    return prose.listed(unique)


def _open(facts: _Facts, tops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        t for t in tops if facts.views[t["key"]].state.status not in (Status.DONE, Status.CANCELLED)
    ]


def _next_period(period: Period) -> str:
    if period.kind in _NEXT:
        return f"{_NEXT[period.kind]} năm {period.year}"
    return f"năm {period.year + 1}"


def _outlook(facts: _Facts, tops: list[dict[str, Any]], period: Period, agency: str) -> str:
    """III's general direction, then the list of tasks to continue or start."""
    when = prose.upper_first(
        _next_period(period) if period.kind in ("q4", "year") else f"trong {_next_period(period)}"
    )
    tasks = _open(facts, tops)
    if not tasks:
        return (
            f"{when}, {agency} tiếp tục duy trì các kết quả đã đạt được, tổng kết, đánh giá việc "
            "thực hiện Kế hoạch và xây dựng kế hoạch cho giai đoạn tiếp theo."
        )
    late = any(_state(facts.views[t["key"]]) in ("running_late", "overdue") for t in tasks)
    hurry = "đẩy nhanh tiến độ các nhiệm vụ còn chậm, " if late else ""
    return (
        f"{when}, {agency} tiếp tục chỉ đạo các phòng, đơn vị bám sát Kế hoạch, {hurry}"
        "bảo đảm hoàn thành các nhiệm vụ đúng thời hạn và chất lượng; tập trung thực hiện "
        "các nhiệm vụ sau:"
    )


def _next_steps(facts: _Facts, tops: list[dict[str, Any]], period: Period) -> tuple[str, ...]:
    """III: each open task once (a task with subtasks as itself), shortened."""
    steps = []
    for task in _open(facts, tops):
        view = facts.views[task["key"]]
        state = _state(view)
        title = prose.short_title(task["title"], purpose=True)
        verb_first = prose.starts_with_verb(title)
        what = prose.clause(title)
        if state in ("running", "running_late", "on_hold"):
            text = f"tiếp tục {'' if verb_first else 'thực hiện '}{what}"
        elif state == "awaiting":
            text = f"hoàn thiện hồ sơ đề nghị xác nhận hoàn thành nhiệm vụ {what}"
        elif state == "overdue":
            text = f"khẩn trương {'' if verb_first else 'triển khai '}{what}"
        else:
            text = what if verb_first else f"triển khai {what}"
            if view.window.start > period.cutoff:
                text += f" (từ {prose.vn_date(view.window.start)})"
        steps.append(f"{_short_lead(task)} {text}")
    return prose.listed(steps)


def _addressee(recipients: Sequence[str], issuer: str) -> str:
    """Who a Sở's proposals go to: the first recipient up the chain ("UBND tỉnh (b/c)" ->
    "UBND tỉnh"), else the province's People's Committee."""
    for recipient in recipients:
        name = _PAREN.sub("", recipient).strip(" ;.")
        if name and not _NOT_UP.match(name):
            return name
    if " tỉnh " in issuer:
        return "UBND tỉnh"
    if " thành phố " in issuer:
        return "UBND thành phố"
    return "cấp có thẩm quyền"


def _proposals(
    facts: _Facts, recipients: Sequence[str], issuer: str, agency: str
) -> tuple[str, ...]:
    """IV: each unit proposal once, as "Kính đề nghị <cơ quan> ..."."""
    addressee = _addressee(recipients, issuer)
    found = [
        prose.proposal(u.proposals, addressee)
        for notes in facts.notes.values()
        for u in notes
        if u.proposals
    ]
    unique = tuple(dict.fromkeys(p for p in found if p))
    return unique or (f"Trong kỳ, {agency} không có đề xuất, kiến nghị.",)
