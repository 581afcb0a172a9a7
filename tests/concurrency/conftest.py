"""The real server (``maillage serve`` in a subprocess) on SQLite and PostgreSQL, for
suites that fire real parallel requests over HTTP.

One server per database kind for the whole package: each test works on accounts and client
addresses of its own (``X-Forwarded-For``, trusted from 127.0.0.1, the default of
``MAILLAGE_FORWARDED_ALLOW_IPS``), so tests sharing a server never share a throttle counter.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from core.tenancy.database import Database
from tests.conftest import DbUrls
from tests.live import demo_environment, postgres_overrides, start_server


def unique_address() -> str:
    """A client address no other test uses (documentation range 198.18.0.0/15)."""
    n = uuid.uuid4().int
    return f"198.{18 + n % 2}.{(n >> 8) % 256}.{(n >> 16) % 254 + 1}"


@dataclass
class LiveDatabase:
    url: str
    urls: DbUrls
    db: Database
    log: Path


@pytest.fixture(
    scope="package", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server_urls(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> DbUrls:
    if request.param == "postgres":
        pg = request.getfixturevalue("pg_template")
        return DbUrls("postgres", pg.runtime, pg.owner, pg.platform)
    template = request.getfixturevalue("sqlite_template")
    path = tmp_path_factory.mktemp("live") / "maillage.sqlite3"
    shutil.copyfile(template, path)
    url = f"sqlite+aiosqlite:///{path}"
    return DbUrls("sqlite", url, url, url)


@pytest.fixture(scope="package")
def live_process(
    server_urls: DbUrls, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("serve")
    env = demo_environment(
        folder,
        **postgres_overrides(server_urls.runtime, server_urls.owner, server_urls.platform),
        MAILLAGE_LOG_LEVEL="WARNING",
    )
    server = start_server(env, folder, timeout=60)
    try:
        yield server.base_url, server.log_path
    finally:
        server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def live(live_process: tuple[str, Path], server_urls: DbUrls) -> AsyncIterator[LiveDatabase]:
    url, log = live_process
    db = server_urls.database()
    try:
        yield LiveDatabase(url, server_urls, db, log)
    finally:
        await db.dispose()
