"""A ministry and two provinces on one database, with an account of each kind: the shared
world of the issue-21 acceptance tests (tests/web/test_scope_*.py of H4).

Units (units.yaml `parent`):

    bo-khcn   Bộ Khoa học và Công nghệ
      tdc       Ủy ban Tiêu chuẩn Đo lường Chất lượng quốc gia: `owner:` of Đề án 996
    tinh-01   Sở Khoa học và Công nghệ tỉnh 1 (province A): p01-u01 ... p01-u20 below it
    tinh-02   Sở Khoa học và Công nghệ tỉnh 2 (province B): p02-u01 ... p02-u20 below it

The provinces are not under the ministry: the ministry sees their plans because its
department owns the programme they implement (issue 21 point 1), not through the tree.
Plans (bench/data.py, 15 tasks each): province-01-2024 coordinated by p01-u01 (province A's
office), province-02-2024 by p02-u01; both of de-an-996. Each has an update with evidence
today, a reminder message in the outbox and a report run; the programme has a rollup run;
one more message, about no plan, went to the operator.
Today is the bench's busy day, when some tasks are overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from kehoach_flow.accounts import add_user, issue_token
from kehoach_flow.bench import PROGRAMME_FILE
from kehoach_flow.bench import data as benchdata
from kehoach_flow.bench.reminders import BUSY_DAY
from kehoach_flow.context import AppContext
from kehoach_flow.db.queries import list_tasks
from kehoach_flow.db.tables import OUTBOX
from kehoach_flow.loading import load_path
from kehoach_flow.reports.runs import list_runs
from kehoach_flow.reports.service import make_report
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.evidence import store_evidence
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.status import Status
from kehoach_flow.web.app import create_app
from tests.conftest import ROOT
from tests.web.conftest import sign_in
from tests.web.helpers import PASSWORD

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROGRAMME = "de-an-996"
PLAN_A, PLAN_B = "province-01-2024", "province-02-2024"
BOTH = frozenset({PLAN_A, PLAN_B})
MINISTRY, DEPARTMENT = "bo-khcn", "tdc"
PROVINCE_A, PROVINCE_B = "tinh-01", "tinh-02"
ACCOUNTS = {  # username -> (role, unit; None: the whole installation)
    "chutri-a": ("coordinator", PROVINCE_A),
    "xem-a": ("viewer", PROVINCE_A),
    "quantri-a": ("admin", PROVINCE_A),
    "chutri-b": ("coordinator", PROVINCE_B),
    "bo-xem": ("viewer", MINISTRY),
    "quantri": ("admin", None),
}
SEES = {  # username -> the plans it must reach
    "chutri-a": frozenset({PLAN_A}),
    "xem-a": frozenset({PLAN_A}),
    "quantri-a": frozenset({PLAN_A}),
    "chutri-b": frozenset({PLAN_B}),
    "bo-xem": BOTH,
    "quantri": BOTH,
}


OPERATOR = "van-hanh@example.vn"  # the recipient of a message about no plan


def recipient(plan: str) -> str:
    """The address of the reminder message about `plan` in the outbox."""
    return f"nhac-viec.{plan}@example.vn"


@dataclass
class Orgs:
    app: FastAPI
    engine: Engine
    settings: Settings
    tokens: dict[str, str]  # username -> its API token
    tasks: dict[str, str]  # plan -> the task key its update is on
    evidence: dict[str, str]  # plan -> sha256 of that update's evidence file
    runs: dict[str, int]  # report subject (plan key, programme:KEY) -> its run id

    def browser(self, username: str) -> TestClient:
        """A new browser signed in as `username` through the sign-in form."""
        client = TestClient(self.app, follow_redirects=False)
        assert sign_in(client, username=username) == 303
        return client

    def api(self, username: str) -> TestClient:
        """A client sending `username`'s API token, no cookie."""
        headers = {"Authorization": f"Bearer {self.tokens[username]}"}
        return TestClient(self.app, follow_redirects=False, headers=headers)


