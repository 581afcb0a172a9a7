"""The action plan and its yearly evaluation: the rules.

A period spans one to ten years and never overlaps another period of the pole. Its items
form three levels (orientation → objective → action) with the pole's own labels, unique
among siblings, in the order the pole gives. Each year of the period, an item may get a
status and an indicator a value or a gap with its reason (``record_year``: one transaction
for the whole evaluation). A new period may start from the previous one: the structure is
copied, each copy linked to its predecessor; the previous period is not touched.

Every function checks the caller's action, names the field at fault, and audits what it
writes (field names, never values). The plan holds no person's data.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.domain.actionplan.models import (
    IndicatorValue,
    PlanIndicator,
    PlanItem,
    PlanItemStatus,
    PlanPeriod,
)
from core.domain.actionplan.vocabulary import CHILD_LEVEL, GAP_STATES, STATUSES, VALUE_STATES
from core.domain.lookups import audit, delete_recorded
from core.domain.lookups import get_or_not_found as _get
from core.errors import ConflictError, ValidationError
from core.ids import uuid7

READ = "actionplan.read"
MANAGE = "actionplan.manage"
MIN_YEAR, MAX_YEAR, MAX_SPAN = 2000, 2100, 10
# A plan is written by hand: these bounds keep a period's tree (read whole) small.
MAX_ITEMS = 400
MAX_INDICATORS = 200
MAX_COMMENT = 4000


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise ValidationError("à renseigner", field=field)
    if len(cleaned) > limit:
        raise ValidationError(f"{limit} caractères au plus", field=field)
    return cleaned


def _label(value: str, field: str = "label") -> str:
    """The pole's own numbering ("1", "1.2", "A-3"): short, no line break."""
    return _text(" ".join(value.split()), field, 20)


def _one_of(value: str, vocabulary: object, field: str) -> str:
    if value not in vocabulary:  # type: ignore[operator]
        raise ValidationError(
            f"valeur inconnue « {value} » ({', '.join(vocabulary)})",  # type: ignore[call-overload]
            field=field,
        )
    return value


def _year(value: int, field: str) -> int:
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise ValidationError(f"année entre {MIN_YEAR} et {MAX_YEAR}", field=field)
    return value


def _number(value: float | None, field: str) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValidationError("nombre invalide", field=field)
    return value


def _in_period(period: PlanPeriod, year: int, field: str) -> int:
    if not period.first_year <= year <= period.last_year:
        raise ValidationError(
            f"hors de la période du plan ({period.first_year}–{period.last_year})", field=field
        )
    return year


# --- periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodInput:
    title: str
    first_year: int
    last_year: int
    description: str = ""


async def _check_span(
    session: AsyncSession, data: PeriodInput, exclude: uuid.UUID | None = None
) -> None:
    _year(data.first_year, "firstYear")
    _year(data.last_year, "lastYear")
    if data.last_year < data.first_year:
        raise ValidationError("la dernière année précède la première", field="lastYear")
    if data.last_year - data.first_year >= MAX_SPAN:
        raise ValidationError(f"{MAX_SPAN} ans au plus", field="lastYear")
    overlapping = select(PlanPeriod.title).where(
        PlanPeriod.first_year <= data.last_year, PlanPeriod.last_year >= data.first_year
    )
    if exclude is not None:
        overlapping = overlapping.where(PlanPeriod.id != exclude)
    other = (await session.execute(overlapping.limit(1))).scalar()
    if other is not None:
        raise ConflictError(f"chevauche le plan « {other} »", field="firstYear")


async def create_period(session: AsyncSession, caller: Caller, data: PeriodInput) -> PlanPeriod:
    actor = caller.require(MANAGE)
    title = _text(data.title, "title", 200)
    await _check_span(session, data)
    row = PlanPeriod(
        title=title,
        description=data.description.strip(),
        first_year=data.first_year,
        last_year=data.last_year,
    )
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "actionplan.period.create",
        "PlanPeriod",
        row.id,
        ["title", "firstYear", "lastYear", "description"],
    )
    return row


