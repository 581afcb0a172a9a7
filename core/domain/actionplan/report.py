"""The printable evaluation of one year of the plan (« bilan du plan d'action »), in
French, as HTML and PDF (ReportLab): every orientation, objective and action in the
pole's order with the year's status and comment, then the indicators with their
baseline, target and the year's value — or the gap and its reason."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.domain.actionplan.models import (
    IndicatorValue,
    PlanIndicator,
    PlanItem,
    PlanItemStatus,
    PlanPeriod,
)
from core.domain.actionplan.service import READ, tree_order
from core.domain.actionplan.vocabulary import LEVELS, STATUSES, VALUE_STATES
from core.domain.lookups import get_or_not_found
from core.errors import ValidationError

NOT_NOTED = "Pas encore noté"


@dataclass(frozen=True)
class Line:
    depth: int
    level: str
    label: str
    title: str
    status: str
    comment: str


@dataclass(frozen=True)
class Measure:
    name: str
    attached_to: str
    unit: str
    baseline: str
    target: str
    value: str
    note: str


@dataclass(frozen=True)
class Evaluation:
    title: str
    first_year: int
    last_year: int
    year: int
    lines: list[Line]
    measures: list[Measure]
    counts: dict[str, int]


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.1f}".replace(",", " ").replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


async def evaluation(
    session: AsyncSession, caller: Caller, period_id: uuid.UUID, year: int
) -> Evaluation:
    caller.require(READ)
    period: PlanPeriod = await get_or_not_found(session, PlanPeriod, period_id, "periodId")
    if not period.first_year <= year <= period.last_year:
        raise ValidationError(
            f"hors de la période du plan ({period.first_year}–{period.last_year})", field="year"
        )
    items = tree_order(
        list(
            (
                await session.execute(select(PlanItem).where(PlanItem.period_id == period.id))
            ).scalars()
        )
    )
    statuses = {
        s.item_id: s
        for s in (
            await session.execute(
                select(PlanItemStatus)
                .join(PlanItem, PlanItem.id == PlanItemStatus.item_id)
                .where(PlanItem.period_id == period.id, PlanItemStatus.year == year)
            )
        ).scalars()
    }
    depth = {None: -1}
    lines, counts = [], dict.fromkeys([*STATUSES.values(), NOT_NOTED], 0)
    by_id = {}
    for item in items:
        depth[item.id] = depth[item.parent_id] + 1
        by_id[item.id] = item
        found = statuses.get(item.id)
        status = STATUSES[found.status] if found else NOT_NOTED
        if item.level == "action":
            counts[status] += 1
        lines.append(
            Line(
                depth[item.id],
                LEVELS[item.level],
                item.label,
                item.title,
                status if found or item.level == "action" else "",
                found.comment if found else "",
            )
        )
    values = {
        v.indicator_id: v
        for v in (
            await session.execute(
                select(IndicatorValue)
                .join(PlanIndicator, PlanIndicator.id == IndicatorValue.indicator_id)
                .where(PlanIndicator.period_id == period.id, IndicatorValue.year == year)
            )
        ).scalars()
    }
    measures = []
    for ind in (
        await session.execute(
            select(PlanIndicator)
            .where(PlanIndicator.period_id == period.id)
            .order_by(PlanIndicator.position, PlanIndicator.id)
        )
    ).scalars():
        owner = by_id.get(ind.item_id) if ind.item_id else None
        noted = values.get(ind.id)
        if noted is None:
            value, note = NOT_NOTED, ""
        elif noted.state == "available":
            value, note = _number(noted.value), noted.comment
        else:
            value, note = VALUE_STATES[noted.state], noted.reason
        baseline = _number(ind.baseline)
        if ind.baseline is not None and ind.baseline_year:
            baseline += f" ({ind.baseline_year})"
        measures.append(
            Measure(
                ind.name,
                f"{LEVELS[owner.level]} {owner.label}" if owner else "Plan",
                ind.unit,
                baseline,
                _number(ind.target),
                value,
                note,
            )
        )
    return Evaluation(
        period.title, period.first_year, period.last_year, year, lines, measures, counts
    )


def _heading(doc: Evaluation) -> str:
    return f"Bilan {doc.year} — {doc.title} ({doc.first_year}–{doc.last_year})"


def _summary(doc: Evaluation) -> str:
    return "Actions : " + ", ".join(
        f"{label.lower()} : {count}" for label, count in doc.counts.items()
    )


def render_html(doc: Evaluation) -> str:
    parts = [
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">',
        f"<title>{escape(_heading(doc))}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "color:#1b1b1b}h1{font-size:1.4rem}h2{font-size:1.1rem;border-bottom:1px solid #ccc}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;"
        "text-align:left;vertical-align:top}.meta{color:#555}"
        "@media print{body{margin:0}}</style></head><body>",
        f"<h1>{escape(_heading(doc))}</h1>",
        f'<p class="meta">{escape(_summary(doc))}</p>',
        "<h2>Orientations, objectifs et actions</h2><table>",
        "<tr><th>N°</th><th>Intitulé</th><th>Statut</th><th>Commentaire</th></tr>",
    ]
    for line in doc.lines:
        indent = "&nbsp;" * 4 * line.depth
        title = escape(line.title)
        if line.level != "Action":
            title = f"<strong>{title}</strong>"
        parts.append(
            f"<tr><td>{escape(line.label)}</td><td>{indent}{title}</td>"
            f"<td>{escape(line.status)}</td><td>{escape(line.comment)}</td></tr>"
        )
    parts.append("</table><h2>Indicateurs</h2><table>")
    parts.append(
        "<tr><th>Indicateur</th><th>Rattaché à</th><th>Unité</th><th>Référence</th>"
        f"<th>Cible</th><th>{doc.year}</th><th>Précision</th></tr>"
    )
    for m in doc.measures:
        cells = (m.name, m.attached_to, m.unit, m.baseline, m.target, m.value, m.note)
        parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table></body></html>")
    return "".join(parts)


def render_pdf(doc: Evaluation) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()

    def para(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), styles[style])

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ]
    )
    items: list[list[Any]] = [[para(h) for h in ("N°", "Intitulé", "Statut", "Commentaire")]]
    for line in doc.lines:
        items.append(
            [
                para(line.label),
                para("    " * line.depth + line.title),
                para(line.status),
                para(line.comment),
            ]
        )
    measures: list[list[Any]] = [
        [
            para(h)
            for h in (
                "Indicateur",
                "Rattaché à",
                "Unité",
                "Référence",
                "Cible",
                str(doc.year),
                "Précision",
            )
        ]
    ]
    for m in doc.measures:
        measures.append(
            [
                para(c)
                for c in (m.name, m.attached_to, m.unit, m.baseline, m.target, m.value, m.note)
            ]
        )
    story: list[Any] = [
        para(_heading(doc), "Title"),
        para(_summary(doc), "Italic"),
        Spacer(1, 12),
        para("Orientations, objectifs et actions", "Heading2"),
        Table(items, colWidths=[50, 380, 90, 230], style=grid, repeatRows=1),
        Spacer(1, 12),
        para("Indicateurs", "Heading2"),
        Table(measures, colWidths=[190, 90, 70, 80, 60, 90, 170], style=grid, repeatRows=1),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4), title=_heading(doc), author="maillage").build(
        story
    )
    return buffer.getvalue()
