"""handisitting: skills, sitters, vetting, availability, documents, requests,
proposals, bookings, sittings, feedback and incidents

Revision ID: handisitting_0001
Revises:
Create Date: 2026-12-06
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
    "handisitting_skills",
    "handisitting_sitters",
    "handisitting_vetting_steps",
    "handisitting_availabilities",
    "handisitting_unavailabilities",
    "handisitting_documents",
    "handisitting_requests",
    "handisitting_proposals",
    "handisitting_bookings",
    "handisitting_sittings",
    "handisitting_feedback",
    "handisitting_incidents",
)
INFO = {
    "maillage_kind": "tenant",
    "maillage_module": "plugins.handisitting.models",
    "maillage_owner": "handisitting",
}


def _col(name: str, type_: sa.types.TypeEngine, nullable: bool = False) -> sa.Column:
    return sa.Column(name, type_, nullable=nullable)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def _fk(
    columns: list[str], target: str, name: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """A composite key ``(tenant_id, x_id)`` to another pole's table."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", *columns],
        [f"{target}.tenant_id", f"{target}.id"],
        name=name,
        ondelete=ondelete,
    )


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def _table(table: str, *items: sa.schema.SchemaItem, timestamps: bool = False) -> None:
    """A tenant table: ``(tenant_id, id)`` first, tenant_id → tenants, the items given."""
    op.create_table(
        table,
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *items,
        *(_timestamps() if timestamps else []),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f(f"fk_{table}_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
        info=INFO,
    )


def _index(table: str, name: str, *columns: str) -> None:
    op.create_index(name, table, ["tenant_id", *columns])


def _sitter_fk(table: str, ondelete: str | None = "CASCADE") -> sa.ForeignKeyConstraint:
    return _fk(["sitter_id"], "handisitting_sitters", f"fk_{table}_sitter", ondelete)


def upgrade() -> None:
    t = "handisitting_skills"
    _table(
        t,
        _col("code", sa.String(length=40)),
        _col("label", sa.String(length=200)),
        sa.UniqueConstraint("tenant_id", "code", name=op.f(f"uq_{t}_tenant_id_code")),
    )

    t = "handisitting_sitters"
    _table(
        t,
        _col("first_name", sa.String(length=100)),
        _col("last_name", sa.String(length=100)),
        _col("email", sa.String(length=254)),
        _col("phone", sa.String(length=30)),
        _col("commune_insee", sa.String(length=5)),
        _col("travel_km", sa.Integer()),
        _col("background", sa.String(length=20)),
        _col("background_detail", sa.Text()),
        _col("languages", sa.JSON()),
        _col("skills", sa.JSON()),
        _col("status", sa.String(length=20)),
        _col("user_id", sa.Uuid(), nullable=True),
        _check(t, "travel_km", "travel_km >= 0 AND travel_km <= 200"),
        sa.ForeignKeyConstraint(
            ["commune_insee"], ["communes.insee_code"], name="fk_handisitting_sitters_commune"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_handisitting_sitters_user"),
        sa.UniqueConstraint("tenant_id", "user_id", name="uq_handisitting_sitters_user"),
        timestamps=True,
    )
    _index(t, "ix_handisitting_sitters_name", "last_name", "first_name")
    _index(t, "ix_handisitting_sitters_status", "status")

    t = "handisitting_vetting_steps"
    _table(
        t,
        _col("sitter_id", sa.Uuid()),
        _col("status", sa.String(length=20)),
        _col("reason", sa.Text()),
        _col("by", sa.String(length=200)),
        _col("at", sa.DateTime(timezone=True)),
        _sitter_fk(t),
    )
    _index(t, "ix_handisitting_vetting_steps_sitter", "sitter_id", "at")

    t = "handisitting_availabilities"
    _table(
        t,
        _col("sitter_id", sa.Uuid()),
        _col("weekday", sa.SmallInteger()),
        _col("starts_at", sa.Time()),
        _col("ends_at", sa.Time()),
        _check(t, "weekday", "weekday >= 0 AND weekday <= 6"),
        _check(t, "times", "ends_at > starts_at"),
        _sitter_fk(t),
    )
    _index(t, "ix_handisitting_availabilities_sitter", "sitter_id")

    t = "handisitting_unavailabilities"
    _table(
        t,
        _col("sitter_id", sa.Uuid()),
        _col("starts_on", sa.Date()),
        _col("ends_on", sa.Date()),
        _col("note", sa.String(length=200)),
        _check(t, "dates", "ends_on >= starts_on"),
        _sitter_fk(t),
    )
    _index(t, "ix_handisitting_unavailabilities_sitter", "sitter_id")

    t = "handisitting_documents"
    _table(
        t,
        _col("sitter_id", sa.Uuid()),
        _col("kind", sa.String(length=20)),
        _col("filename", sa.String(length=200)),
        _col("content_type", sa.String(length=60)),
        _col("size", sa.Integer()),
        _col("content", sa.LargeBinary(), nullable=True),
        _col("issued_on", sa.Date()),
        _col("expires_on", sa.Date(), nullable=True),
        _col("checked_by", sa.String(length=200), nullable=True),
        _col("checked_at", sa.DateTime(timezone=True), nullable=True),
        _col("reminded_on", sa.Date(), nullable=True),
        _sitter_fk(t),
        timestamps=True,
    )
    _index(t, "ix_handisitting_documents_sitter", "sitter_id", "kind")
    _index(t, "ix_handisitting_documents_expires", "expires_on")

    t = "handisitting_requests"
    _table(
        t,
        _col("family_id", sa.Uuid()),
        _col("child_id", sa.Uuid()),
        _col("needs", sa.Text()),
        _col("skills", sa.JSON()),
        _col("commune_insee", sa.String(length=5)),
        _col("first_on", sa.Date()),
        _col("last_on", sa.Date()),
        _col("weekly", sa.Boolean()),
        _col("starts_at", sa.Time()),
        _col("ends_at", sa.Time()),
        _col("status", sa.String(length=20)),
        _col("unmatched_reason", sa.String(length=30), nullable=True),
        _col("recorded_by", sa.String(length=200)),
        _check(t, "dates", "last_on >= first_on"),
        _check(t, "times", "ends_at > starts_at"),
        _fk(["family_id"], "families", "fk_handisitting_requests_family", "CASCADE"),
        _fk(["child_id"], "children", "fk_handisitting_requests_child", "CASCADE"),
        sa.ForeignKeyConstraint(
            ["commune_insee"], ["communes.insee_code"], name="fk_handisitting_requests_commune"
        ),
        timestamps=True,
    )
    _index(t, "ix_handisitting_requests_family", "family_id")
    _index(t, "ix_handisitting_requests_status", "status", "first_on")

    t = "handisitting_proposals"
    _table(
        t,
        _col("request_id", sa.Uuid()),
        _col("sitter_id", sa.Uuid()),
        _col("status", sa.String(length=20)),
        _col("score", sa.JSON()),
        _col("warnings", sa.JSON()),
        _col("proposed_by", sa.String(length=200)),
        _col("answer_note", sa.Text()),
        _col("met_on", sa.Date(), nullable=True),
        _fk(
            ["request_id"], "handisitting_requests", "fk_handisitting_proposals_request", "CASCADE"
        ),
        _sitter_fk(t),
        sa.UniqueConstraint(
            "tenant_id", "request_id", "sitter_id", name="uq_handisitting_proposals_pair"
        ),
        timestamps=True,
    )
    _index(t, "ix_handisitting_proposals_sitter", "sitter_id", "status")

    t = "handisitting_bookings"
    _table(
        t,
        _col("proposal_id", sa.Uuid()),
        _col("request_id", sa.Uuid()),
        _col("sitter_id", sa.Uuid()),
        _col("family_id", sa.Uuid()),
        _col("child_id", sa.Uuid()),
        _col("status", sa.String(length=20)),
        _col("agreed_on", sa.Date()),
        _col("agreed_by", sa.String(length=200)),
        _col("share_until", sa.Date()),
        _col("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        _col("cancelled_by", sa.String(length=10), nullable=True),
        _col("cancel_reason", sa.Text(), nullable=True),
        _fk(["proposal_id"], "handisitting_proposals", "fk_handisitting_bookings_proposal"),
        _fk(["request_id"], "handisitting_requests", "fk_handisitting_bookings_request", "CASCADE"),
        _sitter_fk(t, None),
        _fk(["family_id"], "families", "fk_handisitting_bookings_family", "CASCADE"),
        _fk(["child_id"], "children", "fk_handisitting_bookings_child", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "proposal_id", name="uq_handisitting_bookings_proposal"),
        timestamps=True,
    )
    _index(t, "ix_handisitting_bookings_sitter", "sitter_id", "status")
    _index(t, "ix_handisitting_bookings_family", "family_id")

    t = "handisitting_sittings"
    _table(
        t,
        _col("booking_id", sa.Uuid()),
        _col("sitter_id", sa.Uuid()),
        _col("on", sa.Date()),
        _col("starts_at", sa.Time()),
        _col("ends_at", sa.Time()),
        _col("status", sa.String(length=20)),
        _col("minutes", sa.Integer()),
        _check(t, "times", "ends_at > starts_at"),
        _fk(["booking_id"], "handisitting_bookings", "fk_handisitting_sittings_booking", "CASCADE"),
        _sitter_fk(t, None),
    )
    _index(t, "ix_handisitting_sittings_sitter_on", "sitter_id", "on")
    _index(t, "ix_handisitting_sittings_booking", "booking_id", "on")

    t = "handisitting_feedback"
    _table(
        t,
        _col("sitting_id", sa.Uuid()),
        _col("side", sa.String(length=10)),
        _col("rating", sa.SmallInteger()),
        _col("comment", sa.Text()),
        _check(t, "rating", "rating >= 1 AND rating <= 4"),
        _fk(["sitting_id"], "handisitting_sittings", "fk_handisitting_feedback_sitting", "CASCADE"),
        sa.UniqueConstraint(
            "tenant_id", "sitting_id", "side", name="uq_handisitting_feedback_side"
        ),
        timestamps=True,
    )

    t = "handisitting_incidents"
    _table(
        t,
        _col("booking_id", sa.Uuid()),
        _col("reported_by", sa.String(length=10)),
        _col("happened_on", sa.Date()),
        _col("description", sa.Text()),
        _col("handled_at", sa.DateTime(timezone=True), nullable=True),
        _fk(
            ["booking_id"], "handisitting_bookings", "fk_handisitting_incidents_booking", "CASCADE"
        ),
        timestamps=True,
    )
    _index(t, "ix_handisitting_incidents_open", "handled_at")

    # The database wall: PostgreSQL row-level security on the pole (no-op on SQLite).
    for name in TABLES:
        enable_tenant_rls(op, name)


def downgrade() -> None:
    for name in reversed(TABLES):
        # Dropping a table drops its indexes with it.
        op.drop_table(name)
