"""PostgreSQL posture: RLS enabled and forced on every tenant table, a powerless runtime role."""

from __future__ import annotations

import pytest
from sqlalchemy import Table

from core.db import sql
from core.db.base import Base, table_kind, table_owner
from core.db.engine import make_engine
from core.db.posture import posture_problems
from core.db.registry import load_core_models
from core.tenancy.database import Database
from core.testing.postgres import RUNTIME, PgUrls

pytestmark = pytest.mark.postgres


async def _run(url: str, fn):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def _tenant_tables() -> list[Table]:
    """Core's tenant tables (plugins imported by other tests share the metadata; their
    own posture is checked by the plugin contract and tests/plugin_system)."""
    load_core_models()
    return [
        t
        for t in Base.metadata.sorted_tables
        if table_kind(t) == "tenant" and table_owner(t) == "core"
    ]


async def test_every_tenant_table_has_rls_enabled_forced_and_a_policy(pg_template: PgUrls) -> None:
    states = {p.table: p for p in await _run(pg_template.owner, sql.table_posture)}
    tenant_tables = _tenant_tables()
    assert tenant_tables, "core must have tenant tables for this check to mean anything"
    for table in tenant_tables:
        state = states[table.name]
        assert state.rls_enabled and state.rls_forced, table.name
        assert sql.POLICY_NAME in state.policies, table.name
        assert state.owner == "maillage_owner"


async def test_runtime_role_owns_nothing_and_cannot_bypass_rls(pg_template: PgUrls) -> None:
    role = await _run(pg_template.owner, lambda c: sql.role_posture(c, RUNTIME))
    assert role is not None
    assert not role.superuser
    assert not role.bypass_rls
    assert role.owned_objects == 0
    assert await _run(pg_template.runtime, sql.current_role) == RUNTIME


async def test_posture_check_reports_nothing_on_a_migrated_database(pg_template: PgUrls) -> None:
    assert await _run(pg_template.owner, lambda c: posture_problems(c, runtime_role=RUNTIME)) == []
    network = await _run(
        pg_template.owner,
        lambda c: posture_problems(c, runtime_role=RUNTIME, network_role="maillage_network"),
    )
    assert network == []


async def test_runtime_role_cannot_write_reference_tables(pg_template: PgUrls) -> None:
    from sqlalchemy import update
    from sqlalchemy.exc import ProgrammingError

    from core.territory.models import Region

    engine = make_engine(pg_template.runtime)
    try:
        with pytest.raises(ProgrammingError, match="permission denied"):
            async with engine.begin() as connection:
                await connection.execute(update(Region).values(name="x"))
    finally:
        await engine.dispose()


async def test_runtime_role_cannot_change_or_delete_audit_events(
    pg_template: PgUrls, db_for_audit: Database
) -> None:
    """The audit trail is append-only for the runtime role: insert and read, nothing else."""
    from sqlalchemy import delete, select, update
    from sqlalchemy.exc import ProgrammingError

    from core.audit.models import AuditEvent
    from core.audit.trail import record
    from tests.conftest import make_tenant

    tenant = await make_tenant(db_for_audit)
    async with db_for_audit.session(tenant.id) as session:
        record(session, actor="tests", action="plugins.enable", object_type="plugin")
        await session.commit()
    for statement in (
        update(AuditEvent).values(actor="someone else"),
        delete(AuditEvent),
    ):
        with pytest.raises(ProgrammingError, match="permission denied"):
            async with db_for_audit.session(tenant.id) as session:
                await session.execute(statement)
    async with db_for_audit.session(tenant.id) as session:
        rows = (await session.execute(select(AuditEvent.actor))).scalars().all()
    assert rows == ["tests"]


@pytest.fixture
async def db_for_audit(pg_template: PgUrls):  # type: ignore[no-untyped-def]
    database = Database(pg_template.runtime, platform_url=pg_template.platform)
    yield database
    await database.dispose()
