"""Core feature: accounts, memberships, sessions, machine clients — their tables and
the permissions that govern them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Action
from core.auth.demo import seed_accounts
from core.auth.graphql import AuthMutation, AuthQuery, Member
from core.auth.models import (
    ApiClient,
    AuthSession,
    MailMessage,
    Membership,
    OneTimeToken,
    RefreshToken,
    SecurityEvent,
    SigningKey,
    ThrottleBucket,
    UsedAssertion,
    User,
)
from core.contributions import GraphQLContribution
from core.hooks import hookimpl
from core.tenancy.models import Tenant


@hookimpl
def maillage_models() -> list[type]:
    return [
        User,
        Membership,
        AuthSession,
        RefreshToken,
        OneTimeToken,
        MailMessage,
        SigningKey,
        ApiClient,
        UsedAssertion,
        ThrottleBucket,
        SecurityEvent,
    ]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "members.read",
            "Voir les membres du pôle et leurs rôles",
            default_roles=frozenset({"pole_admin", "coordinator"}),
        ),
        Action(
            "members.manage",
            "Inviter des membres, changer leurs rôles et accords, les désactiver",
            default_roles=frozenset({"pole_admin", "platform_admin"}),
        ),
        Action(
            "clients.manage",
            "Créer et révoquer les clients machines (intégrateurs) du pôle",
            default_roles=frozenset({"pole_admin"}),
        ),
        Action(
            "network.clients.manage",
            "Créer et révoquer les clients machines du réseau national",
            default_roles=frozenset({"platform_admin"}),
        ),
    ]


@hookimpl
async def maillage_seed(tenant: Tenant, session: AsyncSession, settings: Mapping[str, Any]) -> None:
    """Demo accounts (README, "Comptes de démonstration")."""
    await seed_accounts(tenant, session)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=AuthQuery, mutation=AuthMutation, types=(Member,))
