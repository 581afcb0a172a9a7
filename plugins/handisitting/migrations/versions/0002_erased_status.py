"""an erased sitter's record is closed: status ``erased``

Revision ID: handisitting_0002
Revises: handisitting_0001
Create Date: 2026-12-07

Before decision 205 an erased sitter kept her status (``approved`` often) and only her
name said « Effacé·e », so she was still ranked. Her status becomes ``erased``; going
back, ``refused`` is the old vocabulary's closed status (never ranked nor proposed).
No column changes: the status is a ``String(20)``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "handisitting_0002"
down_revision: str | None = "handisitting_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SITTERS = sa.table(
    "handisitting_sitters",
    sa.column("status", sa.String()),
    sa.column("first_name", sa.String()),
    sa.column("last_name", sa.String()),
)
ERASED_NAME = "Effacé·e"


def upgrade() -> None:
    op.execute(
        SITTERS.update()
        .where(SITTERS.c.first_name == ERASED_NAME, SITTERS.c.last_name == ERASED_NAME)
        .values(status="erased")
    )


def downgrade() -> None:
    op.execute(SITTERS.update().where(SITTERS.c.status == "erased").values(status="refused"))
