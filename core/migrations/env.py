"""Alembic environment for core. Always run through core.db.migrate (connection shared)."""

from __future__ import annotations

from alembic import context

from core.db.base import Base
from core.db.migrate import include_core_object
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
    include_object=include_core_object,
    version_table=config.attributes.get("version_table", "alembic_version"),
)
with context.begin_transaction():
    context.run_migrations()
