"""The printable evaluation of one year of the plan (« bilan du plan d'action »), in
French (templates/documents/evaluation.html: HTML, and the same HTML as PDF): every
orientation, objective and action in the pole's order with the year's status and
comment, then the indicators with their baseline, target and the year's value — or
the gap and its reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.api.documents import LANDSCAPE, DocumentTemplates, Letterhead
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
    return await evaluation_of(session, period, year)


async def evaluation_of(session: AsyncSession, period: PlanPeriod, year: int) -> Evaluation:
    """The year's evaluation of ``period`` (the caller checked who may read it)."""
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


TEMPLATES = DocumentTemplates(Path(__file__).with_name("templates"))


def render_html(doc: Evaluation, letterhead: Letterhead) -> str:
    """The printed evaluation, landscape (the PDF is this HTML, core.api.documents.pdf)."""
    return TEMPLATES.render(
        "documents/evaluation.html",
        letterhead=letterhead,
        page_size=LANDSCAPE,
        doc=doc,
        heading=_heading(doc),
        summary=_summary(doc),
    )
