"""maillage's API side by side with PostGraphile 4 and one hand-written SQL query
(``python -m benchmarks --compare``; part of ``make bench``).

One run, one database, the same data (benchmarks/generator.py), the same role:

* a private PostgreSQL cluster (initdb in a temporary folder, ``pg_stat_statements``
  preloaded so that statements are counted by the server itself) with a database
  holding the production roles: the three contenders connect as ``maillage_app``
  (owns nothing, no BYPASSRLS, RLS forced on every tenant table);
* ``maillage serve --workers 2`` and PostGraphile 4 (benchmarks/postgraphile/, from the
  npm registry) in two node:cluster processes, each transaction of either one scoped to
  the pole by ``set_config('app.tenant_id', …, true)``; the raw SQL query runs through
  asyncpg in a transaction that sets the same;
* the three answer "100 follow-ups → child, structures, interventions" with the same
  JSON (checked before anything is timed: ``equivalent``), then are timed interleaved
  (one request of each in turn, the order rotating), then the dashboard query is fired
  by 32 and 200 concurrent clients at each server.

Printed: medians and p95, server CPU per request (the server's processes, from
/proc), PostgreSQL CPU per request (the cluster's processes), SQL statements per
request (pg_stat_statements' calls), the ratios, throughput under load with its
latency and errors, the workers' resident memory, and each target of issue 14
with PASS or FAIL beside the measured figure.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import select

from benchmarks.generator import GeneratedPole, generate
from benchmarks.lists import prepare
from core.app.app import create_app
from core.auth.models import User
from core.db import sql
from core.settings import Settings
from core.tenancy.database import Database
from core.testing.accounts import access_token
from core.testing.postgres import PgUrls, PostgresServer, PostgresUnavailable, ThrowawayCluster

ROOT = Path(__file__).resolve().parents[1]
POSTGRAPHILE_DIR = ROOT / "benchmarks" / "postgraphile"
DASHBOARD = (ROOT / "graphql" / "operations" / "Dashboard.graphql").read_text(encoding="utf-8")
WORKERS = 2
# Each maillage worker's runtime pool: pool_size 20 + max_overflow 10 (core/db/engine.py);
# PostGraphile's pg.Pool gets as many per process.
POOL_SIZE = 20
TICK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# -- the nested list, three ways ----------------------------------------------------------

MAILLAGE_NESTED = """query($first: Int) { followUps(first: $first) { edges { node {
  id openedOn status { value }
  child { id firstName birthDate }
  structures { id name }
  interventions { id happenedOn durationMinutes kind { value } } } } } }"""
MAILLAGE_IDS = "query($first: Int) { followUps(first: $first) { edges { node { id } } } }"
# PostGraphile names fields after the tables and foreign keys (inflection of v4); its
# `id` is the column (the global identifier is `nodeId`). Same order as maillage's
# list: opened_on desc, id desc; interventions on their timeline.
POSTGRAPHILE_NESTED = """query($first: Int) {
  allFollowUps(first: $first, orderBy: [OPENED_ON_DESC, ID_DESC]) { nodes {
    id openedOn status
    childByTenantIdAndChildId { id firstName birthDate }
    followUpStructuresByTenantIdAndFollowUpId {
      nodes { structureByTenantIdAndStructureId { id name } } }
    interventionsByTenantIdAndFollowUpId(orderBy: [HAPPENED_ON_ASC, ID_ASC]) {
      nodes { id happenedOn durationMinutes kind } } } } }"""
POSTGRAPHILE_IDS = """query($first: Int) {
  allFollowUps(first: $first, orderBy: [OPENED_ON_DESC, ID_DESC]) { nodes { id } } }"""
POSTGRAPHILE_DASHBOARD = """query Dashboard {
  openFollowUps: allFollowUps(condition: {status: "open"}, first: 10,
      orderBy: [OPENED_ON_DESC, ID_DESC]) {
    totalCount nodes { id openedOn childByTenantIdAndChildId { firstName }
      userByReferentUserId { displayName } } }
  newRequests: allRequests(condition: {status: "new"}, first: 10,
      orderBy: [RECEIVED_ON_DESC, ID_DESC]) {
    totalCount nodes { id receivedOn requesterName status } } }"""
RAW_NESTED = """
SELECT coalesce(json_agg(json_build_object(
    'id', f.id, 'openedOn', f.opened_on, 'status', f.status,
    'child', (SELECT json_build_object('id', c.id, 'firstName', c.first_name,
                                       'birthDate', c.birth_date)
              FROM children c WHERE c.id = f.child_id),
    'structures', (SELECT coalesce(json_agg(json_build_object('id', s.id, 'name', s.name)
                                            ORDER BY s.id), '[]')
                   FROM follow_up_structures fs JOIN structures s ON s.id = fs.structure_id
                   WHERE fs.follow_up_id = f.id),
    'interventions', (SELECT coalesce(json_agg(json_build_object(
                          'id', i.id, 'happenedOn', i.happened_on,
                          'durationMinutes', i.duration_minutes, 'kind', i.kind)
                        ORDER BY i.happened_on, i.id), '[]')
                      FROM interventions i WHERE i.follow_up_id = f.id))
  ORDER BY f.opened_on DESC, f.id DESC), '[]')
