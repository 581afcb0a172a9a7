"""The one GraphQL schema, built once per process, deterministically.

Core's query types are merged in a fixed order; plugins will add theirs through
the same contribution hook (sorted by name) once the plugin system lands.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry import relay
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import Info

from core.api.context import Context
from core.api.errors import CodedErrors
from core.api.types.tenancy import ServiceArea, TenancyQuery, Tenant
from core.api.types.territory import Commune, Departement, Epci, TerritoryQuery

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 3000

NODE_TYPES: Sequence[type[relay.Node]] = (Commune, Departement, Epci, ServiceArea, Tenant)


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Objet par identifiant global. Un identifiant inconnu, mal formé ou "
        "d'un autre pôle répond null, sans distinction."
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> relay.Node | None:
        try:
            global_id = relay.GlobalID.from_id(id)
        except Exception:
            return None
        for node_type in NODE_TYPES:
            if node_type.__name__ == global_id.type_name:
                found = await node_type.resolve_nodes(  # type: ignore[misc]
                    info=info, node_ids=[global_id.node_id], required=False
                )
                return next(iter(found))
        return None


class MaillageSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None):  # type: ignore[no-untyped-def]
        """Silence strawberry's own error log: it prints the query text, which may hold
        personal data. CodedErrors logs unexpected errors, with the request id only."""


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    query = merge_types("Query", (TenancyQuery, TerritoryQuery, NodeQuery))
    # Factories, not instances: strawberry builds fresh extensions for each request.
    extensions: list = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        CodedErrors,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return MaillageSchema(
        query=query,
        types=list(NODE_TYPES),
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
