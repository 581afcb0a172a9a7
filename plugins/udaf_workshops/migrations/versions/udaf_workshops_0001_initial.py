"""udaf_workshops: conventions, workshops, facilitators, parents, registrations

Revision ID: udaf_workshops_0001
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from core.sdk import enable_tenant_rls

# The plugin's own branch, on no other revision: its version table is
# alembic_version_udaf_workshops, and core's tables exist before it runs.
revision = "udaf_workshops_0001"
down_revision = None
branch_labels = ("udaf_workshops",)
depends_on = None

TABLES = (
    "udaf_workshops_conventions",
    "udaf_workshops_workshops",
    "udaf_workshops_facilitators",
    "udaf_workshops_parents",
    "udaf_workshops_registrations",
)


def _create(table: str, *items: sa.schema.SchemaItem, stamped: bool = True) -> None:
    """A tenant table as the TenantScoped rules want it: ``(tenant_id, id)`` first and
    as primary key, ``tenant_id`` → tenants, creation and update times unless told."""
    times = (
        [
            sa.Column(
                name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
            )
            for name in ("created_at", "updated_at")
        ]
        if stamped
        else []
    )
    pole = op.f(f"fk_{table}_tenant_id_tenants")
    op.create_table(
        table,
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *items,
        *times,
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=pole, ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
        info={"maillage_kind": "tenant"},
    )


def _fk(
    columns: list[str], table: str, name: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """A composite key to another tenant table (never another pole's row)."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", *columns],
        [f"{table}.tenant_id", f"{table}.id"],
        name=op.f(name),
        ondelete=ondelete,
    )


def _index(table: str, name: str, *columns: str) -> None:
    op.create_index(name, table, ["tenant_id", *columns])


def upgrade() -> None:
    table = "udaf_workshops_conventions"
    _create(
        table,
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("workshops_planned", sa.Integer(), nullable=False),
        sa.Column("territory", sa.String(200), nullable=False),
        sa.Column("funder", sa.String(200), nullable=False),
        sa.Column("funding_amount", sa.Numeric(10, 2), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        _fk(["partner_id"], "partners", "fk_udaf_workshops_conventions_partner"),
        sa.CheckConstraint("workshops_planned BETWEEN 1 AND 100", name=op.f(f"ck_{table}_planned")),
        sa.UniqueConstraint(
            "tenant_id",
            "partner_id",
            "year",
            name=op.f("uq_udaf_workshops_conventions_partner_year"),
        ),
    )
    _index(table, "ix_udaf_workshops_conventions_year", "year")

    table = "udaf_workshops_workshops"
    _create(
        table,
        sa.Column("convention_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("commune_insee", sa.String(5), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("theme", sa.String(200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("minimum_participants", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("cancel_reason", sa.String(30), nullable=True),
        sa.Column("cancel_note", sa.Text(), nullable=False),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        _fk(
            ["convention_id"],
            "udaf_workshops_conventions",
            "fk_udaf_workshops_workshops_convention",
        ),
        sa.ForeignKeyConstraint(
            ["commune_insee"],
            ["communes.insee_code"],
            name=op.f("fk_udaf_workshops_workshops_commune"),
        ),
        sa.CheckConstraint("end_time > start_time", name=op.f(f"ck_{table}_times")),
        sa.CheckConstraint(
            "minimum_participants BETWEEN 1 AND capacity", name=op.f(f"ck_{table}_minimum")
        ),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancel_reason IS NOT NULL)",
            name=op.f(f"ck_{table}_cancel_reason"),
        ),
    )
    _index(table, "ix_udaf_workshops_workshops_convention", "convention_id")
    _index(table, "ix_udaf_workshops_workshops_held_on", "held_on")

    table = "udaf_workshops_facilitators"
    _create(
        table,
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(10), nullable=False),
        sa.Column("staff_member_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        _fk(
            ["workshop_id"],
            "udaf_workshops_workshops",
            "fk_udaf_workshops_facilitators_workshop",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_member_id"], ["users.id"], name=op.f("fk_udaf_workshops_facilitators_staff")
        ),
        sa.CheckConstraint(
            "(side = 'pole') = (staff_member_id IS NOT NULL)",
            name=op.f(f"ck_{table}_side_staff_member"),
        ),
        stamped=False,
    )
    _index(table, "ix_udaf_workshops_facilitators_workshop", "workshop_id")

    table = "udaf_workshops_parents"
    _create(
        table,
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(30), nullable=False),
        sa.Column("commune_insee", sa.String(5), nullable=True),
        sa.Column("consent_on", sa.Date(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        _fk(["family_id"], "families", "fk_udaf_workshops_parents_family", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["commune_insee"],
            ["communes.insee_code"],
            name=op.f("fk_udaf_workshops_parents_commune"),
        ),
        sa.CheckConstraint("email <> '' OR phone <> ''", name=op.f(f"ck_{table}_contact")),
    )
    _index(table, "ix_udaf_workshops_parents_family", "family_id")
    _index(table, "ix_udaf_workshops_parents_name", "last_name", "first_name")

    table = "udaf_workshops_registrations"
    _create(
        table,
        sa.Column("workshop_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("present", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        _fk(
            ["workshop_id"], "udaf_workshops_workshops", "fk_udaf_workshops_registrations_workshop"
        ),
        _fk(
            ["family_id"],
            "families",
            "fk_udaf_workshops_registrations_family",
            ondelete="CASCADE",
        ),
        _fk(
            ["parent_id"],
            "udaf_workshops_parents",
            "fk_udaf_workshops_registrations_parent",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "(family_id IS NULL) <> (parent_id IS NULL)", name=op.f(f"ck_{table}_who")
        ),
        sa.CheckConstraint("seats BETWEEN 1 AND 4", name=op.f(f"ck_{table}_seats")),
        sa.CheckConstraint(
            "present IS NULL OR present BETWEEN 0 AND seats", name=op.f(f"ck_{table}_present")
        ),
    )
    _index(table, "ix_udaf_workshops_registrations_workshop", "workshop_id")
    _index(table, "ix_udaf_workshops_registrations_family", "family_id")
    _index(table, "ix_udaf_workshops_registrations_parent", "parent_id")

    # The database wall: PostgreSQL row-level security on the pole (no-op on SQLite).
    for name in TABLES:
        enable_tenant_rls(op, name)


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
