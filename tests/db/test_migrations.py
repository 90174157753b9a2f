"""The Alembic migrations build the schema the models describe, on SQLite and on Postgres."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import kehoach_flow.db.tables  # noqa: F401  (registers every table on the metadata)
from kehoach_flow.db.engine import create_db_engine, current_revision, head_revision, upgrade


def test_a_fresh_database_upgraded_to_head_matches_the_models(database_url: str) -> None:
    """What `kehoach db upgrade` builds, compared with SQLModel.metadata as autogenerate would:
    tables, columns, nullability, indexes, unique constraints, foreign keys and column types
    (compare_type, as in db/migrations/env.py) must all agree.

    Not compared, on purpose: server defaults (alembic's default, as in env.py). Migrations
    that add a NOT NULL column to a filled table give it a server default to fill the old rows
    (plan.revision, task.progress); the models leave it out because the application always
    writes the value. Nothing had to be ignored for SQLite: its reflected types agree with
    the models' once 0012 made schedule_run.message the VARCHAR the model declares.
    """
    engine = create_db_engine(database_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []
