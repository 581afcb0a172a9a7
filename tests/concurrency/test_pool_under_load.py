"""A hundred requests at once against a pool of five: all answered, all audited.

Each request used to hold its connection while ``Context.close()`` waited for a second
one to write its audit rows: with more requests in flight than connections, every
connection was held by a request waiting for another, until the pool's 30-second
timeout. A request now holds one connection from its first statement to its end and
writes its audit rows in its own transaction (docs/decisions.md, 92).

The real server (``maillage serve``) with the demo data, over HTTP, on SQLite and
PostgreSQL; the audit trail read back from the database. And when the database is out
of reach altogether, a coded answer with the request id, then recovery.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from core.audit.models import AuditEvent
from core.tenancy.database import Database
from core.testing.postgres import PostgresServer
from tests.live import DEMO_PASSWORD, LiveServer, start_demo, start_demo_on_postgres

POLE = "pas-de-calais"
REQUESTS = 100
METRICS_TOKEN = "pool-test-metrics-token"
POOL = {
    "MAILLAGE_DB_POOL_SIZE": "5",
    "MAILLAGE_DB_MAX_OVERFLOW": "0",
    "MAILLAGE_METRICS_TOKEN": METRICS_TOKEN,
}
# Generous: on two shared cores the hundred requests take a few seconds; a stall
# takes the pool's timeout (30 s) before the first error.
BOUND_SECONDS = 25.0
GUARDIANS = "{ families(first: 20) { edges { node { guardians { id firstName } } } } }"


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_demo(tmp_path_factory.mktemp("pool-sqlite"), **POOL)
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def postgres_server(
    pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    server = await start_demo_on_postgres(
        pg_server,
        tmp_path_factory.mktemp("pool-postgres"),
        "maillage_pool",
        **POOL,
    )
    yield server
    server.stop()


async def sign_in(http: httpx.AsyncClient) -> str:
    login = await http.post(
        "/auth/login",
        json={
            "email": f"coordinator@{POLE}.maillage.example",
            "password": DEMO_PASSWORD,
            "pole": POLE,
        },
    )
    assert login.status_code == 200, login.text
    return str(login.json()["access_token"])


async def hundred_viewers(server: LiveServer) -> None:
    """``viewer`` reads the person's memberships in every pole, beside the request's own
    pole-scoped connection: that side read must not wait on the pool the request holds."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
        token = await sign_in(http)
        headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": POLE}
        query = {"query": "{ viewer { email memberships { pole { slug } roles } } }"}
        started = time.monotonic()
        answers = await asyncio.wait_for(
            asyncio.gather(
                *(http.post("/graphql", json=query, headers=headers) for _ in range(REQUESTS))
            ),
            timeout=BOUND_SECONDS * 4,
        )
        elapsed = time.monotonic() - started
    failed = [(a.status_code, a.text[:300]) for a in answers if a.status_code != 200]
    assert not failed, failed[:3]
    assert all(a.json()["data"]["viewer"]["memberships"] for a in answers)
    assert elapsed < BOUND_SECONDS, f"{REQUESTS} requests took {elapsed:.1f} s"


