"""The demo poles' written sections and funding for 2024 and 2025: fictitious, in the tone
of real poles' activity reports, so the report has text beside its figures."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.report.models import Funding, ReportNarrative
from core.domain.report.vocabulary import NARRATIVE_KINDS
from core.tenancy.models import Tenant

NEWS = {
    "pas-de-calais": (
        "Cette année, le pôle a ouvert une **permanence mensuelle à Lens** et formé "
        "ses premiers référents handicap dans les accueils de loisirs du Ternois.\n\n"
        "- une malle « Émotions » rejoint le catalogue ;\n"
        "- les demandes passent désormais par un formulaire unique."
    ),
    "puy-de-dome": (
        "Le pôle a renforcé sa présence dans les **Combrailles** et le Livradois-Forez, "
        "avec des temps d'échange itinérants auprès des assistantes maternelles."
    ),
}
STORY = (
    "Une famille nous a sollicités pour l'accueil de son enfant de trois ans, porteur de "
    "troubles du spectre de l'autisme, en crèche. Après une observation sur place, l'équipe "
    "a proposé un projet d'accueil individualisé et prêté une malle sensorielle. "
    "L'enfant est accueilli deux jours par semaine depuis la rentrée.\n\n"
    "*Les prénoms et les lieux ont été changés.*"
)
OUTLOOK = (
    "Pour l'an prochain :\n\n"
    "1. étendre les sensibilisations aux accueils périscolaires ;\n"
    "2. ouvrir une deuxième session de formation des référents ;\n"
    "3. mieux mesurer la satisfaction des familles accompagnées."
)
FUNDING = {
    "pas-de-calais": (
        ("Conseil départemental du Pas-de-Calais", "grant", 6_500_000),
        ("Caisse d'allocations familiales", "grant", 5_200_000),
        ("Adhésions des structures", "own", 410_000),
    ),
    "puy-de-dome": (
        ("Caisse d'allocations familiales", "grant", 3_800_000),
        ("Conseil départemental du Puy-de-Dôme", "grant", 2_500_000),
        ("Mutualité sociale agricole", "contract", 600_000),
    ),
}


async def seed_report(tenant: Tenant, session: AsyncSession) -> None:
    if tenant.slug not in NEWS:
        return
    if (await session.execute(select(ReportNarrative.id).limit(1))).first():
        return
    for year in (2024, 2025):
        texts = {"news": NEWS[tenant.slug], "stories": STORY, "outlook": OUTLOOK}
        for position, (kind, body) in enumerate(texts.items()):
            session.add(
                ReportNarrative(
                    year=year,
                    kind=kind,
                    title=NARRATIVE_KINDS[kind],
                    body=body,
                    position=position,
                )
            )
        for funder, kind, cents in FUNDING[tenant.slug]:
            # A little growth from one year to the next, as in the poles' reports.
            amount = cents if year == 2025 else cents * 9 // 10
            session.add(Funding(year=year, funder=funder, kind=kind, amount_cents=amount))
    await session.flush()