async def _years_recorded(session: AsyncSession, period_id: uuid.UUID) -> tuple[int, int] | None:
    """The first and last years with a status or a value in the period."""
    statuses = (
        select(PlanItemStatus.year)
        .join(PlanItem, PlanItem.id == PlanItemStatus.item_id)
        .where(PlanItem.period_id == period_id)
    )
    values = (
        select(IndicatorValue.year)
        .join(PlanIndicator, PlanIndicator.id == IndicatorValue.indicator_id)
        .where(PlanIndicator.period_id == period_id)
    )
    years = statuses.union_all(values).subquery()
    low, high = (
        await session.execute(select(func.min(years.c.year), func.max(years.c.year)))
    ).one()
    return None if low is None else (int(low), int(high))


async def update_period(
    session: AsyncSession, caller: Caller, period_id: uuid.UUID, data: PeriodInput
) -> PlanPeriod:
    """Rename, describe, or move the years — never away from a year already evaluated."""
    actor = caller.require(MANAGE)
    row: PlanPeriod = await _get(session, PlanPeriod, period_id, "id")
    title = _text(data.title, "title", 200)
    await _check_span(session, data, exclude=row.id)
    if row.previous_id is not None:
        previous: PlanPeriod = await _get(session, PlanPeriod, row.previous_id, "id")
        if data.first_year <= previous.last_year:
            raise ValidationError("commence avant la fin du plan précédent", field="firstYear")
    recorded = await _years_recorded(session, row.id)
    if recorded is not None:
        if data.first_year > recorded[0]:
            raise ConflictError(
                f"l'année {recorded[0]} est déjà évaluée dans ce plan", field="firstYear"
            )
        if data.last_year < recorded[1]:
            raise ConflictError(
                f"l'année {recorded[1]} est déjà évaluée dans ce plan", field="lastYear"
            )
    row.title, row.description = title, data.description.strip()
    row.first_year, row.last_year = data.first_year, data.last_year
    await session.flush()
    audit(
        session,
        actor.subject,
        "actionplan.period.update",
        "PlanPeriod",
        row.id,
        ["title", "firstYear", "lastYear", "description"],
    )
    return row


