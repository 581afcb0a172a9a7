"""The report feature's own sections: the key figures of the year with their multi-year
evolution (first), the year's funding and its split, and the team's written sections."""

from __future__ import annotations

from sqlalchemy import select

from core.domain.report.models import Funding
from core.domain.report.vocabulary import FUNDING_KINDS
from core.plugins.report_scope import ReportScope
from core.plugins.sections import Column, KeyFigures, NarrativeSlot, ReportSection, Table

# The headline figures, in the order the poles' reports print them.
KEY_FIGURES = (
    ("casework.children_followed", "enfants suivis"),
    ("casework.requests", "demandes reçues"),
    ("casework.interventions", "interventions"),
    ("kits.loans", "prêts de malles"),
    ("outreach.sessions", "sessions de sensibilisation"),
)
EVOLUTION = ("casework.children_followed", "casework.requests")
YEARS = 5


async def sections(report: ReportScope) -> list[ReportSection]:
    figures = tuple([await report.key_figure(name, label=label) for name, label in KEY_FIGURES])
    evolution = await report.evolution(
        EVOLUTION, years=YEARS, title=f"Enfants suivis et demandes reçues sur {YEARS} ans"
    )
    fundings = list(
        (
            await report.session.execute(
                select(Funding)
                .where(Funding.year == report.year)
                .order_by(Funding.amount_cents.desc(), Funding.funder)
            )
        ).scalars()
    )
    total = sum(f.amount_cents for f in fundings)
    funding = Table(
        f"Financements {report.year}",
        (
            Column("Financeur", "text"),
            Column("Type", "text"),
            Column("Montant (€)", "amount"),
            Column("%", "percent"),
        ),
        tuple(
            (
                f.funder,
                FUNDING_KINDS[f.kind],
                round(f.amount_cents / 100, 2),
                round(100 * f.amount_cents / total, 1) if total else None,
            )
            for f in fundings
        ),
        ("Total", None, round(total / 100, 2), 100.0 if total else None),
    )
    funding_blocks = (funding, report.bars(funding, column=2, title="Répartition des financements"))
    return [
        ReportSection("key_figures", "L'année en chiffres", 10, (KeyFigures(figures), evolution)),
        ReportSection("funding", "Les financeurs", 90, funding_blocks if fundings else (funding,)),
        ReportSection("news", "Nouveautés de l'année", 150, (NarrativeSlot("news"),)),
        ReportSection("stories", "Exemples d'accompagnement", 151, (NarrativeSlot("stories"),)),
        ReportSection("outlook", "Perspectives", 900, (NarrativeSlot("outlook"),)),
        ReportSection("free", "Faits marquants", 153, (NarrativeSlot("free"),)),
    ]
