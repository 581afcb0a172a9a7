"""The main list queries through the real app, on generated data (benchmarks/generator.py).

For each backend (SQLite file, PostgreSQL throwaway database with the production
roles: RLS on, runtime role without BYPASSRLS) the run

1. migrates, loads the territory, makes a signing key;
2. generates N poles × M children and times it;
3. signs in the first pole's coordinator (a real account and membership, an API
   session, a real access token) and sends each list query through the ASGI app;
4. counts the SQL statements of one request at two page sizes (a list whose count
   grows with the page size has an N+1) and times K requests (p50, p95).

A request's statements include the whole request: principal resolution (session,
account, membership), the per-transaction tenant setting on PostgreSQL and the audit
lines of the person records read.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, func, select

from benchmarks import pages as pages_bench
from benchmarks.generator import TODAY, GeneratedPole, generate
from core.app.app import create_app
from core.auth.config import AuthConfig
from core.auth.keys import ensure_key
from core.auth.models import User
from core.db import migrate, sql
from core.db.engine import make_engine
from core.domain.families.models import Family
from core.settings import Settings
from core.tenancy.database import Database
from core.territory.loader import load_territory
from core.testing.accounts import access_token
from core.testing.postgres import PostgresServer, PostgresUnavailable

# (name, query, page sizes compared for the statement count; None: not a paged list)
FOLLOW_UPS = """query($first: Int) { followUps(first: $first, statuses: ["open"]) {
  totalCount edges { node { id status { label } openedOn referent { displayName }
    child { firstName birthDate familyId needsProfile { label }
      structures { startsOn structure { name kindLabel commune { name } } }
      partners { partner { name } } }
    structures { name kindLabel commune { name epci { name } } contacts { lastName } }
    partners { name }
    interventions { kind { label } happenedOn durationMinutes staff { displayName }
      structure { name } notes } } } } }"""
# The same list asking for ids only: what the page costs when the client wants little.
FOLLOW_UP_IDS = """query($first: Int) { followUps(first: $first, statuses: ["open"]) {
  totalCount edges { node { id openedOn } } } }"""
FAMILIES = """query($first: Int) { families(first: $first) {
  totalCount edges { node { id name communeInsee
    guardians { firstName lastName relationshipLabel phone }
    consents { purposeLabel active givenAt }
    children { firstName age needsProfile { label } } } } } }"""
CHILDREN = """query($first: Int, $commune: String) {
  families(first: $first, communeInsee: $commune) { totalCount edges { node { name
    children { id firstName birthDate ageBracket { label } needs needsProfile { label }
      structures { startsOn structure { name commune { name } organisation { name } } }
      partners { startsOn partner { name kindLabel } } } } } } }"""
REQUESTS = """query($first: Int) { requests(first: $first) {
  totalCount edges { node { id receivedOn channel { label } requesterKind { label }
    requesterName subjects { label } description status { label } assignedTo { displayName }
  } } } }"""
STRUCTURES = """query($first: Int) { structures(search: "les", first: $first) {
  totalCount edges { node { id name kindLabel capacity ageMinMonths ageMaxMonths
    commune { name postalCodes epci { name } departement { name } } organisation { name }
    contacts { firstName lastName function phone } } } } }"""
TASKS = f"""{{ tasks(on: "{TODAY.isoformat()}") {{
  key kind {{ label }} dueOn overdueDays title assignee {{ displayName }} }} }}"""
MY_TASKS = f"""{{ tasks(on: "{TODAY.isoformat()}", mine: true) {{
  key kind {{ label }} dueOn overdueDays title }} }}"""
ACTIVITY = """{ activityByStaff(start: "2025-11-01", end: "2026-11-01") {
  staff { displayName } interventions minutes travelKm followUps } }"""


@dataclass(frozen=True)
class ListQuery:
    name: str
    query: str
    # Page sizes: statements are counted at both (they must be equal), latency at the last.
    pages: tuple[int, int] | None
    variables: dict[str, Any] | None = None


@dataclass
class Figure:
    backend: str
    name: str
    rows: tuple[int, ...]
    statements: tuple[int, ...]
    p50_ms: float
    p95_ms: float
    # CPU time of this process (app and, on SQLite, the database) per request: less
    # sensitive than wall time to other work on the machine.
    cpu_ms: float

    @property
    def grows(self) -> bool:
        return len(set(self.statements)) > 1


def list_queries(commune: str) -> list[ListQuery]:
    return [
        ListQuery("followUps (open, nested)", FOLLOW_UPS, (10, 50)),
        ListQuery("followUps (open, ids only)", FOLLOW_UP_IDS, (10, 50)),
        ListQuery("families", FAMILIES, (10, 50)),
        ListQuery("children (families of a commune)", CHILDREN, (10, 50), {"commune": commune}),
        ListQuery("requests", REQUESTS, (10, 50)),
        ListQuery("structures (search)", STRUCTURES, (10, 50)),
        ListQuery("tasks (pole)", TASKS, None),
        ListQuery("tasks (mine)", MY_TASKS, None),
        ListQuery("activityByStaff (1 year)", ACTIVITY, None),
    ]


@dataclass
class Backend:
    kind: str
    db: Database
    settings: Settings
    owner_url: str

    async def analyze(self) -> None:
        """Planner statistics, as autovacuum would have them after a bulk load."""
        engine = make_engine(self.owner_url)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(sql.analyze)
        finally:
            await engine.dispose()


@contextlib.asynccontextmanager
async def sqlite_backend() -> AsyncIterator[Backend]:
    with tempfile.TemporaryDirectory(prefix="maillage-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        await prepare(url)
        db = Database(url)
        try:
            yield Backend("sqlite", db, _settings(url, url, url), url)
        finally:
            await db.dispose()


@contextlib.asynccontextmanager
async def postgres_backend() -> AsyncIterator[Backend]:
    """A throwaway database on the test server (MAILLAGE_TEST_POSTGRES_URL, else
    127.0.0.1:5432), with the production roles; dropped at the end."""
    server = await PostgresServer.find()
    try:
        urls = await server.create_database("maillage_bench")
        await prepare(urls.owner)
        db = Database(urls.runtime, platform_url=urls.platform)
        try:
            settings = _settings(urls.runtime, urls.owner, urls.platform)
            yield Backend("postgres", db, settings, urls.owner)
        finally:
            await db.dispose()
    finally:
        await server.close()


def _settings(runtime: str, owner: str, platform: str) -> Settings:
    return Settings.from_env(
        {
            "MAILLAGE_DATABASE_URL": runtime,
            "MAILLAGE_MIGRATION_DATABASE_URL": owner,
            "MAILLAGE_PLATFORM_DATABASE_URL": platform,
            "MAILLAGE_LOG_LEVEL": "ERROR",
        }
    )


async def prepare(owner_url: str) -> None:
    await migrate.upgrade(owner_url)
    db = Database(owner_url)
    try:
        async with db.reference_session() as session:
            await load_territory(session)
            await ensure_key(session, AuthConfig.from_settings(Settings()))
            await session.commit()
    finally:
        await db.dispose()


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(round(len(ordered) * q) - 1, 0)]


class StatementCounter:
    """SQL statements sent on the app's engines (before_cursor_execute)."""

    def __init__(self, db: Database) -> None:
        self.engines = {id(e): e for e in (db.engine, db.platform_engine)}.values()
        self.count = 0

    def _seen(self, *_args: Any, **_kw: Any) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        for engine in self.engines:
            event.listen(engine.sync_engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: Any) -> None:
        for engine in self.engines:
            event.remove(engine.sync_engine, "before_cursor_execute", self._seen)


