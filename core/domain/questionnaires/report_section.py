"""The satisfaction section of the annual report: the rate per dimension and overall, with
the number of responses (core/domain/questionnaires/figures.py)."""

from __future__ import annotations

from core.plugins.report_scope import ReportScope
from core.plugins.sections import KeyFigures, ReportSection

RATE = "questionnaires.satisfaction_rate"
RESPONSES = "questionnaires.responses"
RULE = (
    "Part des réponses « Satisfait » et « Très satisfait » aux questions notées de 1 à 4 ; "
    "la ligne Total est le taux global."
)


async def sections(report: ReportScope) -> list[ReportSection]:
    return [
        ReportSection(
            "satisfaction",
            "La satisfaction des familles et des partenaires",
            70,
            (
                KeyFigures(
                    (
                        await report.key_figure(RATE, label="de satisfaction"),
                        await report.key_figure(RESPONSES, label="questionnaires remplis"),
                    )
                ),
                await report.table(
                    RATE, ["section"], title="Taux de satisfaction par dimension", note=RULE
                ),
                await report.table(
                    RESPONSES, ["questionnaire"], title="Réponses par questionnaire"
                ),
            ),
        )
    ]
