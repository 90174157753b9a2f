"""task_update.kind, requested_due, decided_due, request_id: extension requests, their
decisions and completion reviews are entries of a task's history; plan.review: a plan whose
tasks reported done wait for the coordinator's confirmation (issue 22)

Existing entries are updates (kind "update"); existing plans get review false: nothing
changes for them on upgrade. request_id is unique: one decision per request, whichever of two
coordinators deciding at once commits first.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_update", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=30), nullable=False, server_default="update")
        )
        batch_op.add_column(sa.Column("requested_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("decided_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_task_update_request_id", "task_update", ["request_id"], ["id"]
        )
        batch_op.create_index("ix_task_update_request_id", ["request_id"], unique=True)
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("review")
    with op.batch_alter_table("task_update", schema=None) as batch_op:
        batch_op.drop_index("ix_task_update_request_id")
        batch_op.drop_constraint("fk_task_update_request_id", type_="foreignkey")
        batch_op.drop_column("request_id")
        batch_op.drop_column("decided_due")
        batch_op.drop_column("requested_due")
        batch_op.drop_column("kind")
