"""`kehoach user ...` through the real command line: units, the list, disable and enable, and
every change in the audit log."""

from __future__ import annotations

import json
import re
import sys

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from kehoach_flow.accounts import authenticate, find_user
from kehoach_flow.accounts.audit import recent
from kehoach_flow.accounts.scope import editable_plans, visible_plans
from kehoach_flow.cli import main
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN, CliResult, run_cli

PASSWORD = "mat-khau-du-dai"


def _add(settings: Settings, *args: str) -> CliResult:
    """`kehoach user add ARGS --password-stdin` with the password on its standard input, as
    run_cli runs a command (which gives it an empty one)."""
    runner = CliRunner()
    with runner.isolation(input=PASSWORD + "\n") as (stdout, stderr, _):
        try:
            main(["user", "add", *args, "--password-stdin"], settings=settings)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return CliResult(code, stdout.getvalue().decode(), stderr.getvalue().decode())


@pytest.fixture
def loaded(settings: Settings, engine: Engine) -> Engine:
    assert run_cli(settings, "load").exit_code == 0
    return engine


def test_an_account_of_a_unit_sees_its_plans_and_the_list_names_the_unit(
    settings: Settings, loaded: Engine
) -> None:
    added = _add(settings, "phongkh", "--role", "coordinator", "--unit", "qltcdlcl")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "Đã tạo tài khoản phongkh (phòng chủ trì, qltcdlcl)."
    assert _add(settings, "lanhdao", "--name", "Lãnh đạo Sở").exit_code == 0
    assert _add(settings, "ketoan", "--role", "admin", "--unit", "kh-tc").exit_code == 0

    phong = find_user(loaded, "phongkh")
    assert phong is not None and phong.unit_key == "qltcdlcl"
    assert visible_plans(loaded, phong) == {SEED_PLAN}  # the seed plan's coordinator
    ketoan = find_user(loaded, "ketoan")
    assert ketoan is not None and visible_plans(loaded, ketoan) == {SEED_PLAN}  # leads a task
    assert editable_plans(loaded, ketoan) == set()  # but does not coordinate the plan
    assert _add(settings, "doanhnghiep", "--unit", "cac-doanh-nghiep").exit_code == 0
    partner = find_user(loaded, "doanhnghiep")
    assert partner is not None and visible_plans(loaded, partner) == set()  # a partner only
    lanhdao = find_user(loaded, "lanhdao")
    assert lanhdao is not None and lanhdao.unit_key is None

    listed = run_cli(settings, "user", "list")
    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    for header in ("Tên đăng nhập", "Họ tên", "Vai trò", "Đơn vị", "Trạng thái"):
        assert header in listed.stdout
    row = next(line for line in lines if "phongkh" in line)
    assert "phòng chủ trì" in row and "Phòng Quản lý" in row and "đang dùng" in row
    row = next(line for line in lines if "lanhdao" in line)
    assert "xem" in row and "Toàn hệ thống" in row
    row = next(line for line in lines if "ketoan" in line)
    assert "quản trị" in row and "Phòng KH-TC" in row

    as_json = json.loads(run_cli(settings, "user", "list", "--json").stdout)
    assert [(r["username"], r["role"], r["unit"], r["disabled"]) for r in as_json] == [
        ("doanhnghiep", "viewer", "cac-doanh-nghiep", False),
        ("ketoan", "admin", "kh-tc", False),
        ("lanhdao", "viewer", None, False),
        ("phongkh", "coordinator", "qltcdlcl", False),
    ]
    assert as_json[-1]["unit_name"] == "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng"


def test_an_unknown_unit_or_role_is_one_line_and_nothing_is_made(
    settings: Settings, loaded: Engine
) -> None:
    result = _add(settings, "x", "--unit", "so-khong-co")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        'Lỗi: không có đơn vị "so-khong-co" trong danh mục đơn vị đã nạp (units.yaml)'
    ]
    result = run_cli(settings, "user", "set", "x", "--unit", "qltcdlcl")
    assert (result.exit_code, result.stderr.strip()) == (2, 'Lỗi: không có tài khoản "x"')
    assert _add(settings, "x").exit_code == 0
    result = run_cli(settings, "user", "set", "x", "--unit", "so-khong-co")
    assert result.exit_code == 2 and "so-khong-co" in result.stderr
    result = run_cli(settings, "user", "set", "x", "--unit", "qltcdlcl", "--whole")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Lỗi: chọn --unit hoặc --whole, không dùng cả hai"
    found = find_user(loaded, "x")
    assert found is not None and found.unit_key is None


