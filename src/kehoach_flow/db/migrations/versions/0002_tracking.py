"""tracking: task history, actuals, spending, evidence

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 13:51:31.502124
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "task_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("old_status", sa.String(length=20), nullable=False),
        sa.Column("new_status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("difficulties", sa.String(), nullable=True),
        sa.Column("proposals", sa.String(), nullable=True),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("force_reason", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_update_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_update_task_id"), ["task_id"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["task_update.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_update_id"), ["update_id"], unique=False)

    op.create_table(
        "update_actual",
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["target.id"],
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["task_update.id"],
        ),
        sa.PrimaryKeyConstraint("update_id", "target_id"),
    )
    op.create_table(
        "update_spending",
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("funding_line_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["funding_line_id"],
            ["funding_line.id"],
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["task_update.id"],
        ),
        sa.PrimaryKeyConstraint("update_id", "funding_line_id"),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=120), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("updated_by")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("completed_on")
        batch_op.drop_column("progress")

    op.drop_table("update_spending")
    op.drop_table("update_actual")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_update_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("task_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_update_task_id"))
        batch_op.drop_index(batch_op.f("ix_task_update_at"))

    op.drop_table("task_update")