async def measure(
    backend: Backend, pole: GeneratedPole, queries: list[ListQuery], runs: int
) -> list[Figure]:
    app = create_app(backend.settings, backend.db)
    async with backend.db.reference_session() as session:
        coordinator = (
            await session.execute(select(User).where(User.id == pole.coordinator_id))
        ).scalar_one()
    token = await access_token(app.state.auth, coordinator, pole.tenant)
    headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": pole.tenant.slug}
    figures = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def send(item: ListQuery, first: int | None) -> dict[str, Any]:
            variables = {**(item.variables or {}), **({"first": first} if first else {})}
            response = await client.post(
                "/graphql", json={"query": item.query, "variables": variables}, headers=headers
            )
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                raise RuntimeError(f"{item.name}: {response.status_code} {body}")
            return body["data"]  # type: ignore[no-any-return]

        for item in queries:
            sizes: tuple[int | None, ...] = item.pages or (None,)
            await send(item, sizes[-1])  # warm-up: compiled statements, pool
            statements, rows = [], []
            for size in sizes:
                with StatementCounter(backend.db) as counter:
                    data = await send(item, size)
                statements.append(counter.count)
                (value,) = data.values()
                rows.append(len(value["edges"]) if isinstance(value, dict) else len(value))
            samples, cpu = [], []
            for _ in range(runs):
                started, cpu_started = time.perf_counter(), time.process_time()
                await send(item, sizes[-1])
                samples.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
            figures.append(
                Figure(
                    backend.kind,
                    item.name,
                    tuple(rows),
                    tuple(statements),
                    statistics.median(samples) * 1000,
                    _percentile(samples, 0.95) * 1000,
                    statistics.median(cpu) * 1000,
                )
            )
    return figures


