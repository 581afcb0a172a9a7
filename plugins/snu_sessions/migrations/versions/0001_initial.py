"""sessions, groups, facilitators, materials and the anonymous quiz

Revision ID: snu_sessions_0001
Revises:
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.sdk import enable_tenant_rls

revision: str = "snu_sessions_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("snu_sessions",)
depends_on: str | Sequence[str] | None = None

TABLES = (
    "snu_sessions_days",
    "snu_sessions_groups",
    "snu_sessions_facilitators",
    "snu_sessions_materials",
    "snu_sessions_quiz_items",
    "snu_sessions_quiz_windows",
    "snu_sessions_quiz_responses",
    "snu_sessions_quiz_answers",
)


def upgrade() -> None:
    op.create_table(
        "snu_sessions_days",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("centre", sa.String(length=200), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("link_code", sa.String(length=12), nullable=True),
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
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_snu_sessions_days_dates")),
        sa.ForeignKeyConstraint(
            ["commune_insee"], ["communes.insee_code"], name="fk_snu_sessions_days_commune"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_snu_sessions_days_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_snu_sessions_days")),
        sa.UniqueConstraint("tenant_id", "link_code", name="uq_snu_sessions_days_link_code"),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.snu_sessions.models",
            "maillage_owner": "snu_sessions",
        },
    )
    with op.batch_alter_table("snu_sessions_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_snu_sessions_days_starts_on", ["tenant_id", "starts_on"], unique=False
        )

    op.create_table(
        "snu_sessions_groups",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=True),
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
            "present IS NULL OR (present >= 0 AND present <= size)",
            name=op.f("ck_snu_sessions_groups_present"),
        ),
        sa.CheckConstraint("size >= 1", name=op.f("ck_snu_sessions_groups_size")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_id"],
            ["snu_sessions_days.tenant_id", "snu_sessions_days.id"],
            name="fk_snu_sessions_groups_session",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_snu_sessions_groups_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_snu_sessions_groups")),
        sa.UniqueConstraint(
            "tenant_id", "session_id", "name", name="uq_snu_sessions_groups_session_name"
        ),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.snu_sessions.models",
            "maillage_owner": "snu_sessions",
        },
    )
    op.create_table(
        "snu_sessions_materials",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "kit_id"],
            ["kits.tenant_id", "kits.id"],
            name="fk_snu_sessions_materials_kit",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_id"],
            ["snu_sessions_days.tenant_id", "snu_sessions_days.id"],
            name="fk_snu_sessions_materials_session",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_snu_sessions_materials_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_snu_sessions_materials")),
        sa.UniqueConstraint(
            "tenant_id", "session_id", "kit_id", name="uq_snu_sessions_materials_session_kit"
        ),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.snu_sessions.models",
            "maillage_owner": "snu_sessions",
        },
    )
    op.create_table(
        "snu_sessions_quiz_items",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("right_choice", sa.Integer(), nullable=True),
        sa.Column("reverse", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_id"],
            ["snu_sessions_days.tenant_id", "snu_sessions_days.id"],
            name="fk_snu_sessions_quiz_items_session",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_snu_sessions_quiz_items_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_snu_sessions_quiz_items")),
        sa.UniqueConstraint(
            "tenant_id", "session_id", "key", name="uq_snu_sessions_quiz_items_session_key"
        ),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.snu_sessions.models",
            "maillage_owner": "snu_sessions",
        },
    )
    op.create_table(
        "snu_sessions_quiz_responses",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=False),
        sa.Column("pairing_code", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_id"],
            ["snu_sessions_days.tenant_id", "snu_sessions_days.id"],
            name="fk_snu_sessions_quiz_responses_session",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_snu_sessions_quiz_responses_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_snu_sessions_quiz_responses")),
        sa.UniqueConstraint(
            "tenant_id",
            "session_id",
            "phase",
            "pairing_code",
            name="uq_snu_sessions_quiz_responses_code",
        ),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.snu_sessions.models",
            "maillage_owner": "snu_sessions",
        },
    )
    with op.batch_alter_table("snu_sessions_quiz_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_snu_sessions_quiz_responses_session",
            ["tenant_id", "session_id", "phase"],
            unique=False,
        )

    op.create_table(
        "snu_sessions_quiz_windows",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("refused_closed", sa.Integer(), nullable=False),
        sa.Column("refused_full", sa.Integer(), nullable=False),
        sa.Column("refused_duplicate", sa.Integer(), nullable=False),
        sa.CheckConstraint("accepted <= cap", name=op.f("ck_snu_sessions_quiz_windows_cap")),
        sa.CheckConstraint(
            "closes_at > opens_at", name=op.f("ck_snu_sessions_quiz_windows_window")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_id"],
            ["snu_sessions_days.tenant_id", "snu_sessions_days.id"],
            name="fk_snu_sessions_quiz_windows_session",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_snu_sessions_quiz_windows_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_snu_sessions_quiz_windows")),
        sa.UniqueConstraint(
            "tenant_id", "session_id", "phase", name="uq_snu_sessions_quiz_windows_phase"
        ),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.snu_sessions.models",
            "maillage_owner": "snu_sessions",
        },
    )
    op.create_table(
        "snu_sessions_facilitators",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("staff_user_id", sa.Uuid(), nullable=True),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(staff_user_id IS NULL) <> (partner_id IS NULL)",
            name=op.f("ck_snu_sessions_facilitators_staff_or_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["users.id"], name="fk_snu_sessions_facilitators_staff"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "group_id"],
            ["snu_sessions_groups.tenant_id", "snu_sessions_groups.id"],
            name="fk_snu_sessions_facilitators_group",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name="fk_snu_sessions_facilitators_partner",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_snu_sessions_facilitators_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_snu_sessions_facilitators")),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.snu_sessions.models",
            "maillage_owner": "snu_sessions",
        },
    )
    with op.batch_alter_table("snu_sessions_facilitators", schema=None) as batch_op:
        batch_op.create_index(
            "ix_snu_sessions_facilitators_group", ["tenant_id", "group_id"], unique=False
        )

    op.create_table(
        "snu_sessions_quiz_answers",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "item_id"],
            ["snu_sessions_quiz_items.tenant_id", "snu_sessions_quiz_items.id"],
            name="fk_snu_sessions_quiz_answers_item",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "response_id"],
            ["snu_sessions_quiz_responses.tenant_id", "snu_sessions_quiz_responses.id"],
            name="fk_snu_sessions_quiz_answers_response",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_snu_sessions_quiz_answers_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_snu_sessions_quiz_answers")),
        sa.UniqueConstraint(
            "tenant_id", "response_id", "item_id", name="uq_snu_sessions_quiz_answers_item"
        ),
        info={
            "maillage_kind": "tenant",
            "maillage_module": "plugins.snu_sessions.models",
            "maillage_owner": "snu_sessions",
        },
    )
    with op.batch_alter_table("snu_sessions_quiz_answers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_snu_sessions_quiz_answers_item", ["tenant_id", "item_id"], unique=False
        )

    # The database wall: PostgreSQL row-level security on the pole (no-op on SQLite).
    for name in TABLES:
        enable_tenant_rls(op, name)


def downgrade() -> None:
    for name in reversed(TABLES):
        # Dropping a table drops its indexes with it.
        op.drop_table(name)
