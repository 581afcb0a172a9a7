"""Shared fixtures: migrated SQLite and PostgreSQL databases, tenants, the ASGI app.

A migrated template (schema + territory) is built once per session per database
kind; each test then gets a copy (SQLite: file copy) or shares the PostgreSQL
template with tenants of its own (unique slugs), which isolation forbids it to see
past anyway.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from core.auth.config import AuthConfig
from core.auth.keys import ensure_key
from core.plugins.host import PluginHost
from core.plugins.migrations import upgrade_all
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.territory.loader import load_territory
from core.testing.postgres import PgUrls, PostgresServer, PostgresUnavailable
from tests.live import DEMO_CACHE_VARIABLE, drop_postgres_demos

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(trylast=True)  # after pytest's own, which makes the temporary folders
def pytest_configure(config: pytest.Config) -> None:
    """Where tests/live.py keeps the demo databases it built in this run: a folder every
    xdist worker of the run sees (their base folders' parent), removed by pytest with
    the run's other temporary files a few runs later."""
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:
        return
    base = factory.getbasetemp()
    shared = base.parent if hasattr(config, "workerinput") else base
    os.environ[DEMO_CACHE_VARIABLE] = str(shared / "demo-cache")


@dataclass
class DbUrls:
    """Where a test database lives, one URL per role (all the same on SQLite)."""

    kind: str
    runtime: str
    owner: str
    platform: str

    def database(self, **kw: object) -> Database:
        return Database(self.runtime, platform_url=self.platform, **kw)  # type: ignore[arg-type]


async def migrate_with_territory(owner_url: str) -> None:
    # Core and every installed plugin, as ``maillage db upgrade`` does on an install: an
    # app built with the installed plugins (the API tests') reaches their tables — a
    # family's erasure, for one, runs every plugin's personal-data source.
    await upgrade_all(owner_url, PluginHost.start())
    db = Database(owner_url)
    try:
        async with db.reference_session() as session:
            await load_territory(session)
            await ensure_key(session, AuthConfig.from_settings(Settings()))
            await session.commit()
    finally:
        await db.dispose()


# Folders whose tests share one costly package-scoped fixture (a demo server and a
# Chromium, the concurrency suite's servers): each runs whole on one xdist worker.
SHARED_FIXTURE_PACKAGES = ("browser", "concurrency")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``make test`` runs ``--dist loadgroup``, and the groups are these: a file, as
    ``loadfile`` would (its module-scoped servers start once), except the packages above,
    one group each. Under ``loadfile`` a worker took a browser file, then an API one,
    then another browser file: pytest tore the package's demo server down and built it
    again, a minute each time on this machine.

    Given here rather than by ``xdist_group`` marks: xdist 3.8 tells a worker's groups
    apart by rewriting ``item._nodeid``, which pytest 9 no longer reads, so marked tests
    were spread one by one. Other ``--dist`` modes keep xdist's own schedulers."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            parts = path.split("/")
            if len(parts) > 2 and parts[0] == "tests" and parts[1] in SHARED_FIXTURE_PACKAGES:
                return parts[1]
            return path

    return SharedFixtureGroups(config, log)


# --- SQLite -------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    await migrate_with_territory(url)
    engine_db = Database(url)
    await engine_db.dispose()
    return path


@pytest.fixture
def sqlite_urls(sqlite_template: Path, tmp_path: Path) -> Iterator[DbUrls]:
    path = tmp_path / "maillage.sqlite3"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    yield DbUrls("sqlite", url, url, url)


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="session")
async def pg_server() -> AsyncIterator[PostgresServer]:
    try:
        server = await PostgresServer.find()
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI=true and no PostgreSQL could be had: {exc}")
        pytest.skip(f"no PostgreSQL: {exc}")
    yield server
    await drop_postgres_demos(server)
    await server.close()


@pytest_asyncio.fixture(scope="session")
async def pg_template(pg_server: PostgresServer) -> PgUrls:
    urls = await pg_server.create_database()
    await migrate_with_territory(urls.owner)
    return urls


@pytest.fixture
def pg_urls(pg_template: PgUrls) -> DbUrls:
    return DbUrls("postgres", pg_template.runtime, pg_template.owner, pg_template.platform)


# --- Either -------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_urls(request: pytest.FixtureRequest) -> DbUrls:
    name = "sqlite_urls" if request.param == "sqlite" else "pg_urls"
    return request.getfixturevalue(name)


@pytest_asyncio.fixture
async def db(db_urls: DbUrls) -> AsyncIterator[Database]:
    database = db_urls.database()
    yield database
    await database.dispose()


async def make_tenant(db: Database, departement: str = "62", slug: str | None = None) -> Tenant:
    slug = slug or f"pole-{uuid.uuid4().hex[:10]}"
    async with db.unscoped(reason="test tenant", actor="tests") as session:
        tenant = Tenant(
            slug=slug,
            name=f"Pôle {slug}",
            short_name=slug[:20],
            operator="Association de test",
            departement_code=departement,
        )
        session.add(tenant)
        await session.commit()
    return tenant


@pytest.fixture
def tenant_factory(db: Database):  # type: ignore[no-untyped-def]
    async def factory(**kw: object) -> Tenant:
        return await make_tenant(db, **kw)  # type: ignore[arg-type]

    return factory
