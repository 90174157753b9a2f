"""app_user.session_version (sign-out ends sessions on the server); report_run.calendar_hash
(the working-day calendar a report was counted on)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.drop_column("calendar_hash")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
