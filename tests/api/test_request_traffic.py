"""One request, one connection, one transaction (issue 14).

A tenant-scoped GraphQL request checks out one connection, sends no pre-ping, runs
in at most one transaction with one ``set_config`` (PostgreSQL), resolves its caller
in one statement, and writes its audit rows in that same transaction — on SQLite and
PostgreSQL, over the real ASGI app.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.requests import Request

from core.access.actions import Actor
from core.api.context import Context
from core.audit.models import AuditEvent
from core.auth.demo import mark_demo_session
from core.auth.principal import Principal
from core.domain.families.models import Family
from core.plugins.host import PluginHost, call_async
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.testing.client import GraphQLClient
from core.testing.postgres import PgUrls
from tests.api.conftest import TwoPoles
from tests.api.traffic import Traffic, traffic
from tests.conftest import DbUrls

COORDINATOR = Actor(
    subject="test:coordinator",
    display_name="Coordinatrice de test",
    roles=frozenset({"coordinator"}),
)
FOLLOW_UPS = """{ followUps(first: 10) { edges { node {
  child { firstName } interventions { kind { label } } } } } }"""
GUARDIANS = "{ families(first: 20) { edges { node { id guardians { firstName } } } } }"


async def seed(client: GraphQLClient, db: Database, tenant: Tenant) -> None:
    """The demo's families, follow-ups and interventions, in this pole only."""
    host = client.app.state.host
    async with db.session(tenant.id) as session:
        mark_demo_session(session)
        seed_hook = host.core_caller("maillage_seed")
        await call_async(seed_hook, tenant=tenant, session=session, settings={})
        await session.commit()


async def measured(
    client: GraphQLClient, db: Database, query: str, tenant: Tenant
) -> tuple[dict[str, Any], Traffic]:
    # The account, its token and the signing keys are made and read once, before.
    await client.execute(query, tenant=tenant, actor=COORDINATOR)
    with traffic(db.engine) as seen:
        result = await client.execute(query, tenant=tenant, actor=COORDINATOR)
    assert "errors" not in result, result
    return result, seen


def assert_one_transaction(seen: Traffic, db: Database) -> None:
    summary = seen.summary()
    assert seen.checkouts == 1, summary
    assert seen.pings == 0, summary
    assert seen.begins <= 1, summary
    assert seen.commits + seen.rollbacks <= 1, summary
    # The database wall's tenant, set once for the request's one transaction.
    assert len(seen.set_configs) == (0 if db.is_sqlite else 1), seen.set_configs
    # Who calls, in which pole: one statement on the reference tables, then the
    # membership under the pole's set_config.
    assert len(seen.caller) <= 2, seen.caller


async def test_nested_list_runs_in_one_transaction(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await seed(client, db, two_poles.a)
    result, seen = await measured(client, db, FOLLOW_UPS, two_poles.a)
    assert len(result["data"]["followUps"]["edges"]) == 10
    assert_one_transaction(seen, db)


async def test_person_reads_audited_in_the_request_transaction(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    await seed(client, db, two_poles.a)
    before = await guardian_reads(db, two_poles.a)
    result, seen = await measured(client, db, GUARDIANS, two_poles.a)
    families = result["data"]["families"]["edges"]
    assert families
    assert_one_transaction(seen, db)
    assert seen.commits == 1, seen.summary()
    assert len(seen.audit) >= 1, seen.statements
    events = (await guardian_reads(db, two_poles.a))[len(before) :]
    expected = sum(len(edge["node"]["guardians"]) for edge in families)
    # One event per record and request; the two requests read the same records.
    assert len(events) == 2 * expected
    assert {tuple(e.fields) for e in events} == {("firstName",)}


async def guardian_reads(db: Database, tenant: Tenant) -> list[AuditEvent]:
    async with db.session(tenant.id) as session:
        query = (
            select(AuditEvent)
            .where(AuditEvent.action == "read", AuditEvent.object_type == "Guardian")
            .order_by(AuditEvent.id)
        )
        return list((await session.execute(query)).scalars())


@pytest.mark.postgres
async def test_connections_killed_under_the_pool_cost_no_request(
    client: GraphQLClient,
    pg_urls: DbUrls,
    pg_template: PgUrls,
    two_poles: TwoPoles,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No ping at checkout: a pooled connection the server dropped (restart, idle
    timeout) is found dead on the request's first statement, which runs again on a
    new connection. The request still answers, audited."""
    db = client.app.state.db
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: a SQLite connection is a file, nothing drops it")
    await seed(client, db, two_poles.a)
    await measured(client, db, GUARDIANS, two_poles.a)
    before = await guardian_reads(db, two_poles.a)
    assert db.engine.sync_engine.pool.checkedin() >= 1
    admin = create_async_engine(pg_template.admin)
    try:
        async with admin.connect() as connection:
            killed = await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND usename = :role"
                ),
                {"role": make_url(pg_urls.runtime).username},
            )
            assert killed.all()
    finally:
        await admin.dispose()
    result = await client.execute(GUARDIANS, tenant=two_poles.a, actor=COORDINATOR)
    assert "errors" not in result, result
    assert [r for r in caplog.records if getattr(r, "event", None) == "db_reconnect"]
    assert len(await guardian_reads(db, two_poles.a)) > len(before)


async def test_the_audit_commit_leaves_a_failed_mutations_writes_behind(
    db: Database, tenant_factory: Any
) -> None:
    """A mutation that flushed, then failed without rolling back: closing the request
    traces the reads and abandons the half-change, as closing the session always did."""
    tenant = await tenant_factory()
    session = db.reference_session()
    await db.scope(session, tenant.id)
    ctx = Context(
        request=Request({"type": "http", "headers": [], "client": ("203.0.113.9", 4000)}),
        settings=Settings(),
        db=db,
        host=PluginHost.start(allow=[]),
        principal=Principal(actor=COORDINATOR, tenant=tenant),
        _session=session,
    )
    async with ctx.db_session() as s:
        s.add(Family(name="Abandonnée", search_name="abandonnee", commune_insee="62119"))
        await s.flush()
    ctx.audit_read("Guardian", "guardian-1", ["firstName"])
    await ctx.close()

    async with db.session(tenant.id) as check:
        families = (await check.execute(select(Family))).scalars().all()
        events = (await check.execute(select(AuditEvent))).scalars().all()
    assert families == []
    assert [(e.action, e.object_id, e.fields) for e in events] == [
        ("read", "guardian-1", ["firstName"])
    ]
