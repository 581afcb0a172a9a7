"""Core feature: the letterhead of the pole's printed documents (model, permissions,
GraphQL, its screen); the documents themselves print it through core.api.documents."""

from __future__ import annotations

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import GraphQLContribution, PageContribution
from core.domain.letterhead import graphql, pages
from core.domain.letterhead.models import LetterheadSettings
from core.domain.letterhead.service import MANAGE, READ
from core.hooks import hookimpl


@hookimpl
def maillage_models() -> list[type]:
    return [LetterheadSettings]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            READ,
            "Voir l'en-tête des documents imprimés du pôle",
            default_roles=POLE_ROLES,
            scope="tenant:read",
        ),
        Action(
            MANAGE,
            "Régler l'en-tête des documents imprimés (nom, adresse, couleurs, logo)",
            default_roles=frozenset({"pole_admin", "coordinator"}),
            scope="tenant:write",
        ),
    ]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(
        query=graphql.LetterheadQuery, mutation=graphql.LetterheadMutation, types=graphql.TYPES
    )


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()