def tree_order(items: Sequence[PlanItem]) -> list[PlanItem]:
    """Items depth first, siblings by position: the order the plan reads in."""
    children: dict[uuid.UUID | None, list[PlanItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    for group in children.values():
        group.sort(key=lambda i: (i.position, i.id))
    ordered: list[PlanItem] = []

    def walk(parent: uuid.UUID | None) -> None:
        for item in children.get(parent, []):
            ordered.append(item)
            walk(item.id)

    walk(None)
    return ordered


async def start_period_from(
    session: AsyncSession, caller: Caller, previous_id: uuid.UUID, data: PeriodInput
) -> PlanPeriod:
    """A new period with the previous one's orientations, objectives, actions and
    indicators, each linked to its predecessor. Statuses and values are not copied: they
    belong to their years. An indicator's baseline becomes its last known value."""
    actor = caller.require(MANAGE)
    previous: PlanPeriod = await _get(session, PlanPeriod, previous_id, "previousId")
    taken = await session.execute(
        select(PlanPeriod.id).where(PlanPeriod.previous_id == previous.id)
    )
    if taken.first() is not None:
        raise ConflictError("un plan a déjà été ouvert à la suite de celui-ci", field="previousId")
    if data.first_year <= previous.last_year:
        raise ValidationError(
            f"commence après la fin du plan précédent ({previous.last_year})", field="firstYear"
        )
    row = await create_period(session, caller, data)
    row.previous_id = previous.id
    old_items = tree_order(
        list(
            (await session.execute(select(PlanItem).where(PlanItem.period_id == previous.id)))
            .scalars()
            .all()
        )
    )
    new_ids: dict[uuid.UUID, uuid.UUID] = {}
    for old in old_items:  # parents come before their children
        copy = PlanItem(
            id=uuid7(),
            period_id=row.id,
            level=old.level,
            parent_id=new_ids[old.parent_id] if old.parent_id else None,
            parent_level=old.parent_level,
            label=old.label,
            title=old.title,
            description=old.description,
            position=old.position,
            predecessor_id=old.id,
            lineage_id=old.lineage_id,
        )
        new_ids[old.id] = copy.id
        session.add(copy)
    await session.flush()
    last_known = {
        indicator_id: (year, value)
        for indicator_id, year, value in await session.execute(
            select(IndicatorValue.indicator_id, IndicatorValue.year, IndicatorValue.value)
            .join(PlanIndicator, PlanIndicator.id == IndicatorValue.indicator_id)
            .where(PlanIndicator.period_id == previous.id, IndicatorValue.state == "available")
            .order_by(IndicatorValue.year)
        )
    }
    for old_indicator in (
        await session.execute(
            select(PlanIndicator)
            .where(PlanIndicator.period_id == previous.id)
            .order_by(PlanIndicator.position, PlanIndicator.id)
        )
    ).scalars():
        year, value = last_known.get(
            old_indicator.id, (old_indicator.baseline_year, old_indicator.baseline)
        )
        session.add(
            PlanIndicator(
                period_id=row.id,
                item_id=new_ids[old_indicator.item_id] if old_indicator.item_id else None,
                item_level=old_indicator.item_level,
                name=old_indicator.name,
                definition=old_indicator.definition,
                unit=old_indicator.unit,
                baseline=value,
                baseline_year=year,
                target=old_indicator.target,
                position=old_indicator.position,
                predecessor_id=old_indicator.id,
                lineage_id=old_indicator.lineage_id,
            )
        )
    await session.flush()
    audit(
        session,
        actor.subject,
        "actionplan.period.continue",
        "PlanPeriod",
        row.id,
        ["previousPeriod", "items", "indicators"],
    )
    return row


def periods_query() -> Select[tuple[PlanPeriod]]:
    return select(PlanPeriod).order_by(PlanPeriod.first_year.desc(), PlanPeriod.id)


def period_of_year(year: int) -> Select[tuple[PlanPeriod]]:
    return select(PlanPeriod).where(PlanPeriod.first_year <= year, PlanPeriod.last_year >= year)


# --- items -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    label: str
    title: str
    description: str = ""
    # Index among the siblings (0 first); None: at the end (adding) or unchanged.
    position: int | None = None


async def _siblings(session: AsyncSession, item: PlanItem) -> list[PlanItem]:
    statement = select(PlanItem).where(
        PlanItem.period_id == item.period_id,
        PlanItem.parent_id.is_(None)
        if item.parent_id is None
        else PlanItem.parent_id == item.parent_id,
        PlanItem.id != item.id,
    )
    return list(
        (await session.execute(statement.order_by(PlanItem.position, PlanItem.id))).scalars()
    )


async def _place(
    session: AsyncSession, item: PlanItem, label: str, position: int | None, keep: bool
) -> None:
    """Check the label among the siblings, put the item at ``position`` and number the
    siblings 0, 1, 2… again (the order is the pole's, never the labels' sort)."""
    siblings = await _siblings(session, item)
    if any(s.label == label for s in siblings):
        raise ConflictError(f"le numéro « {label} » existe déjà à ce niveau", field="label")
    if position is not None and position < 0:
        raise ValidationError("position à partir de 0", field="position")
    if position is None:
        position = item.position if keep else len(siblings)
    ordered = list(siblings)
    ordered.insert(min(position, len(ordered)), item)
    for index, row in enumerate(ordered):
        row.position = index


async def add_item(
    session: AsyncSession,
    caller: Caller,
    data: ItemInput,
    *,
    period_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
) -> PlanItem:
    """An orientation (no parent: give the period), an objective (under an orientation)
    or an action (under an objective)."""
    actor = caller.require(MANAGE)
    label = _label(data.label)
    title = _text(data.title, "title", 300)
    if parent_id is not None:
        parent: PlanItem = await _get(session, PlanItem, parent_id, "parentId")
        if parent.level not in CHILD_LEVEL:
            raise ValidationError("une action n'a pas de sous-niveau", field="parentId")
        if period_id is not None and period_id != parent.period_id:
            raise ValidationError("ce parent est dans un autre plan", field="parentId")
        period_id, level, parent_level = parent.period_id, CHILD_LEVEL[parent.level], parent.level
    elif period_id is not None:
        await _get(session, PlanPeriod, period_id, "periodId")
        level, parent_level = "orientation", None
    else:
        raise ValidationError("le plan (ou le parent) de l'élément", field="periodId")
    count = await session.scalar(
        select(func.count()).select_from(PlanItem).where(PlanItem.period_id == period_id)
    )
    if (count or 0) >= MAX_ITEMS:
        raise ConflictError(f"{MAX_ITEMS} éléments au plus dans un plan", field="periodId")
    row = PlanItem(
        id=uuid7(),
        period_id=period_id,
        level=level,
        parent_id=parent_id,
        parent_level=parent_level,
        label=label,
        title=title,
        description=data.description.strip(),
    )
    row.lineage_id = row.id
    await _place(session, row, label, data.position, keep=False)
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "actionplan.item.add",
        "PlanItem",
        row.id,
        ["level", "label", "title", "description", "position"],
    )
    return row


async def update_item(
    session: AsyncSession, caller: Caller, item_id: uuid.UUID, data: ItemInput
) -> PlanItem:
    actor = caller.require(MANAGE)
    row: PlanItem = await _get(session, PlanItem, item_id, "id")
    label = _label(data.label)
    title = _text(data.title, "title", 300)
    await _place(session, row, label, data.position, keep=True)
    row.label, row.title, row.description = label, title, data.description.strip()
    await session.flush()
    audit(
        session,
        actor.subject,
        "actionplan.item.update",
        "PlanItem",
        row.id,
        ["label", "title", "description", "position"],
    )
    return row


async def _subtree(session: AsyncSession, item: PlanItem) -> list[uuid.UUID]:
    rows = (
        await session.execute(
            select(PlanItem.id, PlanItem.parent_id).where(PlanItem.period_id == item.period_id)
        )
    ).all()
    found, frontier = [item.id], [item.id]
    while frontier:
        parents = set(frontier)
        frontier = [i for i, parent in rows if parent in parents]
        found += frontier
    return found


async def delete_item(session: AsyncSession, caller: Caller, item_id: uuid.UUID) -> uuid.UUID:
    """Remove an item and what it holds — only while nothing was evaluated there and no
    later plan continues it (the evaluation of a year is never erased this way)."""
    actor = caller.require(MANAGE)
    row: PlanItem = await _get(session, PlanItem, item_id, "id")
    ids = await _subtree(session, row)
    evaluated = await session.execute(
        select(PlanItemStatus.id).where(PlanItemStatus.item_id.in_(ids)).limit(1)
    )
    valued = await session.execute(
        select(IndicatorValue.id)
        .join(PlanIndicator, PlanIndicator.id == IndicatorValue.indicator_id)
        .where(PlanIndicator.item_id.in_(ids))
        .limit(1)
    )
    if evaluated.first() is not None or valued.first() is not None:
        raise ConflictError(
            "déjà évalué : notez-le « Non réalisé » plutôt que de l'effacer", field="id"
        )
    continued = await session.execute(
        select(PlanItem.id).where(PlanItem.predecessor_id.in_(ids)).limit(1)
    )
    if continued.first() is not None:
        raise ConflictError("un plan suivant le reprend", field="id")
    period_id = row.period_id
    siblings = await _siblings(session, row)
    # Two statements: the indicators hanging there, then the items (the database removes a
    # parent and its children in one statement; the ORM knows no relationship to order).
    await delete_recorded(
        session, PlanIndicator, "ActionPlanIndicator", PlanIndicator.item_id.in_(ids)
    )
    await delete_recorded(session, PlanItem, "ActionPlanItem", PlanItem.id.in_(ids))
    for index, sibling in enumerate(siblings):
        sibling.position = index
    await session.flush()
    audit(session, actor.subject, "actionplan.item.delete", "PlanItem", item_id, ["item"])
    return period_id


# --- indicators ------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInput:
    name: str
    unit: str
    definition: str = ""
    baseline: float | None = None
    baseline_year: int | None = None
    target: float | None = None
    # An objective or an action of the same plan; None: an indicator of the whole plan.
    item_id: uuid.UUID | None = None
    position: int | None = None


async def _indicator_fields(
    session: AsyncSession, period_id: uuid.UUID, data: IndicatorInput
) -> tuple[str, str, str | None]:
    name = _text(data.name, "name", 300)
    unit = _text(data.unit, "unit", 40)
    _number(data.baseline, "baseline")
    _number(data.target, "target")
    if data.baseline_year is not None:
        _year(data.baseline_year, "baselineYear")
        if data.baseline is None:
            raise ValidationError("l'année sans la valeur de référence", field="baseline")
    if data.position is not None and data.position < 0:
        raise ValidationError("position à partir de 0", field="position")
    level = None
    if data.item_id is not None:
        item: PlanItem = await _get(session, PlanItem, data.item_id, "itemId")
        if item.period_id != period_id:
            raise ValidationError("cet élément est dans un autre plan", field="itemId")
        if item.level == "orientation":
            raise ValidationError(
                "un indicateur se rattache à un objectif, une action ou au plan", field="itemId"
            )
        level = item.level
    return name, unit, level


async def _order_indicators(
    session: AsyncSession, row: PlanIndicator, position: int | None, keep: bool
) -> None:
    others = list(
        (
            await session.execute(
                select(PlanIndicator)
                .where(PlanIndicator.period_id == row.period_id, PlanIndicator.id != row.id)
                .order_by(PlanIndicator.position, PlanIndicator.id)
            )
        ).scalars()
    )
    if position is None:
        position = row.position if keep else len(others)
    others.insert(min(position, len(others)), row)
    for index, indicator in enumerate(others):
        indicator.position = index


async def add_indicator(
    session: AsyncSession, caller: Caller, period_id: uuid.UUID, data: IndicatorInput
) -> PlanIndicator:
    actor = caller.require(MANAGE)
    await _get(session, PlanPeriod, period_id, "periodId")
    name, unit, level = await _indicator_fields(session, period_id, data)
    count = await session.scalar(
        select(func.count()).select_from(PlanIndicator).where(PlanIndicator.period_id == period_id)
    )
    if (count or 0) >= MAX_INDICATORS:
        raise ConflictError(f"{MAX_INDICATORS} indicateurs au plus dans un plan", field="periodId")
    row = PlanIndicator(
        id=uuid7(),
        period_id=period_id,
        item_id=data.item_id,
        item_level=level,
        name=name,
        unit=unit,
        definition=data.definition.strip(),
        baseline=data.baseline,
        baseline_year=data.baseline_year,
        target=data.target,
    )
    row.lineage_id = row.id
    await _order_indicators(session, row, data.position, keep=False)
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "actionplan.indicator.add",
        "PlanIndicator",
        row.id,
        ["name", "unit", "definition", "baseline", "baselineYear", "target", "item"],
    )
    return row


