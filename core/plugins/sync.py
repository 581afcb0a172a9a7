"""``[plugins.<name>]`` tables of ``tenants/*.toml`` → ``tenant_plugins``.

Rules (docs/decisions.md):

* the file decides for the plugins it names: those rows are marked ``source="file"``
  and the admin mutations refuse to change them (edit the file instead);
* plugins it does not name are the pole admin's to manage through the API;
* a plugin named but not installed is reported, not refused: the file states what
  the pole wants, the operator may install it later; its settings are checked once
  it is installed;
* everything is validated before the first write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import Event
from core.errors import MaillageError
from core.plugins import state
from core.plugins.events import emit
from core.plugins.host import PluginHost
from core.plugins.models import TenantPlugin
from core.tenancy.config import TenantConfig, TenantConfigError
from core.tenancy.database import Database
from core.tenancy.models import Tenant

SYNC_ACTOR = "system:tenants-sync"


def config_problems(host: PluginHost, configs: list[TenantConfig]) -> list[TenantConfigError]:
    """Settings of installed plugins, and requirements, checked against the manifests."""
    problems: list[TenantConfigError] = []
    for config in configs:
        for name, plugin in sorted(config.plugins.items()):
            manifest = host.manifest(name)
            if manifest is None:
                continue
            key = f"plugins.{name}"
            schema_problems = manifest.settings_problems(plugin.settings)
            for setting, problem in schema_problems:
                problems.append(
                    TenantConfigError(config.file, f"{key}.settings.{setting}", problem)
                )
            if plugin.enabled:
                for required in manifest.requires:
                    wanted = config.plugins.get(required)
                    default = host.manifest(required)
                    on = wanted.enabled if wanted else bool(default and default.default_enabled)
                    if not on:
                        problems.append(
                            TenantConfigError(
                                config.file,
                                f"{key}.enabled",
                                f"{name} nécessite {required} : activez-le aussi "
                                f"([plugins.{required}] enabled = true)",
                            )
                        )
            if schema_problems:
                continue
            try:  # the plugin's own rules
                state.validate_settings(host, name, plugin.settings, field=f"{key}.settings")
            except MaillageError as exc:
                problems.append(TenantConfigError(config.file, exc.field or key, exc.message))
    return problems


@dataclass
class PluginSyncReport:
    enabled: list[tuple[str, str]] = field(default_factory=list)  # (slug, plugin)
    disabled: list[tuple[str, str]] = field(default_factory=list)
    reconfigured: list[tuple[str, str]] = field(default_factory=list)
    released: list[tuple[str, str]] = field(default_factory=list)  # handed to the API
    not_installed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.enabled or self.disabled or self.reconfigured or self.released)


async def sync_plugins(
    host: PluginHost,
    db: Database,
    configs: list[TenantConfig],
    *,
    dry_run: bool = False,
    created: tuple[str, ...] = (),
) -> PluginSyncReport:
    """Apply each file's ``[plugins]`` to its pole (one transaction per pole), and
    announce the poles the tenants sync just ``created`` (``tenant.created``, after
    their plugins are enabled, so that those plugins receive it)."""
    report = PluginSyncReport()
    for config in sorted(configs, key=lambda c: c.slug):
        tenant = await db.tenant_by_slug(config.slug)
        if tenant is None:  # dry run of a new pole: everything it names would be enabled
            for name, plugin in sorted(config.plugins.items()):
                if host.manifest(name) is None:
                    report.not_installed.append((config.slug, name))
                elif plugin.enabled:
                    report.enabled.append((config.slug, name))
            continue
        async with db.session(tenant.id) as session:
            await _sync_one(host, session, tenant, config, report)
            if config.slug in created:
                emit(session, Event("tenant.created", tenant.id, {"slug": config.slug}))
            if dry_run:
                await session.rollback()
            else:
                await session.commit()
    return report


async def _sync_one(
    host: PluginHost,
    session: AsyncSession,
    tenant: Tenant,
    config: TenantConfig,
    report: PluginSyncReport,
) -> None:
    rows = await state.rows_by_plugin(session)
    enabled = await state.enabled_in_session(host, session)
    slug = config.slug
    # Requirements first, so that enabling a plugin finds what it needs enabled.
    named = [n for n in host.order() if n in config.plugins]
    for name in sorted(set(config.plugins) - set(host.plugins)):
        report.not_installed.append((slug, name))
    # Enable in dependency order; disable in the reverse one (dependants first).
    to_enable = [n for n in named if config.plugins[n].enabled]
    to_disable = [n for n in reversed(named) if not config.plugins[n].enabled]
    for name in to_enable:
        wanted, row = config.plugins[name], rows.get(name)
        if name not in enabled:
            await state.enable(
                host,
                session,
                tenant,
                name,
                actor=SYNC_ACTOR,
                settings=wanted.settings,
                source="file",
            )
            report.enabled.append((slug, name))
        elif row is None or row.settings != wanted.settings:
            await state.update_settings(
                host, session, tenant, name, wanted.settings, actor=SYNC_ACTOR, source="file"
            )
            report.reconfigured.append((slug, name))
    for name in to_disable:
        if name in enabled:
            await state.disable(host, session, tenant, name, actor=SYNC_ACTOR, source="file")
            report.disabled.append((slug, name))
    rows = await state.rows_by_plugin(session)
    for name in named:
        row = rows.get(name)
        if row is None:  # disabled in the file and never enabled: record the decision
            row = TenantPlugin(plugin=name, enabled=False, settings=config.plugins[name].settings)
            session.add(row)
        row.source = "file"
    # Plugins the file no longer names go back to the pole admin, state unchanged.
    for name, row in sorted(rows.items()):
        if row.source == "file" and name not in config.plugins:
            row.source = "admin"
            report.released.append((slug, name))
    await session.flush()
