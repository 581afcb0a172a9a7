"""Handisitting's section of the pole's annual activity report (``maillage_report_sections``):
key figures, hours by EPCI with a map, the sitters by background, and the requests left
unmatched and why — every table built from the figure definitions of ``indicators``, so
the report, the ``figure`` query and the network's releases never disagree."""

from __future__ import annotations

from core import sdk

ORDER = 230


async def sections(report: sdk.ReportScope) -> list[sdk.ReportSection]:
    hours = await report.table("handisitting.sitting_hours", ["epci"])
    sitters = await report.table("handisitting.active_sitters", ["background"], percent=True)
    unmatched = await report.table("handisitting.unmatched_requests", ["reason"])
    return [
        sdk.ReportSection(
            key="handisitting",
            title="Handisitting : la garde à domicile",
            order=ORDER,
            blocks=(
                sdk.KeyFigures(
                    (
                        await report.key_figure("handisitting.families_helped"),
                        await report.key_figure("handisitting.sitting_hours"),
                        await report.key_figure("handisitting.bookings"),
                        await report.key_figure("handisitting.active_sitters"),
                    )
                ),
                sdk.Paragraph(
                    "Des intervenant·es formé·es (études médicales, médico-sociales, sociales, "
                    "formation au handicap ou solide expérience), agréé·es par le pôle après "
                    "entretien et vérification des pièces, gardent à domicile des enfants en "
                    "situation de handicap. Le pôle propose l'intervenant·e, une première "
                    "rencontre précède toute garde, et la fiche de besoins de l'enfant n'est "
                    "partagée que pendant une garde convenue, avec l'accord de la famille."
                ),
                hours,
                await report.map("handisitting.sitting_hours", "epci"),
                sitters,
                report.bars(sitters),
                unmatched,
            ),
        )
    ]