def test_narrow_disable_enable_and_every_change_is_in_the_audit_log(
    settings: Settings, loaded: Engine
) -> None:
    assert _add(settings, "lanhdao").exit_code == 0
    narrowed = run_cli(settings, "user", "set", "lanhdao", "--unit", "tt-ncgdmst")
    assert narrowed.exit_code == 0, narrowed.stderr
    assert narrowed.stdout.strip() == "Tài khoản lanhdao: xem, tt-ncgdmst."
    lanhdao = find_user(loaded, "lanhdao")
    assert lanhdao is not None and visible_plans(loaded, lanhdao) == {SEED_PLAN}  # leads a task

    disabled = run_cli(settings, "user", "disable", "LanhDao")
    assert (disabled.exit_code, disabled.stdout.strip()) == (0, "Đã khóa tài khoản lanhdao.")
    assert authenticate(loaded, "lanhdao", PASSWORD, "10.0.0.1") is None
    assert "đã khóa" in run_cli(settings, "user", "list").stdout
    enabled = run_cli(settings, "user", "enable", "lanhdao")
    assert (enabled.exit_code, enabled.stdout.strip()) == (0, "Đã mở lại tài khoản lanhdao.")
    assert authenticate(loaded, "lanhdao", PASSWORD, "10.0.0.1") is not None
    assert run_cli(settings, "user", "disable", "khong-ai").exit_code == 2
    widened = run_cli(settings, "user", "set", "lanhdao", "--whole", "--role", "admin")
    assert widened.stdout.strip() == "Tài khoản lanhdao: quản trị, toàn hệ thống."
    assert run_cli(settings, "user", "token", "lanhdao").exit_code == 0

    entries = recent(loaded, None)
    assert [(e.action, e.target, e.unit_key) for e in entries] == [
        ("token_issued", "lanhdao", None),
        ("account_changed", "lanhdao", None),
        ("sign_in", "lanhdao", "tt-ncgdmst"),
        ("account_enabled", "lanhdao", "tt-ncgdmst"),
        ("sign_in_failed", "lanhdao", "tt-ncgdmst"),
        ("account_disabled", "lanhdao", "tt-ncgdmst"),
        ("account_changed", "lanhdao", "tt-ncgdmst"),
        ("account_created", "lanhdao", None),
    ]
    by_cli = [e for e in entries if not e.action.startswith("sign_in")]
    assert all(e.actor.startswith("cli") and e.address is None for e in by_cli)
    assert entries[1].detail == "vai trò viewer → admin, đơn vị tt-ncgdmst → Toàn hệ thống"
    assert entries[4].detail == "tài khoản đã khóa"


def test_reset_password_prints_a_temporary_one_to_be_replaced_at_the_next_sign_in(
    settings: Settings, loaded: Engine
) -> None:
    assert _add(settings, "lanhdao").exit_code == 0
    result = run_cli(settings, "user", "reset-password", "LanhDao")
    assert result.exit_code == 0, result.stderr
    found = re.search(r"Mật khẩu tạm thời \(chỉ hiện lần này[^)]*\): (\S+)", result.stdout)
    assert found is not None, result.stdout
    assert result.stdout.startswith("Đã đặt lại mật khẩu tài khoản lanhdao.")
    assert authenticate(loaded, "lanhdao", PASSWORD, "10.0.0.1") is None
    signed = authenticate(loaded, "lanhdao", found.group(1), "10.0.0.1")
    assert signed is not None and signed.must_change_password
    assert "chờ đặt mật khẩu mới" in run_cli(settings, "user", "list").stdout
    listed = json.loads(run_cli(settings, "user", "list", "--json").stdout)
    assert [(u["username"], u["must_change_password"]) for u in listed] == [("lanhdao", True)]
    entry = recent(loaded, None, actions=["password_reset"])[0]
    assert entry.target == "lanhdao" and entry.actor.startswith("cli")
    missing = run_cli(settings, "user", "reset-password", "khong-ai")
    assert (missing.exit_code, missing.stderr.strip()) == (2, 'Lỗi: không có tài khoản "khong-ai"')
