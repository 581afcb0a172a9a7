"""who cancelled a sitting, and why

Revision ID: handisitting_0003
Revises: handisitting_0002
Create Date: 2026-12-07

Two nullable columns on ``handisitting_sittings``, added with a plain ``ALTER TABLE …
ADD COLUMN`` (no batch copy: the feedback cascading from a sitting stays untouched).
Sittings cancelled before it keep no who nor why; those of a cancelled booking are
given the booking's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "handisitting_0003"
down_revision: str | None = "handisitting_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "handisitting_sittings"
SITTINGS = sa.table(
    TABLE,
    sa.column("booking_id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("cancelled_by", sa.String()),
    sa.column("cancel_reason", sa.Text()),
)
BOOKINGS = sa.table(
    "handisitting_bookings",
    sa.column("id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("cancelled_by", sa.String()),
    sa.column("cancel_reason", sa.Text()),
)


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("cancelled_by", sa.String(length=10), nullable=True))
    op.add_column(TABLE, sa.Column("cancel_reason", sa.Text(), nullable=True))
    for column in ("cancelled_by", "cancel_reason"):
        source = (
            sa.select(getattr(BOOKINGS.c, column))
            .where(BOOKINGS.c.id == SITTINGS.c.booking_id, BOOKINGS.c.status == "cancelled")
            .scalar_subquery()
        )
        op.execute(
            SITTINGS.update().where(SITTINGS.c.status == "cancelled").values({column: source})
        )


def downgrade() -> None:
    op.drop_column(TABLE, "cancel_reason")
    op.drop_column(TABLE, "cancelled_by")