FROM (SELECT * FROM follow_ups ORDER BY opened_on DESC, id DESC LIMIT $1) f
"""


def _uuid(value: str) -> str:
    """A row's uuid from maillage's global id (base64 of ``Type:uuid``) or a plain one."""
    with contextlib.suppress(ValueError):
        return str(uuid.UUID(value))
    return str(uuid.UUID(base64.b64decode(value).decode().rpartition(":")[2]))


def _follow_up(
    id_: str, opened: str, status: str, child: dict[str, Any], structures: list[Any], steps: Any
) -> dict[str, Any]:
    return {
        "id": _uuid(id_),
        "openedOn": opened,
        "status": status,
        "child": {
            "id": _uuid(child["id"]),
            "firstName": child["firstName"],
            "birthDate": child["birthDate"],
        },
        "structures": sorted((_uuid(s["id"]), s["name"]) for s in structures),
        "interventions": [
            (_uuid(i["id"]), i["happenedOn"], i["durationMinutes"], i["kind"]) for i in steps
        ],
    }


def normalise_maillage(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        _follow_up(
            n["id"],
            n["openedOn"],
            n["status"]["value"],
            n["child"],
            n["structures"],
            [{**i, "kind": i["kind"]["value"]} for i in n["interventions"]],
        )
        for n in (e["node"] for e in data["followUps"]["edges"])
    ]


def normalise_postgraphile(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        _follow_up(
            n["id"],
            n["openedOn"],
            n["status"],
            n["childByTenantIdAndChildId"],
            [
                s["structureByTenantIdAndStructureId"]
                for s in n["followUpStructuresByTenantIdAndFollowUpId"]["nodes"]
            ],
            n["interventionsByTenantIdAndFollowUpId"]["nodes"],
        )
        for n in data["allFollowUps"]["nodes"]
    ]


def normalise_raw(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        _follow_up(
            r["id"], r["openedOn"], r["status"], r["child"], r["structures"], r["interventions"]
        )
        for r in rows
    ]


# -- processes: CPU and memory from /proc --------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()  # fields from the state on (the name may hold spaces)


def descendants(root: int) -> list[int]:
    """``root`` and every process below it (parent links read from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            parents[int(entry)] = int(fields[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU of each live process."""
    out = {}
    for pid in pids:
        if (fields := _stat(pid)) is not None:
            out[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(v - before.get(pid, 0.0) for pid, v in after.items())


def rss_mb(pid: int) -> float:
    fields = _stat(pid)
    return int(fields[21]) * PAGE_SIZE / 2**20 if fields else 0.0


# -- the private cluster -------------------------------------------------------------------


@contextlib.asynccontextmanager
async def private_cluster() -> AsyncIterator[tuple[PostgresServer, int]]:
    """A throwaway cluster with pg_stat_statements preloaded; yields the server (to
    make databases with the production roles) and the postmaster's pid."""
    try:
        cluster = await asyncio.to_thread(ThrowawayCluster)
    except (PostgresUnavailable, subprocess.CalledProcessError, OSError) as exc:
        raise PostgresUnavailable(f"no private cluster: {exc}") from exc
    server = PostgresServer(cluster.url, cluster)
    try:
        admin = await asyncpg.connect(_dsn(cluster.url.render_as_string(hide_password=False)))
        try:
            await admin.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
            # Both servers' pools (2 processes × 20 each, plus maillage's platform pools).
            await admin.execute("ALTER SYSTEM SET max_connections = 300")
        finally:
            await admin.close()
        data = cluster.dir / "data"
        # -l: the server's output to the cluster's log, not to pg_ctl's (captured) pipe.
        restart = [cluster.pg_ctl, "-D", str(data), "-l", str(cluster.dir / "log"), "-w", "restart"]
        await asyncio.to_thread(cluster._run, restart)
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        yield server, postmaster
    finally:
        await server.close()


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


# -- HTTP: a minimal keep-alive client (cheap enough not to starve the servers) -------------


class Connection:
    """One HTTP/1.1 keep-alive connection: POST a body, read the status and body."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        try:
            return await self._post(path, body, headers)
        except BaseException:
            self.close()
            raise

    async def _post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        status = int((await reader.readline()).split()[1])
        length, chunked, close = 0, False, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value
            elif name == "connection":
                close = value == "close"
        if chunked:
            parts = []
            while size := int((await reader.readline()).split(b";")[0], 16):
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            data = b"".join(parts)
        else:
            data = await reader.readexactly(length)
        if close:
            self.close()
        return status, data


class GraphQLFailed(RuntimeError):
    pass


@dataclass
class Server:
    """A GraphQL server under test: its process tree, port, headers and queries."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    headers: dict[str, str]
    queries: dict[str, str]
    normalise: Callable[[dict[str, Any]], list[dict[str, Any]]]
    connection: Connection = field(init=False)

    def __post_init__(self) -> None:
        self.connection = Connection(self.port)

    def pids(self) -> list[int]:
        return descendants(self.process.pid)

    def workers(self) -> list[int]:
        """The serving processes: the children of the supervisor (or itself, alone)."""
        children = [p for p in self.pids() if p != self.process.pid]
        big = sorted(children, key=rss_mb, reverse=True)[:WORKERS]
        return big or [self.process.pid]

    def body(self, kind: str, first: int | None = None) -> bytes:
        variables = {} if first is None else {"first": first}
        return json.dumps({"query": self.queries[kind], "variables": variables}).encode()

    async def ask(self, kind: str, first: int | None = None, conn: Connection | None = None) -> Any:
        status, data = await (conn or self.connection).post(
            "/graphql", self.body(kind, first), self.headers
        )
        answer = json.loads(data)
        if status != 200 or answer.get("errors"):
            raise GraphQLFailed(f"{self.name} {kind}: {status} {data[:500]!r}")
        return answer["data"]


@dataclass
class RawSql:
    """The hand-written query, through asyncpg as the runtime role, in a transaction
    scoped to the pole like the servers' (set_config(..., true))."""

    connection: asyncpg.Connection
    tenant_id: str
    name: str = "raw SQL"

    async def ask(self, first: int) -> list[dict[str, Any]]:
        async with self.connection.transaction():
            await self.connection.execute(
                "SELECT set_config($1, $2, true)", sql.TENANT_SETTING, self.tenant_id
            )
            text = await self.connection.fetchval(RAW_NESTED, first)
        return json.loads(text)  # type: ignore[no-any-return]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _until_up(server: Server, deadline: float = 90.0) -> None:
    started = time.monotonic()
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} stopped at start (exit {server.process.returncode})")
        try:
            await server.ask("ids", 1, Connection(server.port))
            return
        except (OSError, GraphQLFailed, ValueError, IndexError, asyncio.IncompleteReadError):
            if time.monotonic() - started > deadline:
                raise
            await asyncio.sleep(0.3)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def _spawn(argv: list[str], env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    # Own process group: stopping it stops the workers too, and nothing else. The output
    # goes to a file, not a pipe: a server logging errors under load must never block on
    # a pipe nobody reads.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            argv,
            env={**os.environ, **env},
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            failed = process.poll() is not None
            _stop(process)
            if failed:  # it stopped by itself: say why
                log.seek(0)
                sys.stderr.write(log.read().decode(errors="replace")[-3000:])


def maillage_env(urls: PgUrls) -> dict[str, str]:
    return {
        "MAILLAGE_DATABASE_URL": urls.runtime,
        "MAILLAGE_MIGRATION_DATABASE_URL": urls.owner,
        "MAILLAGE_PLATFORM_DATABASE_URL": urls.platform,
        "MAILLAGE_LOG_LEVEL": "ERROR",
        # A token signed once has to outlive the whole run.
        "MAILLAGE_ACCESS_TOKEN_SECONDS": "3600",
    }


def node_binary() -> str | None:
    return shutil.which("node")


@contextlib.asynccontextmanager
async def servers(urls: PgUrls, pole: GeneratedPole, token: str) -> AsyncIterator[list[Server]]:
    """maillage (2 uvicorn workers) and PostGraphile (2 node processes), both as the
    runtime role; stopped at the end."""
    node = node_binary()
    if node is None or not (POSTGRAPHILE_DIR / "node_modules" / "postgraphile").is_dir():
        raise RuntimeError(
            "PostGraphile absent: `npm ci --prefix benchmarks/postgraphile` (make bench le fait)"
        )
    maillage_port, postgraphile_port = _free_port(), _free_port()
    maillage_cli = str(Path(sys.executable).with_name("maillage"))
    argv = [maillage_cli, "serve", "--workers", str(WORKERS), "--port", str(maillage_port)]
    with (
        _spawn(argv, maillage_env(urls), ROOT) as maillage_process,
        _spawn(
            [node, "server.js"],
            {
                "DATABASE_URL": _dsn(urls.runtime),
                "PORT": str(postgraphile_port),
                "WORKERS": str(WORKERS),
                "POOL_SIZE": str(POOL_SIZE),
                "NODE_ENV": "production",
            },
            POSTGRAPHILE_DIR,
        ) as postgraphile_process,
    ):
        found = [
            Server(
                "maillage",
                maillage_process,
                maillage_port,
                {"authorization": f"Bearer {token}", "x-maillage-tenant": pole.tenant.slug},
                {"nested": MAILLAGE_NESTED, "ids": MAILLAGE_IDS, "dashboard": DASHBOARD},
                normalise_maillage,
            ),
            Server(
                "PostGraphile",
                postgraphile_process,
                postgraphile_port,
                {"x-tenant-id": str(pole.tenant.id)},
                {
                    "nested": POSTGRAPHILE_NESTED,
                    "ids": POSTGRAPHILE_IDS,
                    "dashboard": POSTGRAPHILE_DASHBOARD,
                },
                normalise_postgraphile,
            ),
        ]
        try:
            await asyncio.gather(*(_until_up(s) for s in found))
            yield found
        finally:
            for server in found:
                server.connection.close()


# -- measurements -------------------------------------------------------------------------


class StatementCounts:
    """SQL statements the server executed (pg_stat_statements' calls, top level,
    BEGIN/COMMIT and set_config included) for the runtime and platform roles: one
    request between a reset and a read."""

    def __init__(self, admin: asyncpg.Connection, database: str) -> None:
        self.admin = admin
        self.database = database

    async def of(self, request: Callable[[], Awaitable[Any]]) -> int:
        await self.admin.execute("SELECT pg_stat_statements_reset()")
        await request()
        await asyncio.sleep(0.2)  # a statement is counted when its backend finishes it
        return int(
            await self.admin.fetchval(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s "
                "JOIN pg_database d ON d.oid = s.dbid JOIN pg_roles r ON r.oid = s.userid "
                "WHERE d.datname = $1 AND r.rolname <> current_user",
                self.database,
            )
        )


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(round(len(ordered) * q) - 1, 0)]


@dataclass
class Latency:
    name: str
    samples: list[float] = field(default_factory=list)
    server_cpu: float | None = None  # seconds per request
    database_cpu: list[float] = field(default_factory=list)
    statements: dict[str, int] = field(default_factory=dict)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples, 0.95) * 1000


async def interleaved(
    servers_: list[Server], raw: RawSql, postmaster: int, runs: int, first: int
) -> list[Latency]:
    """``runs`` requests of each, one of each in turn (the order rotating), wall time
    and the PostgreSQL processes' CPU around each; the servers' CPU over the batch."""
    calls: list[tuple[Latency, Callable[[], Awaitable[Any]]]] = [
        (Latency(s.name), lambda s=s: s.ask("nested", first)) for s in servers_
    ] + [(Latency(raw.name), lambda: raw.ask(first))]
    database = descendants(postmaster)
    before = [cpu_seconds(s.pids()) for s in servers_]
    for run in range(runs):
        shift = run % len(calls)
        for figure, call in calls[shift:] + calls[:shift]:
            cpu = cpu_seconds(database)
            started = time.perf_counter()
            await call()
            figure.samples.append(time.perf_counter() - started)
            figure.database_cpu.append(cpu_spent(cpu, cpu_seconds(database)))
    for (figure, _), server, cpu in zip(calls, servers_, before, strict=False):
        figure.server_cpu = cpu_spent(cpu, cpu_seconds(server.pids())) / runs
    return [figure for figure, _ in calls]


@dataclass
class Load:
    name: str
    clients: int
    seconds: float
    latencies: list[float]  # of every request, answered or failed (a failure is slow too)
    errors: int
    first_error: str
    server_cpu: float
    rss_mb: list[float]

    @property
    def rate(self) -> float:
        """Requests answered without error per second."""
        return (len(self.latencies) - self.errors) / self.seconds


async def load(server: Server, clients: int, seconds: float, patience: float = 10.0) -> Load:
    """``clients`` connections each sending the dashboard query back to back for
    ``seconds`` (closed loop); an error is a failed connection, a status other than
    200, an answer with GraphQL errors, or no answer within ``patience`` seconds."""
    body = server.body("dashboard")
    latencies: list[float] = []
    errors = 0
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    async def client() -> None:
        nonlocal errors
        conn = Connection(server.port)
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    status, data = await asyncio.wait_for(
                        conn.post("/graphql", body, server.headers), patience
                    )
                except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
                    status, data = 0, repr(exc).encode()
                latencies.append(time.perf_counter() - started)
                if status != 200 or b'"errors"' in data:
                    errors += 1
                    failures.append(f"{status} {data[:300]!r}")
        finally:
            conn.close()

    pids = server.pids()
    cpu = cpu_seconds(pids)
    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.monotonic() - started
    spent = cpu_spent(cpu, cpu_seconds(server.pids()))
    return Load(
        server.name,
        clients,
        elapsed,
        latencies,
        errors,
        failures[0] if failures else "",
        spent / max(len(latencies), 1),
        [rss_mb(p) for p in server.workers()],
    )


async def quiet(server: Server, limit: float = 40.0) -> None:
    """Wait until the server has stopped working (under 5 % of a CPU over half a
    second): requests its clients gave up on may still be running inside it, and the
    next measurement must not share the machine with them."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        cpu = cpu_seconds(server.pids())
        await asyncio.sleep(0.5)
        if cpu_spent(cpu, cpu_seconds(server.pids())) < 0.025:
            return


@dataclass
class Report:
    children: int
    poles: int
    runs: int
    nested: list[Latency]
    loads: list[Load]
    ids_statements: dict[str, int]
    same_json: bool
    follow_ups: int  # in the nested list's answer
    generated: dict[str, int]  # rows of pole 1, per table


async def signed_in_token(urls: PgUrls, pole: GeneratedPole, db: Database) -> str:
    settings = Settings.from_env(maillage_env(urls))
    app = create_app(settings, db)
    async with db.reference_session() as session:
        user = (
            await session.execute(select(User).where(User.id == pole.coordinator_id))
        ).scalar_one()
    return await access_token(app.state.auth, user, pole.tenant)


async def equivalent(servers_: list[Server], raw: RawSql, first: int) -> list[list[dict[str, Any]]]:
    """The nested list's answer from each, normalised (ids as uuids, options as codes)."""
    answers = [s.normalise(await s.ask("nested", first)) for s in servers_]
    return [*answers, normalise_raw(await raw.ask(first))]


@dataclass(frozen=True)
class Plan:
    poles: int
    children: int
    runs: int
    load_seconds: float
    clients: tuple[int, ...] = (32, 200)
    first: int = 100
    analyze: bool = True


@dataclass
class Bench:
    """What the measurements run against: the servers, the raw query, the admin
    connection (statement counts) and the cluster's postmaster (its CPU)."""

    servers: list[Server]
    raw: RawSql
    counter: StatementCounts
    postmaster: int
    generated: dict[str, int]


async def compare(
    *,
    poles: int,
    children: int,
    runs: int,
    load_seconds: float,
    clients: tuple[int, ...] = (32, 200),
    analyze: bool = True,
    echo: Callable[[str], None] = print,
) -> Report:
    plan = Plan(poles, children, runs, load_seconds, clients, analyze=analyze)
    async with private_cluster() as (server, postmaster):
        urls = await server.create_database("maillage_compare")
        started = time.perf_counter()
        await prepare(urls.owner)
        db = Database(urls.runtime, platform_url=urls.platform)
        admin = await asyncpg.connect(_dsn(urls.admin))
        try:
            made = await generate(db, poles=poles, children=children)
            rows = sum(sum(p.counts.values()) for p in made)
            echo(
                f"[compare] {poles} pole(s) × {children} children: {rows} rows, "
                f"migrated and generated in {time.perf_counter() - started:.0f} s"
            )
            if analyze:
                await admin.execute("ANALYZE")
            await admin.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            pole = made[0]
            token = await signed_in_token(urls, pole, db)
            await db.dispose()
            runtime = await asyncpg.connect(_dsn(urls.runtime))
            try:
                async with servers(urls, pole, token) as found:
                    bench = Bench(
                        found,
                        RawSql(runtime, str(pole.tenant.id)),
                        StatementCounts(admin, urls.database),
                        postmaster,
                        pole.counts,
                    )
                    return await _measure(plan, bench, echo)
            finally:
                await runtime.close()
        finally:
            await db.dispose()
            await admin.close()


async def _measure(plan: Plan, bench: Bench, echo: Callable[[str], None]) -> Report:
    found, raw, counter = bench.servers, bench.raw, bench.counter
    answers = await equivalent(found, raw, plan.first)
    same = all(a == answers[0] for a in answers) and len(answers[0]) > 0
    echo(
        f"[compare] nested list, {len(answers[0])} follow-ups: "
        + ("the same JSON from all three" if same else "ANSWERS DIFFER")
    )
    for _ in range(3):  # warm-up: compiled statements, pools, JIT
        await equivalent(found, raw, plan.first)
    figures = await interleaved(found, raw, bench.postmaster, plan.runs, plan.first)
    for figure, server in zip(figures, found, strict=False):
        for size in (10, plan.first):
            figure.statements[f"nested {size}"] = await counter.of(
                lambda s=server, n=size: s.ask("nested", n)
            )
    figures[-1].statements = {
        f"nested {n}": await counter.of(lambda n=n: raw.ask(n)) for n in (10, plan.first)
    }
    ids = {s.name: await counter.of(lambda s=s: s.ask("ids", plan.first)) for s in found}
    loads = []
    for count in plan.clients:
        for server in found:
            await load(server, min(count, 8), 1.0)  # warm-up of the connections
            loads.append(await load(server, count, plan.load_seconds))
            await quiet(server)
            echo(f"[compare] dashboard, {count} clients, {server.name}: done")
    return Report(
        plan.children,
        plan.poles,
        plan.runs,
        figures,
        loads,
        ids,
        same,
        len(answers[0]),
        bench.generated,
    )


# -- the printed comparison ---------------------------------------------------------------


def _by_name(items: list[Any], name: str) -> Any:
    return next(i for i in items if i.name == name)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.1f}"


