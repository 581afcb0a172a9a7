"""The benchmark data generator (benchmarks/generator.py) at a tiny size, on SQLite and
PostgreSQL: the counts it reports are what each pole sees, every reference stays inside
its pole (rows, staff, communes), and the same seed gives the same data."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from benchmarks.generator import ORDER, GeneratedPole, count_rows, generate
from core.tenancy.database import Database
from core.territory.models import Commune

SKIPPED = {"id", "tenant_id", "created_at", "updated_at"}


def _prefix() -> str:
    return f"banc-{uuid.uuid4().hex[:8]}"


async def _rows(db: Database, tenant_ids: set[uuid.UUID]) -> dict[str, list[Any]]:
    """Every generated row of these poles, read across poles (audited platform read)."""
    found: dict[str, list[Any]] = {}
    async with db.unscoped(reason="generator test", actor="tests") as session:
        for model in ORDER:
            found[model.__tablename__] = list(  # type: ignore[attr-defined]
                (
                    await session.execute(
                        select(model)
                        .where(model.tenant_id.in_(tenant_ids))  # type: ignore[attr-defined]
                        .order_by(model.id)  # type: ignore[attr-defined]
                    )
                ).scalars()
            )
    return found


async def test_counts_and_every_reference_stays_in_its_pole(db: Database) -> None:
    poles = await generate(db, poles=2, children=14, prefix=_prefix())
    a, b = poles
    assert a.tenant.departement_code != b.tenant.departement_code
    for pole in poles:
        seen = await count_rows(db, pole.tenant)
        assert seen == pole.counts
        assert seen["children"] == 14
        assert seen["follow_ups"] > 0 and seen["interventions"] > seen["follow_ups"]
        assert seen["reception_plans"] > 0 and seen["requests"] == 14

    rows = await _rows(db, {a.tenant.id, b.tenant.id})
    owner = {r.id: r.tenant_id for group in rows.values() for r in group}
    members = {(m.tenant_id, m.user_id) for m in rows["memberships"] if m.active}
    async with db.reference_session() as session:
        departement = dict(
            (await session.execute(select(Commune.insee_code, Commune.departement_code))).all()
        )
    pole_departement = {p.tenant.id: p.tenant.departement_code for p in poles}
    checked = 0
    for model in ORDER:
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            targets = {fk.column.table.name for fk in column.foreign_keys}
            if column.name in SKIPPED or not targets:
                continue
            attribute = model.__mapper__.get_property_by_column(column).key  # type: ignore[attr-defined]
            for row in rows[model.__tablename__]:  # type: ignore[attr-defined]
                value = getattr(row, attribute)
                if value is None:
                    continue
                checked += 1
                if targets == {"users"}:
                    # Staff named on a row (referent, assignee, intervening) are members of
                    # the row's pole, not of the other one.
                    assert (row.tenant_id, value) in members, (model, column.name)
                elif targets == {"communes"}:
                    assert departement[value] == pole_departement[row.tenant_id]
                else:
                    assert owner[value] == row.tenant_id, (model, column.name)
    assert checked > 100

    # Each pole's scoped session sees its own rows only.
    for mine in (a, b):
        async with db.session(mine.tenant.id) as session:
            for model in ORDER:
                ids = set((await session.execute(select(model.id))).scalars())  # type: ignore[attr-defined]
                assert all(owner[i] == mine.tenant.id for i in ids), model
                assert len(ids) == mine.counts[model.__tablename__]  # type: ignore[attr-defined]


def _signature(pole: GeneratedPole, rows: dict[str, list[Any]]) -> list[Any]:
    """The pole's content with every id replaced by its rank in creation order (UUIDv7)."""
    mine = {
        name: [r for r in group if r.tenant_id == pole.tenant.id] for name, group in rows.items()
    }
    ids = sorted(
        {
            v
            for group in mine.values()
            for r in group
            for k, v in vars(r).items()
            if isinstance(v, uuid.UUID) and k != "tenant_id"
        }
    )
    rank = {value: index for index, value in enumerate(ids)}
    return [
        (
            name,
            [
                sorted(
                    (k, rank.get(v, v) if isinstance(v, uuid.UUID) else v)
                    for k, v in vars(r).items()
                    if not k.startswith("_") and k not in {"tenant_id", "created_at", "updated_at"}
                )
                for r in group
            ],
        )
        for name, group in sorted(mine.items())
    ]


async def test_the_same_seed_gives_the_same_data(db: Database) -> None:
    (first,) = await generate(db, poles=1, children=9, seed=7, prefix=_prefix())
    (again,) = await generate(db, poles=1, children=9, seed=7, prefix=_prefix())
    (other,) = await generate(db, poles=1, children=9, seed=8, prefix=_prefix())
    rows = await _rows(db, {first.tenant.id, again.tenant.id, other.tenant.id})
    assert first.counts == again.counts
    assert _signature(first, rows) == _signature(again, rows)
    assert _signature(first, rows) != _signature(other, rows)
