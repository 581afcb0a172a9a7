"""The real server (``maillage serve`` in a subprocess) on SQLite and PostgreSQL, for
suites that fire real parallel requests over HTTP.

One server per database kind for the whole package: each test works on accounts and client
addresses of its own (``X-Forwarded-For``, trusted from 127.0.0.1 as uvicorn's
default), so tests sharing a server never share a throttle counter.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from core.tenancy.database import Database
from tests.conftest import DbUrls

ROOT = Path(__file__).resolve().parents[2]
MAILLAGE = str(Path(sys.executable).parent / "maillage")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unique_address() -> str:
    """A client address no other test uses (documentation range 198.18.0.0/15)."""
    n = uuid.uuid4().int
    return f"198.{18 + n % 2}.{(n >> 8) % 256}.{(n >> 16) % 254 + 1}"


@dataclass
class LiveServer:
    url: str
    urls: DbUrls
    db: Database
    log: Path


def _wait_ready(port: int, server: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("maillage serve did not start:\n" + log.read_text()) from None
            time.sleep(0.2)


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
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update(
        MAILLAGE_DATABASE_URL=server_urls.runtime,
        MAILLAGE_MIGRATION_DATABASE_URL=server_urls.owner,
        MAILLAGE_PLATFORM_DATABASE_URL=server_urls.platform,
        MAILLAGE_VAR_DIR=str(folder / "var"),
        MAILLAGE_TENANTS_DIR=str(ROOT / "tenants"),
        MAILLAGE_LOG_FORMAT="json",
        MAILLAGE_LOG_LEVEL="WARNING",
    )
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [MAILLAGE, "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        _wait_ready(port, server, log)
        yield f"http://127.0.0.1:{port}", log
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest_asyncio.fixture(loop_scope="session")
async def live(live_process: tuple[str, Path], server_urls: DbUrls) -> AsyncIterator[LiveServer]:
    url, log = live_process
    db = server_urls.database()
    try:
        yield LiveServer(url, server_urls, db, log)
    finally:
        await db.dispose()