def table(figures: list[Figure]) -> str:
    head = ("backend", "list", "rows", "SQL/request", "p50 ms", "p95 ms", "CPU ms")
    lines = [
        (
            f.backend,
            f.name,
            " / ".join(str(r) for r in f.rows),
            " / ".join(str(s) for s in f.statements) + ("  GROWS" if f.grows else ""),
            f"{f.p50_ms:.1f}",
            f"{f.p95_ms:.1f}",
            f"{f.cpu_ms:.1f}",
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]
    out = [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [head, *lines]
    ]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


async def run_backend(
    kind: str,
    *,
    poles: int,
    children: int,
    runs: int,
    analyze: bool = True,
    pages_only: bool = False,
) -> list[Figure]:
    opener = sqlite_backend if kind == "sqlite" else postgres_backend
    async with opener() as backend:
        started = time.perf_counter()
        made = await generate(backend.db, poles=poles, children=children)
        elapsed = time.perf_counter() - started
        rows = sum(sum(p.counts.values()) for p in made)
        print(
            f"[{kind}] generated {poles} pole(s) × {children} children: {rows} rows "
            f"in {elapsed:.1f} s ({rows / elapsed:.0f} rows/s)"
        )
        if analyze:
            started = time.perf_counter()
            await backend.analyze()
            print(f"[{kind}] ANALYZE: {time.perf_counter() - started:.1f} s")
        pole = made[0]
        commune = await busiest_commune(backend.db, pole)
        figures = [] if pages_only else await measure(backend, pole, list_queries(commune), runs)
        shown = await pages_bench.measure(backend, pole, runs)
        print(
            f"\n[{kind}] Pages of the web app as the coordinator of pole 1, {runs} requests "
            f"each; SQL/page (the follow-up with 10 / 50 interventions):"
        )
        print(pages_bench.table(shown))
        return figures


async def busiest_commune(db: Database, pole: GeneratedPole) -> str:
    """The commune with the most families in the pole (the children list filters on it)."""
    async with db.session(pole.tenant.id) as session:
        row = (
            await session.execute(
                select(Family.commune_insee)
                .group_by(Family.commune_insee)
                .order_by(func.count().desc(), Family.commune_insee)
                .limit(1)
            )
        ).first()
    assert row is not None
    return str(row[0])


async def run(
    *,
    poles: int,
    children: int,
    runs: int,
    backends: list[str],
    analyze: bool = True,
    pages_only: bool = False,
) -> list[Figure]:
    figures: list[Figure] = []
    for kind in backends:
        try:
            figures += await run_backend(
                kind,
                poles=poles,
                children=children,
                runs=runs,
                analyze=analyze,
                pages_only=pages_only,
            )
        except PostgresUnavailable as exc:
            print(f"[{kind}] skipped: no PostgreSQL server ({exc})")
    if pages_only:
        return figures
    print(
        f"\nList queries as the coordinator of pole 1 ({children} children), "
        f"{runs} requests each; SQL/request at page sizes 10 / 50"
        + ("" if analyze else " (no ANALYZE after the load)")
        + ":"
    )
    print(table(figures))
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"(load average at the end: {load} on {os.cpu_count()} CPUs)")
    growing = [f for f in figures if f.grows]
    if growing:
        print("N+1 suspects (statements grow with the page): " + ", ".join(f.name for f in growing))
    return figures
