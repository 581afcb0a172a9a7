"""The network's people read releases and nothing else — in the database too.

SQL probes on PostgreSQL as the network's role (logging in as it, and as the runtime
role after ``SET LOCAL ROLE``, the path a network request takes): SELECT on the
release tables answers; every pole table, the accounts, the pole's own copy of its
releases and any write answer « permission denied ». GraphQL probes: a network
account or a ``network:read`` client reaches no pole field."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import ProgrammingError

from core.db import migrate, sql
from core.db.base import NETWORK_READABLE_KEY, Base, table_kind
from core.db.engine import make_engine
from core.db.posture import posture_problems
from core.db.registry import load_core_models
from core.network.reader import network_reader
from core.tenancy.database import Database
from core.testing.client import GraphQLClient
from core.testing.postgres import NETWORK, PgUrls, PostgresServer
from tests.api.conftest import TwoPoles
from tests.conftest import DbUrls
from tests.network.helpers import (
    ANALYST,
    APPROVE,
    COORDINATOR,
    POLE_ADMIN,
    PREPARE,
    SUBMIT,
    follow_children,
    make_network,
    run,
)

READABLE = {
    "networks",
    "network_poles",
    "network_catalogues",
    "network_releases",
    "network_release_cells",
}


def _tables() -> tuple[list[str], list[str]]:
    load_core_models()
    readable = [t.name for t in Base.metadata.sorted_tables if t.info.get(NETWORK_READABLE_KEY)]
    others = [t.name for t in Base.metadata.sorted_tables if t.name not in readable]
    return readable, others


def test_the_release_tables_and_only_they_are_marked_readable_by_the_network() -> None:
    readable, others = _tables()
    assert set(readable) == READABLE
    load_core_models()
    kinds = {t.name: table_kind(t) for t in Base.metadata.sorted_tables}
    # Stored apart from the poles' data: reference tables, no tenant key.
    assert {kinds[name] for name in readable} == {"reference"}
    assert kinds["network_release_sources"] == "tenant"
    assert "families" in others and "users" in others


def _probe(connection: Connection, statement: str) -> str:
    connection.execute(text("SAVEPOINT probe"))
    try:
        connection.execute(text(statement))
    except ProgrammingError as exc:
        connection.execute(text("ROLLBACK TO SAVEPOINT probe"))
        return "denied" if "permission denied" in str(exc) else f"error: {exc}"
    connection.execute(text("RELEASE SAVEPOINT probe"))
    return "ok"


def _expectations(connection: Connection) -> dict[str, str]:
    readable, others = _tables()
    # Every table of this database (a plugin's, loaded by another test of the same
    # process, may be in the metadata and not in the database).
    existing = set(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
    )
    others = [t for t in others if t in existing] + sorted(existing - set(readable) - set(others))
    answers = {"tables": ",".join(others)}
    for table in readable:
        answers[f"select {table}"] = _probe(connection, f"SELECT * FROM {table} LIMIT 1")
        answers[f"delete {table}"] = _probe(connection, f"DELETE FROM {table}")
    for table in others:
        answers[f"select {table}"] = _probe(connection, f"SELECT * FROM {table} LIMIT 1")
    return answers


def _check(answers: dict[str, str]) -> None:
    readable, _ = _tables()
    others = answers["tables"].split(",")
    assert "families" in others and "network_release_sources" in others
    for table in readable:
        assert answers[f"select {table}"] == "ok", table
        assert answers[f"delete {table}"] == "denied", table
    wrong = {t: answers[f"select {t}"] for t in others if answers[f"select {t}"] != "denied"}
    assert wrong == {}


@pytest.mark.postgres
async def test_the_network_role_selects_the_release_tables_and_nothing_else(
    pg_template: PgUrls,
) -> None:
    engine = make_engine(pg_template.network)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(sql.current_role) == NETWORK
            answers = await connection.run_sync(_expectations)
    finally:
        await engine.dispose()
    _check(answers)


@pytest.mark.postgres
async def test_a_network_request_reads_as_the_network_role(pg_template: PgUrls) -> None:
    """The runtime role switches for the network's reads and back after."""
    db = Database(pg_template.runtime)
    try:
        async with db.reference_session() as session:
            async with network_reader(session, NETWORK) as reader:
                connection = await reader.connection()
                assert await connection.run_sync(sql.current_role) == NETWORK
                answers = await connection.run_sync(_expectations)
            connection = await session.connection()
            assert await connection.run_sync(sql.current_role) == "maillage_app"
            await session.rollback()
    finally:
        await db.dispose()
    _check(answers)


