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
from core.contributions import Period
from core.errors import ValidationError
from core.plugins import state
from core.plugins.indicators import compute_indicators
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


@strawberry.type(description="Une case d'un indicateur ventilé.")
class IndicatorCell:
    label: str
    value: float


@strawberry.type(description="Valeur agrégée d'un indicateur sur une période.")
class IndicatorValue:
    name: str
    owner: str
    title: str
    unit: str
    description: str
    total: float
    breakdown: list[IndicatorCell]


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
            results = await compute_indicators(ctx.host, session, enabled, period, names=names)
        return [
            IndicatorValue(
                name=r.spec.name,
                owner=r.owner,
                title=r.spec.title,
                unit=r.spec.unit,
                description=r.spec.description,
                total=r.total,
                breakdown=[IndicatorCell(label=k, value=v) for k, v in r.breakdown.items()],
            )
            for r in results
        ]


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
