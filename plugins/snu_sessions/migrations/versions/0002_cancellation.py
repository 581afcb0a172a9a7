"""a session's status, and why it was cancelled

Revision ID: snu_sessions_0002
Revises: snu_sessions_0001
Create Date: 2026-12-08

Added columns, each with its own CHECK written on the column: SQLite adds them with a
plain ``ALTER TABLE … ADD COLUMN`` (a batch copy of the table would drop it, and with
the foreign keys on, the groups and answers that cascade from it), and PostgreSQL
keeps them as table constraints under the same names as the model's. Existing
sessions are planned. The table's row-level security is unchanged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "snu_sessions_0002"
down_revision: str | None = "snu_sessions_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "snu_sessions_days"


def upgrade() -> None:
    op.add_column(
        TABLE,
        sa.Column(
            "status",
            sa.String(length=12),
            sa.CheckConstraint(
                "status IN ('planned', 'cancelled')", name=op.f("ck_snu_sessions_days_status")
            ),
            server_default="planned",
            nullable=False,
        ),
    )
    op.add_column(
        TABLE,
        sa.Column(
            "cancel_reason",
            sa.String(length=30),
            sa.CheckConstraint(
                "(status = 'cancelled') = (cancel_reason IS NOT NULL)",
                name=op.f("ck_snu_sessions_days_cancel_reason"),
            ),
            nullable=True,
        ),
    )
    op.add_column(TABLE, sa.Column("cancel_note", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    # Each column goes with its own CHECK (SQLite's DROP COLUMN allows that, not a
    # CHECK of another column): the reason before the status it reads.
    op.drop_column(TABLE, "cancel_note")
    op.drop_column(TABLE, "cancel_reason")
    op.drop_column(TABLE, "status")
