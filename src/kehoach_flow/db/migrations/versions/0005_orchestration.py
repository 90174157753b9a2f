"""daily status snapshots and scheduled job runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_key", sa.String(length=120), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("overdue", sa.JSON(), nullable=True),
        sa.Column("at_risk", sa.JSON(), nullable=True),
        sa.Column("blocked", sa.JSON(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_key", "day"),
    )
    with op.batch_alter_table("status_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_snapshot_plan_key"), ["plan_key"], unique=False)
    op.create_table(
        "schedule_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=80), nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job", "slot"),
    )


def downgrade() -> None:
    op.drop_table("schedule_run")
    with op.batch_alter_table("status_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_snapshot_plan_key"))
    op.drop_table("status_snapshot")
