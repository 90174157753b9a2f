"""app_user.unit_key (an account reaches its unit's subtree), programme.owner_key (the unit
that owns a programme sees every plan implementing it), audit_entry (sign-ins, account changes)

Existing accounts keep unit_key NULL, which means the whole installation: nobody loses access
on upgrade; `kehoach user set NAME --unit UNIT` narrows one (README).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_key", sa.String(length=80), nullable=True))
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_key", sa.String(length=80), nullable=True))
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.String(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("unit_key", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_action", "audit_entry", ["action"])
    op.create_index("ix_audit_entry_unit_key", "audit_entry", ["unit_key"])


def downgrade() -> None:
    op.drop_table("audit_entry")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("owner_key")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("unit_key")
