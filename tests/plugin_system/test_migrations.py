"""Migrations per plugin: one history and version table each, core first, a plugin can
go back to base and leave core untouched; autogenerate sees only its owner's tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, Table, inspect, text

from core.db import migrate
from core.db.base import OWNER_KEY, Base
from core.db.engine import make_engine
from core.plugins.host import PluginHost
from core.plugins.migrations import status, target_of, targets


async def _inspect(url: str) -> tuple[set[str], dict[str, list[str]]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            names = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
            versions = {}
            for table in sorted(n for n in names if n.startswith("alembic_version")):
                rows = await connection.execute(text(f"SELECT version_num FROM {table}"))
                versions[table] = [r[0] for r in rows]
            return names, versions
    finally:
        await engine.dispose()


async def test_each_plugin_has_its_own_history_and_goes_back_to_base_alone(
    maillage_host: PluginHost, maillage_urls: Any
) -> None:
    url = maillage_urls.owner
    assert [t.owner for t in targets(maillage_host)] == ["core", "sorties"]
    names, versions = await _inspect(url)
    assert "sorties_activities" in names
    assert versions["alembic_version_sorties"] == ["sorties_0001"]
    assert versions["alembic_version"] == [migrate.head_revision()]
    assert all(s.up_to_date for s in await status(url, maillage_host))

    if maillage_urls.kind == "sqlite":  # the PostgreSQL template is shared by tests
        target = target_of(maillage_host, "sorties")
        await migrate.downgrade(url, "base", target=target)
        names, versions = await _inspect(url)
        assert "sorties_activities" not in names
        assert versions["alembic_version_sorties"] == []
        assert versions["alembic_version"] == [migrate.head_revision()], "core untouched"
        assert {"tenants", "tenant_plugins", "communes"} <= names
        await migrate.upgrade(url, targets=[target])
        assert "sorties_activities" in (await _inspect(url))[0]


async def test_autogenerate_compares_only_the_owners_tables(
    maillage_host: PluginHost, maillage_urls: Any
) -> None:
    url = maillage_urls.owner
    assert await migrate.check(url, owners=["core", "sorties"]) == []
    extra = Table(
        "core_not_migrated",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        info={OWNER_KEY: "core"},
    )
    try:
        core_diffs = await migrate.check(url, owners=["core"])
        plugin_diffs = await migrate.check(url, owners=["sorties"])
    finally:
        Base.metadata.remove(extra)
    assert [d[1].name for d in core_diffs if d[0] == "add_table"] == ["core_not_migrated"]
    assert plugin_diffs == []
    include = migrate.include_object_of("sorties")
    plugin_table = Base.metadata.tables["sorties_activities"]
    assert include(plugin_table, plugin_table.name, "table", False, None)
    assert not include(Base.metadata.tables["tenants"], "tenants", "table", False, None)
