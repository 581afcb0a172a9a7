"""Property-based isolation: whatever the data and the query shape, a pole sees only its rows.

Each example makes fresh poles, fills them with random rows whose names collide
across poles on purpose, then runs random operations as one pole: plain selects,
get by id (own, foreign, missing), eager and lazy relationship loads, deferred
column loads, ``.any()`` / ``.has()``, joins with aggregates, subqueries, bulk
UPDATE and DELETE, and writes aimed at another pole. A model of the expected
state is kept alongside; after every operation the database (read back through an
audited unscoped session) must match it for every pole.

Runs under three wall configurations: the ORM filter alone (SQLite), PostgreSQL
RLS alone (ORM filter off), and both.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import joinedload, selectinload

from core.tenancy.database import Database
from core.tenancy.guard import TenantScopeError
from core.tenancy.models import Tenant
from tests.isolation.conftest import Wall
from tests.isolation.models import Child, Parent, Toy

NAMES = st.sampled_from(["ana", "bo", "cy"])  # few names: collisions across poles are the point
LABELS = st.sampled_from(["ball", "book", "doll"])

toy_st = LABELS
child_st = st.tuples(NAMES, st.lists(toy_st, max_size=2))
parent_st = st.tuples(NAMES, st.lists(child_st, max_size=3))
pole_st = st.lists(parent_st, max_size=3)

OPERATIONS = (
    "select_all",
    "get_by_id",
    "eager_selectin",
    "eager_joined",
    "lazy_loads",
    "deferred_column",
    "any",
    "has",
    "join_aggregate",
    "subquery",
    "bulk_update",
    "bulk_delete",
    "write_foreign",
    "reparent_foreign",
)


@dataclass
class Expected:
    """What each pole holds, as the test believes it."""

    parents: dict[uuid.UUID, dict[uuid.UUID, str]] = field(default_factory=dict)
    children: dict[uuid.UUID, dict[uuid.UUID, tuple[uuid.UUID, str, str]]] = field(
        default_factory=dict
    )
    toys: dict[uuid.UUID, dict[uuid.UUID, tuple[uuid.UUID, str]]] = field(default_factory=dict)

    def foreign_ids(self, tenant: uuid.UUID) -> list[uuid.UUID]:
        ids: list[uuid.UUID] = []
        for other, rows in self.parents.items():
            if other != tenant:
                ids.extend(rows)
        return ids


async def _make_poles(db: Database, data: list[list[tuple]]) -> tuple[list[uuid.UUID], Expected]:
    expected = Expected()
    tenants: list[uuid.UUID] = []
    async with db.unscoped(reason="isolation test setup", actor="tests") as session:
        for _ in data:
            slug = f"iso-{uuid.uuid4().hex[:12]}"
            tenant = Tenant(
                slug=slug, name=slug, short_name=slug, operator="test", departement_code="62"
            )
            session.add(tenant)
            await session.flush()
            tenants.append(tenant.id)
        await session.commit()
    for tenant_id, parents in zip(tenants, data, strict=True):
        expected.parents[tenant_id], expected.children[tenant_id] = {}, {}
        expected.toys[tenant_id] = {}
        async with db.session(tenant_id) as session:
            for parent_name, children in parents:
                parent = Parent(name=parent_name, children=[])
                for child_name, toys in children:
                    child = Child(name=child_name, note="")
                    child.toys = [Toy(label=label) for label in toys]
                    parent.children.append(child)
                session.add(parent)
                await session.flush()
                expected.parents[tenant_id][parent.id] = parent_name
                for child in parent.children:
                    expected.children[tenant_id][child.id] = (parent.id, child.name, "")
                    for toy in child.toys:
                        expected.toys[tenant_id][toy.id] = (child.id, toy.label)
            await session.commit()
    return tenants, expected


async def _check_database_matches(
    db: Database, tenants: list[uuid.UUID], expected: Expected
) -> None:
    """Read everything back, crossing the wall on purpose (audited), and compare."""
    async with db.unscoped(reason="isolation test check", actor="tests") as session:
        for tenant_id in tenants:
            parents = (
                await session.execute(
                    select(Parent.id, Parent.name).where(Parent.tenant_id == tenant_id)
                )
            ).all()
            assert dict(parents) == expected.parents[tenant_id]
            children = (
                await session.execute(
                    select(Child.id, Child.parent_id, Child.name, Child.note).where(
                        Child.tenant_id == tenant_id
                    )
                )
            ).all()
            assert {r[0]: (r[1], r[2], r[3]) for r in children} == expected.children[tenant_id]
            toys = (
                await session.execute(
                    select(Toy.id, Toy.child_id, Toy.label).where(Toy.tenant_id == tenant_id)
                )
            ).all()
            assert {r[0]: (r[1], r[2]) for r in toys} == expected.toys[tenant_id]


async def _run_operation(
    db: Database,
    wall: Wall,
    op: str,
    viewer: uuid.UUID,
    name: str,
    label: str,
    expected: Expected,
    draw_index: int,
) -> None:
    mine_parents = expected.parents[viewer]
    mine_children = expected.children[viewer]
    mine_toys = expected.toys[viewer]
    async with db.session(viewer) as session:
        if op == "select_all":
            assert set((await session.execute(select(Parent.id))).scalars()) == set(mine_parents)
            assert set((await session.execute(select(Child.id))).scalars()) == set(mine_children)
            rows = (await session.execute(select(Toy))).scalars().all()
            assert {t.id for t in rows} == set(mine_toys)
            assert all(t.tenant_id == viewer for t in rows)
            count = (await session.execute(select(func.count()).select_from(Child))).scalar()
            assert count == len(mine_children)

        elif op == "get_by_id":
            foreign = expected.foreign_ids(viewer)
            missing = uuid.uuid4()
            targets = [missing, *foreign[:3]]
            for target in targets:
                # A foreign id answers exactly like a missing one: nothing, no error.
                assert await session.get(Parent, (viewer, target)) is None
                found = await session.execute(select(Parent).where(Parent.id == target))
                assert found.scalars().all() == []
            for other in expected.parents:
                if other != viewer:
                    rows = await session.execute(select(Parent).where(Parent.tenant_id == other))
                    assert rows.scalars().all() == []
            if mine_parents:
                own = next(iter(mine_parents))
                got = await session.get(Parent, (viewer, own))
                assert got is not None and got.name == mine_parents[own]

        elif op in ("eager_selectin", "eager_joined"):
            loader = selectinload if op == "eager_selectin" else joinedload
            statement = select(Parent).options(loader(Parent.children).selectinload(Child.toys))
            parents = (await session.execute(statement)).unique().scalars().all()
            assert {p.id for p in parents} == set(mine_parents)
            seen_children = {c.id for p in parents for c in p.children}
            seen_toys = {t.id for p in parents for c in p.children for t in c.toys}
            assert seen_children == set(mine_children)
            assert seen_toys == set(mine_toys)

        elif op == "lazy_loads":

            def walk(sync_session) -> tuple[set, set, set]:  # type: ignore[no-untyped-def]
                children = sync_session.execute(select(Child)).scalars().all()
                parents = {c.parent.id for c in children}  # many-to-one lazy load
                toys = {t.id for c in children for t in c.toys}  # one-to-many lazy load
                back = {sibling.id for c in children for sibling in c.parent.children}
                return parents, toys, back

            parents, toys, back = await session.run_sync(walk)
            assert parents <= set(mine_parents)
            assert toys == set(mine_toys)
            assert back == set(mine_children)

        elif op == "deferred_column":

            def notes(sync_session) -> dict:  # type: ignore[no-untyped-def]
                return {c.id: c.note for c in sync_session.execute(select(Child)).scalars()}

            assert await session.run_sync(notes) == {k: v[2] for k, v in mine_children.items()}

        elif op == "any":
            rows = await session.execute(
                select(Parent.id).where(Parent.children.any(Child.name == name))
            )
            wanted = {pid for pid, cname, _ in mine_children.values() if cname == name}
            assert set(rows.scalars()) == wanted

        elif op == "has":
            rows = await session.execute(
                select(Child.id).where(Child.parent.has(Parent.name == name))
            )
            wanted = {
                cid for cid, (pid, _, _) in mine_children.items() if mine_parents[pid] == name
            }
            assert set(rows.scalars()) == wanted

        elif op == "join_aggregate":
            rows = await session.execute(
                select(Parent.name, func.count(Child.id))
                .join(Parent.children)
                .group_by(Parent.name)
            )
            wanted: dict[str, int] = {}
            for pid, _, _ in mine_children.values():
                wanted[mine_parents[pid]] = wanted.get(mine_parents[pid], 0) + 1
            assert dict(rows.all()) == wanted

        elif op == "subquery":
            inner = select(Parent.id).where(Parent.name == name)
            rows = await session.execute(select(Child.id).where(Child.parent_id.in_(inner)))
            wanted = {
                cid for cid, (pid, _, _) in mine_children.items() if mine_parents[pid] == name
            }
            assert set(rows.scalars()) == wanted

        elif op == "bulk_update":
            marker = f"m{draw_index}"
            result = await session.execute(
                update(Child).where(Child.name == name).values(note=marker)
            )
            await session.commit()
            touched = [cid for cid, (_, cname, _) in mine_children.items() if cname == name]
            assert result.rowcount == len(touched)
            for cid in touched:
                pid, cname, _ = mine_children[cid]
                mine_children[cid] = (pid, cname, marker)

        elif op == "bulk_delete":
            result = await session.execute(delete(Toy).where(Toy.label == label))
            await session.commit()
            gone = [tid for tid, (_, tlabel) in mine_toys.items() if tlabel == label]
            assert result.rowcount == len(gone)
            for tid in gone:
                del mine_toys[tid]

        elif op == "write_foreign":
            others = [t for t in expected.parents if t != viewer]
            session.add(Parent(tenant_id=others[0], name="intruder"))
            with pytest.raises((TenantScopeError, DBAPIError)):
                await session.commit()
            await session.rollback()

        elif op == "reparent_foreign":
            foreign_parent = next(iter(expected.foreign_ids(viewer)), None)
            mine = next(iter(mine_children), None)
            if foreign_parent is None or mine is None:
                return
            # The composite key makes pointing at another pole's parent impossible:
            # (viewer, foreign_parent) does not exist.
            with pytest.raises(DBAPIError):
                await session.execute(
                    update(Child).where(Child.id == mine).values(parent_id=foreign_parent)
                )
                await session.commit()
            await session.rollback()


@pytest.mark.parametrize("poles", [2, 3])
def test_no_pole_ever_sees_another_poles_rows(wall: Wall, poles: int) -> None:
    @given(
        data=st.lists(pole_st, min_size=poles, max_size=poles),
        operations=st.lists(
            st.tuples(st.sampled_from(OPERATIONS), st.integers(0, poles - 1), NAMES, LABELS),
            min_size=1,
            max_size=6,
        ),
    )
    def example(data: list, operations: list) -> None:
        async def run() -> None:
            db = Database(
                wall.urls.runtime,
                platform_url=wall.urls.platform,
                orm_tenant_filter=wall.orm_filter,
            )
            try:
                tenants, expected = await _make_poles(db, data)
                for index, (op, who, name, label) in enumerate(operations):
                    await _run_operation(db, wall, op, tenants[who], name, label, expected, index)
                    await _check_database_matches(db, tenants, expected)
            finally:
                await db.dispose()

        asyncio.run(run())

    example()
