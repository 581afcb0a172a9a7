"""The kits' section of the annual report: loans by kit and by borrower, kilometres driven
(core/domain/kits/figures.py)."""

from __future__ import annotations

from core.plugins.report_scope import ReportScope
from core.plugins.sections import KeyFigures, ReportSection

LOANS = "kits.loans"
KILOMETRES = "kits.kilometres"


async def sections(report: ReportScope) -> list[ReportSection]:
    borrowers = await report.table(LOANS, ["borrower_kind"], percent=True)
    return [
        ReportSection(
            "kits",
            "Les prêts de malles pédagogiques",
            50,
            (
                KeyFigures(
                    (
                        await report.key_figure(LOANS, label="prêts de malles"),
                        await report.key_figure(KILOMETRES, label="kilomètres parcourus"),
                    )
                ),
                await report.table(LOANS, ["kit"]),
                borrowers,
                report.bars(borrowers, title="Prêts par type d'emprunteur"),
                await report.table(KILOMETRES, ["kit"]),
            ),
        )
    ]
