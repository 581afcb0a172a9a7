"""A worker keeps the connections its requests need: under a steady load it opens
them once, then none (decision 219).

SQLAlchemy closes a connection opened beyond the pool's size as soon as it is returned.
With the former default pool (10 kept, 10 more for a burst), 16 requests in flight made
a worker open and close six connections at every wave — a PostgreSQL process started
each time: three a second per worker under the benchmark's 32 clients, and a tenth of
its throughput. The real server on PostgreSQL, over HTTP, its own count read from
``/metrics`` (``maillage_db_connections_opened_total``).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
import pytest_asyncio

from core.testing.postgres import PostgresServer
from tests.concurrency.test_pool_under_load import GUARDIANS, POLE, sign_in
from tests.live import LiveServer, start_demo_on_postgres

METRICS_TOKEN = "pool-keeps-metrics-token"
IN_FLIGHT = 16
WAVES = 5


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Any:
    # The pool as shipped: only the scraper's token is set.
    started = await start_demo_on_postgres(
        pg_server,
        tmp_path_factory.mktemp("pool-keeps"),
        "maillage_pool_keeps",
        MAILLAGE_METRICS_TOKEN=METRICS_TOKEN,
    )
    yield started
    started.stop()


async def opened(http: httpx.AsyncClient) -> int:
    page = await http.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    assert page.status_code == 200, page.text[:500]
    found = re.search(
        r'^maillage_db_connections_opened_total\{engine="app"\} (\S+)$', page.text, re.M
    )
    assert found, page.text[:2000]
    return int(float(found.group(1)))


async def test_waves_of_sixteen_requests_open_their_connections_once(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
        token = await sign_in(http)
        headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": POLE}

        async def wave() -> None:
            answers = await asyncio.gather(
                *(
                    http.post("/graphql", json={"query": GUARDIANS}, headers=headers)
                    for _ in range(IN_FLIGHT)
                )
            )
            assert all(a.status_code == 200 and "errors" not in a.json() for a in answers)

        await wave()
        after_first = await opened(http)
        assert 1 <= after_first <= IN_FLIGHT + 2, after_first  # sign-in's, then the wave's
        for _ in range(WAVES - 1):
            await wave()
        assert await opened(http) == after_first
