"""handisitting: skills, sitters, vetting, availability, documents, requests,
proposals, bookings, sittings, feedback and incidents

Revision ID: handisitting_0001
Revises:
Create Date: 2026-12-06 20:53:55.062472
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.sdk import enable_tenant_rls

revision: str = "handisitting_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("handisitting",)
depends_on: str | Sequence[str] | None = None

TABLES = (
    "handisitting_sitters",
    "handisitting_skills",
    "handisitting_availabilities",
    "handisitting_documents",
    "handisitting_unavailabilities",
    "handisitting_vetting_steps",
    "handisitting_requests",
    "handisitting_proposals",
    "handisitting_bookings",
    "handisitting_incidents",
    "handisitting_sittings",
    "handisitting_feedback",
)


def upgrade() -> None:
    op.create_table(
        "handisitting_sitters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("travel_km", sa.Integer(), nullable=False),
        sa.Column("background", sa.String(length=20), nullable=False),
        sa.Column("background_detail", sa.Text(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
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
        sa.CheckConstraint(
            "travel_km >= 0 AND travel_km <= 200", name=op.f("ck_handisitting_sitters_travel_km")
        ),
        sa.ForeignKeyConstraint(
            ["commune_insee"], ["communes.insee_code"], name="fk_handisitting_sitters_commune"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_sitters_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_handisitting_sitters_user"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_sitters")),
        sa.UniqueConstraint("tenant_id", "user_id", name="uq_handisitting_sitters_user"),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_sitters", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_sitters_name", ["tenant_id", "last_name", "first_name"], unique=False
        )
        batch_op.create_index(
            "ix_handisitting_sitters_status", ["tenant_id", "status"], unique=False
        )

    op.create_table(
        "handisitting_skills",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_skills_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_skills")),
        sa.UniqueConstraint(
            "tenant_id", "code", name=op.f("uq_handisitting_skills_tenant_id_code")
        ),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    op.create_table(
        "handisitting_availabilities",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sitter_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_handisitting_availabilities_times")
        ),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 6", name=op.f("ck_handisitting_availabilities_weekday")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "sitter_id"],
            ["handisitting_sitters.tenant_id", "handisitting_sitters.id"],
            name="fk_handisitting_availabilities_sitter",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_availabilities_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_availabilities")),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_availabilities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_availabilities_sitter", ["tenant_id", "sitter_id"], unique=False
        )

    op.create_table(
        "handisitting_documents",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sitter_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("checked_by", sa.String(length=200), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
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
            ["tenant_id", "sitter_id"],
            ["handisitting_sitters.tenant_id", "handisitting_sitters.id"],
            name="fk_handisitting_documents_sitter",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_documents_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_documents")),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_documents_expires", ["tenant_id", "expires_on"], unique=False
        )
        batch_op.create_index(
            "ix_handisitting_documents_sitter", ["tenant_id", "sitter_id", "kind"], unique=False
        )

    op.create_table(
        "handisitting_unavailabilities",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sitter_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "ends_on >= starts_on", name=op.f("ck_handisitting_unavailabilities_dates")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "sitter_id"],
            ["handisitting_sitters.tenant_id", "handisitting_sitters.id"],
            name="fk_handisitting_unavailabilities_sitter",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_unavailabilities_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_unavailabilities")),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_unavailabilities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_unavailabilities_sitter", ["tenant_id", "sitter_id"], unique=False
        )

    op.create_table(
        "handisitting_vetting_steps",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sitter_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "sitter_id"],
            ["handisitting_sitters.tenant_id", "handisitting_sitters.id"],
            name="fk_handisitting_vetting_steps_sitter",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_vetting_steps_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_vetting_steps")),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_vetting_steps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_vetting_steps_sitter", ["tenant_id", "sitter_id", "at"], unique=False
        )

    op.create_table(
        "handisitting_requests",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.Column("weekly", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("unmatched_reason", sa.String(length=30), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
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
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_handisitting_requests_times")),
        sa.CheckConstraint("last_on >= first_on", name=op.f("ck_handisitting_requests_dates")),
        sa.ForeignKeyConstraint(
            ["commune_insee"], ["communes.insee_code"], name="fk_handisitting_requests_commune"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "child_id"],
            ["children.tenant_id", "children.id"],
            name="fk_handisitting_requests_child",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "family_id"],
            ["families.tenant_id", "families.id"],
            name="fk_handisitting_requests_family",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_requests_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_requests")),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_requests_family", ["tenant_id", "family_id"], unique=False
        )
        batch_op.create_index(
            "ix_handisitting_requests_status", ["tenant_id", "status", "first_on"], unique=False
        )

    op.create_table(
        "handisitting_proposals",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("sitter_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("score", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("proposed_by", sa.String(length=200), nullable=False),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
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
            ["tenant_id", "request_id"],
            ["handisitting_requests.tenant_id", "handisitting_requests.id"],
            name="fk_handisitting_proposals_request",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "sitter_id"],
            ["handisitting_sitters.tenant_id", "handisitting_sitters.id"],
            name="fk_handisitting_proposals_sitter",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_proposals_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_proposals")),
        sa.UniqueConstraint(
            "tenant_id", "request_id", "sitter_id", name="uq_handisitting_proposals_pair"
        ),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_proposals_sitter", ["tenant_id", "sitter_id", "status"], unique=False
        )

    op.create_table(
        "handisitting_bookings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("sitter_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("agreed_by", sa.String(length=200), nullable=False),
        sa.Column("share_until", sa.Date(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=10), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
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
            ["tenant_id", "child_id"],
            ["children.tenant_id", "children.id"],
            name="fk_handisitting_bookings_child",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "family_id"],
            ["families.tenant_id", "families.id"],
            name="fk_handisitting_bookings_family",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "proposal_id"],
            ["handisitting_proposals.tenant_id", "handisitting_proposals.id"],
            name="fk_handisitting_bookings_proposal",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "request_id"],
            ["handisitting_requests.tenant_id", "handisitting_requests.id"],
            name="fk_handisitting_bookings_request",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "sitter_id"],
            ["handisitting_sitters.tenant_id", "handisitting_sitters.id"],
            name="fk_handisitting_bookings_sitter",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_bookings_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_bookings")),
        sa.UniqueConstraint("tenant_id", "proposal_id", name="uq_handisitting_bookings_proposal"),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_bookings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_bookings_family", ["tenant_id", "family_id"], unique=False
        )
        batch_op.create_index(
            "ix_handisitting_bookings_sitter", ["tenant_id", "sitter_id", "status"], unique=False
        )

    op.create_table(
        "handisitting_incidents",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("reported_by", sa.String(length=10), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
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
            ["tenant_id", "booking_id"],
            ["handisitting_bookings.tenant_id", "handisitting_bookings.id"],
            name="fk_handisitting_incidents_booking",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_incidents_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_incidents")),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_incidents_open", ["tenant_id", "handled_at"], unique=False
        )

    op.create_table(
        "handisitting_sittings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("sitter_id", sa.Uuid(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_handisitting_sittings_times")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "booking_id"],
            ["handisitting_bookings.tenant_id", "handisitting_bookings.id"],
            name="fk_handisitting_sittings_booking",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "sitter_id"],
            ["handisitting_sitters.tenant_id", "handisitting_sitters.id"],
            name="fk_handisitting_sittings_sitter",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_sittings_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_sittings")),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )
    with op.batch_alter_table("handisitting_sittings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handisitting_sittings_booking", ["tenant_id", "booking_id", "on"], unique=False
        )
        batch_op.create_index(
            "ix_handisitting_sittings_sitter_on", ["tenant_id", "sitter_id", "on"], unique=False
        )

    op.create_table(
        "handisitting_feedback",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sitting_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
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
        sa.CheckConstraint(
            "rating >= 1 AND rating <= 4", name=op.f("ck_handisitting_feedback_rating")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "sitting_id"],
            ["handisitting_sittings.tenant_id", "handisitting_sittings.id"],
            name="fk_handisitting_feedback_sitting",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_handisitting_feedback_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_handisitting_feedback")),
        sa.UniqueConstraint(
            "tenant_id", "sitting_id", "side", name="uq_handisitting_feedback_side"
        ),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.handisitting.models",
            "maillage_owner": "handisitting",
        },
    )

    # The database wall: PostgreSQL row-level security on the pole (no-op on SQLite).
    for name in TABLES:
        enable_tenant_rls(op, name)


def downgrade() -> None:
    for name in reversed(TABLES):
        # Dropping a table drops its indexes with it.
        op.drop_table(name)
