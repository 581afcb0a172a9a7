"""Each wall on its own, with hand-picked cases the property test might take long to find."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from core.auth.models import Membership
from core.db import sql
from core.db.engine import make_engine
from core.domain.areas.models import ServiceArea, ServiceAreaCommune
from core.tenancy.database import Database
from core.tenancy.guard import CALLER_KEY, TenantScopeError
from core.tenancy.models import PlatformAuditEvent
from tests.conftest import DbUrls, make_tenant

# --- The ORM wall ---------------------------------------------------------------------------


async def test_core_statement_on_a_tenant_table_is_refused(db: Database) -> None:
    tenant = await make_tenant(db)
    async with db.session(tenant.id) as session:
        with pytest.raises(TenantScopeError, match="Core statement"):
            await session.execute(select(ServiceArea.__table__))


async def test_reference_session_cannot_reach_tenant_tables(db: Database) -> None:
    async with db.reference_session() as session:
        with pytest.raises(TenantScopeError, match="no tenant in scope"):
            await session.execute(select(ServiceArea))
        with pytest.raises(TenantScopeError, match="no tenant in scope"):
            await session.execute(select(func.count(ServiceAreaCommune.id)))


async def test_the_callers_statement_may_read_memberships_and_nothing_else(
    db: Database,
) -> None:
    """The request's first statement (decision 116) reads the membership of the pole it
    finds; the option that lets it does not open any other tenant table."""
    async with db.reference_session() as session:
        caller = {CALLER_KEY: True}
        await session.execute(select(Membership.roles).limit(1).execution_options(**caller))
        with pytest.raises(TenantScopeError):
            await session.execute(
                select(Membership.roles, ServiceArea.id).limit(1).execution_options(**caller)
            )
        with pytest.raises(TenantScopeError):
            await session.execute(select(ServiceArea.id).execution_options(**caller))


async def test_writing_without_a_tenant_is_refused(db: Database) -> None:
    async with db.reference_session() as session:
        session.add(ServiceArea(name="Nulle part"))
        with pytest.raises(TenantScopeError):
            await session.flush()


async def test_flush_guard_stamps_new_rows_with_the_session_tenant(db: Database) -> None:
    tenant = await make_tenant(db)
    async with db.session(tenant.id) as session:
        area = ServiceArea(name="Artois")
        session.add(area)
        await session.commit()
        assert area.tenant_id == tenant.id


async def test_flush_guard_refuses_a_row_of_another_tenant(db: Database) -> None:
    mine, other = await make_tenant(db), await make_tenant(db)
    async with db.session(mine.id) as session:
        session.add(ServiceArea(tenant_id=other.id, name="Intrus"))
        with pytest.raises(TenantScopeError, match="another tenant"):
            await session.flush()


async def test_tenant_id_of_a_stored_row_cannot_change(db: Database) -> None:
    mine, other = await make_tenant(db), await make_tenant(db)
    async with db.session(mine.id) as session:
        area = ServiceArea(name="Ternois")
        session.add(area)
        await session.commit()
        area.tenant_id = other.id
        with pytest.raises(TenantScopeError):
            await session.flush()


async def test_bulk_insert_rows_get_the_tenant_and_inline_values_are_refused(db: Database) -> None:
    mine, other = await make_tenant(db), await make_tenant(db)
    async with db.session(mine.id) as session:
        await session.execute(insert(ServiceArea), [{"name": "A", "description": ""}])
        with pytest.raises(TenantScopeError, match="another tenant"):
            await session.execute(
                insert(ServiceArea), [{"name": "B", "description": "", "tenant_id": other.id}]
            )
        with pytest.raises(TenantScopeError, match="values"):
            await session.execute(insert(ServiceArea).values(name="C", description=""))
        await session.rollback()


async def test_unscoped_is_audited_even_when_the_job_rolls_back(db: Database) -> None:
    reason = f"test job {uuid.uuid4()}"
    with pytest.raises(RuntimeError):
        async with db.unscoped(reason=reason, actor="tests") as session:
            await session.execute(select(ServiceArea))
            raise RuntimeError("job failed")
    async with db.reference_session() as session:
        rows = await session.execute(
            select(PlatformAuditEvent).where(PlatformAuditEvent.reason == reason)
        )
        event = rows.scalar_one()
        assert (event.kind, event.actor) == ("unscoped", "tests")


async def test_unscoped_needs_a_reason_and_an_actor(db: Database) -> None:
    with pytest.raises(ValueError):
        async with db.unscoped(reason=" ", actor="tests"):
            pass


# --- The database wall (PostgreSQL RLS), with no ORM in the way ---------------------------


@pytest.mark.postgres
async def test_rls_alone_filters_reads_and_refuses_foreign_writes(pg_urls: DbUrls) -> None:
    db = pg_urls.database()
    a, b = await make_tenant(db), await make_tenant(db)
    for tenant in (a, b):
        async with db.session(tenant.id) as session:
            session.add(ServiceArea(name=f"zone {tenant.slug}"))
            await session.commit()
    await db.dispose()

    table = ServiceArea.__table__
    engine = make_engine(pg_urls.runtime)
    try:
        async with engine.begin() as connection:
            # No tenant set: the policy matches nothing.
            assert (await connection.execute(select(table))).all() == []
        async with engine.begin() as connection:
            await connection.run_sync(sql.set_transaction_tenant, a.id)
            rows = (await connection.execute(select(table.c.tenant_id))).scalars().all()
            assert rows == [a.id]
        with pytest.raises(DBAPIError, match="row-level security"):
            async with engine.begin() as connection:
                await connection.run_sync(sql.set_transaction_tenant, a.id)
                await connection.execute(
                    insert(table).values(
                        tenant_id=b.id, id=uuid.uuid4(), name="intrus", description=""
                    )
                )
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_tenant_setting_does_not_outlive_its_transaction(pg_urls: DbUrls) -> None:
    db = pg_urls.database()
    a = await make_tenant(db)
    async with db.session(a.id) as session:
        session.add(ServiceArea(name="Calaisis"))
        await session.commit()
    await db.dispose()
    engine = make_engine(pg_urls.runtime, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(sql.set_transaction_tenant, a.id)
            assert len((await connection.execute(select(ServiceArea.__table__))).all()) == 1
        # Same pooled connection, next transaction: nothing leaks.
        async with engine.begin() as connection:
            assert (await connection.execute(select(ServiceArea.__table__))).all() == []
    finally:
        await engine.dispose()