async def update_indicator(
    session: AsyncSession, caller: Caller, indicator_id: uuid.UUID, data: IndicatorInput
) -> PlanIndicator:
    actor = caller.require(MANAGE)
    row: PlanIndicator = await _get(session, PlanIndicator, indicator_id, "id")
    name, unit, level = await _indicator_fields(session, row.period_id, data)
    row.name, row.unit, row.definition = name, unit, data.definition.strip()
    row.baseline, row.baseline_year, row.target = data.baseline, data.baseline_year, data.target
    row.item_id, row.item_level = data.item_id, level
    await _order_indicators(session, row, data.position, keep=True)
    await session.flush()
    audit(
        session,
        actor.subject,
        "actionplan.indicator.update",
        "PlanIndicator",
        row.id,
        ["name", "unit", "definition", "baseline", "baselineYear", "target", "item"],
    )
    return row


async def delete_indicator(
    session: AsyncSession, caller: Caller, indicator_id: uuid.UUID
) -> uuid.UUID:
    actor = caller.require(MANAGE)
    row: PlanIndicator = await _get(session, PlanIndicator, indicator_id, "id")
    valued = await session.execute(
        select(IndicatorValue.id).where(IndicatorValue.indicator_id == row.id).limit(1)
    )
    if valued.first() is not None:
        raise ConflictError("des valeurs sont déjà notées pour cet indicateur", field="id")
    continued = await session.execute(
        select(PlanIndicator.id).where(PlanIndicator.predecessor_id == row.id).limit(1)
    )
    if continued.first() is not None:
        raise ConflictError("un plan suivant le reprend", field="id")
    period_id = row.period_id
    await delete_recorded(session, PlanIndicator, "ActionPlanIndicator", PlanIndicator.id == row.id)
    others = await session.execute(
        select(PlanIndicator)
        .where(PlanIndicator.period_id == period_id)
        .order_by(PlanIndicator.position, PlanIndicator.id)
    )
    for index, indicator in enumerate(others.scalars()):
        indicator.position = index
    await session.flush()
    audit(session, actor.subject, "actionplan.indicator.delete", "PlanIndicator", indicator_id, [])
    return period_id


