"""The plugin's section of the annual activity report (``maillage_report_sections``):
the year's outcome as the pole reports it to the UDAF and its funders — « 1 atelier
maintenu sur les 5 prévus, faute de participants » — with the reasons, the parents
registered and present, what the families ask for next year (the needs
questionnaire's answers, pooled), and the year's workshops one by one in the annexes.

Figures come from the indicator definitions (the same numbers as ``figure`` and the
network's); the sentences and the list of workshops are read through the pole's scoped
session. Counts of parents are marked ``persons``: the published copy hides small ones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import sdk
from plugins.udaf_workshops import needs, service
from plugins.udaf_workshops.vocabulary import CancelReason, WorkshopStatus

ORDER = 240


@sdk.hookimpl
async def maillage_report_sections(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    outcomes = await service.outcomes(report.session, year=report.year)
    rows = await service.workshops(report.session, year=report.year)
    if not outcomes and not rows:
        return []
    blocks: list[Any] = [
        sdk.KeyFigures(
            (
                await report.key_figure(
                    "udaf_workshops.workshops_held", label="ateliers maintenus"
                ),
                await report.key_figure("udaf_workshops.parents_present", label="parents venus"),
            )
        )
    ]
    for outcome in outcomes:
        partner = await sdk.find_partner(
            report.session, outcome.convention.partner_id, field="partner"
        )
        reasons = "; ".join(f"{reason.label.lower()} : {n}" for reason, n in outcome.reasons)
        blocks.append(
            sdk.Paragraph(
                f"Convention {outcome.convention.year} avec {partner.name} : "
                f"{outcome.summary}." + (f" Annulations — {reasons}." if reasons else "")
            )
        )
    blocks.append(
        await report.table(
            "udaf_workshops.workshops_cancelled",
            ["cancel_reason"],
            title="Ateliers annulés, par raison",
            percent=True,
        )
    )
    blocks += _needs_blocks(await needs.needs_summary(report.session, report.year))
    main = sdk.ReportSection(
        key="udaf_workshops",
        title="Ateliers parentalité avec l'UDAF",
        order=ORDER,
        blocks=tuple(blocks),
    )
    if not rows:
        return [main]
    counts = await service.seats(report.session, [r.id for r in rows])
    names = dict(
        (
            await report.session.execute(
                select(sdk.Commune.insee_code, sdk.Commune.name).where(
                    sdk.Commune.insee_code.in_({r.commune_insee for r in rows})
                )
            )
        ).all()
    )
    lines = []
    for row in rows:
        seats = counts.get(row.id, service.Seats())
        status = WorkshopStatus(row.status).label
        if row.cancel_reason:
            status += f" ({CancelReason(row.cancel_reason).label.lower()})"
        held = row.status == WorkshopStatus.HELD.value
        lines.append(
            (
                row.held_on.isoformat(),
                row.theme,
                names.get(row.commune_insee, row.commune_insee),
                status,
                seats.registered,
                seats.present if held else None,
            )
        )
    detail = sdk.Table(
        title=f"Ateliers parentalité {report.year}",
        columns=(
            sdk.Column("Date", "date"),
            sdk.Column("Thème", "text"),
            sdk.Column("Commune", "text"),
            sdk.Column("Statut", "text"),
            sdk.Column("Parents inscrits", persons=True),
            sdk.Column("Parents venus", persons=True),
        ),
        rows=tuple(lines),
    )
    return [
        main,
        sdk.ReportSection(
            key="udaf_workshops.workshops",
            title="Ateliers parentalité : le détail",
            order=ORDER,
            blocks=(detail,),
            annex=True,
        ),
    ]


NEEDS_TITLE = "Ce que les familles demandent pour l'an prochain"


def _needs_blocks(found: needs.NeedsSummary) -> list[Any]:
    """A sentence and the themes wished: nothing in a year without answers, the number
    alone under the threshold."""
    if not found.answers:
        return []
    text = f"{NEEDS_TITLE} : {found.sentence}."
    if found.enough:
        details = []
        if found.times and found.times[0].count:
            details.append(f"moment le plus demandé : {needs.in_sentence(found.times[0].label)}")
        if found.childcare_share is not None:
            details.append(
                f"{sdk.number_fr(found.childcare_share, 0)} % des familles auraient besoin "
                "d'une garde pendant l'atelier"
            )
        if found.usefulness_mean is not None:
            details.append(
                f"utilité de l'atelier : {sdk.number_fr(found.usefulness_mean, 1)} sur 4 en moyenne"
            )
        if details:
            joined = " ; ".join(details)
            text += f" {joined[:1].upper()}{joined[1:]}."
    blocks: list[Any] = [sdk.Paragraph(text)]
    if found.enough:
        blocks.append(
            sdk.Table(
                title=NEEDS_TITLE,
                columns=(
                    sdk.Column("Thème souhaité", "text"),
                    sdk.Column("Réponses", persons=True),
                    sdk.Column("Part des réponses", "percent", persons=True),
                ),
                rows=tuple((w.label, w.count, w.share) for w in found.themes),
                note=f"Questionnaire « Besoins des familles », {found.answers} réponses "
                f"reçues en {found.year}.",
            )
        )
    return blocks
