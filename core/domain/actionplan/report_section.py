"""The action plan's section of the annual report: the year's evaluation of the plan in
force (actions by status, indicators with baseline, target and the year's value), the
detailed lines in the annexes."""

from __future__ import annotations

from sqlalchemy import select

from core.domain.actionplan.models import PlanPeriod
from core.domain.actionplan.report import evaluation_of
from core.plugins.report_scope import ReportScope
from core.plugins.sections import Column, Paragraph, ReportSection, Table


async def sections(report: ReportScope) -> list[ReportSection]:
    period = (
        await report.session.execute(
            select(PlanPeriod)
            .where(PlanPeriod.first_year <= report.year, PlanPeriod.last_year >= report.year)
            .order_by(PlanPeriod.first_year.desc())
            .limit(1)
        )
    ).scalar()
    if period is None:
        return []
    doc = await evaluation_of(report.session, period, report.year)
    title = f"{doc.title} ({doc.first_year}–{doc.last_year})"
    statuses = Table(
        "Actions du plan par état",
        (Column("État", "text"), Column("actions")),
        tuple((label, count) for label, count in doc.counts.items()),
        ("Total", sum(doc.counts.values())),
    )
    measures = Table(
        "Indicateurs du plan",
        (
            Column("Indicateur", "text"),
            Column("Rattaché à", "text"),
            Column("Unité", "text"),
            Column("Situation de départ", "text"),
            Column("Cible", "text"),
            Column(str(report.year), "text"),
            Column("Commentaire", "text"),
        ),
        tuple(
            (m.name, m.attached_to, m.unit, m.baseline, m.target, m.value, m.note)
            for m in doc.measures
        ),
    )
    lines = Table(
        "Actions du plan : état et commentaire",
        (
            Column("Niveau", "text"),
            Column("Repère", "text"),
            Column("Intitulé", "text"),
            Column("État", "text"),
            Column("Commentaire", "text"),
        ),
        tuple(
            (line.level, line.label, line.title, line.status, line.comment) for line in doc.lines
        ),
    )
    return [
        ReportSection(
            "action_plan",
            "L'évaluation du plan d'action",
            100,
            (
                Paragraph(f"Plan d'action {title}, bilan de l'année {report.year}."),
                statuses,
                measures,
            ),
        ),
        ReportSection("action_plan.lines", "Plan d'action : détail", 100, (lines,), annex=True),
    ]
