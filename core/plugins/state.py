"""Per-pole plugin state: read it, enable, disable, change settings.

The services here are what the admin mutations, the tenants sync and the CLI share:
each checks the plugin exists, validates settings (manifest schema, then the
plugin's own ``maillage_validate_settings``), calls ``maillage_on_enable`` /
``maillage_on_disable`` on that plugin only, writes an audit event and queues the
``plugin.enabled`` / ``plugin.disabled`` event — all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Actor
from core.audit.trail import record
from core.contributions import Event
from core.errors import ConflictError, NotFoundError, ValidationError
from core.plugins.events import emit
from core.plugins.host import PluginHost, call_async
from core.plugins.manifest import Plugin
from core.plugins.models import TenantPlugin
from core.tenancy.models import Tenant


@dataclass(frozen=True)
class PluginState:
    """An installed plugin as one pole sees it."""

    manifest: Plugin
    enabled: bool
    explicit: bool  # the pole decided (row) rather than the manifest's default
    settings: dict[str, Any]
    enabled_at: dt.datetime | None
    version: str | None
    missing_requirements: tuple[str, ...]
    managed_by_file: bool  # tenants/<slug>.toml decides; admin mutations refuse


async def rows_by_plugin(session: AsyncSession) -> dict[str, TenantPlugin]:
    rows = await session.execute(select(TenantPlugin))
    return {row.plugin: row for row in rows.scalars()}


async def enabled_in_session(host: PluginHost, session: AsyncSession) -> frozenset[str]:
    rows = await rows_by_plugin(session)
    return host.effective_enabled({name: row.enabled for name, row in rows.items()})


async def enabled_plugins(host: PluginHost, db: Any, tenant_id: uuid.UUID) -> frozenset[str]:
    """The plugins enabled for a pole (own short session)."""
    async with db.session(tenant_id) as session:
        return await enabled_in_session(host, session)


async def list_states(host: PluginHost, session: AsyncSession) -> list[PluginState]:
    rows = await rows_by_plugin(session)
    enabled = host.effective_enabled({name: row.enabled for name, row in rows.items()})
    states = []
    for name in sorted(host.plugins):
        manifest = host.plugins[name].manifest
        row = rows.get(name)
        states.append(
            PluginState(
                manifest=manifest,
                enabled=name in enabled,
                explicit=row is not None,
                settings=manifest.with_defaults(row.settings if row else {}),
                enabled_at=row.enabled_at if row else None,
                version=row.version if row else None,
                missing_requirements=tuple(r for r in manifest.requires if r not in enabled),
                managed_by_file=row is not None and row.source == "file",
            )
        )
    return states


def _check_source(row: TenantPlugin | None, source: str, tenant_slug: str) -> None:
    if row is not None and row.source == "file" and source != "file":
        raise ConflictError(
            f"le plugin {row.plugin} est réglé par le fichier du pôle ({tenant_slug}.toml, "
            "dossier des pôles de la plateforme) : modifiez ce fichier puis lancez "
            "« maillage tenants sync »",
            field="name",
        )


def _who(host: PluginHost, actor: str | Actor) -> str:
    """The audit name of who changes a pole's plugins. A person, client or operator
    must hold ``plugins.manage`` (the CLI asks the same question as GraphQL); a bare
    string is the platform itself (``system:tenants-sync``: the pole's file decides)."""
    if isinstance(actor, Actor):
        host.actions.require(actor, "plugins.manage")
        return actor.subject
    return actor


def _manifest(host: PluginHost, name: str, field: str = "name") -> Plugin:
    manifest = host.manifest(name)
    if manifest is None:
        raise NotFoundError(f"plugin inconnu ou non installé : {name}", field=field)
    return manifest


def validate_settings(
    host: PluginHost, name: str, settings: Mapping[str, Any], *, field: str = "settings"
) -> dict[str, Any]:
    """Settings checked by the manifest schema, then by the plugin; raise VALIDATION
    naming the first faulty setting (``settings.<key>``) with every problem listed."""
    manifest = _manifest(host, name)
    if not isinstance(settings, Mapping):
        raise ValidationError("les réglages forment un objet clé → valeur", field=field)
    problems = list(manifest.settings_problems(settings))
    if not problems:
        for answer in host.plugin_caller("maillage_validate_settings", name)(
            plugin=manifest, settings=manifest.with_defaults(settings)
        ):
            problems += list(answer or [])
    if problems:
        key, _ = problems[0]
        detail = " ; ".join(f"{k} : {p}" for k, p in problems)
        raise ValidationError(f"réglages refusés pour {name} — {detail}", field=f"{field}.{key}")
    return dict(settings)


async def enable(
    host: PluginHost,
    session: AsyncSession,
    tenant: Tenant,
    name: str,
    *,
    actor: str | Actor,
    settings: Mapping[str, Any] | None = None,
    source: str = "admin",
) -> TenantPlugin:
    actor = _who(host, actor)
    manifest = _manifest(host, name)
    rows = await rows_by_plugin(session)
    enabled = host.effective_enabled({n: r.enabled for n, r in rows.items()})
    missing = [r for r in manifest.requires if r not in enabled]
    if missing:
        raise ConflictError(
            f"{name} nécessite d'abord : {', '.join(missing)} (activez-le(s) avant)", field="name"
        )
    row = rows.get(name)
    _check_source(row, source, tenant.slug)
    if name in enabled:
        # Already on (explicitly or by default): only the settings may change; the
        # plugin is not "enabled" a second time (no hook, no event).
        if settings is None:
            if row is None:
                row = TenantPlugin(plugin=name, enabled=True, settings={}, source=source)
                row.version = manifest.version
                session.add(row)
                await session.flush()
            return row
        return await update_settings(
            host, session, tenant, name, settings, actor=actor, source=source
        )
    values = validate_settings(
        host, name, settings if settings is not None else (row.settings if row else {})
    )
    now = dt.datetime.now(dt.UTC)
    if row is None:
        row = TenantPlugin(plugin=name)
        session.add(row)
    row.enabled, row.settings, row.enabled_at = True, values, now
    row.version, row.source = manifest.version, source
    await call_async(
        host.plugin_caller("maillage_on_enable", name),
        tenant=tenant,
        session=session,
        settings=manifest.with_defaults(values),
    )
    record(
        session,
        actor=actor,
        action="plugins.enable",
        object_type="plugin",
        object_id=name,
        fields=["enabled", *values],
    )
    emit(session, Event("plugin.enabled", tenant.id, {"plugin": name}))
    await session.flush()
    return row


async def disable(
    host: PluginHost,
    session: AsyncSession,
    tenant: Tenant,
    name: str,
    *,
    actor: str | Actor,
    source: str = "admin",
) -> TenantPlugin:
    """Turn a plugin off for the pole. Its data stays; enabling again brings it back."""
    actor = _who(host, actor)
    manifest = _manifest(host, name)
    rows = await rows_by_plugin(session)
    enabled = host.effective_enabled({n: r.enabled for n, r in rows.items()})
    dependants = sorted(
        other
        for other in enabled
        if other != name and name in host.plugins[other].manifest.requires
    )
    if dependants:
        raise ConflictError(
            f"{', '.join(dependants)} dépend(ent) de {name} : désactivez-le(s) d'abord",
            field="name",
        )
    row = rows.get(name)
    _check_source(row, source, tenant.slug)
    if row is None:
        row = TenantPlugin(plugin=name, settings={}, version=manifest.version)
        session.add(row)
    was_enabled = name in enabled
    row.enabled, row.source = False, source
    if was_enabled:
        row.disabled_at = dt.datetime.now(dt.UTC)
        await call_async(
            host.plugin_caller("maillage_on_disable", name), tenant=tenant, session=session
        )
        record(
            session,
            actor=actor,
            action="plugins.disable",
            object_type="plugin",
            object_id=name,
            fields=["enabled"],
        )
        emit(session, Event("plugin.disabled", tenant.id, {"plugin": name}))
    await session.flush()
    return row


async def update_settings(
    host: PluginHost,
    session: AsyncSession,
    tenant: Tenant,
    name: str,
    settings: Mapping[str, Any],
    *,
    actor: str | Actor,
    source: str = "admin",
) -> TenantPlugin:
    actor = _who(host, actor)
    manifest = _manifest(host, name)
    values = validate_settings(host, name, settings)
    rows = await rows_by_plugin(session)
    row = rows.get(name)
    _check_source(row, source, tenant.slug)
    if row is None:
        row = TenantPlugin(plugin=name, enabled=manifest.default_enabled)
        session.add(row)
    before = row.settings or {}
    changed = sorted(k for k in set(values) | set(before) if values.get(k) != before.get(k))
    row.settings, row.version, row.source = values, manifest.version, source
    if changed:
        record(
            session,
            actor=actor,
            action="plugins.configure",
            object_type="plugin",
            object_id=name,
            fields=changed,
        )
    await session.flush()
    return row


async def plugin_settings(host: PluginHost, session: AsyncSession, name: str) -> dict[str, Any]:
    """The settings of plugin ``name`` in the session's pole, defaults included: what a
    plugin's own command reads in each pole it goes over (``ctx.plugin_settings`` is the
    request's)."""
    manifest = host.manifest(name)
    if manifest is None:
        raise KeyError(name)
    row = (await rows_by_plugin(session)).get(name)
    return manifest.with_defaults(row.settings if row is not None else {})


async def poles_with_plugin(db: Any, host: PluginHost, name: str) -> list[Tenant]:
    """The active poles that enabled the plugin ``name``, by slug: what a plugin's own
    command (``maillage_cli``) goes over, one ``db.session(pole.id)`` each."""
    async with db.reference_session() as session:
        poles = list(
            await session.scalars(select(Tenant).where(Tenant.active).order_by(Tenant.slug))
        )
    return [pole for pole in poles if name in await enabled_plugins(host, db, pole.id)]
