"""recording the past: a session held by video has no commune; a reception plan's
version carries its own date (the day it was drawn up), apart from when it was typed

Revision ID: 0018_recording_the_past
Revises: 0017_network
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_recording_the_past"
down_revision: str | None = "0017_network"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VERSIONS = sa.table(
    "reception_plan_versions",
    sa.column("written_on", sa.Date()),
    sa.column("written_at", sa.DateTime(timezone=True)),
)
# SQLite changes a column's nullability by copying the table into a new one and dropping
# the old: with foreign keys on, that drop deletes the speakers and named participants
# (ON DELETE CASCADE). They are kept aside and put back.
_KEPT = ("outreach_session_speakers", "outreach_participants")


def _sessions_commune(nullable: bool) -> None:
    bind = op.get_bind()
    kept: dict[str, list[dict]] = {}
    if bind.dialect.name == "sqlite":
        for name in _KEPT:
            table = sa.Table(name, sa.MetaData(), autoload_with=bind)
            kept[name] = [dict(row._mapping) for row in bind.execute(sa.select(table))]
    with op.batch_alter_table("outreach_sessions") as batch:
        batch.alter_column("commune_insee", existing_type=sa.String(length=5), nullable=nullable)
    for name, rows in kept.items():
        table = sa.Table(name, sa.MetaData(), autoload_with=bind)
        if rows and not bind.execute(sa.select(sa.func.count()).select_from(table)).scalar():
            bind.execute(sa.insert(table), rows)


def upgrade() -> None:
    _sessions_commune(nullable=True)
    with op.batch_alter_table("reception_plan_versions") as batch:
        batch.add_column(sa.Column("written_on", sa.Date(), nullable=True))
    # The versions typed so far were dated the day they were typed.
    op.execute(_VERSIONS.update().values(written_on=sa.func.date(_VERSIONS.c.written_at)))
    with op.batch_alter_table("reception_plan_versions") as batch:
        batch.alter_column("written_on", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("reception_plan_versions") as batch:
        batch.drop_column("written_on")
    # Sessions by video have no commune to go back to: they cannot stay.
    sessions = sa.table("outreach_sessions", sa.column("commune_insee", sa.String()))
    op.execute(sessions.delete().where(sessions.c.commune_insee.is_(None)))
    _sessions_commune(nullable=False)
