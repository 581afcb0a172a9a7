"""GraphQL: the pole's action plan (periods, orientations → objectives → actions,
indicators) and its yearly evaluation (statuses, indicator values or gaps), with each
item's history across periods.

A period is read whole, in a fixed number of statements whatever its size (periods with
their neighbours, items, statuses, indicators, values: the per-request batch loader
below); a period is bounded (400 items, 200 indicators), so the flat lists of items and
indicators page over that loaded tree.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import strawberry
from sqlalchemy import or_, select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, maybe_id, parse_id, try_uuid
from core.api.inputs import flat_form
from core.api.limits import chars_field
from core.api.pagination import connection, page_of, window
from core.api.payloads import UserError, user_errors
from core.domain.actionplan import service
from core.domain.actionplan.models import (
    IndicatorValue,
    PlanIndicator,
    PlanItem,
    PlanItemStatus,
    PlanPeriod,
)
from core.domain.actionplan.vocabulary import LEVELS, STATUSES, VALUE_STATES
from core.domain.structures.graphql import KindOption
from core.errors import NotFoundError, ValidationError

READ, MANAGE = service.READ, service.MANAGE


def _option(value: str, vocabulary: Any) -> KindOption:
    return KindOption(value=value, label=vocabulary[value])


def _sid(value: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value else None


@strawberry.type(description="Un plan d'action, en bref (titre et années).")
class ActionPlanPeriodInfo:
    id: strawberry.ID
    title: str
    first_year: int
    last_year: int


@strawberry.type(description="Le statut d'un élément du plan pour une année.")
class ActionPlanYearStatus:
    year: int
    status: KindOption = strawberry.field(description="Réalisé, en cours, non réalisé, à venir.")
    comment: str
    recorded_at: dt.datetime


@strawberry.type(
    description="La valeur d'un indicateur pour une année, ou son absence et sa raison."
)
class ActionPlanIndicatorValue:
    year: int
    state: KindOption = strawberry.field(
        description="Disponible, non disponible, non applicable, en attente."
    )
    value: float | None
    reason: str = strawberry.field(description="Pourquoi la valeur manque (obligatoire alors).")
    comment: str
    recorded_at: dt.datetime


@strawberry.type(description="Un indicateur du plan, d'un objectif ou d'une action.")
class ActionPlanIndicator(relay.Node):
    uid: relay.NodeID[str]
    period: ActionPlanPeriodInfo
    item_id: strawberry.ID | None = strawberry.field(
        description="L'objectif ou l'action mesuré ; null : un indicateur du plan entier."
    )
    name: str
    definition: str
    unit: str
    baseline: float | None
    baseline_year: int | None
    target: float | None
    position: int
    predecessor_id: strawberry.ID | None = strawberry.field(
        description="Le même indicateur dans le plan précédent."
    )
    values: list[ActionPlanIndicatorValue] = strawberry.field(description="Par année.")

    @strawberry.field(description="La valeur d'une année (null : rien de noté).")
    def value(self, year: int) -> ActionPlanIndicatorValue | None:
        return next((v for v in self.values if v.year == year), None)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[ActionPlanIndicator | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await session.execute(
                select(PlanIndicator.period_id).where(PlanIndicator.id.in_([i for i in ids if i]))
            )
            trees = await load_trees(session, {p for (p,) in found})
        return [trees.indicators.get(i) if i else None for i in ids]


@strawberry.type(description="Une orientation, un objectif ou une action du plan.")
class ActionPlanItem(relay.Node):
    uid: relay.NodeID[str]
    period: ActionPlanPeriodInfo
    level: KindOption = strawberry.field(description="Orientation, objectif ou action.")
    label: str = strawberry.field(description="Le numéro donné par le pôle (« 1.2 », « A-3 »).")
    title: str
    description: str
    position: int = strawberry.field(description="Rang parmi ses voisins (0 en premier).")
    parent_id: strawberry.ID | None
    predecessor_id: strawberry.ID | None = strawberry.field(
        description="Le même élément dans le plan précédent."
    )
    statuses: list[ActionPlanYearStatus] = strawberry.field(description="Par année.")
    indicators: list[ActionPlanIndicator]
    children: list[ActionPlanItem] = strawberry.field(
        description="Objectifs d'une orientation, actions d'un objectif, dans l'ordre du pôle."
    )

    @strawberry.field(description="Le statut d'une année (null : pas encore noté).")
    def status(self, year: int) -> ActionPlanYearStatus | None:
        return next((s for s in self.statuses if s.year == year), None)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[ActionPlanItem | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await session.execute(
                select(PlanItem.period_id).where(PlanItem.id.in_([i for i in ids if i]))
            )
            trees = await load_trees(session, {p for (p,) in found})
        return [trees.items.get(i) if i else None for i in ids]


@strawberry.type(description="Le décompte d'un statut pour une année.")
class ActionPlanStatusCount:
    status: KindOption | None = strawberry.field(description="null : pas encore noté.")
    count: int


@strawberry.type(description="Un plan d'action du pôle sur une période (par exemple 2025–2027).")
class ActionPlanPeriod(relay.Node):
    uid: relay.NodeID[str]
    title: str
    description: str
    first_year: int
    last_year: int
    previous_period: ActionPlanPeriodInfo | None
    next_period: ActionPlanPeriodInfo | None
    orientations: list[ActionPlanItem] = strawberry.field(
        description="L'arbre du plan : orientations, leurs objectifs, leurs actions."
    )
    indicators: list[ActionPlanIndicator] = strawberry.field(
        description="Tous les indicateurs du plan, dans l'ordre du pôle."
    )

    @strawberry.field(
        description="Adresse du bilan imprimable d'une année (HTML, ou PDF avec pdf: true)."
    )
    def evaluation_url(self, year: int, pdf: bool = False) -> str:
        return f"/reports/action-plans/{self.uid}.{'pdf' if pdf else 'html'}?year={year}"

    @strawberry.field
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @strawberry.field(
        description="Pour une année : combien d'éléments d'un niveau (les actions par défaut) "
        "sont réalisés, en cours, non réalisés, à venir, ou pas encore notés."
    )
    def summary(self, year: int, level: str = "action") -> list[ActionPlanStatusCount]:
        if level not in LEVELS:
            raise ValidationError(f"niveau inconnu « {level} »", field="level")
        counts: dict[str | None, int] = defaultdict(int)
        for item in _walk(self.orientations):
            if item.level.value == level:
                found = item.status(year)
                counts[found.status.value if found else None] += 1
        return [
            ActionPlanStatusCount(
                status=_option(key, STATUSES) if key else None, count=counts.get(key, 0)
            )
            for key in [*STATUSES, None]
        ]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[ActionPlanPeriod | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            trees = await load_trees(session, {i for i in ids if i})
        return [trees.periods.get(i) if i else None for i in ids]


def _walk(items: Sequence[ActionPlanItem]) -> Iterable[ActionPlanItem]:
    for item in items:
        yield item
        yield from _walk(item.children)


# --- the batch loader ------------------------------------------------------------------


@dataclass
class Trees:
    periods: dict[uuid.UUID, ActionPlanPeriod] = field(default_factory=dict)
    items: dict[uuid.UUID, ActionPlanItem] = field(default_factory=dict)
    indicators: dict[uuid.UUID, ActionPlanIndicator] = field(default_factory=dict)
    # Items and indicators of each period, in the plan's reading order.
    item_order: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    indicator_order: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)


def _info(row: PlanPeriod) -> ActionPlanPeriodInfo:
    return ActionPlanPeriodInfo(
        id=strawberry.ID(str(row.id)),
        title=row.title,
        first_year=row.first_year,
        last_year=row.last_year,
    )


async def load_trees(session: Any, period_ids: set[uuid.UUID]) -> Trees:
    """Whole periods in five statements, whatever their number and size."""
    trees = Trees()
    if not period_ids:
        return trees
    ids = list(period_ids)
    rows = list(
        (
            await session.execute(
                select(PlanPeriod).where(
                    or_(PlanPeriod.id.in_(ids), PlanPeriod.previous_id.in_(ids))
                )
            )
        ).scalars()
    )
    by_id = {r.id: r for r in rows}
    successor = {r.previous_id: r for r in rows if r.previous_id}
    wanted = [r for r in rows if r.id in period_ids]
    if not wanted:
        return trees
    previous_ids = {r.previous_id for r in wanted if r.previous_id} - set(by_id)
    items = list(
        (await session.execute(select(PlanItem).where(PlanItem.period_id.in_(ids)))).scalars()
    )
    statuses: dict[uuid.UUID, list[PlanItemStatus]] = defaultdict(list)
    for s in (
        await session.execute(
            select(PlanItemStatus)
            .join(PlanItem, PlanItem.id == PlanItemStatus.item_id)
            .where(PlanItem.period_id.in_(ids))
            .order_by(PlanItemStatus.year)
        )
    ).scalars():
        statuses[s.item_id].append(s)
    indicators = list(
        (
            await session.execute(
                select(PlanIndicator)
                .where(PlanIndicator.period_id.in_(ids))
                .order_by(PlanIndicator.position, PlanIndicator.id)
            )
        ).scalars()
    )
    values: dict[uuid.UUID, list[IndicatorValue]] = defaultdict(list)
    for v in (
        await session.execute(
            select(IndicatorValue)
            .join(PlanIndicator, PlanIndicator.id == IndicatorValue.indicator_id)
            .where(PlanIndicator.period_id.in_(ids))
            .order_by(IndicatorValue.year)
        )
    ).scalars():
        values[v.indicator_id].append(v)
    if previous_ids:
        # The predecessors of the periods asked for (their names only); the same statement
        # shape every time, so it does not depend on the size of the plans.
        for r in (
            await session.execute(select(PlanPeriod).where(PlanPeriod.id.in_(previous_ids)))
        ).scalars():
            by_id[r.id] = r

    infos = {pid: _info(by_id[pid]) for pid in period_ids if pid in by_id}
    by_item: dict[uuid.UUID | None, list[ActionPlanIndicator]] = defaultdict(list)
    for ind in indicators:
        node = ActionPlanIndicator(
            uid=str(ind.id),
            period=infos[ind.period_id],
            item_id=_sid(ind.item_id),
            name=ind.name,
            definition=ind.definition,
            unit=ind.unit,
            baseline=ind.baseline,
            baseline_year=ind.baseline_year,
            target=ind.target,
            position=ind.position,
            predecessor_id=_sid(ind.predecessor_id),
            values=[
                ActionPlanIndicatorValue(
                    year=v.year,
                    state=_option(v.state, VALUE_STATES),
                    value=v.value,
                    reason=v.reason,
                    comment=v.comment,
                    recorded_at=v.recorded_at,
                )
                for v in values[ind.id]
            ],
        )
        trees.indicators[ind.id] = node
        trees.indicator_order.setdefault(ind.period_id, []).append(ind.id)
        if ind.item_id:
            by_item[ind.item_id].append(node)

    ordered = service.tree_order(items)
    # Build leaves first so that each parent gets its finished children.
    children: dict[uuid.UUID, list[ActionPlanItem]] = defaultdict(list)
    for item in reversed(ordered):
        node = ActionPlanItem(
            uid=str(item.id),
            period=infos[item.period_id],
            level=_option(item.level, LEVELS),
            label=item.label,
            title=item.title,
            description=item.description,
            position=item.position,
            parent_id=_sid(item.parent_id),
            predecessor_id=_sid(item.predecessor_id),
            statuses=[
                ActionPlanYearStatus(
                    year=s.year,
                    status=_option(s.status, STATUSES),
                    comment=s.comment,
                    recorded_at=s.recorded_at,
                )
                for s in statuses[item.id]
            ],
            indicators=by_item[item.id],
            children=list(reversed(children.pop(item.id, []))),
        )
        trees.items[item.id] = node
        # Orientations hang on their period's id (ids never collide: all are UUIDv7).
        children[item.parent_id or item.period_id].append(node)
    for item in ordered:
        trees.item_order.setdefault(item.period_id, []).append(item.id)

    for row in wanted:
        previous = by_id.get(row.previous_id) if row.previous_id else None
        following = successor.get(row.id)
        trees.periods[row.id] = ActionPlanPeriod(
            uid=str(row.id),
            title=row.title,
            description=row.description,
            first_year=row.first_year,
            last_year=row.last_year,
            previous_period=_info(previous) if previous else None,
            next_period=_info(following) if following else None,
            orientations=list(reversed(children.get(row.id, []))),
            indicators=[trees.indicators[i] for i in trees.indicator_order.get(row.id, [])],
        )
    return trees


# --- lists -----------------------------------------------------------------------------


@strawberry.type
class ActionPlanPeriodConnection(relay.ListConnection[ActionPlanPeriod]):
    total_count: int


@strawberry.type
class ActionPlanItemConnection(relay.ListConnection[ActionPlanItem]):
    total_count: int


@strawberry.type
class ActionPlanIndicatorConnection(relay.ListConnection[ActionPlanIndicator]):
    total_count: int


def _options(vocabulary: Any) -> list[KindOption]:
    return [KindOption(value=k, label=v) for k, v in vocabulary.items()]


def _check_year(period: ActionPlanPeriod, year: int | None, field: str) -> None:
    if year is not None and not period.first_year <= year <= period.last_year:
        raise ValidationError(
            f"hors de la période du plan ({period.first_year}–{period.last_year})", field=field
        )


async def _period(ctx: Context, period_id: strawberry.ID) -> tuple[ActionPlanPeriod, Trees]:
    pid = parse_id(period_id, "periodId")
    async with ctx.db_session() as session:
        trees = await load_trees(session, {pid})
    if pid not in trees.periods:
        raise NotFoundError("introuvable dans ce pôle", field="periodId")
    return trees.periods[pid], trees


@strawberry.type
class ActionPlanQuery:
    @strawberry.field(description="Niveaux du plan : orientation, objectif, action.")
    def action_plan_levels(self) -> list[KindOption]:
        return _options(LEVELS)

    @strawberry.field(description="Statuts annuels : réalisé, en cours, non réalisé, à venir.")
    def action_plan_statuses(self) -> list[KindOption]:
        return _options(STATUSES)

    @strawberry.field(
        description="États d'une valeur d'indicateur : disponible, non disponible, non "
        "applicable, en attente."
    )
    def action_plan_value_states(self) -> list[KindOption]:
        return _options(VALUE_STATES)

    @strawberry.field(
        description="Les plans d'action du pôle, du plus récent au plus ancien.",
        extensions=[action_gate(READ)],
    )
    async def action_plan_periods(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> ActionPlanPeriodConnection:
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, service.periods_query(), first, after)
            ids = [r.id for r in (await session.execute(page)).scalars()]
            trees = await load_trees(session, set(ids))
        return connection(ActionPlanPeriodConnection, [trees.periods[i] for i in ids], win, total)

    @strawberry.field(
        description="Le plan d'action qui couvre une année (l'année en cours par défaut).",
        extensions=[action_gate(READ)],
    )
    async def action_plan_for_year(
        self, info: Info[Context, None], year: int | None = None
    ) -> ActionPlanPeriod | None:
        wanted = year or dt.date.today().year
        async with info.context.db_session() as session:
            found = (await session.execute(service.period_of_year(wanted))).scalar()
            if found is None:
                return None
            trees = await load_trees(session, {found.id})
        return trees.periods[found.id]

    @strawberry.field(
        description="Les éléments d'un plan, dans l'ordre du plan ; filtres : niveaux, "
        "statut d'une année (year + statuses), ou pas encore notés pour une année "
        "(missingYear).",
        extensions=[action_gate(READ)],
    )
    async def action_plan_items(
        self,
        info: Info[Context, None],
        period_id: strawberry.ID,
        levels: list[str] | None = None,
        year: int | None = None,
        statuses: list[str] | None = None,
        missing_year: int | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ActionPlanItemConnection:
        win = window(first, after)
        for index, level in enumerate(levels or []):
            if level not in LEVELS:
                raise ValidationError(f"niveau inconnu « {level} »", field=f"levels.{index}")
        for index, status in enumerate(statuses or []):
            if status not in STATUSES:
                raise ValidationError(f"statut inconnu « {status} »", field=f"statuses.{index}")
        if statuses and year is None:
            raise ValidationError("l'année des statuts", field="year")
        period, trees = await _period(info.context, period_id)
        _check_year(period, year, "year")
        _check_year(period, missing_year, "missingYear")
        nodes = [trees.items[i] for i in trees.item_order.get(uuid.UUID(period.uid), [])]
        if levels:
            nodes = [n for n in nodes if n.level.value in levels]
        if statuses and year is not None:
            nodes = [
                n for n in nodes if (s := n.status(year)) is not None and s.status.value in statuses
            ]
        if missing_year is not None:
            nodes = [n for n in nodes if n.status(missing_year) is None]
        page = nodes[win.offset : win.offset + win.limit]
        return connection(ActionPlanItemConnection, page, win, len(nodes))

    @strawberry.field(
        description="Les indicateurs d'un plan ; filtres : état de la valeur d'une année "
        "(year + states), ou sans rien de noté pour une année (missingYear).",
        extensions=[action_gate(READ)],
    )
    async def action_plan_indicators(
        self,
        info: Info[Context, None],
        period_id: strawberry.ID,
        year: int | None = None,
        states: list[str] | None = None,
        missing_year: int | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ActionPlanIndicatorConnection:
        win = window(first, after)
        for index, state in enumerate(states or []):
            if state not in VALUE_STATES:
                raise ValidationError(f"état inconnu « {state} »", field=f"states.{index}")
        if states and year is None:
            raise ValidationError("l'année des valeurs", field="year")
        period, _ = await _period(info.context, period_id)
        _check_year(period, year, "year")
        _check_year(period, missing_year, "missingYear")
        nodes = list(period.indicators)
        if states and year is not None:
            nodes = [
                n for n in nodes if (v := n.value(year)) is not None and v.state.value in states
            ]
        if missing_year is not None:
            nodes = [n for n in nodes if n.value(missing_year) is None]
        page = nodes[win.offset : win.offset + win.limit]
        return connection(ActionPlanIndicatorConnection, page, win, len(nodes))

    @strawberry.field(
        description="L'histoire d'un élément à travers les plans successifs (le même élément "
        "dans chaque plan, du plus ancien au plus récent, avec ses statuts).",
        extensions=[action_gate(READ)],
    )
    async def action_plan_item_history(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> list[ActionPlanItem]:
        ctx = info.context
        async with ctx.db_session() as session:
            rows = await service.item_lineage(session, caller(ctx), parse_id(id, "id"))
            trees = await load_trees(session, {r.period_id for r in rows})
        return [trees.items[r.id] for r in rows]

    @strawberry.field(
        description="L'histoire d'un indicateur à travers les plans successifs, avec ses valeurs.",
        extensions=[action_gate(READ)],
    )
    async def action_plan_indicator_history(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> list[ActionPlanIndicator]:
        ctx = info.context
        async with ctx.db_session() as session:
            rows = await service.indicator_lineage(session, caller(ctx), parse_id(id, "id"))
            trees = await load_trees(session, {r.period_id for r in rows})
        return [trees.indicators[r.id] for r in rows]


# --- mutations -------------------------------------------------------------------------


@strawberry.input(description="Un plan d'action : titre, première et dernière années.")
class ActionPlanPeriodInput:
    title: str = chars_field(PlanPeriod.title)
    first_year: int
    last_year: int
    description: str = chars_field(PlanPeriod.description, default="")

    def to_service(self) -> service.PeriodInput:
        return service.PeriodInput(self.title, self.first_year, self.last_year, self.description)


@strawberry.input(description="Une orientation, un objectif ou une action.")
class ActionPlanItemInput:
    label: str = chars_field(PlanItem.label, "Le numéro du pôle (« 1 », « 1.2 », « A-3 »).")
    title: str = chars_field(PlanItem.title)
    description: str = chars_field(PlanItem.description, default="")
    position: int | None = strawberry.field(
        default=None,
        description="Rang parmi ses voisins (0 en premier) ; absent : à la fin (ajout) ou "
        "inchangé.",
    )

    def to_service(self) -> service.ItemInput:
        return service.ItemInput(self.label, self.title, self.description, self.position)


@strawberry.input(description="Un indicateur : définition, unité, valeur de référence, cible.")
class ActionPlanIndicatorInput:
    name: str = chars_field(PlanIndicator.name)
    unit: str = chars_field(PlanIndicator.unit, "« enfants », « prêts », « % »…")
    definition: str = chars_field(PlanIndicator.definition, default="")
    baseline: float | None = None
    baseline_year: int | None = None
    target: float | None = None
    item_id: strawberry.ID | None = strawberry.field(
        default=None, description="Un objectif ou une action ; absent : le plan entier."
    )
    position: int | None = None

    def to_service(self) -> service.IndicatorInput:
        return service.IndicatorInput(
            name=self.name,
            unit=self.unit,
            definition=self.definition,
            baseline=self.baseline,
            baseline_year=self.baseline_year,
            target=self.target,
            item_id=maybe_id(self.item_id, "itemId"),
            position=self.position,
        )


@strawberry.input(description="Le statut d'un élément pour l'année évaluée.")
class ActionPlanStatusInput:
    item_id: strawberry.ID
    status: str = strawberry.field(description="Voir actionPlanStatuses.")
    comment: str = chars_field(PlanItemStatus.comment, default="")


@strawberry.input(description="La valeur d'un indicateur pour l'année évaluée, ou son absence.")
class ActionPlanValueInput:
    indicator_id: strawberry.ID
    state: str = strawberry.field(default="available", description="Voir actionPlanValueStates.")
    value: float | None = None
    reason: str = chars_field(IndicatorValue.reason, "Obligatoire sans valeur.", default="")
    comment: str = chars_field(IndicatorValue.comment, default="")


@strawberry.input(
    description="L'évaluation d'une année : statuts, valeurs des indicateurs, et ce qui avait "
    "été noté par erreur (clearItemIds, clearIndicatorIds)."
)
class RecordActionPlanYearInput:
    year: int
    statuses: list[ActionPlanStatusInput] | None = None
    values: list[ActionPlanValueInput] | None = None
    clear_item_ids: list[strawberry.ID] | None = None
    clear_indicator_ids: list[strawberry.ID] | None = None


@strawberry.type
class ActionPlanPeriodPayload:
    period: ActionPlanPeriod | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ActionPlanItemPayload:
    item: ActionPlanItem | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ActionPlanIndicatorPayload:
    indicator: ActionPlanIndicator | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _apply(ctx: Context, apply: Any) -> tuple[Trees | None, Any, list[UserError]]:
    """Run a service call in one transaction; reload the period it touched."""
    trees, key = None, None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        period_id, key = await apply(session)
        await session.commit()
        trees = await load_trees(session, {period_id})
    return (None if errors else trees), key, errors


async def _period_payload(ctx: Context, apply: Any) -> ActionPlanPeriodPayload:
    trees, key, errors = await _apply(ctx, apply)
    if trees is None:
        return ActionPlanPeriodPayload(errors=errors)
    return ActionPlanPeriodPayload(period=trees.periods[key])


async def _item_payload(ctx: Context, apply: Any) -> ActionPlanItemPayload:
    trees, key, errors = await _apply(ctx, apply)
    if trees is None:
        return ActionPlanItemPayload(errors=errors)
    return ActionPlanItemPayload(item=trees.items[key])


async def _indicator_payload(ctx: Context, apply: Any) -> ActionPlanIndicatorPayload:
    trees, key, errors = await _apply(ctx, apply)
    if trees is None:
        return ActionPlanIndicatorPayload(errors=errors)
    return ActionPlanIndicatorPayload(indicator=trees.indicators[key])


@strawberry.type
class ActionPlanMutation:
    @strawberry.mutation(
        description="Ouvrir un plan d'action vide sur une période.",
        extensions=[action_gate(MANAGE)],
    )
    async def create_action_plan_period(
        self, info: Info[Context, None], input: ActionPlanPeriodInput
    ) -> ActionPlanPeriodPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            row = await service.create_period(session, caller(ctx), input.to_service())
            return row.id, row.id

        return await _period_payload(ctx, apply)

    @strawberry.mutation(
        description="Renommer un plan, changer sa description ou ses années (jamais en "
        "laissant dehors une année déjà évaluée).",
        extensions=[action_gate(MANAGE)],
    )
    async def update_action_plan_period(
        self, info: Info[Context, None], id: strawberry.ID, input: ActionPlanPeriodInput
    ) -> ActionPlanPeriodPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            row = await service.update_period(
                session, caller(ctx), parse_id(id, "id"), input.to_service()
            )
            return row.id, row.id

        return await _period_payload(ctx, apply)

    @strawberry.mutation(
        description="Ouvrir le plan suivant à partir d'un plan : orientations, objectifs, "
        "actions et indicateurs repris et reliés à leurs prédécesseurs ; le plan précédent, "
        "ses statuts et ses valeurs restent tels quels.",
        extensions=[action_gate(MANAGE)],
    )
    async def start_action_plan_period_from(
        self, info: Info[Context, None], previous_id: strawberry.ID, input: ActionPlanPeriodInput
    ) -> ActionPlanPeriodPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            row = await service.start_period_from(
                session, caller(ctx), parse_id(previous_id, "previousId"), input.to_service()
            )
            return row.id, row.id

        return await _period_payload(ctx, apply)

    @strawberry.mutation(
        description="Ajouter une orientation (periodId), un objectif (parentId : une "
        "orientation) ou une action (parentId : un objectif).",
        extensions=[action_gate(MANAGE)],
    )
    async def add_action_plan_item(
        self,
        info: Info[Context, None],
        input: ActionPlanItemInput,
        period_id: strawberry.ID | None = None,
        parent_id: strawberry.ID | None = None,
    ) -> ActionPlanItemPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            row = await service.add_item(
                session,
                caller(ctx),
                input.to_service(),
                period_id=maybe_id(period_id, "periodId"),
                parent_id=maybe_id(parent_id, "parentId"),
            )
            return row.period_id, row.id

        return await _item_payload(ctx, apply)

    @strawberry.mutation(
        description="Renuméroter, renommer, décrire ou déplacer (position) un élément.",
        extensions=[action_gate(MANAGE)],
    )
    async def update_action_plan_item(
        self, info: Info[Context, None], id: strawberry.ID, input: ActionPlanItemInput
    ) -> ActionPlanItemPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            row = await service.update_item(
                session, caller(ctx), parse_id(id, "id"), input.to_service()
            )
            return row.period_id, row.id

        return await _item_payload(ctx, apply)

    @strawberry.mutation(
        description="Retirer un élément et ce qu'il contient, tant que rien n'y est évalué.",
        extensions=[action_gate(MANAGE)],
    )
    async def delete_action_plan_item(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> ActionPlanPeriodPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            period_id = await service.delete_item(session, caller(ctx), parse_id(id, "id"))
            return period_id, period_id

        return await _period_payload(ctx, apply)

    @strawberry.mutation(
        description="Ajouter un indicateur au plan, à un objectif ou à une action.",
        extensions=[action_gate(MANAGE)],
    )
    async def add_action_plan_indicator(
        self, info: Info[Context, None], period_id: strawberry.ID, input: ActionPlanIndicatorInput
    ) -> ActionPlanIndicatorPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            row = await service.add_indicator(
                session, caller(ctx), parse_id(period_id, "periodId"), input.to_service()
            )
            return row.period_id, row.id

        return await _indicator_payload(ctx, apply)

    @strawberry.mutation(
        description="Corriger un indicateur (définition, unité, référence, cible, "
        "rattachement, position).",
        extensions=[action_gate(MANAGE)],
    )
    async def update_action_plan_indicator(
        self, info: Info[Context, None], id: strawberry.ID, input: ActionPlanIndicatorInput
    ) -> ActionPlanIndicatorPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            row = await service.update_indicator(
                session, caller(ctx), parse_id(id, "id"), input.to_service()
            )
            return row.period_id, row.id

        return await _indicator_payload(ctx, apply)

    @strawberry.mutation(
        description="Retirer un indicateur sans valeur notée.",
        extensions=[action_gate(MANAGE)],
    )
    async def delete_action_plan_indicator(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> ActionPlanPeriodPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            period_id = await service.delete_indicator(session, caller(ctx), parse_id(id, "id"))
            return period_id, period_id

        return await _period_payload(ctx, apply)

    @strawberry.mutation(
        description="Noter l'évaluation d'une année : statuts des orientations, objectifs ou "
        "actions, valeurs des indicateurs (ou leur absence, avec la raison). Chaque entrée "
        "remplace ce qui était noté pour cette année ; clearItemIds et clearIndicatorIds "
        "retirent ce qui avait été noté par erreur ; tout ou rien.",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(RecordActionPlanYearInput)
    async def record_action_plan_year(
        self,
        info: Info[Context, None],
        period_id: strawberry.ID,
        input: RecordActionPlanYearInput,
    ) -> ActionPlanPeriodPayload:
        ctx = info.context

        async def apply(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
            row = await service.record_year(
                session,
                caller(ctx),
                parse_id(period_id, "periodId"),
                input.year,
                statuses=[
                    service.StatusEntry(
                        parse_id(s.item_id, f"statuses.{i}.itemId"), s.status, s.comment
                    )
                    for i, s in enumerate(input.statuses or [])
                ],
                values=[
                    service.ValueEntry(
                        parse_id(v.indicator_id, f"values.{i}.indicatorId"),
                        v.state,
                        v.value,
                        v.reason,
                        v.comment,
                    )
                    for i, v in enumerate(input.values or [])
                ],
                clear_items=[
                    parse_id(c, f"clearItemIds.{i}")
                    for i, c in enumerate(input.clear_item_ids or [])
                ],
                clear_indicators=[
                    parse_id(c, f"clearIndicatorIds.{i}")
                    for i, c in enumerate(input.clear_indicator_ids or [])
                ],
            )
            return row.id, row.id

        return await _period_payload(ctx, apply)


TYPES = (ActionPlanPeriod, ActionPlanItem, ActionPlanIndicator)
