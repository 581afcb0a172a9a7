"""lending: loans of adapted equipment to families

Revision ID: lending_0001
Revises:
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.sdk import enable_tenant_rls

revision: str = "lending_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("lending",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lending_loans",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=True),
        sa.Column("lent_by", sa.Uuid(), nullable=True),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("lent_on", sa.Date(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "returned_on IS NULL OR returned_on >= lent_on", name=op.f("ck_lending_loans_dates")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "family_id"],
            ["families.tenant_id", "families.id"],
            name=op.f("fk_lending_loans_tenant_id_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "child_id"],
            ["children.tenant_id", "children.id"],
            name=op.f("fk_lending_loans_tenant_id_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lent_by"], ["users.id"], name=op.f("fk_lending_loans_lent_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_lending_loans_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_lending_loans")),
        info={"maillage_kind": "tenant"},
    )
    op.create_index(
        "ix_lending_loans_family", "lending_loans", ["tenant_id", "family_id"], unique=False
    )
    enable_tenant_rls(op, "lending_loans")


def downgrade() -> None:
    op.drop_index("ix_lending_loans_family", table_name="lending_loans")
    op.drop_table("lending_loans")