def _everything(connection: Connection) -> dict[str, list[dict[str, object]]]:
    """Every row of every table the network may read, every column, as that role."""
    readable, _ = _tables()
    return {
        table: [dict(row) for row in connection.execute(text(f"SELECT * FROM {table}")).mappings()]
        for table in readable
    }


async def test_the_network_reads_no_name_of_the_poles_staff(
    client: GraphQLClient, db: Database, db_urls: DbUrls, two_poles: TwoPoles
) -> None:
    """Who prepared and who submitted a release are the pole's staff: their names stay
    in the pole's audit trail, never in a table the network reads (decision 211). On
    PostgreSQL, read as the network's role, every column of every row it may read."""
    await make_network(client, db, two_poles.a, two_poles.b)
    await follow_children(db, two_poles.a, {4: 15, 8: 30})
    prepared = await run(client, PREPARE, {"period": "2025"}, tenant=two_poles.a, actor=POLE_ADMIN)
    release_id = prepared["release"]["id"]
    await run(client, SUBMIT, {"id": release_id}, tenant=two_poles.a, actor=POLE_ADMIN)
    await run(client, APPROVE, {"id": release_id}, actor=COORDINATOR)
    async with db.reference_session() as session:
        async with network_reader(session, NETWORK if db_urls.kind == "postgres" else "") as r:
            connection = await r.connection()
            if db_urls.kind == "postgres":
                assert await connection.run_sync(sql.current_role) == NETWORK
            read = await connection.run_sync(_everything)
        await session.rollback()
    columns = {column for rows in read.values() for row in rows for column in row}
    assert not columns & {"prepared_by", "submitted_by"}
    seen = repr(read)
    # The release is there (SQLite keeps ids without dashes).
    assert release_id.replace("-", "") in seen.replace("-", "")
    for staff in (POLE_ADMIN.display_name, POLE_ADMIN.subject):
        assert staff not in seen


POLE_FIELDS = [
    "{ families(first: 5) { edges { node { id } } } }",
    '{ indicators(start: "2025-01-01", end: "2026-01-01") { total } }',
    "{ letterhead { name } }",
    '{ figure(name: "casework.children_followed", year: 2025) { total } }',
]


async def test_network_people_reach_no_pole_field(client: GraphQLClient, db: Database) -> None:
    for who in (ANALYST, COORDINATOR):
        for query in POLE_FIELDS:
            result = await client.execute(query, actor=who)
            codes = {e["extensions"]["code"] for e in result["errors"]}
            assert codes == {"FORBIDDEN"}, (query, result)
        viewer = await client.execute("{ viewer { actions roles } }", actor=who)
        actions = viewer["data"]["viewer"]["actions"]
        assert actions and all(a.startswith("network.") for a in actions)


@pytest.mark.postgres
async def test_the_posture_check_reports_a_network_role_that_reads_a_pole_table(
    pg_server: PostgresServer,
) -> None:
    urls = await pg_server.create_database("maillage_posture")
    try:
        await migrate.upgrade(urls.owner)
        engine = make_engine(urls.owner)
        try:
            async with engine.begin() as connection:
                clean = await connection.run_sync(
                    lambda c: posture_problems(c, runtime_role="maillage_app", network_role=NETWORK)
                )
                await connection.execute(text(f"GRANT SELECT ON families TO {NETWORK}"))
                found = await connection.run_sync(
                    lambda c: posture_problems(c, runtime_role="maillage_app", network_role=NETWORK)
                )
        finally:
            await engine.dispose()
    finally:
        await pg_server.drop_database(urls.database)
    assert clean == []
    assert found == [f"network role {NETWORK} may SELECT families"]
