"""Column reads sent to the driver (core.tenancy.driver_reads): the same rows as the
ORM path, never a row of another pole, on SQLite (the general path) and PostgreSQL (the
compiled one), for the shapes the API sends: an IN list of any length, a join of two
pole tables (inner, or outer for a page's to-one record), a page with its total, a
numeric, a reference table, a bounded nested list."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import Numeric, and_, func, literal, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from core.api.loaders import Bound, bounded
from core.audit.models import AuditEvent
from core.audit.trail import record_reads
from core.domain.families.models import Child, Family
from core.domain.families.service import families_query
from core.tenancy import driver_reads
from core.tenancy.database import Database
from core.tenancy.driver_reads import select_rows
from core.territory.models import Commune
from tests.conftest import make_tenant


async def _pole_with_children(db: Database, count: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    tenant = await make_tenant(db)
    async with db.session(tenant.id) as session:
        families = [
            Family(name=f"Famille {i}", search_name=f"famille {i}", commune_insee="62119")
            for i in range(count)
        ]
        session.add_all(families)
        await session.flush()
        children = [
            Child(
                family_id=family.id,
                first_name=f"Enfant {i}",
                birth_date=dt.date(2020, 1, 1) + dt.timedelta(days=i),
                commune_insee="62119",
                needs_profile=["motor"] if i % 2 else [],
            )
            for i, family in enumerate(families)
        ]
        session.add_all(children)
        await session.commit()
        return tenant.id, [c.id for c in children]


def _shapes(ids: list[uuid.UUID]) -> dict[str, Any]:
    columns = (Child.id, Child.first_name, Child.birth_date, Child.needs_profile)
    by_family = and_(Family.tenant_id == Child.tenant_id, Family.id == Child.family_id)
    ordered = select(*columns).order_by(Child.birth_date.desc(), Child.id.desc())
    return {
        "one id": select(*columns).where(Child.id.in_(ids[:1])),
        "three ids": select(*columns).where(Child.id.in_(ids[:3])),
        "every id": select(*columns).where(Child.id.in_(ids)),
        "no id": select(*columns).where(Child.id.in_([])),
        "two lists": select(*columns).where(
            Child.id.in_(ids[:4]), Child.first_name.in_(["Enfant 1", "Enfant 3", "Personne"])
        ),
        "two lists, other values of the same lengths": select(*columns).where(
            Child.id.in_(ids[1:5]), Child.first_name.in_(["Enfant 2", "Enfant 4", "Enfant 1"])
        ),
        "join": select(Child.id, Family.name.label("family_name"))
        .join(Family, by_family)
        .where(Child.id.in_(ids))
        .order_by(Child.id),
        # A page's to-one record joined in (core.api.pagination.ToOne, decision 217).
        "outer join": select(
            Child.id, Family.id.label("family__id"), Family.name.label("family__name")
        )
        .outerjoin(Family, Family.id == Child.family_id)
        .where(Child.id.in_(ids))
        .order_by(Child.id),
        # A page and the count of every row its filters keep, as pagination reads them
        # (core.api.pagination: a scalar subquery, computed once by the server).
        "page with its total": ordered.add_columns(
            select(func.count())
            .select_from(ordered.order_by(None).subquery())
            .scalar_subquery()
            .label("total_count_")
        )
        .limit(2)
        .offset(1),
        # Families named by a child's first name: a correlated EXISTS on the children.
        "exists": families_query(search="enfant 1").with_only_columns(Family.id, Family.name),
        "a numeric, whose type the server describes": select(
            Child.id, literal(1.5, Numeric(5, 2)).label("weight")
        ).where(Child.id.in_(ids)),
        "reference table": select(Commune.insee_code, Commune.name).where(
            Commune.insee_code.in_(["62119", "62041"])
        ),
        "bounded list": bounded(
            select(Child.family_id, *columns).where(Child.id.in_(ids)),
            Child.family_id,
            [Child.birth_date, Child.id],
            Bound(first=2, last=None),
        ),
    }


async def test_the_same_rows_as_the_orm_and_none_of_another_pole(db: Database) -> None:
    pole, ids = await _pole_with_children(db, 5)
    _other, other_ids = await _pole_with_children(db, 3)
    try:
        for name, statement in _shapes(ids + other_ids).items():
            async with db.session(pole) as session:
                expected = [tuple(r) for r in (await session.execute(statement)).all()]
                # Twice: the first call compiles the shape, the second reuses it.
                for _ in range(2):
                    found = await select_rows(session, statement)
                    assert [tuple(r) for r in found] == expected, name
                    assert all(r._fields == tuple(statement.selected_columns.keys()) for r in found)
            assert expected or name == "no id", name
            flat = {value for row in expected for value in row if isinstance(value, uuid.UUID)}
            assert not flat & set(other_ids), name
        # A page of the other pole's children, asked from this pole: nothing.
        async with db.session(pole) as session:
            assert await select_rows(session, select(Child.id).where(Child.id.in_(other_ids))) == []
    finally:
        await db.dispose()


async def test_the_compiled_read_carries_the_pole_on_every_pole_table(db: Database) -> None:
    if db.is_sqlite:
        return  # the general path: the guard's own criteria, tested in test_walls
    pole, ids = await _pole_with_children(db, 2)
    # Pole tables each statement reads: every one carries the pole.
    tables = {"join": 2, "outer join": 2, "page with its total": 2, "exists": 3}
    for shape, expected in tables.items():
        statement = _shapes(ids)[shape]
        async with db.session(pole) as session:
            await select_rows(session, statement)
        scoped = statement.options(driver_reads._TENANT_CRITERIA)
        plan = driver_reads._PLANS[scoped._generate_cache_key().key]
        assert plan is not None
        sql = plan.compiled.string
        # children and families alike; the page's children and those its total counts;
        # the families and the children each word's EXISTS looks at (two words)
        assert sql.count("tenant_id = $") == expected, (shape, sql)
    await db.dispose()


# Division by zero, found by the server while it reads the rows (the transaction breaks).
_DIVISION_BY_ZERO = select(
    Child.id, literal(1) / (func.length(Child.first_name) - func.length(Child.first_name))
)


async def test_a_database_error_is_the_one_the_orm_path_raises(db: Database) -> None:
    if db.is_sqlite:
        return  # SQLite answers NULL where PostgreSQL refuses, and takes the ORM path
    pole, ids = await _pole_with_children(db, 2)
    statement = _DIVISION_BY_ZERO.where(Child.id.in_(ids))
    raised = []
    for read in (lambda s: s.execute(statement), lambda s: select_rows(s, statement)):
        async with db.session(pole) as session:
            with pytest.raises(DBAPIError) as caught:
                await read(session)
            raised.append(type(caught.value))
    assert raised[0] is raised[1], raised
    await db.dispose()


async def test_objects_are_the_orms_to_load(db: Database) -> None:
    pole, ids = await _pole_with_children(db, 2)
    async with db.session(pole) as session:
        rows = await select_rows(session, select(Child).where(Child.id.in_(ids)))
        assert sorted(r[0].id for r in rows) == sorted(ids)
        assert all(isinstance(r[0], Child) for r in rows)
    await db.dispose()


async def test_read_events_after_a_broken_transaction_are_written_in_a_fresh_one(
    db: Database,
) -> None:
    """What ``Context._write_reads`` relies on: in a transaction the database already
    broke, writing the read events raises a SQLAlchemy error (not the driver's), and
    after a rollback they are written, in the pole, on either path."""
    pole, ids = await _pole_with_children(db, 1)
    reads = [("Child", str(ids[0]), ["firstName"])]
    async with db.session(pole) as session:
        if not db.is_sqlite:
            with pytest.raises(DBAPIError):
                await session.execute(_DIVISION_BY_ZERO.where(Child.id.in_(ids)))
            with pytest.raises(SQLAlchemyError):
                await record_reads(session, actor="user:test", reads=reads)
            await session.rollback()
        await record_reads(session, actor="user:test", reads=reads)
        await session.commit()
    async with db.session(pole) as session:
        events = (await session.execute(select(AuditEvent))).scalars().all()
    assert [(e.action, e.object_type, e.object_id, e.fields) for e in events] == [
        ("read", "Child", str(ids[0]), ["firstName"])
    ]
    assert events[0].tenant_id == pole and events[0].actor == "user:test"
    await db.dispose()