def bench_definitions(work: Path, tree: dict[str, dict[str, str]]) -> Path:
    """The bench's two provinces (15 tasks each) in `work`/definitions, each generated unit
    p0N-uXX under its province tinh-0N; `tree` the units above them."""
    definitions = benchdata.generate(
        work / "definitions", ROOT / PROGRAMME_FILE, provinces=2, tasks_per_subsection=1
    )
    path = definitions / "units.yaml"
    units = yaml.safe_load(path.read_text(encoding="utf-8"))["units"]
    for key, unit in units.items():
        unit["parent"] = "tinh-" + key[1:3]
    text = yaml.safe_dump({"units": {**tree, **units}}, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return definitions


def open_world(
    definitions: Path,
    settings: Settings,
    engine: Engine,
    accounts: dict[str, tuple[str, str | None]],
    token_label: str | None = None,
) -> tuple[Settings, dict[str, str]]:
    """`definitions` loaded on `engine` and the settings of its app at the busy day; the
    accounts of add_accounts, their API tokens by username."""
    ours = settings.model_copy(
        update={
            "definitions": definitions,
            "today": BUSY_DAY,
            "secret_key": "test-secret",
            "cookie_secure": False,
        }
    )
    load_path(engine, definitions)
    return ours, add_accounts(engine, accounts, token_label)


def add_accounts(
    engine: Engine, accounts: dict[str, tuple[str, str | None]], token_label: str | None = None
) -> dict[str, str]:
    """An account for each of `accounts` (username -> role, unit; None: the whole
    installation), with an API token labelled `token_label` if given: the tokens by username."""
    tokens = {}
    for username, (role, unit) in accounts.items():
        add_user(engine, username, f"Tài khoản {username}", role, PASSWORD, unit_key=unit)
        if token_label is not None:
            tokens[username] = issue_token(engine, username, token_label)
    return tokens


def sent_message(
    engine: Engine, recipient: str, subject: str, keys: list[str], message_id: str, n: int
) -> None:
    """A message in the outbox, sent at 1:00 UTC on the busy day, reminding of `keys`."""
    moment = datetime.combine(BUSY_DAY, time(1), tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(OUTBOX).values(
                dedupe_key=f"{recipient}|{BUSY_DAY}|{n}",
                day=BUSY_DAY,
                recipient=recipient,
                subject=subject,
                message_id=message_id,
                raw=b"",
                reminder_keys=keys,
                status="sent",
                attempts=1,
                next_attempt_at=moment,
                created_at=moment,
                sent_at=moment,
            )
        )


def first_task_update(
    engine: Engine,
    settings: Settings,
    work: Path,
    plan: str,
    n: int,
    change: UpdateIn,
    content: bytes,
) -> tuple[str, str]:
    """`change` on the plan's first task by its lead, at 9:00 on the busy day, with an
    evidence file bien-ban-`n`.pdf holding `content`: the task's key, the file's sha256."""
    task = list_tasks(engine, plan=plan)[0]
    source = work / f"bien-ban-{n}.pdf"
    source.write_bytes(content)
    stored = store_evidence(source, settings.data_dir, 1 << 20)
    at = datetime.combine(BUSY_DAY, time(9), tzinfo=TZ)
    author = Author(task["lead"]["key"], "web", at)
    record_update(engine, int(task["id"]), change, author, evidence=[stored], now=at)
    return str(task["key"]), stored.sha256


def write_definitions(work: Path) -> Path:
    """The bench's two provinces (15 tasks each), put in the tree above; the programme owned
    by the ministry's department."""
    tree = {
        MINISTRY: {"name": "Bộ Khoa học và Công nghệ", "short": "Bộ KH&CN"},
        DEPARTMENT: {
            "name": "Ủy ban Tiêu chuẩn Đo lường Chất lượng quốc gia",
            "short": "Ủy ban TCĐLCL",
            "parent": MINISTRY,
        },
        PROVINCE_A: {"name": "Sở Khoa học và Công nghệ tỉnh 1", "short": "Sở KH&CN tỉnh 1"},
        PROVINCE_B: {"name": "Sở Khoa học và Công nghệ tỉnh 2", "short": "Sở KH&CN tỉnh 2"},
    }
    definitions = bench_definitions(work, tree)
    programme = definitions / "programmes" / PROGRAMME_FILE.name
    lines = programme.read_text(encoding="utf-8").splitlines()
    at = lines.index(f"  key: {PROGRAMME}") + 1
    lines.insert(at, f"  owner: {DEPARTMENT}")
    programme.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return definitions


def _outbox(engine: Engine, plan: str | None, task: str, n: int) -> None:
    """A reminder message sent today about `plan`'s `task` (None: about no plan, which only
    whole-installation accounts may see)."""
    address = recipient(plan) if plan is not None else OPERATOR
    keys = [f"{address}|due_soon|{plan}/{task}|{BUSY_DAY}"] if plan is not None else []
    sent_message(engine, address, f"Nhắc việc: {task}", keys, f"<orgs-{n}@example.vn>", n)


def build_orgs(work: Path, settings: Settings, engine: Engine) -> Orgs:
    """The world above on `engine` (migrated, empty), its app at the busy day."""
    ours, tokens = open_world(write_definitions(work), settings, engine, ACCOUNTS, "kiểm thử")
    tasks, evidence = {}, {}
    ctx = AppContext(ours, engine)
    for n, plan in enumerate(sorted(BOTH), 1):
        change = UpdateIn(status=Status.IN_PROGRESS, progress=20 * n, note="Đang thực hiện")
        content = f"%PDF-1.4 minh chứng {plan}".encode()
        tasks[plan], evidence[plan] = first_task_update(
            engine, ours, work, plan, n, change, content
        )
        _outbox(engine, plan, tasks[plan], n)
        make_report(ctx, "q1", 2024, plan=plan, formats=("md",))
    _outbox(engine, None, "", 3)
    make_report(ctx, "q1", 2024, programme=PROGRAMME, formats=("md",))
    runs = {str(run["subject"]): int(run["id"]) for run in list_runs(engine)}  # type: ignore[call-overload]
    return Orgs(create_app(ours, engine), engine, ours, tokens, tasks, evidence, runs)
