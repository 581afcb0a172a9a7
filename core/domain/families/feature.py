"""Core feature: families, guardians, consents, children and their links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import GraphQLContribution, NavEntry, PageContribution, PersonalDataSource
from core.domain.families import pages, personal_data
from core.domain.families.demo import seed_families
from core.domain.families.graphql import TYPES, FamiliesMutation, FamiliesQuery
from core.domain.families.models import (
    Child,
    ChildPartner,
    ChildStructure,
    Consent,
    Family,
    Guardian,
)
from core.hooks import hookimpl
from core.tenancy.models import Tenant

CARE_TEAM = frozenset({"coordinator", "staff", "psychologist"})


@hookimpl
def maillage_models() -> list[type]:
    return [Family, Guardian, Consent, Child, ChildStructure, ChildPartner]


@hookimpl
def maillage_actions() -> list[Action]:
    # No client scope: a machine client never reads a person's file by default.
    return [
        Action(
            "families.read",
            "Consulter les dossiers des familles et des enfants",
            default_roles=POLE_ROLES,
        ),
        Action(
            "families.manage",
            "Tenir les dossiers : familles, représentants, consentements, enfants",
            default_roles=POLE_ROLES,
        ),
        Action(
            "children.health",
            "Lire et écrire le diagnostic et les notes de santé d'un enfant",
            default_roles=CARE_TEAM,
            sensitive=True,
        ),
        Action(
            "families.situation",
            "Lire et écrire la situation familiale",
            default_roles=CARE_TEAM,
            sensitive=True,
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """Fictitious families and children in the pole's communes (seeded generator)."""
    await seed_families(tenant, session)


@hookimpl
def maillage_personal_data() -> list[PersonalDataSource]:
    return [personal_data.SOURCE]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=FamiliesQuery, mutation=FamiliesMutation, types=TYPES)


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return pages.navigation()