def render(report: Report) -> str:
    maillage, reference, raw = (
        _by_name(report.nested, n) for n in ("maillage", "PostGraphile", "raw SQL")
    )
    names = [f.name for f in report.nested]
    rows: list[tuple[str, ...]] = [("figure", *names), ("", *("" for _ in names))]
    sizes = list(maillage.statements)
    rows += [
        (
            f"100 follow-ups → child, structures, interventions ({report.runs} runs each)",
            "",
            "",
            "",
        ),
        ("  median ms", *(f"{f.median_ms:.1f}" for f in report.nested)),
        ("  p95 ms", *(f"{f.p95_ms:.1f}" for f in report.nested)),
        (
            "  median, × PostGraphile",
            *(f"{f.median_ms / reference.median_ms:.2f}" for f in report.nested),
        ),
        ("  server CPU per request, ms", *(_ms(f.server_cpu) for f in report.nested)),
        (
            "  PostgreSQL CPU per request, ms",
            *(_ms(statistics.mean(f.database_cpu)) for f in report.nested),
        ),
        (
            f"  SQL statements per request ({' / '.join(s.split()[1] for s in sizes)} rows)",
            *(" / ".join(str(f.statements[s]) for s in sizes) for f in report.nested),
        ),
        (
            "followUps(first: 100) { id }: SQL statements",
            *(str(report.ids_statements.get(n, "—")) for n in names),
        ),
    ]
    for clients in sorted({lo.clients for lo in report.loads}):
        loads = {lo.name: lo for lo in report.loads if lo.clients == clients}

        def cell(name: str, show: Callable[[Load], str], loads: dict[str, Load] = loads) -> str:
            return show(loads[name]) if name in loads else "—"

        def ms(lo: Load, q: float) -> str:
            return f"{percentile(lo.latencies, q) * 1000:.0f}" if lo.latencies else "—"

        rows += [
            (f"dashboard query, {clients} clients, {WORKERS} workers each", "", "", ""),
            ("  requests/s", *(cell(n, lambda lo: f"{lo.rate:.1f}") for n in names)),
            (
                "  p50 / p95 / p99 ms",
                *(
                    cell(n, lambda lo: f"{ms(lo, 0.5)} / {ms(lo, 0.95)} / {ms(lo, 0.99)}")
                    for n in names
                ),
            ),
            ("  errors", *(cell(n, lambda lo: str(lo.errors)) for n in names)),
            (
                "  server CPU per request, ms",
                *(cell(n, lambda lo: _ms(lo.server_cpu)) for n in names),
            ),
            (
                "  worker RSS after, MB",
                *(cell(n, lambda lo: " / ".join(f"{r:.0f}" for r in lo.rss_mb)) for n in names),
            ),
        ]
    widths = [
        max(len(r[i]) for r in rows if r[1:] != ("", "", "") or i == 0) for i in range(len(rows[0]))
    ]
    out = []
    for row in rows:
        if row[0] and row[1:] == ("", "", ""):
            out.append(row[0])
            continue
        out.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    out[1] = "  ".join("-" * w for w in widths)
    del maillage, raw
    return "\n".join(out)


