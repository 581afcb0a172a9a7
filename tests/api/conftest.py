"""A real GraphQL client: httpx against the real ASGI app, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from core.app.app import create_app
from core.domain.areas.service import upsert_area
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.client import GraphQLClient
from tests.conftest import DbUrls, make_tenant
from tests.live import LiveServer, start_demo

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"


def settings_for(urls: DbUrls, **env: str) -> Settings:
    return Settings.from_env(
        {
            "MAILLAGE_DATABASE_URL": urls.runtime,
            "MAILLAGE_MIGRATION_DATABASE_URL": urls.owner,
            "MAILLAGE_PLATFORM_DATABASE_URL": urls.platform,
            **env,
        }
    )


@pytest_asyncio.fixture
async def client(db_urls: DbUrls, db: Database) -> AsyncIterator[GraphQLClient]:
    app = create_app(settings_for(db_urls), db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://maillage.test") as http:
        yield GraphQLClient(http, app=app, operations_dir=OPERATIONS)


@dataclass
class TwoPoles:
    a: Tenant
    b: Tenant


@pytest_asyncio.fixture
async def two_poles(db: Database) -> TwoPoles:
    a, b = await make_tenant(db, "62"), await make_tenant(db, "63")
    async with db.session(a.id) as session:
        await upsert_area(session, name="Artois", insee_codes=["62119", "62498"])
        await session.commit()
    async with db.session(b.id) as session:
        await upsert_area(session, name="Combrailles", insee_codes=["63103", "63300"])
        await session.commit()
    return TwoPoles(a, b)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo install served by ``maillage serve`` for one test module, over a socket."""
    server = start_demo(tmp_path_factory.mktemp("demo-server"))
    yield server
    server.stop()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
