"""The kit library's figures: loans by kit and borrower kind, kilometres driven."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from core.contributions import Dimension, FigureScope, IndicatorSpec
from core.domain.kits.models import Kit, KitLoan, KitTrip
from core.domain.kits.vocabulary import BORROWER_KINDS


async def _kit_names(session: AsyncSession, codes: Sequence[str]) -> Mapping[str, str]:
    # Codes come back as the database prints a UUID (with or without dashes).
    ids = {uuid.UUID(code): code for code in codes}
    rows = await session.execute(select(Kit.id, Kit.name).where(Kit.id.in_(list(ids))))
    return {ids[kit_id]: name for kit_id, name in rows}


KIT = Dimension(
    "kit",
    "Malle",
    labels=_kit_names,
    description="La malle prêtée (son identifiant, nommée par son nom) ; une demande "
    "« surprise » sans malle attribuée est « non renseigné ».",
)
BORROWER_KIND = Dimension("borrower_kind", "Emprunteur", labels=BORROWER_KINDS, coarse=True)

# A loan counts when the kit left: reservations and cancellations lent nothing.
LENT = ("out", "returned", "checked")


def _loans(scope: FigureScope) -> Select:
    return select(
        KitLoan.id.label("unit"),
        KitLoan.kit_id.label(KIT.code),
        KitLoan.borrower_kind.label(BORROWER_KIND.code),
    ).where(
        KitLoan.status.in_(LENT),
        KitLoan.departed_on >= scope.period.start,
        KitLoan.departed_on < scope.period.end,
    )


def _kilometres(scope: FigureScope) -> Select:
    return (
        select(
            KitTrip.id.label("unit"),
            KitTrip.km.label("value"),
            KitLoan.kit_id.label(KIT.code),
            KitLoan.borrower_kind.label(BORROWER_KIND.code),
        )
        .join(KitLoan, KitLoan.id == KitTrip.loan_id)
        .where(KitTrip.happened_on >= scope.period.start, KitTrip.happened_on < scope.period.end)
    )


FIGURES = [
    IndicatorSpec(
        "kits.loans",
        "Prêts de malles",
        "prêts",
        description="Prêts dont la malle est sortie pendant la période, par malle et par "
        "type d'emprunteur.",
        dimensions=(KIT, BORROWER_KIND),
        facts=_loans,
        counts_persons=True,
    ),
    IndicatorSpec(
        "kits.kilometres",
        "Kilomètres parcourus pour les malles",
        "km",
        description="Kilomètres des livraisons et récupérations de la période, par malle "
        "et par type d'emprunteur.",
        dimensions=(KIT, BORROWER_KIND),
        facts=_kilometres,
        measure="sum",
    ),
]
