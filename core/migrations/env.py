"""Alembic environment for core and for every plugin. Always run through core.db.migrate.

``owner`` ("core" or a plugin name) limits what autogenerate sees to that owner's
tables; ``version_table`` keeps one history per owner.
"""

from __future__ import annotations

from alembic import context

from core.db.base import Base
from core.db.migrate import include_object_of
from core.db.registry import load_core_models

load_core_models()

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `maillage db upgrade`, not the alembic command")


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object_of(config.attributes.get("owner", "core")),
    version_table=config.attributes.get("version_table", "alembic_version"),
)
with context.begin_transaction():
    context.run_migrations()
