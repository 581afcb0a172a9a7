"""What kit lending holds about a family: the loans it borrowed.

Erasure keeps each loan's skeleton (kit, dates, borrower kind, checklists, trips — what
the loan reports and the kilometres count) and empties its free text (the wish of a
surprise kit, the notes). The loan still points at the family's anonymised row: a loan
needs exactly one borrower, and that row names no one any more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import ExportRecord, FamilyScope, PersonalDataSource
from core.domain.kits.models import Kit, KitLoan
from core.domain.kits.vocabulary import LOAN_STATUSES
from core.domain.lookups import iso


async def export(session: AsyncSession, scope: FamilyScope) -> Sequence[ExportRecord]:
    rows = await session.execute(
        select(KitLoan, Kit.name)
        .outerjoin(Kit, Kit.id == KitLoan.kit_id)
        .where(KitLoan.family_id == scope.family_id)
        .order_by(KitLoan.starts_on, KitLoan.id)
    )
    return [
        ExportRecord(
            "Prêt de malle",
            str(loan.id),
            {
                "Malle": name or "Malle surprise (à choisir)",
                "Du": iso(loan.starts_on),
                "Au": iso(loan.ends_on),
                "Statut": LOAN_STATUSES.get(loan.status, loan.status),
                "Partie le": iso(loan.departed_on),
                "Rendue le": iso(loan.returned_on),
                "Souhait": loan.wish,
                "Notes": loan.notes,
            },
        )
        for loan, name in rows
    ]


async def erase(session: AsyncSession, scope: FamilyScope) -> Mapping[str, int]:
    result = await session.execute(
        update(KitLoan)
        .where(KitLoan.family_id == scope.family_id)
        .values(wish="", notes="", updated_at=dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    return {"kit_loans": result.rowcount or 0}  # type: ignore[attr-defined]


SOURCE = PersonalDataSource(
    name="kits",
    title="Prêts de malles pédagogiques",
    export=export,
    erase=erase,
    order=300,
)
