"""``maillage plugin enable`` on a demo install seeds the plugin's demo data for that
pole at once (it used to wait for ``demo seed``), once: enabling again adds nothing.
A production install gets no demo data (issue 16)."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from sqlalchemy import func, select

from core.cli.plugin import toggle_command
from core.settings import Mode
from plugins.referent_charters.models import ReferentChartersReferent


def _toggle(verb: str, slug: str, host: Any) -> argparse.Namespace:
    return argparse.Namespace(
        name="referent_charters", tenant=slug, verb=verb, settings=None, plugins_host=host
    )


async def _referents(db: Any, tenant: Any) -> int:
    async with db.session(tenant.id) as session:
        return int(await session.scalar(select(func.count()).select_from(ReferentChartersReferent)))


async def test_enabling_on_a_demo_pole_seeds_it_once(
    maillage_settings, maillage_host, maillage_db, make_tenant, capsys
) -> None:
    tenant = await make_tenant("62")
    assert (
        await toggle_command(maillage_settings, _toggle("enable", tenant.slug, maillage_host)) == 0
    )
    seeded = await _referents(maillage_db, tenant)
    assert seeded > 0
    assert "données de démonstration ajoutées" in capsys.readouterr().out
    await toggle_command(maillage_settings, _toggle("disable", tenant.slug, maillage_host))
    await toggle_command(maillage_settings, _toggle("enable", tenant.slug, maillage_host))
    assert await _referents(maillage_db, tenant) == seeded


async def test_enabling_in_production_writes_no_demo_data(
    maillage_settings, maillage_host, maillage_db, make_tenant, capsys
) -> None:
    tenant = await make_tenant("62")
    production = dataclasses.replace(maillage_settings, mode=Mode.PRODUCTION)
    assert await toggle_command(production, _toggle("enable", tenant.slug, maillage_host)) == 0
    assert await _referents(maillage_db, tenant) == 0
    assert "démonstration" not in capsys.readouterr().out
