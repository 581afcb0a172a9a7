"""Migrated test databases for a set of plugins: built once per session, copied (SQLite)
or shared with unique tenants (PostgreSQL) per test."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.auth.config import AuthConfig
from core.auth.keys import ensure_key
from core.db.migrate import Roles
from core.plugins.host import PluginHost
from core.plugins.migrations import targets, upgrade_all
from core.settings import Settings
from core.tenancy.database import Database
from core.territory.loader import load_territory
from core.testing.postgres import PostgresServer


@dataclass(frozen=True)
class TestUrls:
    kind: str
    runtime: str
    owner: str
    platform: str


async def migrate_with_territory(owner_url: str, host: PluginHost) -> None:
    """Schema, territory and a first signing key (encrypted with the demo secret key,
    which the fixtures' settings use)."""
    await upgrade_all(owner_url, host, roles=Roles())
    db = Database(owner_url)
    try:
        async with db.reference_session() as session:
            await load_territory(session)
            await ensure_key(session, AuthConfig.from_settings(Settings()))
            await session.commit()
    finally:
        await db.dispose()


class TemplateCache:
    """One migrated template per (database kind, migration targets)."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="maillage-templates-"))
        self._sqlite: dict[tuple, Path] = {}
        self._postgres: dict[tuple, TestUrls] = {}
        self._server: PostgresServer | None = None

    @staticmethod
    def key(host: PluginHost) -> tuple:
        return tuple((t.owner, str(t.versions)) for t in targets(host))

    def sqlite(self, host: PluginHost, workdir: Path) -> TestUrls:
        key = self.key(host)
        if key not in self._sqlite:
            # Core, the territory and the signing key once per session (seconds); each
            # set of plugins then only adds its own migrations to a copy (a fraction).
            core = self._core_sqlite()
            path = self._dir / f"template-{len(self._sqlite)}.sqlite3"
            shutil.copyfile(core, path)
            asyncio.run(upgrade_all(f"sqlite+aiosqlite:///{path}", host, roles=Roles()))
            self._sqlite[key] = path
        copy = workdir / "maillage.sqlite3"
        shutil.copyfile(self._sqlite[key], copy)
        url = f"sqlite+aiosqlite:///{copy}"
        return TestUrls("sqlite", url, url, url)

    def _core_sqlite(self) -> Path:
        path = self._dir / "template-core.sqlite3"
        if not path.exists():
            core = PluginHost.start(entry_points=False)
            asyncio.run(migrate_with_territory(f"sqlite+aiosqlite:///{path}", core))
        return path

    def postgres(self, host: PluginHost) -> TestUrls:
        key = self.key(host)
        if key not in self._postgres:
            self._postgres[key] = asyncio.run(self._new_pg(host))
        return self._postgres[key]

    def fresh_postgres(self, host: PluginHost) -> TestUrls:
        """A database of its own (not shared), for tests that change the schema."""
        return asyncio.run(self._new_pg(host))

    async def _new_pg(self, host: PluginHost) -> TestUrls:
        if self._server is None:
            self._server = await PostgresServer.find()
        urls = await self._server.create_database("maillage_plugin_test")
        await migrate_with_territory(urls.owner, host)
        return TestUrls("postgres", urls.runtime, urls.owner, urls.platform)

    def close(self) -> None:
        if self._server is not None:
            asyncio.run(self._server.close())
        shutil.rmtree(self._dir, ignore_errors=True)
