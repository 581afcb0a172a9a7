"""A plugin's rows about a family in the family's export and erasure, in one call.

``family_records`` builds the ``PersonalDataSource`` of a plugin table that points at a
family (and optionally at a child): the export lists its rows as the family reads them,
the erasure deletes them (noted in the deletions feed) — the same retention purge and
erasure on request that clear core's file run it (decision 106).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import ExportRecord, FamilyScope, PersonalDataSource
from core.domain.lookups import delete_recorded


def family_records(
    model: type[Any],
    *,
    title: str,
    kind: str,
    describe: Callable[[Any], Mapping[str, Any]],
    type_name: str,
    family: str | None = "family_id",
    child: str | None = None,
    order: int = 50,
) -> PersonalDataSource:
    """The rows of ``model`` whose ``family`` column names the family or whose ``child``
    column names one of its children: exported as ``kind`` records (``describe(row)``
    gives the French labels and values), erased by deletion. ``type_name`` is the
    GraphQL type of the rows (the deletions feed names it). Erased before core's file
    (``order`` below 100): the plugin's rows point at it."""
    if family is None and child is None:
        raise ValueError("family_records needs a family or a child column")
    table = model.__table__.name

    def whose(scope: FamilyScope) -> Any:
        conditions = []
        if family is not None:
            conditions.append(getattr(model, family) == scope.family_id)
        if child is not None and scope.child_ids:
            conditions.append(getattr(model, child).in_(list(scope.child_ids)))
        return or_(*conditions)

    async def export(session: AsyncSession, scope: FamilyScope) -> Sequence[ExportRecord]:
        rows = await session.scalars(select(model).where(whose(scope)).order_by(model.id))
        return [ExportRecord(kind, str(row.id), dict(describe(row))) for row in rows]

    async def erase(session: AsyncSession, scope: FamilyScope) -> Mapping[str, int]:
        return {table: len(await delete_recorded(session, model, type_name, whose(scope)))}

    return PersonalDataSource(name=table, title=title, export=export, erase=erase, order=order)
