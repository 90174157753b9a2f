"""schedule_run.message as the model declares it (VARCHAR, no length), not TEXT

Found by tests/db/test_migrations.py: 0005 created the column as TEXT while ScheduleRun.message
is a plain `str | None` (SQLModel's AutoString). Postgres changes the type in its catalogue only
(varchar and text are stored alike, no rewrite); SQLite copies the small table in batch mode.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.alter_column(
            "message", existing_type=sa.Text(), type_=sa.String(), existing_nullable=True
        )


def downgrade() -> None:
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.alter_column(
            "message", existing_type=sa.String(), type_=sa.Text(), existing_nullable=True
        )
