"""Migrations create a database from nothing, go back to nothing, and agree with the models."""

from __future__ import annotations

import asyncio

import pytest

from core.db import migrate
from core.db.engine import DatabaseMissing
from core.testing.postgres import PostgresServer
from tests.conftest import DbUrls


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_urls(request: pytest.FixtureRequest, tmp_path) -> DbUrls:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return DbUrls("sqlite", url, url, url)
    server: PostgresServer = request.getfixturevalue("pg_server")
    urls = asyncio.run(server.create_database("maillage_migr"))
    return DbUrls("postgres", urls.runtime, urls.owner, urls.platform)


async def test_upgrade_from_empty_then_downgrade_to_base_then_upgrade_again(
    empty_urls: DbUrls,
) -> None:
    if empty_urls.kind == "sqlite":
        # Only an upgrade creates an SQLite database (decision 107).
        with pytest.raises(DatabaseMissing):
            await migrate.current_revision(empty_urls.owner)
    else:
        assert await migrate.current_revision(empty_urls.owner) is None
    await migrate.upgrade(empty_urls.owner)
    assert await migrate.current_revision(empty_urls.owner) == migrate.head_revision()
    assert await migrate.check(empty_urls.owner) == []

    await migrate.downgrade(empty_urls.owner, "base")
    assert await migrate.current_revision(empty_urls.owner) is None

    await migrate.upgrade(empty_urls.owner)
    assert await migrate.check(empty_urls.owner) == []


async def test_models_and_migrations_agree_on_the_shared_databases(db_urls: DbUrls) -> None:
    assert await migrate.check(db_urls.owner) == []


async def test_check_reports_a_model_the_migrations_do_not_create(empty_urls: DbUrls) -> None:
    await migrate.upgrade(empty_urls.owner)
    from sqlalchemy import Column, Integer, Table

    from core.db.base import OWNER_KEY, Base

    extra = Table(
        "not_migrated",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        info={OWNER_KEY: "core"},
    )
    try:
        diffs = await migrate.check(empty_urls.owner)
    finally:
        Base.metadata.remove(extra)
    assert any(d[0] == "add_table" and d[1].name == "not_migrated" for d in diffs)
