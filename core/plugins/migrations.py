"""Migrations of core and plugins: core first, then installed plugins in dependency
order, each with its own history and version table (``alembic_version_<name>``).

All installed (allow-listed) plugins are migrated, enabled anywhere or not: a pole
can then enable a plugin without an operator step, and disabling keeps the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.db import migrate
from core.db.migrate import CORE_TARGET, MigrationTarget
from core.errors import NotFoundError
from core.plugins.host import PluginHost


def target_of(host: PluginHost, plugin: str) -> MigrationTarget:
    if plugin not in host.plugins:
        raise NotFoundError(f"plugin inconnu ou non installé : {plugin}", field="--plugin")
    source = host.contributions.migrations.get(plugin)
    if source is None:
        raise NotFoundError(f"le plugin {plugin} n'a pas de migrations", field="--plugin")
    return MigrationTarget(owner=plugin, versions=source.versions)


def targets(host: PluginHost) -> list[MigrationTarget]:
    return [CORE_TARGET] + [
        target_of(host, name) for name in host.order() if name in host.contributions.migrations
    ]


async def upgrade_all(
    url: str, host: PluginHost, *, roles: migrate.Roles | None = None
) -> list[str]:
    chosen = targets(host)
    await migrate.upgrade(url, "head", roles=roles, targets=chosen)
    return [t.owner for t in chosen]


@dataclass(frozen=True)
class Status:
    owner: str
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


async def status(url: str, host: PluginHost) -> list[Status]:
    return [
        Status(t.owner, await migrate.current_revision(url, target=t), migrate.head_revision(t))
        for t in targets(host)
    ]
