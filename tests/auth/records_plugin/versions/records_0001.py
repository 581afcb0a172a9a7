"""records: children (test plugin)

Revision ID: records_0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.sdk import enable_tenant_rls

revision: str = "records_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("records",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "records_children",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=False),
        sa.Column("diagnosis", sa.String(length=200), nullable=True),
        sa.Column("health_notes", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_records_children_tenant_id_tenants",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_records_children"),
        info={"maillage_kind": "tenant"},
    )
    enable_tenant_rls(op, "records_children")


def downgrade() -> None:
    op.drop_table("records_children")
