"""`kehoach simulate`: a plan's year in a minute, on a scratch copy of the data.

Day by day it runs what the scheduled flows run, through the same library functions and
without Prefect: the 06:30 tracking snapshot, the 07:30 reminders on working days (written to
the file outbox), the units' updates during the day (synthetic: most on time, some late, some
never), and the report the day after each cut-off. On a plan with completion review (the
default), the coordinator decides each done report 1 to 3 working days later: most are
confirmed, some returned with a comment once (the unit is mailed, and reports done again a
few working days on), so the simulated reports count what a coordinator has confirmed.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kehoach_flow.context import AppContext
from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.db.queries import list_plans, list_tasks
from kehoach_flow.db.tables import OUTBOX
from kehoach_flow.errors import KehoachError
from kehoach_flow.loading import load_path
from kehoach_flow.mail.transport import FileTransport
from kehoach_flow.orchestration.build_report import due_period, write_report
from kehoach_flow.orchestration.track_status import track_plan
from kehoach_flow.reminders.sender import deliver
from kehoach_flow.reminders.sweep import queue_day
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.review import confirm_done, return_done
from kehoach_flow.tracking.status import Status

UPDATE_EVERY = 10  # working days between a unit's progress updates
REVIEW_WITHIN = 3  # working days a coordinator takes at most (the digest escalates after 3)
RETURN_SHARE = 0.15  # of first done reports, returned to the unit with a comment
RETURN_COMMENT = "Đề nghị bổ sung biên bản nghiệm thu và sản phẩm kèm theo."


@dataclass
class Summary:
    plan: str
    start: date
    end: date
    work_dir: Path
    days: int = 0
    working_days: int = 0
    updates: int = 0
    mails: Counter[str] = field(default_factory=Counter)  # recipient -> digests
    reports: list[dict[str, Any]] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)  # at the last day
    behaviours: Counter[str] = field(default_factory=Counter)
    reviews: Counter[str] = field(default_factory=Counter)  # "xác nhận" / "trả lại"
    awaiting_review: int = 0  # done reports still waiting for the coordinator, the last day

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "work_dir": str(self.work_dir),
            "days": self.days,
            "working_days": self.working_days,
            "updates": self.updates,
            "mails": dict(self.mails),
            "reports": self.reports,
            "categories": self.categories,
            "behaviours": dict(self.behaviours),
            "reviews": dict(self.reviews),
            "awaiting_review": self.awaiting_review,
        }


def scratch_settings(settings: Settings, work_dir: Path) -> Settings:
    """The same installation, on a fresh SQLite file and file outbox under `work_dir`."""
    return settings.model_copy(
        update={
            "data_dir": work_dir,
            "database_url": f"sqlite:///{(work_dir / 'kehoach.db').resolve()}",
            "mail_transport": "file",
        }
    )


def simulate(
    settings: Settings, plan_key: str, start: date, end: date, seed: int, work_dir: Path
) -> Summary:
    if end < start:
        raise KehoachError(f"--to ({end:%d/%m/%Y}) phải sau --from ({start:%d/%m/%Y})")
    if work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True)
    scratch = scratch_settings(settings, work_dir)
    engine = create_db_engine(scratch.resolved_database_url())
    try:
        upgrade(engine)
        load_path(engine, settings.definitions)
        return _run(AppContext(scratch, engine), plan_key, start, end, random.Random(seed))
    finally:
        engine.dispose()


def _run(ctx: AppContext, plan_key: str, start: date, end: date, rng: random.Random) -> Summary:
    summary = Summary(plan_key, start, end, ctx.settings.data_dir)
    tasks = list_tasks(ctx.engine, plan=plan_key)
    if not tasks:
        raise KehoachError(f'kế hoạch "{plan_key}" không có hoặc không có nhiệm vụ nào')
    agenda = _agenda(ctx, tasks, start, end, rng, summary)
    coordinator = next(p["coordinator"] for p in list_plans(ctx.engine) if p["key"] == plan_key)
    reviewer = _Reviewer(ctx, coordinator, rng, summary)
    transport = FileTransport(ctx.outbox_dir)
    zone = ZoneInfo(ctx.settings.timezone)
    day = start
    while day <= end:
        summary.days += 1
        track_plan(ctx, plan_key, day)
        period = due_period(ctx, plan_key, day)
        if period is not None:
            summary.reports.append(write_report(ctx, plan_key, period, day))
        if ctx.calendar.is_working_day(day):
            summary.working_days += 1
            queue_day(ctx.engine, ctx.settings, day, [plan_key])
            deliver(ctx.engine, transport)
        for task_id, actor, step in agenda.pop(day, []):
            if isinstance(step, Decision):
                reviewer.decide(task_id, step, day, zone, agenda)
            else:
                summary.updates += _apply(ctx, task_id, actor, step, day, zone, agenda, reviewer)
        day += timedelta(days=1)
    final = track_plan(ctx, plan_key, end)
    summary.categories = final.counts
    waiting = Status.AWAITING_REVIEW.value
    summary.awaiting_review = sum(
        t["status"] == waiting for t in list_tasks(ctx.engine, plan=plan_key)
    )
    with ctx.engine.connect() as conn:
        summary.mails.update(r.recipient for r in conn.execute(select(OUTBOX.c.recipient)))
    return summary


@dataclass(frozen=True)
class Decision:
    """The coordinator's decision on a task's done report, due on an agenda day."""

    confirm: bool
    lead: str  # who reports done again after a return


Agenda = dict[date, list[tuple[int, str, UpdateIn | Decision]]]


@dataclass
class _Reviewer:
    """The plan's coordinator deciding done reports, as `kehoach review` or the task page."""

    ctx: AppContext
    coordinator: str
    rng: random.Random
    summary: Summary
    returned: set[int] = field(default_factory=set)

    def schedule(self, task_id: int, lead: str, day: date, agenda: Agenda) -> None:
        """A done report waits: decide it 1 to REVIEW_WITHIN working days later; a first
        report is returned now and then, a second one is always confirmed."""
        on = self.ctx.calendar.add_working_days(day, self.rng.randint(1, REVIEW_WITHIN))
        confirm = task_id in self.returned or self.rng.random() >= RETURN_SHARE
        entry = (task_id, self.coordinator, Decision(confirm, lead))
        agenda.setdefault(on, []).append(entry)

    def decide(
        self, task_id: int, decision: Decision, day: date, zone: ZoneInfo, agenda: Agenda
    ) -> None:
        settings = self.ctx.settings
        at = datetime.combine(day, time(15), tzinfo=zone)
        author = Author(self.coordinator, "web", at, settings.timezone)
        if decision.confirm:
            confirm_done(self.ctx.engine, task_id, author, now=at)
            self.summary.reviews["xác nhận"] += 1
            return
        return_done(
            self.ctx.engine,
            task_id,
            author,
            RETURN_COMMENT,
            base_url=settings.base_url,
            mail_from=settings.mail_from,
            secret=settings.resolved_secret_key(),
            now=at,
        )
        self.summary.reviews["trả lại"] += 1
        self.returned.add(task_id)
        again = self.ctx.calendar.add_working_days(day, self.rng.randint(3, 10))
        done = UpdateIn(
            status=Status.DONE, progress=100, completed_on=again, note="Đã bổ sung hồ sơ."
        )
        agenda.setdefault(again, []).append((task_id, decision.lead, done))


