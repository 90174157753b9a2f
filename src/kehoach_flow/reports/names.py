"""A report run as a person reads it: its period ("Quý II/2024", "6 tháng đầu năm 2024",
"Năm 2024") and its subject (the plan's title, or the programme's for a rollup), not the
stored codes ("q2", "programme:de-an-996").

`periods.Period.title` is the period inside a sentence of the report ("quý II năm 2024");
these are the names a list or a heading shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from kehoach_flow.db.tables import PLAN, PROGRAMME
from kehoach_flow.errors import KehoachError
from kehoach_flow.reports.periods import KINDS

PROGRAMME_PREFIX = "programme:"  # how a rollup's subject is stored (reports/runs.py)

PERIOD_KIND_NAMES = {
    "q1": "Quý I",
    "q2": "Quý II",
    "q3": "Quý III",
    "q4": "Quý IV",
    "6m": "6 tháng đầu năm",
    "9m": "9 tháng đầu năm",
    "year": "Năm",
}
_WITH_YEAR = {
    "q1": "Quý I/{}",
    "q2": "Quý II/{}",
    "q3": "Quý III/{}",
    "q4": "Quý IV/{}",
    "6m": "6 tháng đầu năm {}",
    "9m": "9 tháng đầu năm {}",
    "year": "Năm {}",
}


def period_name(kind: str, year: int) -> str:
    """ "q2", 2024 -> "Quý II/2024"; "6m" -> "6 tháng đầu năm 2024"; "year" -> "Năm 2024"."""
    if kind not in _WITH_YEAR:
        raise KehoachError(f'kỳ báo cáo "{kind}" không có; chọn một trong: {", ".join(KINDS)}')
    return _WITH_YEAR[kind].format(year)


def period_kind_name(kind: str) -> str:
    """The period without its year, for a choice list: "Quý II", "6 tháng đầu năm", "Năm"."""
    if kind not in PERIOD_KIND_NAMES:
        raise KehoachError(f'kỳ báo cáo "{kind}" không có; chọn một trong: {", ".join(KINDS)}')
    return PERIOD_KIND_NAMES[kind]


@dataclass(frozen=True)
class SubjectName:
    """What a report covers: a plan or a programme (its rollup), by key and title."""

    subject: str  # as stored: "qt-skhcn-2024-do-luong" or "programme:de-an-996"
    kind: str  # "plan" or "programme"
    key: str
    title: str | None  # None: no longer in the database

    @property
    def text(self) -> str:
        """The plan's title; "Tổng hợp: <title>" for a programme's rollup; the key when the
        plan or programme is gone."""
        name = self.title or self.key
        return f"Tổng hợp: {name}" if self.kind == "programme" else name


def subject_names(engine: Engine, subjects: Iterable[str]) -> dict[str, SubjectName]:
    """Each stored report subject with the title of its plan or programme, read in one go."""
    wanted = set(subjects)
    programmes = {s.removeprefix(PROGRAMME_PREFIX) for s in wanted if _is_programme(s)}
    plans = {s for s in wanted if not _is_programme(s)}
    programme_query = select(PROGRAMME.c.key, PROGRAMME.c.title).where(
        PROGRAMME.c.key.in_(programmes)
    )
    plan_query = select(PLAN.c.key, PLAN.c.title).where(PLAN.c.key.in_(plans))
    with engine.connect() as conn:
        programme_titles = {row.key: row.title for row in conn.execute(programme_query)}
        plan_titles = {row.key: row.title for row in conn.execute(plan_query)}
    found = {}
    for subject in wanted:
        if _is_programme(subject):
            key = subject.removeprefix(PROGRAMME_PREFIX)
            found[subject] = SubjectName(subject, "programme", key, programme_titles.get(key))
        else:
            found[subject] = SubjectName(subject, "plan", subject, plan_titles.get(subject))
    return found


def subject_name(engine: Engine, subject: str) -> SubjectName:
    """One stored report subject with its title (see `subject_names`)."""
    return subject_names(engine, [subject])[subject]


def _is_programme(subject: str) -> bool:
    return subject.startswith(PROGRAMME_PREFIX)
