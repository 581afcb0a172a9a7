"""Seed the demo poles through the seed hook. Running it again changes nothing.

Core features seed every active pole (each decides what it has for that pole), then
each plugin enabled for the pole seeds with the pole's settings for it, in
dependency order. Everything for one pole is one transaction.

Never in production mode, whatever the command (issue 13: ``demo seed`` wrote the
demo accounts, platform administrator included, with the public password into a
production database): ``seed_demo`` refuses before it opens a session, and the demo
accounts are written only in the sessions it marks (core.auth.demo).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from core.auth.demo import DEMO_REFUSED, mark_demo_session
from core.errors import ConfigurationError
from core.network.demo import import_other_poles, seed_network
from core.plugins.host import PluginHost, call_async
from core.plugins.state import list_states
from core.settings import Settings
from core.tenancy.database import Database
from core.tenancy.models import Tenant


@dataclass
class SeedReport:
    # slug -> owners that seeded ("core", plugin names)
    seeded: dict[str, list[str]] = field(default_factory=dict)


def refuse_in_production(settings: Settings) -> None:
    """ConfigurationError (MAILLAGE_MODE) in production mode: demo data is for demos."""
    if settings.is_production:
        raise ConfigurationError(DEMO_REFUSED, field="MAILLAGE_MODE")


async def seed_demo(host: PluginHost, db: Database, settings: Settings) -> SeedReport:
    refuse_in_production(settings)
    report = SeedReport()
    async with db.reference_session() as session:
        tenants = list(
            (
                await session.execute(select(Tenant).where(Tenant.active).order_by(Tenant.slug))
            ).scalars()
        )
    for tenant in tenants:
        async with db.session(tenant.id) as session:
            mark_demo_session(session)
            await call_async(
                host.core_caller("maillage_seed"), tenant=tenant, session=session, settings={}
            )
            owners = ["core"]
            states = {s.manifest.name: s for s in await list_states(host, session)}
            for name in host.order():
                if states[name].enabled:
                    await _seed_plugin(host, session, tenant, name, states[name].settings)
                    owners.append(name)
            await session.commit()
        report.seeded[tenant.slug] = owners
    figures = {name: spec for name, (_, spec) in host.contributions.indicators.items()}
    async with db.reference_session() as session:
        network = await seed_network(session, tenants, figures)
        await import_other_poles(session, network, figures)
        await session.commit()
    return report


async def seed_plugin(host: PluginHost, db: Database, tenant: Tenant, name: str) -> None:
    """One plugin's demo data for one pole, in one transaction: what ``maillage plugin
    enable`` does on a demo install, so the pole sees the plugin at work at once."""
    async with db.session(tenant.id) as session:
        mark_demo_session(session)
        states = {s.manifest.name: s for s in await list_states(host, session)}
        await _seed_plugin(host, session, tenant, name, states[name].settings)
        await session.commit()


async def _seed_plugin(
    host: PluginHost, session: Any, tenant: Tenant, name: str, settings: Mapping[str, Any]
) -> None:
    await call_async(
        host.plugin_caller("maillage_seed", name), tenant=tenant, session=session, settings=settings
    )
