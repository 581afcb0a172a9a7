"""Core feature: per-pole plugin state and the permissions to manage it."""

from __future__ import annotations

from core.access.actions import Action
from core.access.roles import POLE_ROLES
from core.contributions import GraphQLContribution
from core.hooks import hookimpl
from core.plugins.graphql import PluginsMutation, PluginsQuery
from core.plugins.models import TenantPlugin


@hookimpl
def maillage_models() -> list[type]:
    return [TenantPlugin]


@hookimpl
def maillage_actions() -> list[Action]:
    return [
        Action(
            "plugins.read",
            "Voir les modules installés et leur état pour le pôle",
            default_roles=POLE_ROLES | {"platform_admin"},
            scope="tenant:read",
        ),
        Action(
            "plugins.manage",
            "Activer, désactiver et régler les modules du pôle",
            default_roles=frozenset({"pole_admin", "platform_admin"}),
        ),
        Action(
            "indicators.read",
            "Consulter les indicateurs agrégés du pôle",
            default_roles=frozenset({"pole_admin", "coordinator"}),
            scope="tenant:read",
        ),
    ]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=PluginsQuery, mutation=PluginsMutation)
