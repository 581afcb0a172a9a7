"""Core feature: the national network (models, actions, GraphQL, pages, CLI)."""

from __future__ import annotations

from core.access.actions import Action
from core.contributions import GraphQLContribution, NavEntry, PageContribution
from core.hooks import hookimpl
from core.network import graphql, pages
from core.network.actions import ACTIONS
from core.network.models import (
    Network,
    NetworkCatalogue,
    NetworkPole,
    NetworkRelease,
    NetworkReleaseCell,
    NetworkReleaseSource,
    NetworkSigningKey,
    NetworkTerritory,
    NetworkTrustedKey,
)


@hookimpl
def maillage_models() -> list[type]:
    return [
        Network,
        NetworkPole,
        NetworkCatalogue,
        NetworkRelease,
        NetworkReleaseCell,
        NetworkReleaseSource,
        NetworkSigningKey,
        NetworkTerritory,
        NetworkTrustedKey,
    ]


@hookimpl
def maillage_actions() -> list[Action]:
    return list(ACTIONS)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(
        query=graphql.NetworkQuery, mutation=graphql.NetworkMutation, types=graphql.TYPES
    )


@hookimpl
def maillage_pages() -> PageContribution:
    return pages.contribution()


@hookimpl
def maillage_navigation() -> list[NavEntry]:
    return pages.navigation()
