"""Migrations of core and plugins: core first, then installed plugins in dependency
order, each with its own history and version table (``alembic_version_<name>``).

All installed (allow-listed) plugins are migrated, enabled anywhere or not: a pole
can then enable a plugin without an operator step, and disabling keeps the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.db import migrate
from core.db.migrate import CORE_TARGET, MigrationTarget
from core.errors import ConfigurationError, NotFoundError
from core.plugins.host import PluginHost


class MissingMigrations(ConfigurationError):
    """Plugins that declare tables but have no revision to create them (the only
    one deleted, or never generated): ``(plugin, tables, versions folder)``."""

    def __init__(self, missing: list[tuple[str, list[str], MigrationTarget]]) -> None:
        self.missing = missing
        lines = "\n".join(
            f"  - {name} déclare les tables {', '.join(tables)} mais il n'y a aucune "
            f"révision dans {target.versions} : générez-la avec « maillage db revision "
            f'--plugin {name} -m "tables initiales" » (paquet installé avec pip install -e), '
            "puis relancez « maillage db upgrade »"
            for name, tables, target in missing
        )
        super().__init__(
            f"migrations absentes (les autres sont appliquées) :\n{lines}",
        )


def has_revisions(target: MigrationTarget) -> bool:
    folder = target.versions
    return folder is None or (folder.is_dir() and any(folder.glob("*.py")))


def target_of(host: PluginHost, plugin: str) -> MigrationTarget:
    if plugin not in host.plugins:
        raise NotFoundError(f"plugin inconnu ou non installé : {plugin}", field="--plugin")
    source = host.contributions.migrations.get(plugin)
    if source is None:
        raise NotFoundError(f"le plugin {plugin} n'a pas de migrations", field="--plugin")
    return MigrationTarget(owner=plugin, versions=source.versions)


def _plugin_targets(host: PluginHost) -> list[MigrationTarget]:
    return [target_of(host, name) for name in host.order() if name in host.contributions.migrations]


def targets(host: PluginHost) -> list[MigrationTarget]:
    """Core, then each plugin that has revisions, in dependency order."""
    return [CORE_TARGET] + [t for t in _plugin_targets(host) if has_revisions(t)]


async def upgrade_all(
    url: str, host: PluginHost, *, roles: migrate.Roles | None = None
) -> list[str]:
    """Migrate core and every plugin; then raise ``MissingMigrations`` for a plugin that
    has tables and no revision, so that its author can run ``db revision`` against an
    otherwise up-to-date database."""
    chosen = targets(host)
    await migrate.upgrade(url, "head", roles=roles, targets=chosen)
    missing = [
        (t.owner, tables, t)
        for t in _plugin_targets(host)
        if not has_revisions(t) and (tables := host.contributions.tables.get(t.owner, []))
    ]
    if missing:
        raise MissingMigrations(missing)
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
