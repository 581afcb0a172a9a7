"""referent_charters: a training session's days, when they are not consecutive

Revision ID: referent_charters_0002
Revises: referent_charters_0001
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "referent_charters_0002"
down_revision: str | None = "referent_charters_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Adding a column is done in place, on SQLite too: no table is copied.
    with op.batch_alter_table("referent_charters_training_sessions") as batch:
        batch.add_column(sa.Column("days", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("referent_charters_training_sessions") as batch:
        batch.drop_column("days")
