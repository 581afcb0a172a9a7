"""What adhesions and billing hold about a family: its yearly adhesions and the invoices
made out to it.

Erasure keeps both. An adhesion row names no one (a year, a category, an amount): it
stays for the yearly counts of member families. An invoice is an accounting record the
pole must keep ten years (Code de commerce, art. L123-22) exactly as issued, customer
name included; erasure only cuts its link to the anonymised file, so that the skeleton
cannot be named through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import ExportRecord, FamilyScope, PersonalDataSource
from core.domain.adhesions.models import Adhesion, Invoice
from core.domain.adhesions.vocabulary import ADHESION_CATEGORIES, INVOICE_STATUSES


def _euros(cents: int) -> str:
    return f"{cents / 100:.2f} €".replace(".", ",")


async def export(session: AsyncSession, scope: FamilyScope) -> Sequence[ExportRecord]:
    records = []
    adhesions = await session.scalars(
        select(Adhesion).where(Adhesion.family_id == scope.family_id).order_by(Adhesion.year)
    )
    for a in adhesions:
        records.append(
            ExportRecord(
                "Adhésion",
                str(a.id),
                {
                    "Année": a.year,
                    "Catégorie": ADHESION_CATEGORIES.get(a.category, a.category),
                    "Adhésion le": a.joined_on.isoformat(),
                    "Montant": _euros(a.amount_cents),
                    "Première année gratuite": a.first_year_free,
                },
            )
        )
    invoices = await session.scalars(
        select(Invoice).where(Invoice.family_id == scope.family_id).order_by(Invoice.id)
    )
    for i in invoices:
        records.append(
            ExportRecord(
                "Facture",
                str(i.id),
                {
                    "Numéro": i.number,
                    "Au nom de": i.customer_name,
                    "Adresse": i.customer_address,
                    "Émise le": i.issued_on.isoformat() if i.issued_on else None,
                    "Montant": _euros(i.total_cents),
                    "Payé": _euros(i.paid_cents),
                    "Statut": INVOICE_STATUSES.get(i.status, i.status),
                },
            )
        )
    return records


async def erase(session: AsyncSession, scope: FamilyScope) -> Mapping[str, int]:
    unlinked = await session.execute(
        update(Invoice)
        .where(Invoice.family_id == scope.family_id)
        .values(family_id=None)
        .execution_options(synchronize_session=False)
    )
    # Kept as issued; only the link goes.
    return {"invoices_unlinked": unlinked.rowcount or 0}  # type: ignore[attr-defined]


SOURCE = PersonalDataSource(
    name="adhesions",
    title="Adhésions et factures",
    export=export,
    erase=erase,
    order=300,
)
