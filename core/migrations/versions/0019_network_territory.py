"""network territory: a pole declares its territory (communes, EPCI) to the network; a
release says which population it was divided by

Revision ID: 0019_network_territory
Revises: 0018_recording_the_past
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.db.sql import enable_tenant_rls

revision: str = "0019_network_territory"
down_revision: str | None = "0018_recording_the_past"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy on SQLite, which would drop the lock's triggers).
    op.add_column(
        "network_releases",
        sa.Column("population_source", sa.String(length=200), nullable=False, server_default=""),
    )
    op.create_table(
        "network_territories",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("communes", sa.JSON(), nullable=False),
        sa.Column("epcis", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_network_territories_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_network_territories")),
        sa.UniqueConstraint(
            "tenant_id", "kind", name=op.f("uq_network_territories_tenant_id_kind")
        ),
        info={"maillage_kind": "tenant", "maillage_owner": "core"},
    )
    enable_tenant_rls(op, "network_territories")


def downgrade() -> None:
    op.drop_table("network_territories")
    # A plain DROP COLUMN (SQLite ≥ 3.35 too): a batch copy would break the lock's triggers.
    op.execute("ALTER TABLE network_releases DROP COLUMN population_source")
