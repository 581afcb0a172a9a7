"""Seed the demo poles through the seed hook. Running it again changes nothing.

Core features seed every active pole (each decides what it has for that pole), then
each plugin enabled for the pole seeds with the pole's settings for it, in
dependency order. Everything for one pole is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core.plugins.host import PluginHost, call_async
from core.plugins.state import list_states
from core.tenancy.database import Database
from core.tenancy.models import Tenant


@dataclass
class SeedReport:
    # slug -> owners that seeded ("core", plugin names)
    seeded: dict[str, list[str]] = field(default_factory=dict)


async def seed_demo(host: PluginHost, db: Database) -> SeedReport:
    report = SeedReport()
    async with db.reference_session() as session:
        tenants = list(
            (
                await session.execute(select(Tenant).where(Tenant.active).order_by(Tenant.slug))
            ).scalars()
        )
    for tenant in tenants:
        async with db.session(tenant.id) as session:
            await call_async(
                host.core_caller("maillage_seed"), tenant=tenant, session=session, settings={}
            )
            owners = ["core"]
            states = {s.manifest.name: s for s in await list_states(host, session)}
            for name in host.order():
                if states[name].enabled:
                    await call_async(
                        host.plugin_caller("maillage_seed", name),
                        tenant=tenant,
                        session=session,
                        settings=states[name].settings,
                    )
                    owners.append(name)
            await session.commit()
        report.seeded[tenant.slug] = owners
    return report
