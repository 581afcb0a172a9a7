"""The network's comparison, measured (printed by `make bench`): 150 poles × 5 years of
published releases (children followed by four age brackets, requests by five requester
kinds: a dozen cells each), then `networkComparison`'s service — the latest published
version of each pole and year, one figure, five years, totals — timed over repeated
runs on SQLite, then on PostgreSQL as the network's database role (the statement count is
tested constant in tests/network), each also with a peer group (a pole and its five
nearest by population)."""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from core.db import migrate
from core.network.comparison import compare
from core.network.models import Network
from core.network.reader import network_reader
from core.tenancy.database import Database
from core.testing.network import store_published_pole
from core.testing.postgres import NETWORK, PostgresServer, PostgresUnavailable

POLES = 150
YEARS = tuple(range(2021, 2026))
RUNS = 30
FIGURE = "casework.children_followed"
AGES = ("0-2", "3-5", "6-11", "12-")
KINDS = ("family", "eaje", "childminder", "leisure_centre", "partner")


async def _load(db: Database) -> None:
    rng = random.Random(2025)
    async with db.reference_session() as session:
        network = Network(name="Banc d'essai", k=11)
        session.add(network)
        await session.flush()
        for p in range(POLES):
            years = {}
            for year in YEARS:
                ages = {a: rng.randint(0, 300) for a in AGES}
                kinds = {k: rng.randint(0, 200) for k in KINDS}
                cells = [("casework.children_followed", "", sum(ages.values()))]
                cells += [
                    ("casework.children_followed", f"age_bracket={a}", v) for a, v in ages.items()
                ]
                cells += [("casework.requests", "", sum(kinds.values()))]
                cells += [("casework.requests", f"requester_kind={k}", v) for k, v in kinds.items()]
                # Small counts hidden, as the protection would at least.
                years[year] = (
                    rng.randint(80_000, 2_600_000),
                    [(f, c, None if 0 < v < 11 else v) for f, c, v in cells],
                )
            await store_published_pole(
                session,
                network,
                code=f"pole-{p}",
                name=f"Pôle {p}",
                departement="62",
                years=years,
            )
        await session.commit()


async def _measure(db: Database, kind: str, role: str = "") -> None:
    """Load, then time the comparison as the network reads it: on PostgreSQL under the
    network's role (``network_reader``), in its own transaction each time."""
    started = time.perf_counter()
    await _load(db)
    loaded = time.perf_counter() - started
    samples, cpu, peers = [], [], []
    for run in range(2 * RUNS + 1):
        async with db.reference_session() as session, network_reader(session, role) as reader:
            started, used = time.perf_counter(), time.process_time()
            if run <= RUNS:
                found = await compare(reader, FIGURE, list(YEARS))
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
            else:
                # The same with a peer group (decision 180): chosen from the same rows.
                group = await compare(reader, FIGURE, list(YEARS), peer_of="pole-7")
                peers.append((time.perf_counter() - started) * 1000)
    # The first run opens the connection and warms the statement cache.
    samples, cpu = samples[1:], cpu[1:]
    assert len(found.poles) == POLES and len(found.totals) == len(YEARS)
    assert len(group.poles) == 6
    print(
        f"network comparison, {POLES} poles × {len(YEARS)} years ({kind}): "
        f"p50 {statistics.median(samples):.1f} ms wall, {statistics.median(cpu):.1f} ms CPU, "
        f"max {max(samples):.1f} ms "
        f"over {RUNS} runs (load of {POLES * len(YEARS)} releases: {loaded:.1f} s); "
        f"with a peer group of 5: p50 {statistics.median(peers):.1f} ms wall"
    )


async def _run(postgres: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        await migrate.upgrade(url)
        db = Database(url)
        try:
            await _measure(db, "SQLite")
        finally:
            await db.dispose()
    if not postgres:
        return
    try:
        server = await PostgresServer.find()
    except PostgresUnavailable as exc:
        print(f"network comparison on PostgreSQL: skipped ({exc})")
        return
    try:
        urls = await server.create_database("maillage_bench_network")
        await migrate.upgrade(urls.owner)
        db = Database(urls.runtime, platform_url=urls.platform)
        try:
            await _measure(db, "PostgreSQL, as the network's role", role=NETWORK)
        finally:
            await db.dispose()
    finally:
        await server.close()


def run(postgres: bool = True) -> None:
    asyncio.run(_run(postgres))


if __name__ == "__main__":
    run()
