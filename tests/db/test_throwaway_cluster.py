"""The last-resort PostgreSQL: a private cluster made with initdb/pg_ctl, migrated and walled."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Connection

from core.db import migrate
from core.db.engine import make_engine
from core.db.posture import posture_problems
from core.testing.postgres import (
    RUNTIME,
    PostgresServer,
    PostgresUnavailable,
    ThrowawayCluster,
)
from tests.conftest import IN_CI

pytestmark = pytest.mark.postgres


def test_throwaway_cluster_serves_a_migrated_database_with_rls_forced() -> None:
    try:
        cluster = ThrowawayCluster()
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI=true and initdb/pg_ctl are missing: {exc}")
        pytest.skip(str(exc))

    async def run() -> list[str]:
        server = PostgresServer(cluster.url, cluster)
        try:
            urls = await server.create_database()
            await migrate.upgrade(urls.owner)
            engine = make_engine(urls.owner)
            try:
                async with engine.connect() as connection:

                    def check(c: Connection) -> list[str]:
                        return posture_problems(c, runtime_role=RUNTIME)

                    return await connection.run_sync(check)
            finally:
                await engine.dispose()
        finally:
            await server.close()

    assert asyncio.run(run()) == []
    assert not cluster.dir.exists()
