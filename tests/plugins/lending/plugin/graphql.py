"""Loans in the schema: ``lending { loans(familyId:) }`` and ``lendingRecordLoan``.

A loan answers core's ``Family``, ``Child`` and ``StaffMember`` objects themselves
(``sdk.FAMILY.field``): a page of loans reads its families in one statement, and the
person fields read through them are audited as core audits them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry
from sqlalchemy import func, select

from core import sdk

from .models import Loan

PLUGIN = "lending"
READ, MANAGE = "lending.read", "lending.manage"


@strawberry.type(description="Un prêt de matériel adapté à une famille.")
class LendingLoan(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    item: str = strawberry.field(description="Le matériel prêté.")
    lent_on: dt.date
    returned_on: dt.date | None
    family_id: strawberry.Private[uuid.UUID]
    child_id: strawberry.Private[uuid.UUID | None]
    lent_by_id: strawberry.Private[uuid.UUID | None]
    family: sdk.Family = sdk.FAMILY.field("family_id", description="La famille emprunteuse.")
    child: sdk.Child | None = sdk.CHILD.field("child_id", description="L'enfant concerné.")
    lent_by: sdk.StaffMember | None = sdk.STAFF_MEMBER.field(
        "lent_by_id", description="Qui a prêté."
    )

    @classmethod
    def from_row(cls, row: Loan) -> LendingLoan:
        return cls(
            uid=str(row.id),
            item=row.item,
            lent_on=row.lent_on,
            returned_on=row.returned_on,
            family_id=row.family_id,
            child_id=row.child_id,
            lent_by_id=row.lent_by,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Any, required: bool = False
    ) -> list[LendingLoan | None]:
        ids = [sdk.relay.GlobalID("LendingLoan", i).node_id for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            rows = await session.scalars(
                select(Loan).where(Loan.id.in_([uuid.UUID(i) for i in ids]))
            )
        return sdk.in_order(ids, rows, lambda r: str(r.id), cls.from_row)


@strawberry.type(description="Page de prêts.")
class LendingLoanConnection(sdk.CountedConnection[LendingLoan]):
    pass


@strawberry.type(description="Résultat de l'enregistrement d'un prêt.")
class LendingLoanPayload:
    loan: LendingLoan | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@sdk.plugin_namespace(PLUGIN, description="Prêt de matériel adapté aux familles.")
class LendingQuery:
    @strawberry.field(
        description="Prêts, les plus récents d'abord (tous, ou ceux d'une famille).",
        extensions=sdk.requires(READ),
    )
    async def loans(
        self,
        info: sdk.Info,
        family_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LendingLoanConnection:
        statement = select(Loan).order_by(Loan.lent_on.desc(), Loan.id.desc())
        async with info.context.db_session() as session:
            if family_id is not None:
                family = await sdk.find_family(
                    session, family_id, field="familyId", anonymised=True
                )
                statement = statement.where(Loan.family_id == family.id)
            return await sdk.paginate(
                session,
                statement,
                first=first,
                after=after,
                convert=LendingLoan.from_row,
                connection_cls=LendingLoanConnection,
            )


@strawberry.type
class LendingMutation:
    @sdk.plugin_mutation(
        PLUGIN,
        description="Prêter du matériel adapté à une famille (pour l'un de ses enfants).",
        extensions=sdk.requires(MANAGE),
    )
    async def lending_record_loan(
        self,
        info: sdk.Info,
        family_id: strawberry.ID,
        item: str,
        lent_on: dt.date,
        child_id: strawberry.ID | None = None,
    ) -> LendingLoanPayload:
        ctx: sdk.Context = info.context
        actor = ctx.require(MANAGE)
        async with sdk.user_errors(ctx) as errors, ctx.db_session() as session:
            family = await sdk.find_family(session, family_id, field="familyId")
            child = (
                None
                if child_id is None
                else await sdk.find_child(session, child_id, field="childId", family_id=family.id)
            )
            row = Loan(
                family_id=family.id,
                child_id=child.id if child else None,
                lent_by=actor.user_id,
                item=sdk.clean_text(item, Loan.item, "item", one_line=True),
                lent_on=lent_on,
            )
            session.add(row)
            await session.flush()
            sdk.audit(
                session,
                actor=actor.subject,
                action="lending.record_loan",
                object_type="LendingLoan",
                object_id=str(row.id),
                fields=["familyId", "childId", "item", "lentOn"],
            )
            await session.commit()
        if errors:
            return LendingLoanPayload(errors=errors)
        return LendingLoanPayload(loan=LendingLoan.from_row(row))


async def loans_lent(session: Any, period: sdk.Period) -> sdk.IndicatorResult:
    """Loans started in the period: a number, never rows."""
    count = await session.scalar(
        select(func.count()).where(Loan.lent_on >= period.start, Loan.lent_on < period.end)
    )
    return {"total": int(count or 0)}


def contribution() -> sdk.GraphQLContribution:
    return sdk.GraphQLContribution(
        query=LendingQuery, mutation=LendingMutation, types=[LendingLoan]
    )
