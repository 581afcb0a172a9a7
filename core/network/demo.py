"""The demo's national network: the install's poles take part, with the default
catalogue. Their releases are for the demo's people to prepare, submit and approve
(README); the poles of other installs arrive as signed documents (core/network/signed.py).
Idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import IndicatorSpec
from core.errors import NotFoundError
from core.network.catalogue import DEFAULT_ENTRIES
from core.network.models import Network
from core.network.releases import current_catalogue
from core.network.setup import add_pole, define_network, set_catalogue
from core.tenancy.models import Tenant

DEMO_NETWORK = "Réseau national des pôles ressources handicap (démonstration)"
DEMO_ACTOR = "demo"


async def seed_network(
    session: AsyncSession, tenants: Sequence[Tenant], figures: Mapping[str, IndicatorSpec]
) -> Network:
    network = await define_network(session, name=DEMO_NETWORK, k=11, actor=DEMO_ACTOR)
    try:
        await current_catalogue(session, network)
    except NotFoundError:
        await set_catalogue(
            session,
            network,
            [e for e in DEFAULT_ENTRIES if e.figure in figures],
            figures,
            actor=DEMO_ACTOR,
            now=dt.datetime.now(dt.UTC),
        )
    for tenant in tenants:
        await add_pole(
            session,
            network,
            code=tenant.slug,
            name=tenant.name,
            departement=tenant.departement_code,
            local=tenant,
            actor=DEMO_ACTOR,
        )
    return network
