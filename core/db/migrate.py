"""Migrations: Alembic driven through a shared async connection, for SQLite and PostgreSQL.

``upgrade()`` creates or upgrades a database from scratch, then (PostgreSQL) grants
the runtime and platform roles exactly what they need on the tables that exist.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from core.db import sql
from core.db.base import (
    APPEND_ONLY_KEY,
    NETWORK_READABLE_KEY,
    RUNTIME_WRITABLE_KEY,
    Base,
    table_kind,
    table_owner,
)
from core.db.engine import make_engine
from core.db.registry import load_core_models

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class Roles:
    runtime: str = "maillage_app"
    platform: str = "maillage_platform"
    # The national network's readers: SELECT on the release tables, nothing else.
    network: str = "maillage_network"


@dataclass(frozen=True)
class MigrationTarget:
    """One history of revisions: core's, or one plugin's with its own version table."""

    owner: str = "core"
    versions: Path | None = None  # None: core's own versions folder

    @property
    def version_table(self) -> str:
        return "alembic_version" if self.owner == "core" else f"alembic_version_{self.owner}"


CORE_TARGET = MigrationTarget()


def alembic_config(
    connection: Connection | None = None,
    *,
    target: MigrationTarget = CORE_TARGET,
    stdout: Any = None,
) -> Config:
    cfg = Config(stdout=stdout or io.StringIO())
    # One env.py for everyone; a plugin brings only its versions folder.
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if target.versions is not None:
        cfg.set_main_option("version_locations", str(target.versions))
    cfg.attributes["connection"] = connection
    cfg.attributes["owner"] = target.owner
    cfg.attributes["version_table"] = target.version_table
    return cfg


async def _with_connection(
    url: str, fn: Callable[[Connection], Any], *, create: bool = False
) -> Any:
    engine = make_engine(url, create=create)
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
    append_only = [
        t.name
        for t in Base.metadata.sorted_tables
        if t.info.get(APPEND_ONLY_KEY) and t.name in existing
    ]
    runtime_writable = [
        t.name
        for t in Base.metadata.sorted_tables
        if t.info.get(RUNTIME_WRITABLE_KEY) and t.name in existing
    ]
    sql.grant_privileges(
        connection,
        role=roles.runtime,
        tenant_tables=tenant,
        reference_tables=reference,
        writable_reference_tables=runtime_writable,
        append_only_tables=append_only,
    )
    sql.grant_privileges(
        connection,
        role=roles.platform,
        tenant_tables=tenant,
        reference_tables=reference,
        writable_reference_tables=reference,
        append_only_tables=append_only,
    )
    if sql.role_exists(connection, roles.network):
        readable = [
            t.name
            for t in Base.metadata.sorted_tables
            if t.info.get(NETWORK_READABLE_KEY) and t.name in existing
        ]
        sql.grant_network_reader(connection, role=roles.network, member="", tables=readable)


async def upgrade(
    url: str,
    revision: str = "head",
    *,
    roles: Roles | None = None,
    targets: Sequence[MigrationTarget] = (CORE_TARGET,),
) -> None:
    """Upgrade each target in order (core first, then plugins in dependency order), in
    one transaction: a failing plugin migration leaves the database as it was."""

    def run(connection: Connection) -> None:
        for target in targets:
            command.upgrade(alembic_config(connection, target=target), revision)
        apply_grants(connection, roles or Roles())

    # The one place a new SQLite database may be created (decision 107).
    await _with_connection(url, run, create=True)


async def downgrade(url: str, revision: str, *, target: MigrationTarget = CORE_TARGET) -> None:
    await _with_connection(
        url, lambda c: command.downgrade(alembic_config(c, target=target), revision)
    )


async def current_revision(url: str, *, target: MigrationTarget = CORE_TARGET) -> str | None:
    def run(connection: Connection) -> str | None:
        return MigrationContext.configure(
            connection, opts={"version_table": target.version_table}
        ).get_current_revision()

    return await _with_connection(url, run)


def head_revision(target: MigrationTarget = CORE_TARGET) -> str | None:
    return ScriptDirectory.from_config(alembic_config(target=target)).get_current_head()


async def check(url: str, *, owners: Sequence[str] = ("core",)) -> list[Any]:
    """Differences between models and the migrated database (empty when they agree),
    for the tables of ``owners``."""
    from alembic.autogenerate import compare_metadata

    def run(connection: Connection) -> list[Any]:
        load_core_models()
        diffs: list[Any] = []
        for owner in owners:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_object": include_object_of(owner)},
            )
            diffs += list(compare_metadata(context, Base.metadata))
        return diffs

    return await _with_connection(url, run)


def include_object_of(owner: str) -> Callable[..., bool]:
    """Alembic object filter: only ``owner``'s tables (and their columns, indexes and
    constraints). Tables in the database that no model declares belong to someone
    else (an uninstalled plugin, Alembic's version tables): never dropped, never
    reported."""

    def include(obj: Any, name: Any, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table":
            if reflected and compare_to is None:
                return False
            return table_owner(obj) == owner
        table = getattr(obj, "table", None)
        if table is not None and not reflected:
            return table_owner(table) == owner
        if table is not None and compare_to is not None:
            return table_owner(getattr(compare_to, "table", compare_to)) == owner
        if table is not None:
            known = Base.metadata.tables.get(table.name)
            return known is not None and table_owner(known) == owner
        return True

    return include


def _with_ruff(cfg: Config) -> Config:
    """Autogenerate writes long lines and unsorted imports; when ruff is installed, the
    new file is fixed and formatted with the settings of the project it lands in (a
    plugin's own pyproject.toml), so it passes that project's lint as generated."""
    if importlib.util.find_spec("ruff") is None:
        return cfg
    cfg.set_section_option("post_write_hooks", "hooks", "ruff_fix, ruff_format")
    for name, options in (
        ("ruff_fix", "check --fix --quiet --exit-zero REVISION_SCRIPT_FILENAME"),
        ("ruff_format", "format --quiet REVISION_SCRIPT_FILENAME"),
    ):
        cfg.set_section_option("post_write_hooks", f"{name}.type", "module")
        cfg.set_section_option("post_write_hooks", f"{name}.module", "ruff")
        cfg.set_section_option("post_write_hooks", f"{name}.options", options)
    return cfg


async def revision(url: str, message: str, *, target: MigrationTarget = CORE_TARGET) -> None:
    """Autogenerate a new revision for ``target`` against an up-to-date database
    (developers): it sees only the target's own tables."""

    if target.versions is not None:
        # pip installs no empty folder: the first revision may have to create it.
        target.versions.mkdir(parents=True, exist_ok=True)

    def run(connection: Connection) -> None:
        kw: dict[str, Any] = {}
        if target.owner != "core":
            heads = ScriptDirectory.from_config(alembic_config(target=target)).get_heads()
            if not heads:
                # First revision of a plugin: its own branch, named after it.
                kw = {"head": "base", "branch_label": target.owner}
        command.revision(
            _with_ruff(alembic_config(connection, target=target)),
            message=message,
            autogenerate=True,
            **kw,
        )

    await _with_connection(url, run)
