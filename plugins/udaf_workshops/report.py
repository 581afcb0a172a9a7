"""The plugin's section of the annual activity report (``maillage_report_sections``):
the year's outcome as the pole reports it to the UDAF and its funders — « 1 atelier
maintenu sur les 5 prévus, faute de participants » — with the reasons, the parents
registered and present, and the year's workshops one by one in the annexes.

Figures come from the indicator definitions (the same numbers as ``figure`` and the
network's); the sentences and the list of workshops are read through the pole's scoped
session. Counts of parents are marked ``persons``: the published copy hides small ones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import sdk
from plugins.udaf_workshops import service
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
