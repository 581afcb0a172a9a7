"""`python -m benchmarks`: measure the foundation on this machine and print the figures.

* territory load into a fresh SQLite database;
* commune search latency (p50 / p95) through the service;
* GraphQL requests per second in-process (real ASGI app, httpx transport);
* the tenant filter's cost: the same scoped query with the ORM wall on and off;
* authentication (benchmarks/auth.py): Argon2id, token verification, principal
  resolution, an authenticated request and its statement count;
* outreach (benchmarks/outreach.py): the session and event tables and a page of sessions
  for a pole with five years of sessions, on SQLite and PostgreSQL.
* kits (benchmarks/kits.py): the availability calendar of 50 kits with five years of
  loans, through GraphQL, on SQLite and PostgreSQL.
* handisitting (benchmarks/handisitting.py): ranking 500 sitters for one request,
  through GraphQL, on SQLite.
* the main list queries (benchmarks/lists.py) on generated data (benchmarks/generator.py):
  N poles × M children, SQL statements per request and latency, on SQLite and PostgreSQL.
* the SNU quiz (benchmarks/snu_quiz.py): 300 anonymous answers in one minute by 20
  concurrent clients over HTTP against a cap of 250, on SQLite and PostgreSQL;
* the network releases' protection (benchmarks/protection.py): 150 poles' releases of
  one year protected (primary and complementary suppression, LP audit);
* the network's release job (benchmarks/network_releases.py): 150 poles' 2025 releases
  prepared from their data as a pole's administrator does, and the comparison over 150
  poles × 5 years (benchmarks/network.py), with and without a peer group.
* with ``--compare`` instead (benchmarks/compare.py): maillage side by side with
  PostGraphile 4 and one hand-written SQL query on one PostgreSQL database
  (default 20 poles × 2000 children), and the dashboard query under load.

Options: ``--poles N --children M --db sqlite|postgres|both --runs K``; ``--lists-only``
skips the foundation figures; ``--pages-only`` measures the web app's pages alone;
``--no-analyze`` queries right after the bulk load;
``--compare [--load-seconds S]``; ``--protection-only`` prints the protection figure alone.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from benchmarks import auth as auth_bench
from benchmarks import compare as compare_bench
from benchmarks import handisitting as handisitting_bench
from benchmarks import kits as kits_bench
from benchmarks import lists as lists_bench
from benchmarks import network as network_bench
from benchmarks import network_releases as network_releases_bench
from benchmarks import outreach as outreach_bench
from benchmarks import protection as protection_bench
from benchmarks import report as report_bench
from benchmarks import snu_quiz as snu_quiz_bench
from core.app.app import create_app
from core.db import migrate
from core.domain.areas.models import ServiceArea
from core.domain.areas.service import upsert_area
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.territory.loader import load_territory
from core.territory.search import search_communes

QUERIES = ["chatel guyon", "saint", "bethune", "63200", "riom", "st etienne", "lens", "arras"]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def foundation() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        started = time.perf_counter()
        await migrate.upgrade(url)
        print(f"migrations from empty: {time.perf_counter() - started:.2f} s")

        db = Database(url)
        started = time.perf_counter()
        async with db.reference_session() as session:
            report = await load_territory(session)
            await session.commit()
        print(
            f"territory load: {time.perf_counter() - started:.2f} s "
            f"({report.counts['communes']} communes, {report.counts['postal_codes']} postal codes)"
        )

        samples = []
        async with db.reference_session() as session:
            for _ in range(25):
                for query in QUERIES:
                    t = time.perf_counter()
                    await search_communes(session, query, limit=20)
                    samples.append(time.perf_counter() - t)
        print(f"commune search (service, {len(samples)} queries): {_ms(samples)}")

        async with db.unscoped(reason="benchmark", actor="bench") as session:
            tenant = Tenant(
                slug="bench", name="Bench", short_name="B", operator="B", departement_code="62"
            )
            session.add(tenant)
            await session.commit()
        async with db.session(tenant.id) as session:
            for i in range(50):
                await upsert_area(session, name=f"Zone {i}", insee_codes=["62119", "62498"])
            await session.commit()
        for label, flag in (("on", True), ("off", False)):
            walled = Database(url, orm_tenant_filter=flag)
            samples = []
            async with walled.session(tenant.id) as session:
                for _ in range(300):
                    t = time.perf_counter()
                    (await session.execute(select(ServiceArea))).scalars().all()
                    samples.append(time.perf_counter() - t)
            await walled.dispose()
            print(f"scoped select of 50 rows, ORM tenant filter {label}: {_ms(samples)}")

        settings = Settings.from_env({"MAILLAGE_DATABASE_URL": url, "MAILLAGE_LOG_LEVEL": "ERROR"})
        app = create_app(settings, db)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            count, started = 0, time.perf_counter()
            while time.perf_counter() - started < 5:
                query = QUERIES[count % len(QUERIES)]
                response = await client.post(
                    "/graphql",
                    json={
                        "query": "query($q: String!) { communes(search: $q, first: 20) "
                        "{ totalCount edges { node { inseeCode name epci { name } } } } }",
                        "variables": {"q": query},
                    },
                )
                assert response.status_code == 200
                count += 1
            elapsed = time.perf_counter() - started
        print(f"GraphQL communes search in-process: {count / elapsed:.0f} requests/s (1 client)")
        await auth_bench.run(url, db, tenant)
        await outreach_bench.run(url, db, tenant)
        await db.dispose()
    await kits_bench.run()
    await report_bench.run()

    await snu_quiz_bench.run()

    await handisitting_bench.run()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--poles", type=int, help="poles generated (default 2; 20 with --compare)")
    parser.add_argument(
        "--children", type=int, default=2000, help="children per pole (default 2000)"
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--runs", type=int, help="requests timed per list (default 30; 40 with --compare)"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="maillage against PostGraphile 4 and raw SQL (benchmarks/compare.py) only",
    )
    parser.add_argument(
        "--load-seconds",
        type=float,
        default=15.0,
        help="duration of each load test of the dashboard query (default 15)",
    )
    parser.add_argument("--lists-only", action="store_true", help="skip the foundation figures")
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="only the web app's pages (benchmarks/pages.py) on the generated data",
    )
    parser.add_argument(
        "--protection-only",
        action="store_true",
        help="only the network releases' protection (benchmarks/protection.py)",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="query right after the bulk load, without planner statistics",
    )
    args = parser.parse_args(argv)
    args.poles = args.poles or (20 if args.compare else 2)
    args.runs = args.runs or (40 if args.compare else 30)
    if args.poles < 1 or args.children < 1 or args.runs < 1 or args.load_seconds <= 0:
        parser.error("--poles, --children, --runs and --load-seconds must be at least 1")
    return args


async def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.compare:
        await compare_bench.run(
            poles=args.poles,
            children=args.children,
            runs=args.runs,
            load_seconds=args.load_seconds,
            analyze=not args.no_analyze,
        )
        return
    if args.protection_only:
        protection_bench.run()
        return
    if not (args.lists_only or args.pages_only):
        await foundation()
        protection_bench.run()
        network_releases_bench.run()
        network_bench.run()
        print()
    await lists_bench.run(
        poles=args.poles,
        children=args.children,
        runs=args.runs,
        backends=["sqlite", "postgres"] if args.db == "both" else [args.db],
        analyze=not args.no_analyze,
        pages_only=args.pages_only,
    )


if __name__ == "__main__":
    asyncio.run(main())
