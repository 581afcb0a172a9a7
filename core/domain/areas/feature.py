"""Core feature: the pole's service areas (models, permissions, demo data)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import GraphQLContribution
from core.domain.areas import graphql
from core.domain.areas.demo import DEMO_AREAS
from core.domain.areas.models import ServiceArea, ServiceAreaCommune
from core.domain.areas.service import upsert_area
from core.hooks import hookimpl
from core.tenancy.models import Tenant
from core.territory.models import Commune


@hookimpl
def maillage_models() -> list[type]:
    return [ServiceArea, ServiceAreaCommune]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "areas.read",
            "Voir les territoires d'intervention",
            default_roles=POLE_ROLES,
            scope="tenant:read",
        ),
        Action(
            "areas.manage",
            "Dessiner les territoires d'intervention",
            default_roles=frozenset({"pole_admin", "coordinator"}),
            scope="tenant:write",
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """The demo poles' areas, built from real EPCI (reference data, no person's data)."""
    areas = DEMO_AREAS.get(tenant.slug)
    if not areas:
        return
    sirens = sorted({s for group in areas.values() for s in group})
    rows = await session.execute(
        select(Commune.epci_siren, Commune.insee_code).where(Commune.epci_siren.in_(sirens))
    )
    by_epci: dict[str, list[str]] = {}
    for siren, insee in rows:
        by_epci.setdefault(siren, []).append(insee)
    for name, group in areas.items():
        codes = [
            code
            for siren in group
            for code in by_epci.get(siren, [])
            # Only the pole's own département: some EPCI straddle two.
            if code.startswith(tenant.departement_code)
        ]
        await upsert_area(session, name=name, insee_codes=codes)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=graphql.AreasQuery, types=(graphql.ServiceArea,))
