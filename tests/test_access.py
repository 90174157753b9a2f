"""The scope rule on a ministry and two provinces loaded into one database (SQLite, Postgres).

Units: Bộ KH&CN above its Tổng cục (owner of Đề án 996); province A (UBND > Sở > Phòng, Trung
tâm); province B (Sở > Phòng, Trung tâm). Plans: A's and B's plan of Đề án 996, A's internal
plan, and a plan of B with one task led by A's Trung tâm.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from kehoach_flow.accounts import Account, add_user, authenticate, change_user, set_disabled
from kehoach_flow.accounts.audit import ACTIONS, record
from kehoach_flow.accounts.scope import (
    audit_entries,
    can_assign_unit,
    can_download_evidence,
    can_edit_plan,
    can_manage,
    can_see_plan,
    managed_accounts,
    message_plans,
    plan_upload_refusal,
    scope_of,
    upload_refusal,
    visible_plans,
)
from kehoach_flow.db.tables import PROGRAMME
from kehoach_flow.loading import load_path
from tests.conftest import DEFINITIONS

PASSWORD = "mat-khau-du-dai"

UNITS = """\
units:
  bo-khcn: {name: Bộ Khoa học và Công nghệ}
  tong-cuc: {name: Tổng cục Tiêu chuẩn Đo lường Chất lượng, parent: bo-khcn}
  ubnd-a: {name: UBND tỉnh A}
  so-a: {name: Sở Khoa học và Công nghệ tỉnh A, parent: ubnd-a}
  phong-a: {name: Phòng Quản lý TCĐLCL tỉnh A, parent: so-a}
  tt-a: {name: Trung tâm Kỹ thuật tỉnh A, parent: so-a}
  so-b: {name: Sở Khoa học và Công nghệ tỉnh B}
  phong-b: {name: Phòng Quản lý TCĐLCL tỉnh B, parent: so-b}
  tt-b: {name: Trung tâm Kỹ thuật tỉnh B, parent: so-b}