# --- the yearly evaluation -------------------------------------------------------------


@dataclass(frozen=True)
class StatusEntry:
    item_id: uuid.UUID
    status: str
    comment: str = ""


@dataclass(frozen=True)
class ValueEntry:
    indicator_id: uuid.UUID
    state: str
    value: float | None = None
    reason: str = ""
    comment: str = ""


async def record_year(
    session: AsyncSession,
    caller: Caller,
    period_id: uuid.UUID,
    year: int,
    *,
    statuses: Sequence[StatusEntry] = (),
    values: Sequence[ValueEntry] = (),
    clear_items: Sequence[uuid.UUID] = (),
    clear_indicators: Sequence[uuid.UUID] = (),
    now: dt.datetime | None = None,
) -> PlanPeriod:
    """One year's evaluation of the plan: statuses of items, values of indicators (each
    replaces what was noted for that year), and entries noted by mistake taken back
    (``clear_items``, ``clear_indicators``: back to « pas encore noté »). All or nothing."""
    actor = caller.require(MANAGE)
    period: PlanPeriod = await _get(session, PlanPeriod, period_id, "periodId")
    _in_period(period, year, "year")
    at = now or dt.datetime.now(dt.UTC)

    item_ids = [entry.item_id for entry in statuses]
    items = {
        i.id: i
        for i in (
            await session.execute(select(PlanItem).where(PlanItem.id.in_(item_ids)))
        ).scalars()
    }
    existing = {
        s.item_id: s
        for s in (
            await session.execute(
                select(PlanItemStatus).where(
                    PlanItemStatus.item_id.in_(item_ids), PlanItemStatus.year == year
                )
            )
        ).scalars()
    }
    seen: set[uuid.UUID] = set()
    for index, entry in enumerate(statuses):
        where = f"statuses.{index}"
        item = items.get(entry.item_id)
        if item is None or item.period_id != period.id:
            raise ValidationError("élément introuvable dans ce plan", field=f"{where}.itemId")
        if entry.item_id in seen:
            raise ValidationError("élément donné deux fois", field=f"{where}.itemId")
        seen.add(entry.item_id)
        _one_of(entry.status, STATUSES, f"{where}.status")
        comment = _text(entry.comment, f"{where}.comment", MAX_COMMENT, required=False)
        row = existing.get(entry.item_id)
        if row is None:
            session.add(
                PlanItemStatus(
                    item_id=entry.item_id,
                    year=year,
                    status=entry.status,
                    comment=comment,
                    recorded_at=at,
                    recorded_by=actor.subject,
                )
            )
        else:
            row.status, row.comment, row.recorded_at = entry.status, comment, at
            row.recorded_by = actor.subject

    indicator_ids = [entry.indicator_id for entry in values]
    indicators = {
        i.id: i
        for i in (
            await session.execute(select(PlanIndicator).where(PlanIndicator.id.in_(indicator_ids)))
        ).scalars()
    }
    known = {
        v.indicator_id: v
        for v in (
            await session.execute(
                select(IndicatorValue).where(
                    IndicatorValue.indicator_id.in_(indicator_ids), IndicatorValue.year == year
                )
            )
        ).scalars()
    }
    given: set[uuid.UUID] = set()
    for index, entry in enumerate(values):
        where = f"values.{index}"
        indicator = indicators.get(entry.indicator_id)
        if indicator is None or indicator.period_id != period.id:
            raise ValidationError(
                "indicateur introuvable dans ce plan", field=f"{where}.indicatorId"
            )
        if entry.indicator_id in given:
            raise ValidationError("indicateur donné deux fois", field=f"{where}.indicatorId")
        given.add(entry.indicator_id)
        _one_of(entry.state, VALUE_STATES, f"{where}.state")
        reason = _text(entry.reason, f"{where}.reason", MAX_COMMENT, required=False)
        if entry.state in GAP_STATES:
            if entry.value is not None:
                raise ValidationError(
                    f"pas de valeur quand elle est « {VALUE_STATES[entry.state]} »",
                    field=f"{where}.value",
                )
            if not reason:
                raise ValidationError(
                    "la raison de l'absence de valeur est obligatoire", field=f"{where}.reason"
                )
        else:
            if entry.value is None:
                raise ValidationError("la valeur de l'année", field=f"{where}.value")
            _number(entry.value, f"{where}.value")
            if indicator.unit == "%" and not 0 <= entry.value <= 100:
                raise ValidationError("un pourcentage entre 0 et 100", field=f"{where}.value")
        comment = _text(entry.comment, f"{where}.comment", MAX_COMMENT, required=False)
        row = known.get(entry.indicator_id)
        if row is None:
            session.add(
                IndicatorValue(
                    indicator_id=entry.indicator_id,
                    year=year,
                    state=entry.state,
                    value=entry.value,
                    reason=reason,
                    comment=comment,
                    recorded_at=at,
                    recorded_by=actor.subject,
                )
            )
        else:
            row.state, row.value, row.reason, row.comment = (
                entry.state,
                entry.value,
                reason,
                comment,
            )
            row.recorded_at, row.recorded_by = at, actor.subject
    await _clear(session, PlanItem, clear_items, seen, period.id, "clearItemIds")
    await _clear(session, PlanIndicator, clear_indicators, given, period.id, "clearIndicatorIds")
    if clear_items:
        await session.execute(
            delete(PlanItemStatus).where(
                PlanItemStatus.item_id.in_(clear_items), PlanItemStatus.year == year
            )
        )
    if clear_indicators:
        await session.execute(
            delete(IndicatorValue).where(
                IndicatorValue.indicator_id.in_(clear_indicators), IndicatorValue.year == year
            )
        )
    await session.flush()
    written = [
        name
        for name, given_list in (
            ("statuses", statuses),
            ("indicatorValues", values),
            ("clearedStatuses", clear_items),
            ("clearedIndicatorValues", clear_indicators),
        )
        if given_list
    ]
    audit(
        session,
        actor.subject,
        "actionplan.year.record",
        "PlanPeriod",
        period.id,
        ["year", *written],
    )
    return period