def _agenda(
    ctx: AppContext,
    tasks: list[dict[str, Any]],
    start: date,
    end: date,
    rng: random.Random,
    summary: Summary,
) -> Agenda:
    """Each unit's updates, decided up front from the seed: on time, late, or never."""
    agenda: Agenda = {}
    for task in tasks:
        calendar = ctx.calendar
        begin = max(date.fromisoformat(task["start"]), start)
        due = date.fromisoformat(task["due"])
        roll = rng.random()
        if roll < 0.6:
            kind, finish = "đúng hạn", calendar.add_working_days(due, -rng.randint(0, 15))
        elif roll < 0.85:
            kind, finish = "trễ hạn", calendar.add_working_days(due, rng.randint(3, 30))
        else:
            kind, finish = "không cập nhật", None
        summary.behaviours[kind] += 1
        if finish is None:
            continue
        finish = max(finish, calendar.next_working_day(begin))
        day = calendar.add_working_days(begin, rng.randint(1, UPDATE_EVERY))
        span = max(1, (finish - begin).days)
        while day < finish and day <= end:
            progress = min(95, max(5, round(100 * (day - begin).days / span)))
            change = UpdateIn(status=Status.IN_PROGRESS, progress=progress, note="Đang triển khai.")
            agenda.setdefault(day, []).append((task["id"], task["lead"]["key"], change))
            day = calendar.add_working_days(day, UPDATE_EVERY)
        if finish <= end:
            done = UpdateIn(
                status=Status.DONE, progress=100, completed_on=finish, note="Đã hoàn thành."
            )
            agenda.setdefault(finish, []).append((task["id"], task["lead"]["key"], done))
    return agenda


def _apply(
    ctx: AppContext,
    task_id: int,
    lead: str,
    change: UpdateIn,
    day: date,
    zone: ZoneInfo,
    agenda: Agenda,
    reviewer: _Reviewer,
) -> int:
    """Record one update at 10:00; a task whose dependencies are still open finishes a week
    later instead (as a unit would wait), so the simulation never forces anything. A done
    report that waits for confirmation is put on the coordinator's agenda."""
    author = Author(
        lead, "web", datetime.combine(day, time(10), tzinfo=zone), ctx.settings.timezone
    )
    try:
        # on the simulated clock
        result = record_update(ctx.engine, task_id, change, author, now=author.at)
    except KehoachError:
        if change.status != Status.DONE:
            return 0
        later = ctx.calendar.add_working_days(day, 5)
        moved = UpdateIn(status=Status.DONE, progress=100, completed_on=later, note=change.note)
        agenda.setdefault(later, []).append((task_id, lead, moved))
        return 0
    if result.status == Status.AWAITING_REVIEW:
        reviewer.schedule(task_id, lead, day, agenda)
    return 1
