"""Outreach costs through the real app (printed by `make bench`), on SQLite and PostgreSQL:

* the yearly session table of a pole with five years of sessions (about 400 a year in
  40 communes), and the event table: latency p50 / p95 and SQL statements per request;
* a page of 100 sessions with communes, speakers, host structures and named participants.

PostgreSQL is the local server (or a throwaway cluster) found the way the tests find it;
without one the PostgreSQL half is skipped with a note.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import event, select

from core.access.actions import Actor
from core.app.app import create_app
from core.auth.config import AuthConfig
from core.auth.keys import ensure_key
from core.auth.models import Membership
from core.db import migrate
from core.domain.outreach.models import (
    AwarenessSession,
    OutreachEvent,
    SessionParticipant,
    SessionSpeaker,
)
from core.domain.outreach.vocabulary import AUDIENCES, EVENT_KINDS, SESSION_KINDS
from core.domain.structures.models import Structure
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.territory.loader import load_territory
from core.territory.models import Commune
from core.testing.accounts import ensure_user, sign_in
from core.testing.postgres import PostgresServer, PostgresUnavailable

YEARS = (2022, 2023, 2024, 2025, 2026)
SESSIONS_PER_YEAR = 400
EVENTS_PER_YEAR = 40
TABLE = """query($year: Int!) { awarenessSessionTable(year: $year) {
  columns { label } rows { commune { name epci { name } } audience { label }
    cells { sessions participants } total { sessions participants } }
  columnTotals { sessions participants } total { sessions participants }
  byKind { kind { label } sessions participants } } }"""
EVENT_TABLE = """query($year: Int!) { outreachEventTable(year: $year) {
  rows { commune { name } cells { events peopleReached } total { events peopleReached } }
  total { events peopleReached } } }"""
PAGE = """{ awarenessSessions(first: 100) { totalCount edges { node { kind { label }
  audience { label } commune { name } heldOn durationLabel participantsCount
  speakers { displayName } hostStructure { name } participants { name } } } } }"""


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def _time(n: int, fn: Callable[[], Awaitable[object]]) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - started)
    return samples


async def _fill(db: Database, tenant: Tenant, speaker: uuid.UUID) -> int:
    """Five years of sessions and events in the pole's 40 largest communes."""
    rng = random.Random("maillage-bench-outreach")
    async with db.session(tenant.id) as session:
        communes = list(
            (
                await session.execute(
                    select(Commune.insee_code)
                    .where(Commune.departement_code == tenant.departement_code)
                    .order_by(Commune.population.desc(), Commune.insee_code)
                    .limit(40)
                )
            ).scalars()
        )
        host = Structure(
            name="Crèche du banc", search_name="creche du banc", kind="eaje",
            commune_insee=communes[0],
        )  # fmt: skip
        session.add(host)
        await session.flush()
        made = 0
        for year in YEARS:
            for _ in range(SESSIONS_PER_YEAR):
                row = AwarenessSession(
                    kind=rng.choice(list(SESSION_KINDS)),
                    audience=rng.choice(list(AUDIENCES)),
                    commune_insee=rng.choice(communes),
                    held_on=dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364)),
                    half_days=rng.choice([1, 1, 1, 2, 2, 4]),
                    participants_count=rng.randint(4, 30),
                    host_structure_id=host.id if rng.random() < 0.3 else None,
                    materials=["Diaporama du pôle"],
                )
                session.add(row)
                made += 1
                await session.flush()
                session.add(SessionSpeaker(session_id=row.id, user_id=speaker))
                if row.host_structure_id:
                    for position in range(3):
                        session.add(
                            SessionParticipant(
                                session_id=row.id,
                                position=position,
                                name=f"Participant {position} (fictif)",
                                structure_id=host.id,
                            )
                        )
            for _ in range(EVENTS_PER_YEAR):
                session.add(
                    OutreachEvent(
                        kind=rng.choice(list(EVENT_KINDS)),
                        commune_insee=rng.choice(communes),
                        held_on=dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364)),
                        people_reached=rng.randint(10, 200),
                        title="Forum (banc)",
                    )
                )
        await session.commit()
    return made


async def _measure(label: str, settings: Settings, db: Database, tenant: Tenant) -> None:
    app = create_app(settings, db)
    actor = Actor(
        subject=f"bench:outreach-{uuid.uuid4().hex[:6]}",
        display_name="Animatrice (banc)",
        roles=frozenset({"staff"}),
    )
    token, _ = await sign_in(app.state.auth, actor, tenant)
    user = await ensure_user(app.state.auth, actor)
    async with db.session(tenant.id) as session:
        assert (
            await session.execute(select(Membership.id).where(Membership.user_id == user.id))
        ).first()
    made = await _fill(db, tenant, user.id)

    statements: list[str] = []

    def count(*args: object, **_kw: object) -> None:
        statements.append(str(args[2]))

    headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": tenant.slug}
    transport = httpx.ASGITransport(app=app)
    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, query, variables in (
                ("session table (1 year)", TABLE, {"year": 2025}),
                ("event table (1 year)", EVENT_TABLE, {"year": 2025}),
                ("page of 100 sessions", PAGE, {}),
            ):

                async def request(query: str = query, variables: dict = variables) -> None:
                    response = await client.post(
                        "/graphql", json={"query": query, "variables": variables}, headers=headers
                    )
                    body = response.json()
                    assert response.status_code == 200 and "errors" not in body, body

                await request()
                statements.clear()
                samples = await _time(50, request)
                print(
                    f"outreach {label}, {name} ({made} sessions in {len(YEARS)} years): "
                    f"{_ms(samples)}, {len(statements) / len(samples):.0f} SQL statements "
                    "per request"
                )
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def run(url: str, db: Database, tenant: Tenant) -> None:
    """On the benchmark's SQLite database (territory loaded, ``tenant`` made), then on a
    fresh PostgreSQL database."""
    settings = Settings.from_env({"MAILLAGE_DATABASE_URL": url, "MAILLAGE_LOG_LEVEL": "ERROR"})
    await _measure("SQLite", settings, db, tenant)
    try:
        server = await PostgresServer.find()
    except PostgresUnavailable as exc:
        print(f"outreach PostgreSQL: skipped ({exc})")
        return
    urls = await server.create_database(prefix="maillage_bench")
    pg = Database(urls.runtime, platform_url=urls.platform)
    try:
        await migrate.upgrade(urls.owner)
        owner = Database(urls.owner)
        async with owner.reference_session() as session:
            await load_territory(session)
            await ensure_key(session, AuthConfig.from_settings(settings))
            await session.commit()
        await owner.dispose()
        async with pg.unscoped(reason="benchmark", actor="bench") as session:
            pole = Tenant(
                slug="bench-pg", name="Bench", short_name="B", operator="B", departement_code="62"
            )
            session.add(pole)
            await session.commit()
        pg_settings = Settings.from_env(
            {
                "MAILLAGE_DATABASE_URL": urls.runtime,
                "MAILLAGE_MIGRATION_DATABASE_URL": urls.owner,
                "MAILLAGE_PLATFORM_DATABASE_URL": urls.platform,
                "MAILLAGE_LOG_LEVEL": "ERROR",
            }
        )
        await _measure("PostgreSQL", pg_settings, pg, pole)
    finally:
        await pg.dispose()
        await server.drop_database(urls.database)
        await server.close()
