"""Find or start a PostgreSQL server for tests, and make throwaway databases on it.

Order of preference:
1. ``MAILLAGE_TEST_POSTGRES_URL`` (a role allowed to create roles and databases);
2. the local server on 127.0.0.1:5432 as ``postgres`` (trust auth on dev machines);
3. a throwaway cluster made with ``initdb`` / ``pg_ctl`` in a temporary folder.

If none can be had the caller skips — except under ``CI=true``, where it fails:
PostgreSQL tests never skip in CI.

Each database gets three roles, like production: ``maillage_owner`` (owns the
tables, runs migrations, no BYPASSRLS), ``maillage_app`` (runtime: owns nothing, no
BYPASSRLS) and ``maillage_platform`` (BYPASSRLS, for audited ``unscoped()`` jobs), and
``maillage_network`` (SELECT on the network's release tables only, which the runtime
role may switch to).
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from core.db import sql
from core.db.engine import make_engine

TEST_PASSWORD = "maillage-test"
OWNER, RUNTIME, PLATFORM = "maillage_owner", "maillage_app", "maillage_platform"
NETWORK = "maillage_network"


class PostgresUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class PgUrls:
    """The URLs of one database, one per role (asyncpg driver)."""

    database: str
    admin: str
    owner: str
    runtime: str
    platform: str
    network: str


def _async_url(url: str | URL) -> URL:
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.set(drivername="postgresql+asyncpg")


async def _can_connect(url: URL) -> bool:
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(sql.ping)
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


class ThrowawayCluster:
    """A private PostgreSQL cluster in a temporary folder, stopped and removed at the end."""

    def __init__(self) -> None:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise PostgresUnavailable("initdb/pg_ctl not found")
        self.pg_ctl = pg_ctl
        self.dir = Path(tempfile.mkdtemp(prefix="maillage-pg-"))
        self.port = _free_port()
        run_as = None
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: use the system's postgres account.
            run_as = "postgres"
            shutil.chown(self.dir, user="postgres")
        self.run_as = run_as
        self._run([initdb, "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust"])
        self._run(
            [
                pg_ctl,
                "-D",
                str(self.dir / "data"),
                "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                "-l",
                str(self.dir / "log"),
                "-w",
                "start",
            ]
        )
        self.url = make_url(f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres")

    def _run(self, argv: list[str]) -> None:
        if self.run_as:
            argv = ["runuser", "-u", self.run_as, "--", *argv]
        subprocess.run(argv, check=True, capture_output=True)

    def stop(self) -> None:
        try:
            self._run([self.pg_ctl, "-D", str(self.dir / "data"), "-m", "immediate", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class PostgresServer:
    """The server the test session uses, and a factory of fresh databases on it."""

    def __init__(self, admin_url: URL, cluster: ThrowawayCluster | None = None) -> None:
        self.admin_url = admin_url
        self.cluster = cluster
        self._roles_ready = False
        self._created: list[str] = []

    @classmethod
    async def find(cls) -> PostgresServer:
        explicit = os.environ.get("MAILLAGE_TEST_POSTGRES_URL")
        if explicit:
            url = _async_url(explicit)
            if await _can_connect(url):
                return cls(url)
            raise PostgresUnavailable(f"MAILLAGE_TEST_POSTGRES_URL does not answer: {url!r}")
        local = _async_url("postgresql://postgres@127.0.0.1:5432/postgres")
        if await _can_connect(local):
            return cls(local)
        try:
            cluster = await asyncio.to_thread(ThrowawayCluster)
        except (PostgresUnavailable, subprocess.CalledProcessError, OSError) as exc:
            raise PostgresUnavailable(f"no server and no throwaway cluster: {exc}") from exc
        return cls(cluster.url, cluster)

    def _url(self, database: str, user: str | None = None) -> str:
        url = self.admin_url.set(database=database)
        if user is not None:
            url = url.set(username=user, password=TEST_PASSWORD)
        return url.render_as_string(hide_password=False)

    async def _admin(self, fn, *args) -> None:  # type: ignore[no-untyped-def]
        engine = make_engine(self._url(self.admin_url.database or "postgres")).execution_options(
            isolation_level="AUTOCOMMIT"
        )
        try:
            async with engine.connect() as connection:
                await connection.run_sync(fn, *args)
        finally:
            await engine.dispose()

    async def ensure_roles(self) -> None:
        if self._roles_ready:
            return

        def create(connection) -> None:  # type: ignore[no-untyped-def]
            for spec in (
                sql.RoleSpec(OWNER, TEST_PASSWORD),
                sql.RoleSpec(RUNTIME, TEST_PASSWORD),
                sql.RoleSpec(PLATFORM, TEST_PASSWORD, bypass_rls=True),
            ):
                sql.ensure_role(connection, spec)
            sql.ensure_network_role(connection, NETWORK, TEST_PASSWORD)
            sql.grant_network_reader(connection, role=NETWORK, member=RUNTIME, tables=())

        for attempt in range(5):
            try:
                await self._admin(create)
                break
            except Exception as exc:
                # Two test runs creating the same role at once: the other one won. Two
                # altering it at once (« tuple concurrently updated »): try again.
                if "already exists" in str(exc):
                    break
                if "concurrently updated" not in str(exc) or attempt == 4:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        self._roles_ready = True

    async def create_database(
        self, prefix: str = "maillage_test", *, template: str | None = None
    ) -> PgUrls:
        """A new database with the three roles' rights, dropped by ``close``; or a copy
        of database ``template`` (its tables, rows and grants), which nobody may be
        connected to meanwhile."""
        await self.ensure_roles()
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        await self._admin(sql.create_database, name, OWNER, template)
        self._created.append(name)
        if template is None:
            engine = make_engine(self._url(name)).execution_options(isolation_level="AUTOCOMMIT")
            try:
                async with engine.connect() as connection:
                    await connection.run_sync(
                        sql.prepare_schema, OWNER, [RUNTIME, PLATFORM, NETWORK]
                    )
            finally:
                await engine.dispose()
        return self.urls(name)

    def urls(self, name: str) -> PgUrls:
        """The URLs of database ``name``, one per role."""
        return PgUrls(
            database=name,
            admin=self._url(name),
            owner=self._url(name, OWNER),
            runtime=self._url(name, RUNTIME),
            platform=self._url(name, PLATFORM),
            network=self._url(name, NETWORK),
        )

    def keep(self, name: str) -> None:
        """Leave database ``name`` to its creator: ``close`` will not drop it."""
        if name in self._created:
            self._created.remove(name)

    async def drop_database(self, name: str) -> None:
        await self._admin(sql.drop_database, name)
        if name in self._created:
            self._created.remove(name)

    async def close(self) -> None:
        for name in list(self._created):
            with contextlib.suppress(Exception):
                await self.drop_database(name)
        if self.cluster is not None:
            await asyncio.to_thread(self.cluster.stop)