@dataclass(frozen=True)
class Target:
    what: str
    measured: str
    met: bool


def targets(report: Report) -> list[Target]:
    """Issue 14's targets for the data path, against today's figures."""
    maillage, reference = (_by_name(report.nested, n) for n in ("maillage", "PostGraphile"))
    ratio = maillage.median_ms / reference.median_ms
    cpu = (maillage.server_cpu or 0) / (reference.server_cpu or 1e-9)
    found = [
        Target("nested list median ≤ 2 × PostGraphile", f"{ratio:.2f} ×", ratio <= 2),
        Target("server CPU per request ≤ 2 × PostGraphile", f"{cpu:.2f} ×", cpu <= 2),
        Target(
            "nested list ≤ 8 SQL statements for 10 and 100 rows",
            " / ".join(str(v) for v in maillage.statements.values()),
            max(maillage.statements.values()) <= 8,
        ),
        Target(
            "followUps(first: 100) { edges { node { id } } } ≤ 3 statements",
            str(report.ids_statements["maillage"]),
            report.ids_statements["maillage"] <= 3,
        ),
    ]
    by = {(lo.name, lo.clients): lo for lo in report.loads}
    if ("maillage", 32) in by and ("PostGraphile", 32) in by:
        ours, theirs = by["maillage", 32], by["PostGraphile", 32]
        p95 = percentile(ours.latencies, 0.95) * 1000 if ours.latencies else float("inf")
        found += [
            Target(
                "dashboard, 32 clients: ≥ ½ PostGraphile's requests/s",
                f"{ours.rate:.1f} / {theirs.rate:.1f} req/s",
                ours.rate >= theirs.rate / 2,
            ),
            Target("dashboard, 32 clients: p95 ≤ 100 ms", f"{p95:.0f} ms", p95 <= 100),
            Target("dashboard, 32 clients: 0 errors", str(ours.errors), ours.errors == 0),
        ]
    if ("maillage", 200) in by:
        ours = by["maillage", 200]
        found.append(Target("dashboard, 200 clients: 0 errors", str(ours.errors), ours.errors == 0))
    rss = max((r for lo in report.loads if lo.name == "maillage" for r in lo.rss_mb), default=0.0)
    found.append(Target("worker RSS ≤ 250 MB", f"{rss:.0f} MB", rss <= 250))
    return found


