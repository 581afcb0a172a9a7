"""``[plugins.<name>]`` in tenants/*.toml → tenant_plugins: validated before any write,
the file governs the plugins it names, uninstalled plugins are reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.plugins import sync as plugin_sync
from core.plugins.host import PluginHost
from core.plugins.models import TenantPlugin
from core.plugins.state import enabled_plugins
from core.tenancy.config import TenantConfigErrors, scan_tenant_dir
from core.tenancy.database import Database
from core.tenancy.sync import sync_tenants

POLE = """
slug = "{slug}"
name = "Pôle ressources handicap de test"
short_name = "PRH test"
operator = "Association de test"
departement = "62"
{plugins}
"""


def write(directory: Path, slug: str, plugins: str) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / f"{slug}.toml").write_text(POLE.format(slug=slug, plugins=plugins))
    return directory


async def sync(host: PluginHost, urls: Any, directory: Path) -> plugin_sync.PluginSyncReport:
    db = Database(urls.owner, platform_url=urls.platform)
    host.bind(db)
    try:
        tenants = await sync_tenants(
            db, directory, extra_check=lambda c: plugin_sync.config_problems(host, c)
        )
        configs, _ = scan_tenant_dir(directory)
        report = await plugin_sync.sync_plugins(host, db, configs, created=tenants.created)
        await host.drain()
        return report
    finally:
        await db.dispose()


async def test_file_enables_configures_then_releases_a_plugin(
    maillage_host: PluginHost, maillage_urls: Any, maillage_db: Database, tmp_path: Path
) -> None:
    slug = f"pole-{tmp_path.name[-8:].lower().replace('_', '-')}"
    directory = write(
        tmp_path / "tenants",
        slug,
        "[plugins.sorties]\nenabled = true\nsettings = { max_participants = 15 }\n"
        "[plugins.handisitting]\nenabled = true\n",
    )
    report = await sync(maillage_host, maillage_urls, directory)
    assert report.enabled == [(slug, "sorties")]
    assert report.not_installed == [(slug, "handisitting")]
    tenant = await maillage_db.tenant_by_slug(slug)
    assert tenant is not None
    assert await enabled_plugins(maillage_host, maillage_db, tenant.id) == {"sorties"}

    again = await sync(maillage_host, maillage_urls, directory)
    assert not again.has_changes, "idempotent"

    write(
        directory, slug, "[plugins.sorties]\nenabled = true\nsettings = { max_participants = 20 }\n"
    )
    assert (await sync(maillage_host, maillage_urls, directory)).reconfigured == [(slug, "sorties")]
    write(directory, slug, "[plugins.sorties]\nenabled = false\n")
    assert (await sync(maillage_host, maillage_urls, directory)).disabled == [(slug, "sorties")]
    write(directory, slug, "")
    assert (await sync(maillage_host, maillage_urls, directory)).released == [(slug, "sorties")]
    async with maillage_db.session(tenant.id) as session:
        row = (await session.execute(select(TenantPlugin))).scalar_one()
    assert (row.plugin, row.enabled, row.source) == ("sorties", False, "admin")


async def test_bad_settings_of_an_installed_plugin_refuse_the_whole_sync(
    maillage_host: PluginHost, maillage_urls: Any, maillage_db: Database, tmp_path: Path
) -> None:
    directory = write(tmp_path / "tenants", "pole-bon", "[plugins.sorties]\nenabled = true\n")
    write(
        directory,
        "pole-mauvais",
        "[plugins.sorties]\nenabled = true\nsettings = { max_participants = 0, couleur = 1 }\n",
    )
    with pytest.raises(TenantConfigErrors) as info:
        await sync(maillage_host, maillage_urls, directory)
    fields = sorted(p.field for p in info.value.problems)
    assert fields == [
        "pole-mauvais.toml:plugins.sorties.settings.couleur",
        "pole-mauvais.toml:plugins.sorties.settings.max_participants",
    ]
    assert await maillage_db.tenant_by_slug("pole-bon") is None, "nothing written"
