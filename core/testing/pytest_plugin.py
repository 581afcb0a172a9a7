"""maillage's pytest plugin (entry point ``pytest11``): fixtures for plugin authors.

Installed with maillage, active in every pytest run of the environment. Choose the
plugins under test by overriding ``maillage_plugins`` in your ``conftest.py``::

    @pytest.fixture
    def maillage_plugins():
        return ["my_plugin"]          # entry-point names, or plugin objects

Fixtures: ``maillage_host`` (plugins loaded and checked), ``maillage_urls`` and
``maillage_db`` (a migrated database — core, territory and the plugins' migrations),
``maillage_settings``, ``maillage_app`` (the real ASGI app), ``make_tenant``,
``make_actor``, ``enable_plugin``, ``graphql`` (a client through the real app).

The database is SQLite unless ``--maillage-db=postgres`` (or
``MAILLAGE_TEST_DB=postgres``): PostgreSQL is then found as the core's own tests
find it (``MAILLAGE_TEST_POSTGRES_URL``, the local server, or a throwaway cluster).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from core.access.actions import Actor
from core.access.roles import ROLES
from core.app.app import create_app
from core.auth import passwords
from core.domain.families.demo import seed_families
from core.plugins import state
from core.plugins.host import PluginHost
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.client import GraphQLClient
from core.testing.databases import TemplateCache, TestUrls
from core.testing.postgres import PostgresUnavailable

PROFILE_VARIABLE = "MAILLAGE_PASSWORD_PROFILE"


def pytest_configure(config: pytest.Config) -> None:
    """A test suite signs in hundreds of times: passwords are hashed at the cost of the
    ``tests`` profile (the same Argon2id, 1 MiB and one pass: decision 214) in this
    process and in the installs it starts (they inherit the variable), unless the
    environment chose a profile. Production refuses that profile."""
    profile = os.environ.setdefault(PROFILE_VARIABLE, passwords.TESTS_PROFILE)
    if profile not in passwords.PROFILES:
        known = " ou ".join(passwords.PROFILES)
        raise pytest.UsageError(f"{PROFILE_VARIABLE}={profile!r} : profil inconnu ({known})")
    passwords.use_profile(profile)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("maillage")
    group.addoption(
        "--maillage-db",
        choices=("sqlite", "postgres"),
        default=os.environ.get("MAILLAGE_TEST_DB", "sqlite"),
        help="database of the maillage fixtures (default: sqlite, or MAILLAGE_TEST_DB)",
    )


@pytest.fixture(scope="session")
def _maillage_templates() -> Iterator[TemplateCache]:
    cache = TemplateCache()
    yield cache
    cache.close()


@pytest.fixture
def maillage_plugins() -> Sequence[Any] | None:
    """Plugins to load: entry-point names and/or plugin objects. ``None`` (the
    default) loads every installed plugin. Override it in your conftest.py."""
    return None


@pytest.fixture
def maillage_host(maillage_plugins: Sequence[Any] | None) -> PluginHost:
    if maillage_plugins is None:
        return PluginHost.start()
    names = [p for p in maillage_plugins if isinstance(p, str)]
    objects = [p for p in maillage_plugins if not isinstance(p, str)]
    return PluginHost.start(allow=names, extra=objects)


@pytest.fixture
def maillage_urls(
    request: pytest.FixtureRequest,
    maillage_host: PluginHost,
    _maillage_templates: TemplateCache,
    tmp_path: Path,
) -> TestUrls:
    if request.config.getoption("--maillage-db") == "postgres":
        try:
            return _maillage_templates.postgres(maillage_host)
        except PostgresUnavailable as exc:
            if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
                pytest.fail(f"CI=true and no PostgreSQL could be had: {exc}")
            pytest.skip(f"no PostgreSQL: {exc}")
    return _maillage_templates.sqlite(maillage_host, tmp_path)


@pytest.fixture
def maillage_settings(maillage_urls: TestUrls) -> Settings:
    return Settings.from_env(
        {
            "MAILLAGE_DATABASE_URL": maillage_urls.runtime,
            "MAILLAGE_MIGRATION_DATABASE_URL": maillage_urls.owner,
            "MAILLAGE_PLATFORM_DATABASE_URL": maillage_urls.platform,
        }
    )


@pytest_asyncio.fixture
async def maillage_db(
    maillage_urls: TestUrls, maillage_host: PluginHost
) -> AsyncIterator[Database]:
    db = Database(maillage_urls.runtime, platform_url=maillage_urls.platform)
    maillage_host.bind(db)
    yield db
    await maillage_host.drain()
    await db.dispose()


@pytest_asyncio.fixture
async def maillage_app(
    maillage_settings: Settings, maillage_db: Database, maillage_host: PluginHost
) -> AsyncIterator[Any]:
    app = create_app(maillage_settings, maillage_db, maillage_host)
    yield app
    # Mails sent after a commit finish before the database closes.
    await app.state.auth.drain()


@pytest.fixture
def make_tenant(maillage_db: Database) -> Callable[..., Awaitable[Tenant]]:
    """``await make_tenant(departement="63")``: a new pole with a unique slug;
    ``core_demo=True`` gives it core's demo directory, families and children (for a
    plugin whose rows point at them)."""

    async def factory(
        departement: str = "62", slug: str | None = None, *, core_demo: bool = False, **kw: Any
    ) -> Tenant:
        slug = slug or f"pole-{uuid.uuid4().hex[:10]}"
        async with maillage_db.unscoped(reason="test tenant", actor="tests") as session:
            tenant = Tenant(
                slug=slug,
                name=kw.pop("name", f"Pôle {slug}"),
                short_name=kw.pop("short_name", slug[:20]),
                operator=kw.pop("operator", "Association de test"),
                departement_code=departement,
                **kw,
            )
            session.add(tenant)
            await session.commit()
        if core_demo:
            async with maillage_db.session(tenant.id) as session:
                await seed_families(tenant, session)
                await session.commit()
        return tenant

    return factory


@pytest.fixture
def make_actor() -> Callable[..., Actor]:
    """``make_actor("coordinator")``: a person with these roles (and ``grants``, the
    sensitive actions granted explicitly) in the pole of each request: the GraphQL
    client gives them a real account, membership and access token."""

    def factory(*roles: str, subject: str | None = None, grants: Sequence[str] = ()) -> Actor:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        return Actor(
            subject=subject or f"test:{uuid.uuid4().hex[:8]}",
            display_name="Personne de test",
            roles=frozenset(roles or ("pole_admin",)),
            grants=frozenset(grants),
        )

    return factory


@pytest.fixture
def enable_plugin(
    maillage_db: Database, maillage_host: PluginHost
) -> Callable[..., Awaitable[None]]:
    """``await enable_plugin(tenant, "my_plugin", settings={...})`` (or ``enabled=False``
    to disable): the same service as the admin mutation, audited, events delivered."""

    async def toggle(
        tenant: Tenant, name: str, *, settings: dict[str, Any] | None = None, enabled: bool = True
    ) -> None:
        async with maillage_db.session(tenant.id) as session:
            if enabled:
                await state.enable(
                    maillage_host, session, tenant, name, actor="system:tests", settings=settings
                )
            else:
                await state.disable(maillage_host, session, tenant, name, actor="system:tests")
            await session.commit()
        await maillage_host.drain()

    return toggle


@pytest_asyncio.fixture
async def graphql(maillage_app: Any) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=maillage_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://maillage.test") as http:
        yield GraphQLClient(http, app=maillage_app)
