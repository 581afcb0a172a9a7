"""GraphQL types for poles (tenants)."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.ids import try_uuid
from core.api.pagination import in_order
from core.tenancy.models import Tenant as TenantModel
from core.territory.graphql import COMMUNE, COMMUNE_INSEE_DEPRECATED, Commune, optional_commune


@strawberry.type(description="Coordonnées publiques d'un pôle.")
class TenantContact:
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    website: str | None = None
    commune_insee: str | None = strawberry.field(
        default=None, deprecation_reason=COMMUNE_INSEE_DEPRECATED
    )
    commune: Commune | None = strawberry.field(resolver=optional_commune, description=COMMUNE)


@strawberry.type(description="Un pôle ressources handicap (informations institutionnelles).")
class Tenant(relay.Node):
    uid: relay.NodeID[str]
    slug: str
    name: str
    short_name: str
    operator: str = strawberry.field(description="Organisme gestionnaire du pôle.")
    departement_code: str
    since_year: int | None
    description: str
    contact: TenantContact

    @classmethod
    def from_model(cls, row: TenantModel) -> Tenant:
        contact = row.contact or {}
        return cls(
            uid=str(row.id),
            slug=row.slug,
            name=row.name,
            short_name=row.short_name,
            operator=row.operator,
            departement_code=row.departement_code,
            since_year=row.since_year,
            description=row.description,
            contact=TenantContact(
                email=contact.get("email"),
                phone=contact.get("phone"),
                address=contact.get("address"),
                website=contact.get("website"),
                commune_insee=contact.get("commune"),
            ),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Tenant | None]:
        ids = [try_uuid(i) for i in node_ids]
        wanted = [i for i in ids if i is not None]
        async with info.context.db_session() as session:
            rows = await session.execute(
                select(TenantModel).where(TenantModel.id.in_(wanted), TenantModel.active)
            )
        return in_order(ids, rows.scalars(), lambda t: t.id, cls.from_model)


@strawberry.type
class TenancyQuery:
    @strawberry.field(description="Le pôle de la requête en cours (null sans pôle).")
    def tenant(self, info: Info[Context, None]) -> Tenant | None:
        tenant = info.context.tenant
        return Tenant.from_model(tenant) if tenant is not None else None

    @strawberry.field(description="Annuaire public des pôles actifs de l'installation.")
    async def tenants(self, info: Info[Context, None]) -> list[Tenant]:
        async with info.context.db_session() as session:
            rows = await session.execute(
                select(TenantModel).where(TenantModel.active).order_by(TenantModel.slug)
            )
        return [Tenant.from_model(t) for t in rows.scalars()]