async def _clear(
    session: AsyncSession,
    model: type[PlanItem] | type[PlanIndicator],
    ids: Sequence[uuid.UUID],
    noted: set[uuid.UUID],
    period_id: uuid.UUID,
    field: str,
) -> None:
    """Ids to take back must be the period's, and not noted in the same call."""
    if not ids:
        return
    found = {
        i
        for (i,) in await session.execute(
            select(model.id).where(model.id.in_(ids), model.period_id == period_id)
        )
    }
    for index, key in enumerate(ids):
        if key not in found:
            raise ValidationError("introuvable dans ce plan", field=f"{field}.{index}")
        if key in noted:
            raise ValidationError("noté et effacé dans la même saisie", field=f"{field}.{index}")


# --- history ---------------------------------------------------------------------------


async def item_lineage(session: AsyncSession, caller: Caller, item_id: uuid.UUID) -> list[PlanItem]:
    """The item and its predecessors and successors in the other periods, oldest first."""
    caller.require(READ)
    item: PlanItem = await _get(session, PlanItem, item_id, "id")
    return list(
        (
            await session.execute(
                select(PlanItem)
                .join(PlanPeriod, PlanPeriod.id == PlanItem.period_id)
                .where(PlanItem.lineage_id == item.lineage_id)
                .order_by(PlanPeriod.first_year, PlanItem.id)
            )
        ).scalars()
    )


async def indicator_lineage(
    session: AsyncSession, caller: Caller, indicator_id: uuid.UUID
) -> list[PlanIndicator]:
    caller.require(READ)
    row: PlanIndicator = await _get(session, PlanIndicator, indicator_id, "id")
    return list(
        (
            await session.execute(
                select(PlanIndicator)
                .join(PlanPeriod, PlanPeriod.id == PlanIndicator.period_id)
                .where(PlanIndicator.lineage_id == row.lineage_id)
                .order_by(PlanPeriod.first_year, PlanIndicator.id)
            )
        ).scalars()
    )
