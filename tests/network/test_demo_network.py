"""The demo's network: its two poles take part, and a dozen fictitious poles of other
installs arrive the way a real one does — signed documents, trusted keys, the import's
checks (catalogue, persons, threshold, audit). Two years each: 24 imports; seeding
again signs the same documents, and the import is then a no-op. On a database of its
own (SQLite, and PostgreSQL): the demo's poles must not become the peers of other
tests' poles in the session's shared PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from core.network.demo import DEMO_YEARS, OTHER_POLES, import_other_poles, seed_network
from core.network.models import NetworkPole, NetworkRelease, NetworkReleaseCell
from core.plugins.host import PluginHost
from core.tenancy.database import Database
from core.testing.postgres import PostgresServer
from tests.conftest import DbUrls, migrate_with_territory

CODES = [code for code, _, _ in OTHER_POLES]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def where(request: pytest.FixtureRequest) -> DbUrls | PostgresServer:
    name = "sqlite_urls" if request.param == "sqlite" else "pg_server"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest_asyncio.fixture
async def own_db(where: DbUrls | PostgresServer) -> AsyncIterator[Database]:
    if isinstance(where, DbUrls):
        database = where.database()
        yield database
        await database.dispose()
        return
    created = await where.create_database("maillage_demo_network")
    await migrate_with_territory(created.owner)
    database = Database(created.runtime)
    try:
        yield database
    finally:
        await database.dispose()
        await where.drop_database(created.database)


async def counts(db: Database) -> tuple[int, int, int]:
    async with db.reference_session() as session:
        demo = select(NetworkPole.id).where(NetworkPole.code.in_(CODES))
        releases = select(NetworkRelease.id).where(NetworkRelease.pole_id.in_(demo))
        return (
            (await session.execute(select(func.count()).select_from(demo.subquery()))).scalar_one(),
            (
                await session.execute(select(func.count()).select_from(releases.subquery()))
            ).scalar_one(),
            (
                await session.execute(
                    select(func.count())
                    .select_from(NetworkReleaseCell)
                    .where(NetworkReleaseCell.release_id.in_(releases))
                )
            ).scalar_one(),
        )


async def test_the_demo_imports_a_dozen_poles_two_years_each_and_again_nothing(
    own_db: Database, maillage_host: PluginHost
) -> None:
    db = own_db
    figures = {n: s for n, (_, s) in maillage_host.contributions.indicators.items()}
    assert len(OTHER_POLES) == 12 and len(DEMO_YEARS) == 2
    for seeding in (1, 2):  # the demo seeds on an install that may already have its network
        async with db.reference_session() as session:
            network = await seed_network(session, [], figures)
            new = await import_other_poles(session, network, figures)
            await session.commit()
        if seeding == 1:
            assert new == 24
            first = await counts(db)
            assert first[:2] == (12, 24) and first[2] > 24
        else:
            assert new == 0
            assert await counts(db) == first
    async with db.reference_session() as session:
        statuses = (
            await session.execute(
                select(NetworkRelease.status, NetworkRelease.document_id)
                .join(NetworkPole, NetworkPole.id == NetworkRelease.pole_id)
                .where(NetworkPole.code.in_(CODES))
            )
        ).all()
    assert {s for s, _ in statuses} == {"published"} and all(d for _, d in statuses)
