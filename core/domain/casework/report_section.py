"""The casework's sections of the annual report: children followed (by age bracket, needs
profile, EPCI and commune, with maps), requests by origin and subject, interventions by kind
— every table computed from the figure definitions of core/domain/casework/figures.py."""

from __future__ import annotations

from core.plugins.report_scope import ReportScope
from core.plugins.sections import KeyFigures, ReportSection

CHILDREN = "casework.children_followed"
REQUESTS = "casework.requests"
INTERVENTIONS = "casework.interventions"
AGE_RULE = (
    "L'âge est compté à la date de référence du suivi : le 1er janvier de l'année, ou "
    "l'ouverture du suivi si elle est plus tardive (jamais la date du jour)."
)


async def sections(report: ReportScope) -> list[ReportSection]:
    ages = await report.table(CHILDREN, ["age_bracket"], percent=True, note=AGE_RULE)
    by_epci = await report.table(CHILDREN, ["epci"], percent=True)
    origins = await report.table(REQUESTS, ["requester_kind"], percent=True)
    kinds = await report.table(INTERVENTIONS, ["intervention_kind"], percent=True)
    return [
        ReportSection(
            "children",
            "Les enfants accompagnés",
            20,
            (
                KeyFigures((await report.key_figure(CHILDREN, label="enfants suivis"),)),
                ages,
                report.bars(ages, title="Enfants suivis par tranche d'âge"),
                await report.table(CHILDREN, ["needs_profile"], percent=True),
                by_epci,
                await report.map(CHILDREN, "epci"),
            ),
        ),
        ReportSection(
            "requests",
            "Les demandes reçues",
            30,
            (
                KeyFigures((await report.key_figure(REQUESTS, label="demandes reçues"),)),
                origins,
                report.bars(origins, title="Demandes par origine"),
                await report.table(REQUESTS, ["subject"]),
            ),
        ),
        ReportSection(
            "interventions",
            "Les interventions",
            40,
            (
                KeyFigures((await report.key_figure(INTERVENTIONS, label="interventions"),)),
                kinds,
                report.bars(kinds, title="Interventions par type"),
                await report.table(INTERVENTIONS, ["structure_kind"]),
            ),
        ),
        ReportSection(
            "children.communes",
            "Enfants suivis par commune",
            20,
            (
                await report.table(CHILDREN, ["commune"], percent=True),
                await report.map(CHILDREN, "commune"),
            ),
            annex=True,
        ),
    ]
