"""The adhesions' section of the annual report: members by category (the figure of
core/domain/adhesions/figures.py) and the partnership conventions in force in the year."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.domain.adhesions.models import Convention
from core.domain.adhesions.vocabulary import CONVENTION_STATUSES
from core.plugins.report_scope import ReportScope
from core.plugins.sections import Column, KeyFigures, ReportSection, Table

MEMBERS = "adhesions.members"
IN_FORCE = ("signed", "ended")


async def sections(report: ReportScope) -> list[ReportSection]:
    start, end = dt.date(report.year, 1, 1), dt.date(report.year, 12, 31)
    conventions = (
        await report.session.execute(
            select(Convention)
            .where(
                Convention.status.in_(IN_FORCE),
                Convention.starts_on <= end,
                Convention.ends_on >= start,
            )
            .order_by(Convention.starts_on, Convention.title)
        )
    ).scalars()
    rows = [
        (
            c.title,
            c.starts_on.isoformat(),
            c.ends_on.isoformat(),
            CONVENTION_STATUSES[c.status],
            round(c.yearly_amount_cents / 100, 2),
        )
        for c in conventions
    ]
    table = Table(
        "Conventions de partenariat en vigueur",
        (
            Column("Convention", "text"),
            Column("Début", "date"),
            Column("Fin", "date"),
            Column("État", "text"),
            Column("Montant annuel (€)", "amount"),
        ),
        tuple(rows),
        (
            "Total",
            None,
            None,
            # French takes the singular below 2: « 0 convention », « 1 convention ».
            f"{len(rows)} convention{'s' if len(rows) > 1 else ''}",
            round(sum(r[4] for r in rows), 2),
        ),
    )
    return [
        ReportSection(
            "adhesions",
            "Adhésions et conventions de partenariat",
            80,
            (
                KeyFigures((await report.key_figure(MEMBERS, label="adhésions"),)),
                await report.table(MEMBERS, ["category"], percent=True),
                table,
            ),
        )
    ]
