"""``maillage tenants sync|list``: the poles, from their TOML files to the database.

``sync`` connects as the migration owner (reads the reference tables) and writes
through the audited platform connection; ``list`` only reads, as the runtime role.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from core.cli.progress import progress
from core.plugins import sync as plugin_sync
from core.plugins.host import PluginHost
from core.plugins.state import enabled_plugins
from core.settings import Settings
from core.tenancy.config import scan_tenant_dir
from core.tenancy.database import Database
from core.tenancy.models import Tenant
from core.tenancy.sync import SyncReport, list_tenants, sync_tenants

NONE = "—"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "tenants",
        help="pôles : synchroniser les fichiers tenants/*.toml, lister",
        description="Les pôles sont décrits par un fichier TOML chacun (tenants/<slug>.toml).",
    )
    actions = parser.add_subparsers(dest="tenants_command", metavar="ACTION", required=True)

    sync = actions.add_parser(
        "sync",
        help="créer / mettre à jour les pôles depuis les fichiers (tout ou rien)",
        description=(
            "Valide tous les fichiers puis les applique en une transaction. Un pôle sans "
            "fichier est désactivé, jamais supprimé."
        ),
    )
    sync.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="dossier des fichiers (défaut : MAILLAGE_TENANTS_DIR, sinon tenants/)",
    )
    sync.add_argument(
        "--dry-run", action="store_true", help="montrer ce qui changerait, sans rien écrire"
    )
    sync.set_defaults(func=run_sync)

    listing = actions.add_parser("list", help="lister les pôles enregistrés")
    listing.set_defaults(func=run_list)


async def run_sync(settings: Settings, args: argparse.Namespace) -> int:
    directory: Path = args.dir if args.dir is not None else settings.tenants_dir
    host: PluginHost = args.plugins_host
    db = Database(settings.migration_database_url, platform_url=settings.platform_database_url)
    host.bind(db)
    try:
        with progress() as steps:
            with steps.step(f"pôles depuis {directory}"):
                report = await sync_tenants(
                    db,
                    directory,
                    dry_run=args.dry_run,
                    extra_check=lambda configs: plugin_sync.config_problems(host, configs),
                )
            with steps.step("modules des pôles"):
                configs, _ = scan_tenant_dir(directory)
                plugins = await plugin_sync.sync_plugins(
                    host, db, configs, dry_run=args.dry_run, created=report.created
                )
                await host.drain()
    finally:
        await db.dispose()
    print(format_report(report, directory))
    print(format_plugin_report(plugins, dry_run=args.dry_run))
    return 0


async def run_list(settings: Settings, args: argparse.Namespace) -> int:
    host: PluginHost = args.plugins_host
    db = Database.from_settings(settings)
    try:
        tenants = await list_tenants(db)
        enabled = {
            t.slug: sorted(await enabled_plugins(host, db, t.id)) for t in tenants if t.active
        }
    finally:
        await db.dispose()
    print(format_table(tenants, enabled))
    return 0


def format_plugin_report(report: plugin_sync.PluginSyncReport, *, dry_run: bool) -> str:
    verb = "seraient" if dry_run else "sont"

    def pairs(items: list[tuple[str, str]]) -> str:
        return ", ".join(f"{slug}/{name}" for slug, name in items) or NONE

    lines = [
        f"Modules : {verb} activés {pairs(report.enabled)} ; désactivés "
        f"{pairs(report.disabled)} ; réglés {pairs(report.reconfigured)}.",
    ]
    if report.released:
        lines.append(
            f"Rendus à l'administration du pôle (plus dans le fichier) : {pairs(report.released)}."
        )
    if report.not_installed:
        lines.append(
            "Non installés sur cette plateforme (ignorés jusqu'à leur installation) : "
            f"{pairs(report.not_installed)}."
        )
    return "\n".join(lines)


def format_report(report: SyncReport, directory: Path) -> str:
    if report.dry_run:
        title = f"Simulation depuis {directory} (--dry-run) : rien n'a été écrit."
    else:
        title = f"Pôles synchronisés depuis {directory}."
    updated = [
        f"{slug} ({', '.join(report.changed_fields.get(slug, ()))})" for slug in report.updated
    ]
    lines = [
        title,
        f"  créés       : {_joined(report.created)}",
        f"  mis à jour  : {_joined(updated)}",
        f"  inchangés   : {_joined(report.unchanged)}",
        f"  désactivés  : {_joined(report.deactivated)}",
    ]
    if report.deactivated:
        lines.append("  (les pôles désactivés gardent leurs données)")
    return "\n".join(lines)


def _joined(items: Sequence[str]) -> str:
    return ", ".join(items) if items else NONE


def format_table(tenants: Sequence[Tenant], enabled: dict[str, list[str]]) -> str:
    if not tenants:
        return "Aucun pôle enregistré : lancez « maillage tenants sync »."
    header = ("slug", "nom court", "département", "actif", "extensions activées")
    rows = [
        (
            tenant.slug,
            tenant.short_name,
            tenant.departement_code,
            "oui" if tenant.active else "non",
            _joined(enabled.get(tenant.slug, [])),
        )
        for tenant in tenants
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join(
        [line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)]
    )
