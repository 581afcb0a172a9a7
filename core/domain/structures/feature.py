"""Core feature: the pole's directory of gestionnaires, structures and partners."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import GraphQLContribution, NavEntry, PageContribution
from core.domain.structures import pages
from core.domain.structures.demo import seed_directory
from core.domain.structures.graphql import TYPES, StructuresMutation, StructuresQuery
from core.domain.structures.models import (
    ContactPerson,
    Organisation,
    Partner,
    Structure,
    StructureStaff,
)
from core.hooks import hookimpl
from core.tenancy.models import Tenant


@hookimpl
def maillage_models() -> list[type]:
    return [Organisation, Structure, Partner, ContactPerson, StructureStaff]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "structures.read",
            "Consulter l'annuaire : gestionnaires, structures, partenaires et contacts",
            default_roles=POLE_ROLES | {"referent"},
            scope="tenant:read",
        ),
        Action(
            "structures.manage",
            "Tenir l'annuaire : créer, corriger, fusionner les doublons",
            default_roles=frozenset({"pole_admin", "coordinator", "staff"}),
            scope="tenant:write",
        ),
        Action(
            "structures.staff.manage",
            "Rattacher un membre « structure partenaire » à sa structure",
            default_roles=frozenset({"pole_admin", "coordinator"}),
        ),
        Action(
            "plans.shared.read",
            "Lire les projets d'accueil que le pôle a partagés avec sa structure",
            default_roles=frozenset({"partner_structure"}),
            description="Seulement ceux de la structure à laquelle le membre est rattaché, "
            "tant que le partage et le consentement de la famille tiennent.",
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """Fictitious structures and partners in the pole's real communes."""
    await seed_directory(tenant, session)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=StructuresQuery, mutation=StructuresMutation, types=TYPES)


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return pages.navigation()
