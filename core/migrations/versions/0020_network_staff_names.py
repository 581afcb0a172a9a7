"""network releases keep no name of the pole's staff: who prepared and who submitted a
release stay in the pole's audit trail, out of the tables the network's role reads

Revision ID: 0020_network_staff_names
Revises: 0019_network_territory
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_network_staff_names"
down_revision: str | None = "0019_network_territory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain DROP COLUMN (SQLite ≥ 3.35 too): a batch copy would drop the lock's triggers.
    op.execute("ALTER TABLE network_releases DROP COLUMN prepared_by")
    op.execute("ALTER TABLE network_releases DROP COLUMN submitted_by")


def downgrade() -> None:
    # A plain ADD COLUMN for the same reason; the names are not brought back (the
    # pole's audit trail has them).
    op.add_column(
        "network_releases",
        sa.Column("prepared_by", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column("network_releases", sa.Column("submitted_by", sa.String(length=200)))