"""


def _plan(key: str, coordinator: str, leads: list[str], programme: bool) -> str:
    tasks = "\n".join(
        f"      - {{key: v{i}, title: Việc {i}, lead: {lead}, start: 2024-01-02, due: 2024-06-28}}"
        for i, lead in enumerate(leads, 1)
    )
    line = "  programme: de-an-996\n" if programme else ""
    return (
        f"plan:\n  key: {key}\n  title: Kế hoạch {key}\n  year: 2024\n{line}"
        f"  coordinator: {coordinator}\nsections:\n  - key: '1'\n    title: Nhiệm vụ\n"
        f"    tasks:\n{tasks}\n"
    )


PLANS = {
    "a-2024": _plan("a-2024", "phong-a", ["phong-a", "tt-a"], True),
    "a-noi-bo-2024": _plan("a-noi-bo-2024", "so-a", ["tt-a"], False),
    "b-2024": _plan("b-2024", "phong-b", ["tt-b"], True),
    "b-phoi-hop-2024": _plan("b-phoi-hop-2024", "phong-b", ["phong-b", "tt-a"], False),
}
ALL = frozenset(PLANS)


@pytest.fixture
def world(tmp_path: Path, engine: Engine) -> Engine:
    root = tmp_path / "defs"  # reloaded by test_a_reload_moving_a_task_moves_who_sees_it
    (root / "plans").mkdir(parents=True)
    shutil.copytree(DEFINITIONS / "programmes", root / "programmes")
    shutil.copy(DEFINITIONS / "calendar.yaml", root / "calendar.yaml")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    for key, text in PLANS.items():
        (root / "plans" / f"{key}.yaml").write_text(text, encoding="utf-8")
    load_path(engine, root)
    with engine.begin() as conn:  # the Tổng cục owns Đề án 996
        conn.execute(update(PROGRAMME).values(owner_key="tong-cuc"))
    return engine


def _account(role: str, unit: str | None) -> Account:
    return Account(0, f"{role}-{unit}", "", role, 0, unit)


@pytest.mark.parametrize(
    ("unit", "role", "sees", "edits"),
    [
        ("phong-a", "coordinator", {"a-2024"}, {"a-2024"}),
        # the Sở sees what its Trung tâm leads in B's plan, and edits only its own plans
        (
            "so-a",
            "coordinator",
            {"a-2024", "a-noi-bo-2024", "b-phoi-hop-2024"},
            {"a-2024", "a-noi-bo-2024"},
        ),
        ("tt-a", "viewer", {"a-2024", "a-noi-bo-2024", "b-phoi-hop-2024"}, set()),
        ("tt-a", "coordinator", {"a-2024", "a-noi-bo-2024", "b-phoi-hop-2024"}, set()),
        (
            "ubnd-a",
            "admin",
            {"a-2024", "a-noi-bo-2024", "b-phoi-hop-2024"},
            {"a-2024", "a-noi-bo-2024"},
        ),
        ("phong-b", "coordinator", {"b-2024", "b-phoi-hop-2024"}, {"b-2024", "b-phoi-hop-2024"}),
        ("tt-b", "viewer", {"b-2024"}, set()),
        # the programme's owner, and the ministry above it, see every province's plan of it
        ("tong-cuc", "viewer", {"a-2024", "b-2024"}, set()),
        ("bo-khcn", "coordinator", {"a-2024", "b-2024"}, set()),
        (None, "viewer", set(ALL), set()),
        (None, "coordinator", set(ALL), set(ALL)),
        ("da-xoa", "coordinator", set(), set()),  # a unit no longer in the tree: nothing
    ],
)
def test_each_account_sees_and_edits_its_scope(
    world: Engine, unit: str | None, role: str, sees: set[str], edits: set[str]
) -> None:
    account = _account(role, unit)
    scope = scope_of(world, account)
    assert (set(scope.visible), set(scope.editable)) == (sees, edits)
    assert visible_plans(world, account) == sees
    for key in ALL:
        assert can_see_plan(world, account, key) == (key in sees)
        assert can_edit_plan(world, account, key) == (key in edits)
    assert not can_see_plan(world, account, "khong-co")


def test_a_programme_rollup_only_for_those_who_see_all_its_plans(world: Engine) -> None:
    ministry = scope_of(world, _account("coordinator", "tong-cuc"))
    province = scope_of(world, _account("coordinator", "phong-a"))
    assert ministry.programmes == province.programmes == {"de-an-996"}
    assert ministry.sees_report("programme:de-an-996") and ministry.makes_report(
        "programme:de-an-996"
    )
    assert not province.sees_report("programme:de-an-996")
    assert not province.makes_report("programme:de-an-996")
    assert province.sees_report("a-2024") and province.makes_report("a-2024")
    assert not province.sees_report("b-2024") and not ministry.makes_report("b-2024")
    assert ministry.rollup_plans("de-an-996") == ({"a-2024", "b-2024"}, True)
    assert province.rollup_plans("de-an-996") == ({"a-2024"}, False)
    assert province.rollup_plans("khong-co") == (set(), False)
    viewer = scope_of(world, _account("viewer", "tong-cuc"))
    assert viewer.sees_report("programme:de-an-996")
    assert not viewer.makes_report("programme:de-an-996")


def test_a_plan_file_outside_the_scope_is_refused_in_vietnamese(world: Engine) -> None:
    a = _account("coordinator", "phong-a")
    assert upload_refusal(world, a, {"a-2024": "phong-a"}) is None
    assert upload_refusal(world, a, {"a-2025": "phong-a"}) is None
    assert upload_refusal(world, a, {"a-2025": "phong-b"}) == (
        'Kế hoạch "a-2025" do đơn vị "phong-b" chủ trì, ngoài phạm vi của tài khoản; chưa nạp gì.'
    )
    # taking over B's plan by naming one's own unit as coordinator
    refused = upload_refusal(world, a, {"b-2024": "phong-a"})
    assert refused is not None and '"b-2024" đã có' in refused
    # overwriting the file of B's plan with a plan of one's own
    refused = upload_refusal(world, a, {"a-2025": "phong-a"}, replaced=["b-2024"])
    assert refused is not None and 'đang chứa kế hoạch "b-2024"' in refused
    assert upload_refusal(world, _account("viewer", "phong-a"), {"a-2024": "phong-a"}) == (
        "Tài khoản chỉ được xem, không được nạp kế hoạch."
    )
    assert upload_refusal(world, _account("coordinator", None), {"x": "phong-b"}) is None


def test_an_admin_manages_the_accounts_of_its_subtree_only(world: Engine) -> None:
    admin_a = _account("admin", "so-a")
    assert can_manage(world, admin_a, _account("viewer", "tt-a"))
    assert can_manage(world, admin_a, _account("admin", "so-a"))
    assert not can_manage(world, admin_a, _account("viewer", "phong-b"))
    assert not can_manage(world, admin_a, _account("viewer", "ubnd-a"))  # above it
    assert not can_manage(world, admin_a, _account("viewer", None))
    assert not can_manage(world, _account("coordinator", "so-a"), _account("viewer", "tt-a"))
    assert can_manage(world, _account("admin", None), _account("viewer", None))
    for username, unit in [("tta", "tt-a"), ("phongb", "phong-b"), ("lanhdao", None)]:
        add_user(world, username, username, "viewer", PASSWORD, unit)
    assert [i.account.username for i in managed_accounts(world, admin_a)] == ["tta"]
    everyone = managed_accounts(world, _account("admin", None))
    assert [i.account.username for i in everyone] == ["lanhdao", "phongb", "tta"]
    assert managed_accounts(world, _account("coordinator", None)) == []
    assert can_assign_unit(world, admin_a, "phong-a")
    assert not can_assign_unit(world, admin_a, "so-b")
    assert not can_assign_unit(world, admin_a, None)


def test_the_audit_log_shows_an_admin_its_subtree_in_vietnamese(world: Engine) -> None:
    add_user(world, "tta", "Trung tâm A", "viewer", PASSWORD, "tt-a", actor="cli:root")
    add_user(world, "phongb", "Phòng B", "coordinator", PASSWORD, "phong-b", actor="cli:root")
    assert authenticate(world, "tta", PASSWORD, "10.0.0.7") is not None
    assert authenticate(world, "phongb", "sai-mat-khau-roi", "10.0.0.8") is None
    assert authenticate(world, "khong-ai", PASSWORD, "10.0.0.9") is None
    set_disabled(world, "tta", True, actor="cli:root")
    change_user(world, "phongb", unit_key="tt-b", actor="cli:root")

    admin_a = Account(0, "admin-a", "", "admin", 0, "so-a")
    seen = [(e.action, e.target, e.address) for e in audit_entries(world, admin_a)]
    assert seen == [
        ("account_disabled", "tta", None),
        ("sign_in", "tta", "10.0.0.7"),
        ("account_created", "tta", None),
    ]
    assert [e.label for e in audit_entries(world, admin_a)] == [
        "Khóa tài khoản",
        "Đăng nhập",
        "Tạo tài khoản",
    ]
    everything = audit_entries(world, Account(0, "root", "", "admin", 0, None))
    assert [e.action for e in everything] == [
        "account_changed",
        "account_disabled",
        "sign_in_failed",
        "sign_in_failed",
        "sign_in",
        "account_created",
        "account_created",
    ]
    assert everything[0].detail == "vai trò coordinator → coordinator, đơn vị phong-b → tt-b"
    assert all(e.at.tzinfo is not None for e in everything)
    assert audit_entries(world, Account(0, "c", "", "coordinator", 0, None)) == []
    assert all(label and label[0].isupper() for label in ACTIONS.values())
    with pytest.raises(ValueError, match="unknown audit action"):
        record(world, "x", "dance")


def test_a_disabled_account_stays_signed_out_when_enabled_again(world: Engine) -> None:
    from kehoach_flow.accounts import live_session

    created = add_user(world, "tta", "Trung tâm A", "viewer", PASSWORD, "tt-a")
    assert live_session(world, created.id, 0) == created
    set_disabled(world, "tta", True, actor="cli:root")
    assert live_session(world, created.id, 0) is None
    enabled = set_disabled(world, "tta", False, actor="cli:root")
    assert live_session(world, created.id, 0) is None  # the old cookie stays ended
    assert live_session(world, created.id, enabled.session_version) == enabled
    assert enabled.unit_key == "tt-a"


def test_a_reload_moving_a_task_moves_who_sees_it(world: Engine, tmp_path: Path) -> None:
    """The leads read once per plan definition are read again when a load changes it."""
    centre_b = _account("viewer", "tt-b")
    assert visible_plans(world, centre_b) == {"b-2024"}
    path = tmp_path / "defs" / "plans" / "b-2024.yaml"
    path.write_text(PLANS["b-2024"].replace("lead: tt-b", "lead: phong-b"), encoding="utf-8")
    load_path(world, tmp_path / "defs")
    assert visible_plans(world, centre_b) == set()
    assert visible_plans(world, _account("viewer", "phong-b")) == {"b-2024", "b-phoi-hop-2024"}


def test_a_plan_file_is_checked_with_the_file_it_replaces(world: Engine, tmp_path: Path) -> None:
    a = _account("coordinator", "phong-a")
    plans = tmp_path / "defs" / "plans"
    mine = tmp_path / "a-2025.yaml"
    mine.write_text(_plan("a-2025", "phong-a", ["tt-a"], True), encoding="utf-8")
    assert plan_upload_refusal(world, a, mine) is None
    assert plan_upload_refusal(world, a, mine, plans / "a-2024.yaml") is None
    assert plan_upload_refusal(world, a, mine, plans / "khong-co.yaml") is None
    refused = plan_upload_refusal(world, a, mine, plans / "b-2024.yaml")
    assert refused is not None and 'đang chứa kế hoạch "b-2024"' in refused
    theirs = tmp_path / "b-2025.yaml"
    theirs.write_text(_plan("b-2025", "phong-b", ["tt-a"], True), encoding="utf-8")
    refused = plan_upload_refusal(world, a, theirs)
    assert refused is not None and 'do đơn vị "phong-b" chủ trì' in refused
    nameless = tmp_path / "thieu.yaml"
    nameless.write_text("plan:\n  key: a-2026\n", encoding="utf-8")
    assert plan_upload_refusal(world, _account("coordinator", None), nameless) == (
        'Kế hoạch "a-2026" không ghi đơn vị chủ trì (plan.coordinator); chưa nạp gì.'
    )


def test_evidence_and_outbox_messages_follow_the_plans_they_belong_to(world: Engine) -> None:
    from kehoach_flow.db.queries import find_task
    from kehoach_flow.tracking.evidence import StoredFile
    from kehoach_flow.tracking.history import Author, UpdateIn, record_update
    from kehoach_flow.tracking.status import Status

    sha = "ab" * 32
    task = find_task(world, "b-2024/v1")
    proof = StoredFile(sha, "bien-ban.pdf", 10, "application/pdf")
    record_update(
        world,
        task["id"],
        UpdateIn(status=Status.IN_PROGRESS),
        Author("tt-b", "web"),
        evidence=[proof],
    )
    assert can_download_evidence(world, _account("viewer", "tt-b"), sha)
    assert can_download_evidence(world, _account("viewer", "tong-cuc"), sha)
    assert not can_download_evidence(world, _account("coordinator", "so-a"), sha)
    assert not can_download_evidence(world, _account("viewer", None), "cd" * 32)

    keys = [
        "tt-a@x.vn|due_soon|a-2024/v2|2024-06-20",
        "tt-a@x.vn|overdue|b-phoi-hop-2024/v2|2024-06-20",
    ]
    assert message_plans(keys) == {"a-2024", "b-phoi-hop-2024"}
    assert scope_of(world, _account("viewer", "tt-a")).sees_message(keys)
    assert not scope_of(world, _account("viewer", "phong-a")).sees_message(keys)  # not b's
    assert not scope_of(world, _account("viewer", "phong-a")).sees_message([])
    assert scope_of(world, _account("viewer", None)).sees_message(None)
