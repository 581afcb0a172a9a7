"""Core feature: the ``node`` field, the one root field that belongs to no feature
(it resolves every feature's and plugin's Relay nodes through the composed schema).
Each feature contributes its own part through the graphql hook, as plugins do."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.app.schema import resolve_node
from core.contributions import GraphQLContribution
from core.hooks import hookimpl


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Objet par identifiant global. Un identifiant inconnu, mal formé, "
        "d'un autre pôle ou d'un module non activé répond null, sans distinction."
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> relay.Node | None:
        return await resolve_node(info, id)


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(query=NodeQuery)
