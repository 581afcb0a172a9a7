"""The kits' availability calendar, measured through the real app (printed by `make bench`):

a pole with 50 kits and five years of loans (one after another per kit, as a busy
pole lends them), then ``kitAvailability`` over three months and over a year, as an
authenticated GraphQL request: latency p50 / p95 and SQL statements per request, on
SQLite and on PostgreSQL (a throwaway database on the local server, when one answers).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import event

from core.access.actions import Actor
from core.app.app import create_app
from core.auth.config import AuthConfig
from core.auth.keys import ensure_key
from core.db import migrate
from core.domain.kits.models import Kit, KitComponent, KitLoan
from core.domain.structures.models import Structure
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.territory.loader import load_territory
from core.testing.accounts import sign_in
from core.testing.postgres import PostgresServer, PostgresUnavailable

KITS = 50
YEARS = 5
FIRST_DAY = dt.date(2021, 11, 1)
QUERY = """query($start: Date!, $end: Date!) { kitAvailability(start: $start, end: $end) {
  kit { name status { value } } busy { startsOn endsOn status { value } }
  free { startsOn endsOn } freeDays } }"""
WINDOWS = (
    ("3 mois", dt.date(2026, 9, 1), dt.date(2026, 11, 30)),
    ("1 an", dt.date(2025, 12, 1), dt.date(2026, 11, 30)),
)


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def _prepare(owner_url: str) -> None:
    await migrate.upgrade(owner_url)
    owner = Database(owner_url)
    try:
        async with owner.reference_session() as session:
            await load_territory(session)
            await ensure_key(session, AuthConfig.from_settings(Settings()))
            await session.commit()
    finally:
        await owner.dispose()


async def _fill(db: Database) -> tuple[Tenant, int]:
    async with db.unscoped(reason="benchmark", actor="bench") as session:
        tenant = Tenant(
            slug=f"bench-kits-{uuid.uuid4().hex[:6]}",
            name="Bench",
            short_name="B",
            operator="B",
            departement_code="62",
        )
        session.add(tenant)
        await session.commit()
    rng = random.Random("maillage-bench-kits")
    loans = 0
    async with db.session(tenant.id) as session:
        structures = [
            Structure(
                name=f"Crèche {i}", search_name=f"creche {i}", kind="eaje", commune_insee="62119"
            )
            for i in range(20)
        ]
        session.add_all(structures)
        await session.flush()
        last = FIRST_DAY + dt.timedelta(days=365 * YEARS)
        for k in range(KITS):
            kit = Kit(name=f"Malle {k:02}", search_name=f"malle {k:02}", theme="other")
            session.add(kit)
            await session.flush()
            session.add_all(
                KitComponent(kit_id=kit.id, position=i, name=f"Élément {i}", quantity=2)
                for i in range(4)
            )
            day = FIRST_DAY + dt.timedelta(days=rng.randint(0, 20))
            while day < last:
                ends = day + dt.timedelta(days=21)
                past = ends < dt.date(2026, 11, 1)
                session.add(
                    KitLoan(
                        kit_id=kit.id,
                        starts_on=day,
                        ends_on=ends,
                        structure_id=rng.choice(structures).id,
                        borrower_kind="eaje",
                        status="checked" if past else "confirmed",
                        departed_on=day if past else None,
                        returned_on=ends if past else None,
                        checked_on=ends if past else None,
                    )
                )
                loans += 1
                day = ends + dt.timedelta(days=rng.randint(2, 30))
        await session.commit()
    return tenant, loans


async def _measure(label: str, settings: Settings, db: Database) -> None:
    tenant, loans = await _fill(db)
    app = create_app(settings, db)
    actor = Actor(
        subject=f"bench:{uuid.uuid4().hex[:6]}", display_name="Banc", roles=frozenset({"staff"})
    )
    token, _ = await sign_in(app.state.auth, actor, tenant)
    headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": tenant.slug}
    statements: list[str] = []

    def count(*args: object, **_kw: object) -> None:
        statements.append(str(args[2]))

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for window, start, end in WINDOWS:
            variables = {"start": start.isoformat(), "end": end.isoformat()}

            async def request(variables: dict[str, str] = variables) -> int:
                response = await client.post(
                    "/graphql", json={"query": QUERY, "variables": variables}, headers=headers
                )
                body = response.json()
                assert response.status_code == 200 and "errors" not in body, body
                return len(body["data"]["kitAvailability"])

            assert await request() == KITS  # warm-up
            event.listen(db.engine.sync_engine, "before_cursor_execute", count)
            try:
                statements.clear()
                samples = []
                for _ in range(100):
                    started = time.perf_counter()
                    await request()
                    samples.append(time.perf_counter() - started)
            finally:
                event.remove(db.engine.sync_engine, "before_cursor_execute", count)
            per_request = len(statements) // len(samples)
            print(
                f"kitAvailability {window}, {KITS} kits, {loans} prêts sur {YEARS} ans "
                f"({label}): {_ms(samples)}, "
                f"{len(statements) / len(samples):.0f} SQL statements per request"
            )
            if window == WINDOWS[0][0]:
                for statement in statements[:per_request]:
                    print("    " + " ".join(statement.split())[:110])


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'kits.sqlite3'}"
        await _prepare(url)
        db = Database(url)
        try:
            settings = Settings.from_env(
                {"MAILLAGE_DATABASE_URL": url, "MAILLAGE_LOG_LEVEL": "ERROR"}
            )
            await _measure("SQLite", settings, db)
        finally:
            await db.dispose()
    try:
        server = await PostgresServer.find()
    except PostgresUnavailable as exc:
        print(f"kitAvailability (PostgreSQL): skipped, no server ({exc})")
        return
    try:
        urls = await server.create_database("maillage_bench")
        await _prepare(urls.owner)
        db = Database(urls.runtime, platform_url=urls.platform)
        try:
            settings = Settings.from_env(
                {
                    "MAILLAGE_DATABASE_URL": urls.runtime,
                    "MAILLAGE_MIGRATION_DATABASE_URL": urls.owner,
                    "MAILLAGE_PLATFORM_DATABASE_URL": urls.platform,
                    "MAILLAGE_LOG_LEVEL": "ERROR",
                }
            )
            await _measure("PostgreSQL", settings, db)
        finally:
            await db.dispose()
            await server.drop_database(urls.database)
    finally:
        await server.close()


if __name__ == "__main__":
    import asyncio

    asyncio.run(run())
