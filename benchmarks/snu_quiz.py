"""The SNU quiz under a room's worth of phones (printed by `make bench`, issue 19):

the real server (``maillage serve`` in a child process, over HTTP) on SQLite and on
PostgreSQL; one session whose « before » window is open with a cap of 250 answers; 300
answers posted in one minute by 20 concurrent clients, none with an account. Every answer
must be stored or refused by the rule — exactly 250 stored, 50 refused as « full » and
counted — and none lost: the tally of HTTP answers, the rows stored and the window's
counters must agree. Prints the tally and the latency p50 / p95 of an answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import func, select

from core.db import migrate
from core.plugins.host import PluginHost
from core.plugins.migrations import targets
from core.plugins.models import TenantPlugin
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.territory.loader import load_territory
from core.testing.postgres import PostgresServer, PostgresUnavailable
from plugins.snu_sessions import quiz
from plugins.snu_sessions.models import QuizResponse, QuizWindow, Session
from plugins.snu_sessions.vocabulary import DEFAULT_QUIZ, ItemKind

ANSWERS, CAP, CLIENTS, SECONDS = 300, 250, 20, 60.0
MAILLAGE = Path(sys.executable).with_name("maillage")


def _form() -> dict[str, str]:
    form = {"phase": "before"}
    for item in DEFAULT_QUIZ:
        form[item.key] = str(item.right if item.kind is ItemKind.KNOWLEDGE else 3)
    return form


async def _migrate(owner_url: str) -> None:
    """Core's and the plugins' tables (this one's among them), and the territory."""
    host = PluginHost.from_settings(Settings.from_env({}))
    await migrate.upgrade(owner_url, targets=targets(host))
    owner = Database(owner_url)
    try:
        async with owner.reference_session() as session:
            await load_territory(session)
            await session.commit()
    finally:
        await owner.dispose()


async def _prepare(db: Database) -> tuple[Tenant, str]:
    async with db.unscoped(reason="benchmark pole", actor="benchmarks") as session:
        tenant = Tenant(
            slug="bench-snu",
            name="Pôle de mesure",
            short_name="Mesure",
            operator="Mesure",
            departement_code="62",
        )
        session.add(tenant)
        await session.commit()
    now = dt.datetime.now(dt.UTC)
    async with db.session(tenant.id) as session:
        session.add(
            TenantPlugin(plugin="snu_sessions", enabled=True, enabled_at=now, source="admin")
        )
        row = Session(
            centre="Centre SNU de mesure",
            commune_insee="62193",
            starts_on=now.date(),
            ends_on=now.date(),
            methods=["quiz"],
            objectives=[],
        )
        session.add(row)
        await session.flush()
        opens = now - dt.timedelta(minutes=5)
        await quiz.schedule(
            session,
            row.id,
            before=quiz.WindowInput(opens, now + dt.timedelta(hours=1)),
            after=quiz.WindowInput(now + dt.timedelta(hours=1), now + dt.timedelta(hours=2)),
            cap=CAP,
            actor="benchmarks",
        )
        await session.commit()
        assert row.link_code is not None
        return tenant, row.link_code


def _serve(env: dict[str, str], workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    log = (workdir / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(MAILLAGE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"maillage serve did not start: {(workdir / 'serve.log').read_text()}")


async def _burst(base: str, path: str) -> tuple[Counter[int], list[float]]:
    """ANSWERS posts spread evenly over SECONDS, at most CLIENTS at once."""
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    gate = asyncio.Semaphore(CLIENTS)
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        start = time.perf_counter()

        async def one(n: int) -> None:
            await asyncio.sleep(max(0.0, start + n * SECONDS / ANSWERS - time.perf_counter()))
            async with gate:
                began = time.perf_counter()
                response = await client.post(path, data=_form())
                latencies.append(time.perf_counter() - began)
                statuses[response.status_code] += 1

        await asyncio.gather(*(one(n) for n in range(ANSWERS)))
    return statuses, latencies


async def _measure(label: str, env: dict[str, str], db: Database) -> None:
    tenant, code = await _prepare(db)
    with tempfile.TemporaryDirectory() as tmp:
        process, base = _serve(env, Path(tmp))
        try:
            started = time.perf_counter()
            statuses, latencies = await _burst(base, f"/p/{tenant.slug}/snu_sessions/{code}")
            elapsed = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    async with db.session(tenant.id) as session:
        stored = await session.scalar(select(func.count()).select_from(QuizResponse))
        window = await session.scalar(select(QuizWindow).where(QuizWindow.phase == "before"))
    assert window is not None
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    agree = (
        statuses[200] == stored == window.accepted == CAP
        and statuses[429] == window.refused_full == ANSWERS - CAP
        and sum(statuses.values()) == ANSWERS
    )
    print(
        f"SNU quiz ({label}): {ANSWERS} answers in {elapsed:.0f} s by {CLIENTS} clients, "
        f"{statuses[200]} stored, {statuses[429]} refused (cap {CAP}); rows {stored}, "
        f"window accepted {window.accepted}, refused {window.refused_full}: "
        f"{'none lost' if agree else 'MISMATCH'}; "
        f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )


def _env(**urls: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    return {**keep, "MAILLAGE_LOG_LEVEL": "WARNING", **urls}


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'snu.sqlite3'}"
        await _migrate(url)
        db = Database(url)
        try:
            await _measure("SQLite", _env(MAILLAGE_DATABASE_URL=url, MAILLAGE_VAR_DIR=tmp), db)
        finally:
            await db.dispose()
    try:
        server = await PostgresServer.find()
    except PostgresUnavailable as exc:
        print(f"SNU quiz (PostgreSQL): skipped, no server ({exc})")
        return
    try:
        urls = await server.create_database("maillage_bench")
        await _migrate(urls.owner)
        db = Database(urls.runtime, platform_url=urls.platform)
        try:
            env = _env(
                MAILLAGE_DATABASE_URL=urls.runtime,
                MAILLAGE_MIGRATION_DATABASE_URL=urls.owner,
                MAILLAGE_PLATFORM_DATABASE_URL=urls.platform,
            )
            await _measure("PostgreSQL", env, db)
        finally:
            await db.dispose()
            await server.drop_database(urls.database)
    finally:
        await server.close()


if __name__ == "__main__":
    asyncio.run(run())
