"""foundation: territory, tenants, service areas

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.db.sql import enable_tenant_rls

revision: str = "0001_foundation"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "epci",
        sa.Column("siren", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("search_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("siren", name=op.f("pk_epci")),
        info={"maillage_kind": "reference"},
    )
    with op.batch_alter_table("epci", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_epci_search_name"), ["search_name"], unique=False)

    op.create_table(
        "platform_audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_audit_events")),
        info={"maillage_kind": "reference"},
    )
    op.create_table(
        "reference_datasets",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_reference_datasets")),
        info={"maillage_kind": "reference"},
    )
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
        info={"maillage_kind": "reference"},
    )
    op.create_table(
        "departements",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region_code", sa.String(length=3), nullable=False),
        sa.Column("chef_lieu_insee", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_departements_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_departements")),
        info={"maillage_kind": "reference"},
    )
    op.create_table(
        "communes",
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("search_name", sa.String(length=200), nullable=False),
        sa.Column("departement_code", sa.String(length=3), nullable=False),
        sa.Column("region_code", sa.String(length=3), nullable=False),
        sa.Column("epci_siren", sa.String(length=9), nullable=True),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["departement_code"],
            ["departements.code"],
            name=op.f("fk_communes_departement_code_departements"),
        ),
        sa.ForeignKeyConstraint(
            ["epci_siren"], ["epci.siren"], name=op.f("fk_communes_epci_siren_epci")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_communes_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("insee_code", name=op.f("pk_communes")),
        info={"maillage_kind": "reference"},
    )
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communes_departement_population", ["departement_code", "population"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_communes_epci_siren"), ["epci_siren"], unique=False)
        batch_op.create_index(batch_op.f("ix_communes_search_name"), ["search_name"], unique=False)

    op.create_table(
        "tenants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=60), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("departement_code", sa.String(length=3), nullable=False),
        sa.Column("since_year", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("plugins", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["departement_code"],
            ["departements.code"],
            name=op.f("fk_tenants_departement_code_departements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
        info={"maillage_kind": "reference"},
    )
    op.create_table(
        "commune_postal_codes",
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["insee_code"],
            ["communes.insee_code"],
            name=op.f("fk_commune_postal_codes_insee_code_communes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("postal_code", "insee_code", name=op.f("pk_commune_postal_codes")),
        info={"maillage_kind": "reference"},
    )
    with op.batch_alter_table("commune_postal_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commune_postal_codes_insee_code"), ["insee_code"], unique=False
        )

    op.create_table(
        "service_areas",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_service_areas_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_service_areas")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_service_areas_tenant_id_name")),
        info={"maillage_kind": "tenant"},
    )
    enable_tenant_rls(op, "service_areas")
    op.create_table(
        "service_area_communes",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_insee"],
            ["communes.insee_code"],
            name=op.f("fk_service_area_communes_commune_insee_communes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "area_id"],
            ["service_areas.tenant_id", "service_areas.id"],
            name=op.f("fk_service_area_communes_tenant_id_area_id_service_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_service_area_communes_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_service_area_communes")),
        sa.UniqueConstraint(
            "tenant_id",
            "area_id",
            "commune_insee",
            name=op.f("uq_service_area_communes_tenant_id_area_id_commune_insee"),
        ),
        info={"maillage_kind": "tenant"},
    )
    with op.batch_alter_table("service_area_communes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_area_communes_commune", ["tenant_id", "commune_insee"], unique=False
        )
    enable_tenant_rls(op, "service_area_communes")


def downgrade() -> None:
    with op.batch_alter_table("service_area_communes", schema=None) as batch_op:
        batch_op.drop_index("ix_service_area_communes_commune")

    op.drop_table("service_area_communes")
    op.drop_table("service_areas")
    with op.batch_alter_table("commune_postal_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commune_postal_codes_insee_code"))

    op.drop_table("commune_postal_codes")
    op.drop_table("tenants")
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communes_search_name"))
        batch_op.drop_index(batch_op.f("ix_communes_epci_siren"))
        batch_op.drop_index("ix_communes_departement_population")

    op.drop_table("communes")
    op.drop_table("departements")
    op.drop_table("regions")
    op.drop_table("reference_datasets")
    op.drop_table("platform_audit_events")
    with op.batch_alter_table("epci", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_epci_search_name"))

    op.drop_table("epci")
