"""The send_reminders flow when a recipient is in two plans: every reminder once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from kehoach_flow.loading import load_path
from kehoach_flow.reminders.outbox import outbox_rows
from kehoach_flow.reminders.sweep import plan_day
from kehoach_flow.settings import Settings
from tests.conftest import SEED_PLAN
from tests.orchestration.helpers import flow
from tests.reminders.helpers import TWO_PLAN_DAY as DAY
from tests.reminders.helpers import delivered_items, with_copy


@pytest.fixture
def env(
    prefect_server: str,
    settings: Settings,
    engine: Engine,
    definitions_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """KEHOACH_* for the flow, the seed plan and its copy loaded: same people, 7 + 7 items."""
    monkeypatch.setenv("KEHOACH_DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("KEHOACH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("KEHOACH_DEFINITIONS", str(definitions_copy))
    monkeypatch.setenv("KEHOACH_SECRET_KEY", "test-secret")
    load_path(engine, with_copy(definitions_copy))
    return settings


def stored(engine: Engine) -> list[str]:
    return sorted(key for row in outbox_rows(engine) for key in row["reminder_keys"])


def planned(engine: Engine, settings: Settings) -> list[str]:
    return sorted(r.dedupe_key for r in plan_day(engine, settings, DAY).reminders)


def test_send_reminders_gives_each_recipient_one_digest_across_both_plans(
    env: Settings, engine: Engine
) -> None:
    send = flow("send_reminders")
    summary = send(day=DAY.isoformat())
    assert (summary["reminders"], summary["queued"], summary["sent"]) == (14, 4, 4)
    assert summary["failed_plans"] == {}
    assert stored(engine) == planned(engine, env) and len(stored(engine)) == 14
    delivered = delivered_items(env)
    assert len(delivered) == 14 and len(set(delivered)) == 14
    again = send(day=DAY.isoformat())
    assert (again["queued"], again["already_queued"], again["sent"]) == (0, 4, 0)


def test_send_reminders_for_one_plan_then_all_sends_the_other_plan_in_follow_ups(
    env: Settings, engine: Engine
) -> None:
    send = flow("send_reminders")
    first = send(plan=SEED_PLAN, day=DAY.isoformat())
    assert (first["reminders"], first["queued"], first["sent"]) == (7, 4, 4)
    later = send(day=DAY.isoformat())
    assert (later["reminders"], later["queued"], later["follow_ups"], later["sent"]) == (
        14,
        4,
        4,
        4,
    )
    assert stored(engine) == planned(engine, env) and len(outbox_rows(engine)) == 8
    delivered = delivered_items(env)
    assert len(delivered) == 14 and len(set(delivered)) == 14
