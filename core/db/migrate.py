"""Migrations: Alembic driven through a shared async connection, for SQLite and PostgreSQL.

``upgrade()`` creates or upgrades a database from scratch, then (PostgreSQL) grants
the runtime and platform roles exactly what they need on the tables that exist.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from core.db import sql
from core.db.base import Base, table_kind
from core.db.engine import make_engine
from core.db.registry import load_core_models

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class Roles:
    runtime: str = "maillage_app"
    platform: str = "maillage_platform"


def alembic_config(connection: Connection | None = None, *, stdout: Any = None) -> Config:
    cfg = Config(stdout=stdout or io.StringIO())
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


async def _with_connection(url: str, fn: Callable[[Connection], Any]) -> Any:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def apply_grants(connection: Connection, roles: Roles) -> None:
    """Least privilege on every existing table known to the metadata (PostgreSQL only)."""
    if connection.dialect.name != "postgresql":
        return
    load_core_models()
    existing = set(inspect(connection).get_table_names())
    tenant = [t.name for t in Base.metadata.sorted_tables if table_kind(t) == "tenant"]
    reference = [t.name for t in Base.metadata.sorted_tables if table_kind(t) == "reference"]
    tenant = [t for t in tenant if t in existing]
    reference = [t for t in reference if t in existing]
    sql.grant_privileges(
        connection, role=roles.runtime, tenant_tables=tenant, reference_tables=reference
    )
    sql.grant_privileges(
        connection,
        role=roles.platform,
        tenant_tables=tenant,
        reference_tables=reference,
        writable_reference_tables=reference,
    )


async def upgrade(url: str, revision: str = "head", *, roles: Roles | None = None) -> None:
    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)
        apply_grants(connection, roles or Roles())

    await _with_connection(url, run)


async def downgrade(url: str, revision: str) -> None:
    await _with_connection(url, lambda c: command.downgrade(alembic_config(c), revision))


async def current_revision(url: str) -> str | None:
    def run(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    return await _with_connection(url, run)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def check(url: str) -> list[Any]:
    """Differences between models and the migrated database (empty when they agree)."""
    from alembic.autogenerate import compare_metadata

    def run(connection: Connection) -> list[Any]:
        load_core_models()
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": include_core_object,
            },
        )
        return list(compare_metadata(context, Base.metadata))

    return await _with_connection(url, run)


def include_core_object(obj: Any, name: Any, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Tables in the database but not in core's metadata belong to someone else (a plugin's
    migrations, Alembic's version tables): never drop them, never report them."""
    return not (type_ == "table" and reflected and compare_to is None)


async def revision(url: str, message: str) -> None:
    """Autogenerate a new core revision against an up-to-date database (developers)."""

    def run(connection: Connection) -> None:
        command.revision(alembic_config(connection), message=message, autogenerate=True)

    await _with_connection(url, run)
