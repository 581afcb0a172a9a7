"""Isolation fixtures: the test-only tables, and the three wall configurations."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings

from core.db import sql
from core.db.engine import make_engine
from tests.conftest import DbUrls
from tests.isolation.models import ISO_TABLES, IsoBase

settings.register_profile(
    "default",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("MAILLAGE_HYPOTHESIS_PROFILE", "default"))

_prepared: set[str] = set()


async def create_iso_tables(urls: DbUrls) -> None:
    """Create the test tables as the owner, with RLS and grants like migrated tables."""
    if urls.owner in _prepared:
        return
    engine = make_engine(urls.owner)
    try:
        async with engine.begin() as connection:

            def run(c) -> None:  # type: ignore[no-untyped-def]
                IsoBase.metadata.create_all(c, tables=ISO_TABLES, checkfirst=True)
                if c.dialect.name != "postgresql":
                    return
                names = [t.name for t in ISO_TABLES]
                for name in names:
                    if not any(p.table == name and p.rls_forced for p in sql.table_posture(c)):
                        sql.enable_tenant_rls_on(c, name)
                for role in ("maillage_app", "maillage_platform"):
                    sql.grant_privileges(c, role=role, tenant_tables=names, reference_tables=[])

            await connection.run_sync(run)
    finally:
        await engine.dispose()
    _prepared.add(urls.owner)


@dataclass
class Wall:
    """Which walls stand in this run."""

    name: str
    urls: DbUrls
    orm_filter: bool

    @property
    def rls(self) -> bool:
        return self.urls.kind == "postgres"


@pytest.fixture(
    params=[
        "sqlite-orm-only",
        pytest.param("postgres-both", marks=pytest.mark.postgres),
        pytest.param("postgres-rls-only", marks=pytest.mark.postgres),
    ]
)
def wall(request: pytest.FixtureRequest) -> Wall:
    if request.param.startswith("sqlite"):
        urls: DbUrls = request.getfixturevalue("sqlite_urls")
    else:
        urls = request.getfixturevalue("pg_urls")
    asyncio.run(create_iso_tables(urls))
    return Wall(request.param, urls, orm_filter=request.param != "postgres-rls-only")
