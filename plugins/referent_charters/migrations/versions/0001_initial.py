"""referent_charters: training sessions, referents, charter versions, signatures,
meetings and attendance

Revision ID: referent_charters_0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.sdk import enable_tenant_rls

revision: str = "referent_charters_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("referent_charters",)
depends_on: str | Sequence[str] | None = None

TABLES = (
    "referent_charters_training_sessions",
    "referent_charters_referents",
    "referent_charters_charter_versions",
    "referent_charters_signatures",
    "referent_charters_meetings",
    "referent_charters_attendances",
)


def _keys() -> list[sa.schema.SchemaItem]:
    """What every tenant table starts with: (tenant_id, id), tenant_id → tenants."""
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
    ]


def _tenant(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f(f"fk_{table}_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    table = "referent_charters_training_sessions"
    op.create_table(
        table,
        *_keys(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("programme", sa.Text(), nullable=False),
        *_timestamps(),
        *_tenant(table),
        sa.UniqueConstraint("tenant_id", "number", name=op.f(f"uq_{table}_tenant_id_number")),
        info={"maillage_kind": "tenant"},
    )
    op.create_index(
        "ix_referent_charters_training_sessions_start", table, ["tenant_id", "start_on"]
    )

    table = "referent_charters_referents"
    op.create_table(
        table,
        *_keys(),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("job", sa.String(length=20), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("structure_kind", sa.String(length=10), nullable=False),
        sa.Column("structure_name", sa.String(length=200), nullable=False),
        sa.Column("training_session_id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["commune_insee"],
            ["communes.insee_code"],
            name=op.f("fk_referent_charters_referents_commune_insee_communes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "training_session_id"],
            [
                "referent_charters_training_sessions.tenant_id",
                "referent_charters_training_sessions.id",
            ],
            name=op.f("fk_referent_charters_referents_training_session"),
        ),
        *_tenant(table),
        info={"maillage_kind": "tenant"},
    )
    op.create_index(
        "ix_referent_charters_referents_name", table, ["tenant_id", "last_name", "first_name"]
    )
    op.create_index(
        "ix_referent_charters_referents_session", table, ["tenant_id", "training_session_id"]
    )
    op.create_index("ix_referent_charters_referents_commune", table, ["tenant_id", "commune_insee"])

    table = "referent_charters_charter_versions"
    op.create_table(
        table,
        *_keys(),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("commitments", sa.JSON(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        *_timestamps(),
        *_tenant(table),
        sa.UniqueConstraint("tenant_id", "version", name=op.f(f"uq_{table}_tenant_id_version")),
        info={"maillage_kind": "tenant"},
    )

    table = "referent_charters_signatures"
    op.create_table(
        table,
        *_keys(),
        sa.Column("referent_id", sa.Uuid(), nullable=False),
        sa.Column("charter_version_id", sa.Uuid(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("establishment_signed_on", sa.Date(), nullable=True),
        sa.Column("pole_signed_on", sa.Date(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "referent_id"],
            ["referent_charters_referents.tenant_id", "referent_charters_referents.id"],
            name=op.f("fk_referent_charters_signatures_referent"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "charter_version_id"],
            [
                "referent_charters_charter_versions.tenant_id",
                "referent_charters_charter_versions.id",
            ],
            name=op.f("fk_referent_charters_signatures_charter_version"),
        ),
        *_tenant(table),
        sa.UniqueConstraint(
            "tenant_id",
            "referent_id",
            "charter_version_id",
            name=op.f("uq_referent_charters_signatures_referent_version"),
        ),
        info={"maillage_kind": "tenant"},
    )
    op.create_index("ix_referent_charters_signatures_signed_on", table, ["tenant_id", "signed_on"])
    op.create_index(
        "ix_referent_charters_signatures_version", table, ["tenant_id", "charter_version_id"]
    )

    table = "referent_charters_meetings"
    op.create_table(
        table,
        *_keys(),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        *_timestamps(),
        *_tenant(table),
        sa.UniqueConstraint(
            "tenant_id", "held_on", "title", name=op.f(f"uq_{table}_tenant_id_held_on_title")
        ),
        info={"maillage_kind": "tenant"},
    )
    op.create_index("ix_referent_charters_meetings_held_on", table, ["tenant_id", "held_on"])

    table = "referent_charters_attendances"
    op.create_table(
        table,
        *_keys(),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("referent_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meeting_id"],
            ["referent_charters_meetings.tenant_id", "referent_charters_meetings.id"],
            name=op.f("fk_referent_charters_attendances_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "referent_id"],
            ["referent_charters_referents.tenant_id", "referent_charters_referents.id"],
            name=op.f("fk_referent_charters_attendances_referent"),
        ),
        *_tenant(table),
        sa.UniqueConstraint(
            "tenant_id",
            "meeting_id",
            "referent_id",
            name=op.f("uq_referent_charters_attendances_meeting_referent"),
        ),
        info={"maillage_kind": "tenant"},
    )
    op.create_index(
        "ix_referent_charters_attendances_referent", table, ["tenant_id", "referent_id"]
    )

    # The database wall: PostgreSQL row-level security on the pole (no-op on SQLite).
    for name in TABLES:
        enable_tenant_rls(op, name)


def downgrade() -> None:
    for name in reversed(TABLES):
        # Dropping a table drops its indexes with it.
        op.drop_table(name)
