"""Alembic environment: runs on the engine handed over by kehoach_flow.db.engine."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import kehoach_flow.db.tables  # noqa: F401  (registers the tables on the metadata)

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
