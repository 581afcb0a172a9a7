"""Where a real server's CPU goes under load: ``maillage serve --workers N`` alone, on a
private PostgreSQL cluster, the dashboard (or another query) sent by keep-alive clients.

    python -m benchmarks.profile_load [--poles 2] [--children 2000] [--workers 2]
                                      [--clients 32] [--seconds 15] [--query dashboard|nested|ids]
                                      [--py-spy FOLDER]

The harness is the comparison's (benchmarks/compare.py: the cluster, the generator, the
client, the CPU readings from /proc), without PostGraphile: requests/s, p95, the workers'
and the cluster's CPU per request, and how many connections each worker holds a few
seconds in (``ss``). ``--py-spy FOLDER`` samples every worker with py-spy (``pip install
py-spy``: not a dependency) into ``FOLDER/worker-N.txt`` (collapsed stacks), the way
decisions 195 and 217 found where the time goes; the in-process profile
(``profile_request``) misses the server's own costs (the event loop, the sockets, the
collector, the connections' spread over the workers).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import asyncpg

from benchmarks import compare
from benchmarks.generator import generate
from benchmarks.lists import prepare
from core.tenancy.database import Database

QUERIES = {"dashboard": compare.DASHBOARD, "nested": compare.MAILLAGE_NESTED}


def connections_per_worker(port: int) -> dict[str, int]:
    out = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return dict(collections.Counter(re.findall(r"pid=(\d+)", out)))


async def main(args: argparse.Namespace) -> None:
    async with compare.private_cluster() as (server, postmaster):
        urls = await server.create_database("maillage_load")
        await prepare(urls.owner)
        db = Database(urls.runtime, platform_url=urls.platform)
        admin = await asyncpg.connect(compare._dsn(urls.admin))
        try:
            pole = (await generate(db, poles=args.poles, children=args.children))[0]
            await admin.execute("ANALYZE")
            await admin.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            token = await compare.signed_in_token(urls, pole, db)
        finally:
            await db.dispose()
            await admin.close()
        port = compare._free_port()
        maillage = str(Path(sys.executable).with_name("maillage"))
        argv = [maillage, "serve", "--workers", str(args.workers), "--port", str(port)]
        with compare._spawn(argv, compare.maillage_env(urls), compare.ROOT) as process:
            headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": pole.tenant.slug}
            queries = {"ids": compare.MAILLAGE_IDS, "dashboard": QUERIES[args.query]}
            target = compare.Server(
                "maillage", process, port, headers, queries, compare.normalise_maillage
            )
            await compare._until_up(target)
            # Warm-up with every client: the pools open their connections before the count.
            await compare.load(target, args.clients, 2.0)
            spies = _spies(args, target.workers())
            cluster = compare.cpu_seconds(compare.descendants(postmaster))

            async def spread() -> dict[str, int]:
                await asyncio.sleep(min(3.0, args.seconds / 2))
                return connections_per_worker(port)

            seen = asyncio.create_task(spread())
            await _reset_statements(urls.admin)
            before = set(compare.descendants(postmaster))
            born: set[int] = set()
            watching = asyncio.create_task(_backends(postmaster, before, born))
            result = await compare.load(target, args.clients, args.seconds)
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
            opened = len(born)
            postgres = compare.cpu_spent(
                cluster, compare.cpu_seconds(compare.descendants(postmaster))
            )
            for spy in spies:
                spy.wait()
            if args.statements:
                await _print_statements(urls.admin, len(result.latencies))
        latencies = sorted(result.latencies)
        p95 = latencies[int(len(latencies) * 0.95)] if latencies else 0.0
        print(
            f"{args.query}, {args.clients} clients, {args.workers} workers: "
            f"{result.rate:.0f} requests/s, p95 {p95 * 1000:.0f} ms, {result.errors} errors; "
            f"CPU per request: workers {result.server_cpu * 1000:.2f} ms, PostgreSQL "
            f"{postgres / max(len(latencies), 1) * 1000:.2f} ms; connections per worker "
            f"{sorted((await seen).values(), reverse=True)}; database connections opened "
            f"during the load {opened}"
        )


async def _reset_statements(admin_url: str) -> None:
    admin = await asyncpg.connect(compare._dsn(admin_url))
    try:
        await admin.execute("SELECT pg_stat_statements_reset()")
    finally:
        await admin.close()


async def _print_statements(admin_url: str, requests: int) -> None:
    """PostgreSQL's own account of the load (``pg_stat_statements``, reset just before
    it): per statement, calls per request and the
    server's time per call, the costliest first."""
    admin = await asyncpg.connect(compare._dsn(admin_url))
    try:
        rows = await admin.fetch(
            "SELECT calls, total_exec_time, total_plan_time, query FROM pg_stat_statements "
            "ORDER BY total_exec_time + total_plan_time DESC LIMIT 12"
        )
    finally:
        await admin.close()
    for row in rows:
        query = " ".join(row["query"].split())
        print(
            f"{row['calls'] / max(requests, 1):6.2f}/request "
            f"{(row['total_exec_time'] + row['total_plan_time']) / row['calls']:7.3f} ms "
            f"{query[:160]}"
        )


async def _backends(postmaster: int, before: set[int], born: set[int]) -> None:
    """The cluster's processes that were not there before the load, looked for every
    20 ms into ``born``: a pool that keeps its connections opens none (a backend that
    lives a few ms may be missed; the figure is a floor)."""
    while True:
        born.update(set(compare.descendants(postmaster)) - before)
        await asyncio.sleep(0.02)


def _spies(args: argparse.Namespace, workers: list[int]) -> list[subprocess.Popen[bytes]]:
    if args.py_spy is None:
        return []
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    folder = Path(args.py_spy)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                spy,
                "record",
                "-p",
                str(pid),
                "-d",
                str(int(args.seconds)),
                "-f",
                "raw",
                "-r",
                "200",
                "--nonblocking",
                "-o",
                str(folder / f"worker-{index}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for index, pid in enumerate(workers)
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poles", type=int, default=2)
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--query", choices=sorted(QUERIES), default="dashboard")
    parser.add_argument(
        "--statements", action="store_true", help="print PostgreSQL's costliest statements"
    )
    parser.add_argument("--py-spy", dest="py_spy", help="sample the workers into this folder")
    asyncio.run(main(parser.parse_args()))
