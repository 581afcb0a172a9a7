"""Where one request's CPU goes: a list query profiled in process (cProfile).

    python -m benchmarks.profile_request [--query compare|dashboard|nested|ids|families|
                                          children|requests|structures] [--children 500]
                                         [--runs 200] [--first 50] [--top 30] [--no-profile]
                                         [--page /] [--postgres]
                                         [--save FILE]

Builds the app with ``create_app`` on a throwaway SQLite file (``--postgres``: a database
on a private PostgreSQL cluster, as the runtime role) (1 pole × N children from
``generator.py``, then ``ANALYZE`` as the bench does), signs the pole's coordinator in as
``lists.py`` does, sends the query ``--runs`` times (or GETs the web app's page
``--page``, e.g. ``/``) through ``httpx.ASGITransport`` and prints the median CPU ms per
request (this process: app and SQLite), measured WITHOUT the profiler, then the same runs
under cProfile and the top of the profile by cumulative and by own time. Start here before
changing the data path (docs/decisions.md, 96).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import pstats
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from benchmarks.compare import DASHBOARD, MAILLAGE_NESTED, private_cluster
from benchmarks.generator import generate
from benchmarks.lists import CHILDREN as CHILDREN_QUERY
from benchmarks.lists import (
    FAMILIES,
    FOLLOW_UP_IDS,
    FOLLOW_UPS,
    REQUESTS,
    STRUCTURES,
    _settings,
    busiest_commune,
    prepare,
)
from core.app.app import create_app
from core.auth.models import User
from core.cli.serve import frozen_for_serving
from core.db import sql
from core.tenancy.database import Database
from core.testing.accounts import access_token

QUERIES = {
    # The comparison's nested list (run it with --first 100) and its dashboard.
    "compare": MAILLAGE_NESTED,
    "dashboard": DASHBOARD,
    "nested": FOLLOW_UPS,
    "ids": FOLLOW_UP_IDS,
    "families": FAMILIES,
    "children": CHILDREN_QUERY,
    "requests": REQUESTS,
    "structures": STRUCTURES,
}


@contextlib.asynccontextmanager
async def _database(postgres: bool) -> AsyncIterator[tuple[str, str, str]]:
    """The runtime, owner and platform URLs of a throwaway database, migrated: a SQLite
    file, or (``--postgres``) a database on a private PostgreSQL cluster with the
    production roles, as the comparison's (benchmarks.compare)."""
    if postgres:
        async with private_cluster() as (server, _postmaster):
            urls = await server.create_database("maillage_profile")
            await prepare(urls.owner)
            yield urls.runtime, urls.owner, urls.platform
        return
    with tempfile.TemporaryDirectory(prefix="maillage-profile-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'profile.sqlite3'}"
        await prepare(url)
        yield url, url, url


async def main(args: argparse.Namespace) -> None:
    async with _database(args.postgres) as (url, owner, platform):
        db = Database(url, platform_url=platform)
        try:
            (pole,) = await generate(db, poles=1, children=args.children)
            # The planner's statistics, as the bench has them (benchmarks.lists).
            if db.is_sqlite:
                async with db.engine.begin() as connection:
                    await connection.run_sync(sql.analyze)
            else:
                owner_db = Database(owner)
                async with owner_db.engine.begin() as connection:
                    await connection.exec_driver_sql("ANALYZE")
                await owner_db.dispose()
            # As `maillage serve` runs it: the app frozen out of the collector's sight.
            app = frozen_for_serving(create_app(_settings(url, owner, platform), db))
            async with db.reference_session() as session:
                user = (
                    await session.execute(select(User).where(User.id == pole.coordinator_id))
                ).scalar_one()
            token = await access_token(app.state.auth, user, pole.tenant)
            headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": pole.tenant.slug}
            variables: dict[str, Any] = {} if args.query == "dashboard" else {"first": args.first}
            if args.query == "children":
                variables["commune"] = await busiest_commune(db, pole)
            body = {"query": QUERIES[args.query], "variables": variables}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://p") as client:

                async def send() -> None:
                    if args.page is not None:
                        page = await client.get(args.page, headers=headers)
                        if page.status_code != 200:
                            raise RuntimeError(f"{args.page}: {page.status_code}")
                        return
                    response = await client.post("/graphql", json=body, headers=headers)
                    data = response.json()
                    if response.status_code != 200 or data.get("errors"):
                        raise RuntimeError(f"{response.status_code} {data}")

                for _ in range(5):  # warm-up: compiled statements, caches
                    await send()
                cpu = []
                for _ in range(args.runs):
                    started = time.process_time()
                    await send()
                    cpu.append(time.process_time() - started)
                what = f"page {args.page}" if args.page is not None else args.query
                print(
                    f"{what} (first: {args.first}, {args.children} children): "
                    f"CPU per request median {statistics.median(cpu) * 1000:.1f} ms, "
                    f"min {min(cpu) * 1000:.1f} ms over {args.runs} requests"
                )
                if args.no_profile:
                    return
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.runs):
                    await send()
                profiler.disable()
        finally:
            await db.dispose()
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler).strip_dirs()
    # Python function calls per request: exact and repeatable where CPU times move
    # with the machine's load (a shared machine): the figure to compare before/after.
    print(f"Python function calls per request: {stats.total_calls / args.runs:,.0f}")
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", choices=sorted(QUERIES), default="nested")
    parser.add_argument("--children", type=int, default=500)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true")
    # A page of the web app (a GET of its HTML, e.g. « / ») instead of --query.
    parser.add_argument("--page", default=None)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="a private PostgreSQL cluster as the runtime role (RLS forced), not SQLite",
    )
    parser.add_argument("--save", help="write the raw profile there (pstats), to read callers")
    asyncio.run(main(parser.parse_args()))
