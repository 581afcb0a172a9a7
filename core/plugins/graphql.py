"""GraphQL: the pole's plugins (list, enable, disable, settings) and its indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON
from strawberry.types import Info

from core.access.actions import Actor
from core.api.context import Context
from core.api.gates import action_gate
from core.api.payloads import UserError, user_errors
from core.contributions import Dimension, Period
from core.errors import ValidationError
from core.plugins import state
from core.plugins.figures import FigureCell as FigureCellData
from core.plugins.figures import FigureTable
from core.plugins.indicators import (
    available_indicators,
    compute_figure_table,
    compute_indicators,
)
from core.plugins.manifest import Setting
from core.plugins.state import PluginState
from core.tenancy.models import Tenant


@strawberry.type(description="Un réglage qu'un pôle peut donner à un module.")
class PluginSetting:
    name: str
    type: str
    label: str
    description: str
    required: bool
    default: JSON | None
    choices: list[JSON]

    @classmethod
    def from_setting(cls, setting: Setting) -> PluginSetting:
        return cls(
            name=setting.name,
            type=setting.type,
            label=setting.label,
            description=setting.description,
            required=setting.required,
            default=setting.default,
            choices=list(setting.choices),
        )


@strawberry.type(description="Un module (plugin) installé, et son état pour le pôle en cours.")
class PluginInfo:
    name: str
    version: str
    title: str
    description: str
    requires: list[str]
    enabled: bool
    default_enabled: bool
    managed_by_file: bool = strawberry.field(
        description="Vrai si le fichier tenants/<pôle>.toml décide de ce module "
        "(les mutations sont alors refusées : modifiez le fichier)."
    )
    settings: JSON = strawberry.field(description="Réglages du pôle (valeurs par défaut incluses).")
    settings_schema: list[PluginSetting]
    enabled_at: dt.datetime | None
    missing_requirements: list[str]

    @classmethod
    def from_state(cls, s: PluginState) -> PluginInfo:
        m = s.manifest
        return cls(
            name=m.name,
            version=m.version,
            title=m.title,
            description=m.description,
            requires=list(m.requires),
            enabled=s.enabled,
            default_enabled=m.default_enabled,
            managed_by_file=s.managed_by_file,
            settings=s.settings,
            settings_schema=[PluginSetting.from_setting(x) for x in m.settings],
            enabled_at=s.enabled_at,
            missing_requirements=list(s.missing_requirements),
        )


@strawberry.type(description="Résultat d'une mutation sur un module.")
class PluginPayload:
    plugin: PluginInfo | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Une case d'un indicateur ventilé (par sa première dimension).")
class IndicatorCell:
    code: str | None = strawberry.field(
        description="Le code de la case (« eaje », « 62119 »…) ; nul pour « Non "
        "renseigné ». Pour un module d'API 1.0, la clé qu'il a donnée."
    )
    label: str = strawberry.field(description="Le libellé français de la case.")
    value: float | None = strawberry.field(description="La valeur (nulle : pas de donnée).")


@strawberry.type(description="Une dimension selon laquelle un chiffre se ventile.")
class FigureDimension:
    code: str = strawberry.field(description="Code à passer dans `dimensions`.")
    title: str = strawberry.field(description="Intitulé français (« Tranche d'âge »).")
    description: str = strawberry.field(description="Définition de la dimension.")
    coarse: bool = strawberry.field(
        description="Vrai si la dimension est assez grossière pour les publications du "
        "réseau national (tranche d'âge, public…), faux pour une commune, un EPCI, une malle."
    )
    multiple: bool = strawberry.field(
        description="Vrai si une même unité peut tomber dans plusieurs cases (profil des "
        "besoins, objets d'une demande) : les cases ne s'additionnent pas."
    )

    @classmethod
    def of(cls, dimension: Dimension) -> FigureDimension:
        return cls(
            code=dimension.code,
            title=dimension.title,
            description=dimension.description,
            coarse=dimension.coarse,
            multiple=dimension.multiple,
        )


@strawberry.type(description="Valeur agrégée d'un indicateur sur une période.")
class IndicatorValue:
    name: str = strawberry.field(description="Nom de l'indicateur (« casework.requests »).")
    owner: str = strawberry.field(description="« core » ou le module qui le calcule.")
    title: str = strawberry.field(description="Intitulé français.")
    unit: str = strawberry.field(description="Unité (« enfants », « km », « % »).")
    description: str = strawberry.field(description="Définition de l'indicateur.")
    total: float | None = strawberry.field(
        description="La valeur sur la période ; nulle pour une moyenne sans donnée."
    )
    breakdown: list[IndicatorCell] = strawberry.field(
        description="Ventilation par la première dimension de l'indicateur (ou celle qu'un "
        "module d'API 1.0 donne), avec code et libellé."
    )
    counts_persons: bool = strawberry.field(
        description="Vrai si l'indicateur compte des personnes (enfants, participants, "
        "référents) : ses petites cases sont masquées dans les copies publiées."
    )
    dimensions: list[FigureDimension] = strawberry.field(
        description="Les dimensions que `figure` accepte pour cet indicateur."
    )


@strawberry.type(
    description="La définition d'un chiffre du pôle (cœur ou module activé), sans le calculer."
)
class FigureDefinition:
    name: str = strawberry.field(description="Nom de l'indicateur, à passer à `figure`.")
    owner: str = strawberry.field(description="« core » ou le module qui le calcule.")
    title: str = strawberry.field(description="Intitulé français.")
    unit: str = strawberry.field(description="Unité.")
    description: str = strawberry.field(description="Définition de l'indicateur.")
    measure: str = strawberry.field(
        description="« count » (unités comptées une fois), « sum » ou « mean » ; « total » "
        "pour un module d'API 1.0, qui calcule lui-même."
    )
    counts_persons: bool = strawberry.field(description="Vrai si le chiffre compte des personnes.")
    dimensions: list[FigureDimension] = strawberry.field(
        description="Les dimensions que `figure` accepte."
    )


@strawberry.type(description="La place d'une case sur une dimension : code et libellé.")
class FigureDimensionValue:
    dimension: str = strawberry.field(description="Code de la dimension.")
    code: str | None = strawberry.field(description="Code de la valeur ; nul : non renseigné.")
    label: str = strawberry.field(description="Libellé français de la valeur.")


@strawberry.type(description="Une case d'un tableau de chiffres.")
class FigureCell:
    values: list[FigureDimensionValue] = strawberry.field(
        description="La place de la case sur chaque dimension regroupée (dans l'ordre "
        "demandé) ; une marge en a moins que le tableau n'a de dimensions."
    )
    value: float | None = strawberry.field(description="La valeur (nulle : pas de donnée).")

    @classmethod
    def of(cls, cell: FigureCellData) -> FigureCell:
        return cls(
            values=[
                FigureDimensionValue(dimension=v.dimension, code=v.code, label=v.label)
                for v in cell.values
            ],
            value=cell.value,
        )


@strawberry.type(
    description="Un chiffre du pôle sur une période, ventilé par des dimensions : la même "
    "définition donne le total, chaque case et chaque marge (rapport d'activité et "
    "publications du réseau national)."
)
class Figure:
    name: str = strawberry.field(description="Nom de l'indicateur.")
    owner: str = strawberry.field(description="« core » ou le module qui le calcule.")
    title: str = strawberry.field(description="Intitulé français.")
    unit: str = strawberry.field(description="Unité.")
    description: str = strawberry.field(description="Définition de l'indicateur.")
    measure: str = strawberry.field(
        description="« count » (unités comptées une fois), « sum » ou « mean »."
    )
    counts_persons: bool = strawberry.field(description="Vrai si le chiffre compte des personnes.")
    start: dt.date = strawberry.field(description="Premier jour de la période.")
    end: dt.date = strawberry.field(description="Lendemain du dernier jour de la période.")
    dimensions: list[FigureDimension] = strawberry.field(
        description="Les dimensions du tableau, dans l'ordre demandé."
    )
    total: float | None = strawberry.field(
        description="Le chiffre sans ventilation (égal au total de toute ventilation)."
    )
    cells: list[FigureCell] = strawberry.field(
        description="Les cases de la ventilation complète (toutes les dimensions)."
    )
    margins: list[FigureCell] = strawberry.field(
        description="Les sous-totaux par dimension ou groupe de dimensions (tableau à deux "
        "ou trois dimensions)."
    )

    @classmethod
    def of(cls, table: FigureTable) -> Figure:
        spec = table.spec
        return cls(
            name=spec.name,
            owner=table.owner,
            title=spec.title,
            unit=spec.unit,
            description=spec.description,
            measure=spec.measure,
            counts_persons=spec.counts_persons,
            start=table.period.start,
            end=table.period.end,
            dimensions=[FigureDimension.of(d) for d in table.dimensions],
            total=table.total,
            cells=[FigureCell.of(c) for c in table.cells],
            margins=[FigureCell.of(c) for c in table.margins],
        )


async def _infos(ctx: Context) -> list[PluginInfo]:
    async with ctx.db_session() as session:
        states = await state.list_states(ctx.host, session)
    return [PluginInfo.from_state(s) for s in states]


async def _info(ctx: Context, name: str) -> PluginInfo | None:
    return next((p for p in await _infos(ctx) if p.name == name), None)


async def _change(
    ctx: Context, name: str, apply: Callable[[AsyncSession, Tenant, Actor], Awaitable[Any]]
) -> PluginPayload:
    """Run one state service for the pole in one transaction; user errors go into the
    payload (and nothing is written), the new state comes back otherwise."""
    actor = ctx.require("plugins.manage")
    tenant = ctx.require_tenant()
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        await apply(session, tenant, actor)
        await session.commit()
    if errors:
        return PluginPayload(errors=errors)
    ctx.forget_plugin_state()
    return PluginPayload(plugin=await _info(ctx, name))


@strawberry.type
class PluginsQuery:
    @strawberry.field(
        description="Modules installés sur la plateforme, avec leur état pour le pôle en cours.",
        extensions=[action_gate("plugins.read")],
    )
    async def plugins(self, info: Info[Context, None]) -> list[PluginInfo]:
        return await _infos(info.context)

    @strawberry.field(
        description="Indicateurs agrégés du pôle sur une période [du, au[ (cœur et modules "
        "activés). Des nombres seulement, jamais de lignes.",
        extensions=[action_gate("indicators.read")],
    )
    async def indicators(
        self,
        info: Info[Context, None],
        start: dt.date,
        end: dt.date,
        names: list[str] | None = None,
    ) -> list[IndicatorValue]:
        ctx = info.context
        period = _period(start, end)
        enabled = await ctx.enabled_plugins()
        async with ctx.db_session() as session:
            results = await compute_indicators(
                ctx.host, session, enabled, period, names=names, settings=_settings(ctx)
            )
        return [
            IndicatorValue(
                name=r.spec.name,
                owner=r.owner,
                title=r.spec.title,
                unit=r.spec.unit,
                description=r.spec.description,
                total=r.total,
                breakdown=[
                    IndicatorCell(code=c.code, label=c.label, value=c.value) for c in r.breakdown
                ],
                counts_persons=r.spec.counts_persons,
                dimensions=[FigureDimension.of(d) for d in r.spec.dimensions],
            )
            for r in results
        ]

    @strawberry.field(
        description="Les chiffres que le pôle peut calculer (cœur et modules activés), avec "
        "leurs dimensions, par nom ; rien n'est calculé.",
        extensions=[action_gate("indicators.read")],
    )
    async def figure_definitions(self, info: Info[Context, None]) -> list[FigureDefinition]:
        enabled = await info.context.enabled_plugins()
        return [
            FigureDefinition(
                name=name,
                owner=owner,
                title=spec.title,
                unit=spec.unit,
                description=spec.description,
                measure=spec.measure if spec.facts is not None else "total",
                counts_persons=spec.counts_persons,
                dimensions=[FigureDimension.of(d) for d in spec.dimensions],
            )
            for name, (owner, spec) in sorted(
                available_indicators(info.context.host, enabled).items()
            )
        ]

    @strawberry.field(
        description="Un chiffre du pôle (cœur ou module activé) pour une année civile "
        "(`year`) ou une période [start, end[, ventilé par jusqu'à trois de ses dimensions, "
        "avec marges et total calculés par la même définition. Des nombres seulement.",
        extensions=[action_gate("indicators.read")],
    )
    async def figure(
        self,
        info: Info[Context, None],
        name: str,
        dimensions: list[str] | None = None,
        year: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> Figure:
        ctx = info.context
        period = _figure_period(year, start, end)
        enabled = await ctx.enabled_plugins()
        async with ctx.db_session() as session:
            table = await compute_figure_table(
                ctx.host,
                session,
                enabled,
                name,
                period,
                list(dimensions or []),
                settings=_settings(ctx),
            )
        return Figure.of(table)


def _settings(ctx: Context) -> dict[str, Any]:
    settings = ctx.require_tenant().settings
    return dict(settings) if isinstance(settings, dict) else {}


def _figure_period(year: int | None, start: dt.date | None, end: dt.date | None) -> Period:
    if year is not None:
        if start is not None or end is not None:
            raise ValidationError("donnez year, ou start et end, pas les deux", field="year")
        if not 2000 <= year <= 2100:
            raise ValidationError("année entre 2000 et 2100", field="year")
        return Period.year(year)
    if start is None or end is None:
        raise ValidationError(
            "période attendue : year, ou start et end", field="start" if start is None else "end"
        )
    return _period(start, end)


def _period(start: dt.date, end: dt.date) -> Period:
    try:
        return Period(start, end)
    except ValueError as exc:
        raise ValidationError(str(exc), field="end") from exc


@strawberry.type
class PluginsMutation:
    @strawberry.mutation(
        description="Activer un module pour le pôle (réglages validés par le module, audité).",
        extensions=[action_gate("plugins.manage")],
    )
    async def enable_plugin(
        self, info: Info[Context, None], name: str, settings: JSON | None = None
    ) -> PluginPayload:
        host = info.context.host
        return await _change(
            info.context,
            name,
            lambda session, tenant, actor: state.enable(
                host, session, tenant, name, actor=actor, settings=settings
            ),
        )

    @strawberry.mutation(
        description="Désactiver un module pour le pôle. Ses données sont conservées.",
        extensions=[action_gate("plugins.manage")],
    )
    async def disable_plugin(self, info: Info[Context, None], name: str) -> PluginPayload:
        host = info.context.host
        return await _change(
            info.context,
            name,
            lambda session, tenant, actor: state.disable(host, session, tenant, name, actor=actor),
        )

    @strawberry.mutation(
        description="Changer les réglages d'un module pour le pôle (validés, audité).",
        extensions=[action_gate("plugins.manage")],
    )
    async def update_plugin_settings(
        self, info: Info[Context, None], name: str, settings: JSON
    ) -> PluginPayload:
        host = info.context.host
        return await _change(
            info.context,
            name,
            lambda session, tenant, actor: state.update_settings(
                host, session, tenant, name, settings, actor=actor
            ),
        )