async def hundred_at_once(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
        token = await sign_in(http)

        async def one(request_id: str) -> httpx.Response:
            return await http.post(
                "/graphql",
                json={"query": GUARDIANS},
                headers={
                    "authorization": f"Bearer {token}",
                    "x-maillage-tenant": POLE,
                    "x-request-id": request_id,
                },
            )

        # The server runs with the pool it was given: five connections, no overflow.
        metrics = await http.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
        assert 'maillage_db_pool_size{engine="app"} 5.0' in metrics.text, metrics.text[:2000]

        ids = [f"pool-{uuid.uuid4().hex}" for _ in range(REQUESTS)]
        started = time.monotonic()
        answers = await asyncio.wait_for(
            asyncio.gather(*(one(i) for i in ids)), timeout=BOUND_SECONDS * 4
        )
        elapsed = time.monotonic() - started

    failed = [(a.status_code, a.text[:300]) for a in answers if a.status_code != 200]
    assert not failed, failed[:3]
    bodies = [a.json() for a in answers]
    assert not [b["errors"] for b in bodies if b.get("errors")][:3]
    assert elapsed < BOUND_SECONDS, f"{REQUESTS} requests took {elapsed:.1f} s"
    assert "Traceback" not in server.settled_log()

    read: dict[str, dict[str, set[str]]] = {}
    for request_id, body in zip(ids, bodies, strict=True):
        guardians = [g for e in body["data"]["families"]["edges"] for g in e["node"]["guardians"]]
        assert guardians
        read[request_id] = {g["id"]: {"firstName"} for g in guardians}
    assert await audited_reads(server, ids) == read


async def audited_reads(server: LiveServer, ids: list[str]) -> dict[str, dict[str, set[str]]]:
    """Request id -> guardian id -> fields, from the pole's audit trail."""
    db = Database(server.env["MAILLAGE_DATABASE_URL"])
    try:
        tenant = await db.tenant_by_slug(POLE)
        assert tenant is not None
        async with db.session(tenant.id) as session:
            events = (
                await session.execute(
                    select(AuditEvent).where(
                        AuditEvent.request_id.in_(ids),
                        AuditEvent.action == "read",
                        AuditEvent.object_type == "Guardian",
                    )
                )
            ).scalars()
            found: dict[str, dict[str, set[str]]] = defaultdict(dict)
            for event in events:
                per_request = found[event.request_id or ""]
                # One event per record and request: a second one would be overwritten.
                assert event.object_id not in per_request, event.object_id
                per_request[event.object_id or ""] = set(event.fields)
        return dict(found)
    finally:
        await db.dispose()


async def test_hundred_requests_through_five_connections_on_sqlite(
    sqlite_server: LiveServer,
) -> None:
    await hundred_at_once(sqlite_server)


@pytest.mark.postgres
async def test_hundred_requests_through_five_connections_on_postgres(
    postgres_server: LiveServer,
) -> None:
    await hundred_at_once(postgres_server)


async def test_hundred_viewers_through_five_connections_on_sqlite(
    sqlite_server: LiveServer,
) -> None:
    await hundred_viewers(sqlite_server)


@pytest.mark.postgres
async def test_hundred_viewers_through_five_connections_on_postgres(
    postgres_server: LiveServer,
) -> None:
    await hundred_viewers(postgres_server)


async def _allow_connections(pg_server: PostgresServer, database: str, allowed: bool) -> None:
    """Open or close ``database`` to new connections; closing also cuts the open ones,
    as a restarted or unreachable server would."""
    admin = create_async_engine(pg_server.admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(
                text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
            )
            if not allowed:
                await connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": database},
                )
    finally:
        await admin.dispose()


@pytest.mark.postgres
async def test_a_database_out_of_reach_answers_unavailable_with_the_request_id(
    postgres_server: LiveServer, pg_server: PostgresServer
) -> None:
    """Not Starlette's plain-text « Internal Server Error »: a client gets a code to
    branch on and a delay to retry after, a person a page in French, and both the
    request id the operator finds in the log. Once the database is back, so is the API."""
    database = make_url(postgres_server.env["MAILLAGE_DATABASE_URL"]).database
    assert database
    async with httpx.AsyncClient(base_url=postgres_server.base_url, timeout=30) as http:
        token = await sign_in(http)
        auth = {"authorization": f"Bearer {token}", "x-maillage-tenant": POLE}
        await _allow_connections(pg_server, database, False)
        try:
            api = await http.post(
                "/graphql",
                json={"query": GUARDIANS},
                headers={**auth, "x-request-id": "outage-api-0001"},
            )
            page = await http.get(
                "/", headers={**auth, "accept": "text/html", "x-request-id": "outage-page-0001"}
            )
        finally:
            await _allow_connections(pg_server, database, True)

        assert api.status_code == 503, api.text
        assert api.headers["retry-after"] == "5"
        assert api.headers["x-request-id"] == "outage-api-0001"
        assert api.json()["errors"][0]["extensions"] == {
            "code": "UNAVAILABLE",
            "requestId": "outage-api-0001",
        }
        assert page.status_code == 503, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "Service momentanément indisponible" in page.text
        assert "outage-page-0001" in page.text
        assert "Traceback" not in page.text + api.text
        # The security headers still apply to the error page.
        assert "content-security-policy" in page.headers

        # Back: the pool drops the cut connections and opens new ones.
        recovered = await http.post("/graphql", json={"query": GUARDIANS}, headers=auth)
        assert recovered.status_code == 200, recovered.text
        assert "errors" not in recovered.json()
