"""GraphQL types for the pole's service areas."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import try_uuid
from core.api.pagination import in_order
from core.domain.areas import service as areas
from core.domain.areas.models import ServiceArea as ServiceAreaModel
from core.territory.graphql import Commune


@strawberry.type(description="Territoire d'intervention d'un pôle (bassin, secteur).")
class ServiceArea(relay.Node):
    uid: relay.NodeID[str]
    name: str
    description: str
    communes: list[Commune]

    @strawberry.field(description="Population totale des communes du territoire.")
    def population(self) -> int:
        return sum(c.population for c in self.communes)

    @classmethod
    def from_model(cls, row: ServiceAreaModel) -> ServiceArea:
        return cls(
            uid=str(row.id),
            name=row.name,
            description=row.description,
            communes=[Commune.from_model(link.commune) for link in row.communes],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[ServiceArea | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can("areas.read"):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            rows = await areas.get_areas(session, [i for i in ids if i])
        return in_order(ids, rows, lambda a: a.id, cls.from_model)


@strawberry.type
class AreasQuery:
    @strawberry.field(
        description="Territoires d'intervention du pôle en cours.",
        extensions=[action_gate("areas.read")],
    )
    async def service_areas(self, info: Info[Context, None]) -> list[ServiceArea]:
        async with info.context.db_session() as session:
            return [ServiceArea.from_model(a) for a in await areas.list_areas(session)]