async def run(
    *, poles: int, children: int, runs: int, load_seconds: float, analyze: bool = True
) -> Report:
    # 20 poles are created on purpose: their audited platform blocks are not news.
    logging.getLogger("maillage.tenancy").setLevel(logging.ERROR)
    started = time.perf_counter()
    report = await compare(
        poles=poles, children=children, runs=runs, load_seconds=load_seconds, analyze=analyze
    )
    print(
        f"\nmaillage, PostGraphile 4 and raw SQL on one PostgreSQL database ({poles} poles × "
        f"{children} children), as the runtime role with RLS forced, the coordinator of "
        "pole 1; PostgreSQL CPU per request is the whole cluster's (the client's share of "
        "the runtime role's work):"
    )
    print(render(report))
    if not report.same_json:
        print("WARNING: the three answers of the nested list differ; the comparison is void")
    for lo in report.loads:
        if lo.errors:
            print(f"first error, {lo.name} at {lo.clients} clients: {lo.first_error}")
    print("\nTargets (issue 14):")
    for target in targets(report):
        print(f"  {'PASS' if target.met else 'FAIL'}  {target.what}: {target.measured}")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"(comparison in {time.perf_counter() - started:.0f} s; load average at the end: "
        f"{load} on {os.cpu_count()} CPUs)"
    )
    return report
