"""the national network: its poles, catalogue, releases (network tables) and the
poles' own copies of their releases (a tenant table); accounts' network role

Revision ID: 0017_network
Revises: 0016_report
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.db.sql import enable_tenant_rls, freeze_published, unfreeze_published

revision: str = "0017_network"
down_revision: str | None = "0016_report"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INFO = {
    "maillage_kind": "reference",
    "maillage_owner": "core",
    "maillage_runtime_writable": True,
    "maillage_network_readable": True,
}


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("network_role", sa.String(length=30), nullable=True))
    op.create_table(
        "networks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        info=_INFO,
    )
    op.create_table(
        "network_poles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("departement_code", sa.String(length=3), nullable=False),
        sa.Column("local_pole_id", sa.Uuid(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["local_pole_id"],
            ["tenants.id"],
            name=op.f("fk_network_poles_local_pole_id_tenants"),
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_poles_network_id_networks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_poles")),
        sa.UniqueConstraint("local_pole_id", name=op.f("uq_network_poles_local_pole_id")),
        sa.UniqueConstraint("network_id", "code", name=op.f("uq_network_poles_network_id_code")),
        info=_INFO,
    )
    op.create_table(
        "network_catalogues",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _at("created_at"),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_catalogues_network_id_networks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_catalogues")),
        sa.UniqueConstraint(
            "network_id", "version", name=op.f("uq_network_catalogues_network_id_version")
        ),
        info=_INFO,
    )
    op.create_table(
        "network_releases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pole_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("catalogue_version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("cells_total", sa.Integer(), nullable=False),
        sa.Column("cells_primary", sa.Integer(), nullable=False),
        sa.Column("cells_secondary", sa.Integer(), nullable=False),
        sa.Column("cells_inherited", sa.Integer(), nullable=False),
        sa.Column("smallest_interval", sa.Float(), nullable=True),
        sa.Column("prepared_by", sa.String(length=200), nullable=False),
        _at("prepared_at"),
        sa.Column("submitted_by", sa.String(length=200), nullable=True),
        _at("submitted_at", True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        _at("approved_at", True),
        sa.Column("document_id", sa.String(length=64), nullable=True),
        sa.Column("document_digest", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["pole_id"],
            ["network_poles.id"],
            name=op.f("fk_network_releases_pole_id_network_poles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_releases")),
        sa.UniqueConstraint("document_id", name=op.f("uq_network_releases_document_id")),
        sa.UniqueConstraint(
            "pole_id", "period", "version", name=op.f("uq_network_releases_pole_id_period_version")
        ),
        info=_INFO,
    )
    op.create_index(
        op.f("ix_network_releases_period"), "network_releases", ["period"], unique=False
    )
    op.create_table(
        "network_release_cells",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("figure", sa.String(length=100), nullable=False),
        sa.Column("coords", sa.String(length=400), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["network_releases.id"],
            name=op.f("fk_network_release_cells_release_id_network_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_release_cells")),
        sa.UniqueConstraint(
            "release_id",
            "figure",
            "coords",
            name=op.f("uq_network_release_cells_release_id_figure_coords"),
        ),
        info=_INFO,
    )
    op.create_table(
        "network_release_sources",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_network_release_sources_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_network_release_sources")),
        sa.UniqueConstraint(
            "tenant_id", "release_id", name=op.f("uq_network_release_sources_tenant_id_release_id")
        ),
        info={"maillage_kind": "tenant", "maillage_owner": "core"},
    )
    enable_tenant_rls(op, "network_release_sources")
    writable = {"maillage_kind": "reference", "maillage_owner": "core"}
    writable["maillage_runtime_writable"] = True
    op.create_table(
        "network_signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_network_signing_keys")),
        info=writable,
    )
    op.create_table(
        "network_trusted_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("pole_id", sa.Uuid(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        _at("added_at"),
        sa.ForeignKeyConstraint(
            ["pole_id"],
            ["network_poles.id"],
            name=op.f("fk_network_trusted_keys_pole_id_network_poles"),
        ),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_network_trusted_keys")),
        info=writable,
    )
    # A published release is locked, whatever code writes: the row and its cells.
    freeze_published(op, "network_releases")
    freeze_published(
        op, "network_release_cells", parent="network_releases", key="release_id", tenant=False
    )


def downgrade() -> None:
    unfreeze_published(op, "network_release_cells")
    unfreeze_published(op, "network_releases")
    op.drop_table("network_trusted_keys")
    op.drop_table("network_signing_keys")
    op.drop_table("network_release_sources")
    op.drop_table("network_release_cells")
    op.drop_index(op.f("ix_network_releases_period"), table_name="network_releases")
    op.drop_table("network_releases")
    op.drop_table("network_catalogues")
    op.drop_table("network_poles")
    op.drop_table("networks")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("network_role")
