"""GraphQL types for the territory reference data."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.loaders import one, resolved, then
from core.api.pagination import connection, in_order, window
from core.errors import NotFoundError
from core.territory import models, search


@strawberry.enum(description="Nature juridique d'un EPCI.")
class EpciKind(Enum):
    CC = "CC"
    CA = "CA"
    CU = "CU"
    METRO = "METRO"
    MET69 = "MET69"

    @property
    def label(self) -> str:
        return _EPCI_LABELS[self]


_EPCI_LABELS = {
    EpciKind.CC: "Communauté de communes",
    EpciKind.CA: "Communauté d'agglomération",
    EpciKind.CU: "Communauté urbaine",
    EpciKind.METRO: "Métropole",
    EpciKind.MET69: "Métropole de Lyon (collectivité à statut particulier)",
}


@strawberry.type(description="Région administrative.")
class Region:
    code: str
    name: str


@strawberry.type(description="Département.")
class Departement(relay.Node):
    key: relay.NodeID[str]
    code: str
    name: str
    region_code: str

    @classmethod
    def from_model(cls, row: models.Departement) -> Departement:
        return cls(key=row.code, code=row.code, name=row.name, region_code=row.region_code)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Departement | None]:
        ids = list(node_ids)
        async with info.context.db_session() as session:
            rows = await search.get_departements(session, ids)
        return in_order(ids, rows, lambda d: d.code, cls.from_model)


@strawberry.type(description="Établissement public de coopération intercommunale.")
class Epci(relay.Node):
    key: relay.NodeID[str]
    siren: str
    name: str
    kind: EpciKind
    population: int

    @strawberry.field(description="Libellé de la nature juridique, en français.")
    def kind_label(self) -> str:
        return self.kind.label

    @classmethod
    def from_model(cls, row: models.Epci) -> Epci:
        return cls(
            key=row.siren,
            siren=row.siren,
            name=row.name,
            kind=EpciKind(row.kind),
            population=row.population,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Epci | None]:
        ids = list(node_ids)
        async with info.context.db_session() as session:
            rows = await search.get_epcis(session, ids)
        return in_order(ids, rows, lambda e: e.siren, cls.from_model)


@strawberry.type(description="Commune (code officiel géographique).")
class Commune(relay.Node):
    key: relay.NodeID[str]
    insee_code: str
    name: str
    population: int
    postal_codes: list[str]
    departement: Departement
    epci: Epci | None

    @classmethod
    def from_model(cls, row: models.Commune) -> Commune:
        return cls(
            key=row.insee_code,
            insee_code=row.insee_code,
            name=row.name,
            population=row.population,
            postal_codes=[p.postal_code for p in row.postal_codes],
            departement=Departement.from_model(row.departement),
            epci=Epci.from_model(row.epci) if row.epci else None,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Commune | None]:
        ids = list(node_ids)
        async with info.context.db_session() as session:
            rows = await search.get_communes(session, ids)
        return in_order(ids, rows, lambda c: c.insee_code, cls.from_model)


async def communes_by_insee(session: AsyncSession, codes: Sequence[str]) -> dict[str, Commune]:
    """Communes with their département, EPCI and postal codes, by INSEE code: the one
    batch every ``commune`` field of the schema loads through. One statement (reference
    data, a few rows per commune)."""
    rows = await session.execute(
        select(models.Commune)
        .where(models.Commune.insee_code.in_(codes))
        .options(
            joinedload(models.Commune.departement),
            joinedload(models.Commune.epci),
            joinedload(models.Commune.postal_codes),
        )
    )
    return {r.insee_code: Commune.from_model(r) for r in rows.unique().scalars()}


def commune_of(info: Info[Context, None], insee_code: str | None) -> Awaitable[Commune | None]:
    """The ``commune`` of a record holding an INSEE code: batched over the request, so a
    page of 100 records reads the communes in one statement, and only when selected.
    A future, not a coroutine: a resolver may answer it as is (decision 96)."""
    if insee_code is None:
        return resolved(None)
    return one(info.context, communes_by_insee).load(insee_code)


def _known(found: Commune | None) -> Commune:
    if found is None:
        raise NotFoundError("commune inconnue", field="commune")
    return found


def required_commune(root: Any, info: Info[Context, None]) -> Commune:
    """Resolver of ``commune: Commune!`` on a type holding ``commune_insee`` (answers
    the loader's future: graphql-core awaits it)."""
    return then(commune_of(info, root.commune_insee), _known)


def optional_commune(root: Any, info: Info[Context, None]) -> Commune | None:
    """Resolver of ``commune: Commune`` on a type holding ``commune_insee`` (or None)."""
    if root.commune_insee is None:
        return None
    return commune_of(info, root.commune_insee)


COMMUNE = "La commune : code INSEE, nom, département, EPCI (lue seulement si demandée)."
COMMUNE_INSEE_DEPRECATED = (
    "Lire commune { inseeCode name … } : communeInsee disparaîtra à la prochaine version "
    "majeure du schéma (voir docs/changelog.md)."
)


@strawberry.type(description="Page de communes.")
class CommuneConnection(relay.Connection[Commune]):
    total_count: int = strawberry.field(description="Nombre total de résultats.")


@strawberry.type
class TerritoryQuery:
    @strawberry.field(
        description="Recherche de communes par nom (accents et casse ignorés), "
        "code INSEE ou code postal ; les meilleures correspondances d'abord."
    )
    async def communes(
        self,
        info: Info[Context, None],
        search_text: Annotated[str, strawberry.argument(name="search")] = "",
        departement: str | None = None,
        epci: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> CommuneConnection:
        win = window(first, after)
        async with info.context.db_session() as session:
            page = await search.search_communes(
                session,
                search_text,
                departement=departement,
                epci=epci,
                limit=win.limit,
                offset=win.offset,
            )
        return connection(
            CommuneConnection, [Commune.from_model(c) for c in page.items], win, page.total
        )

    @strawberry.field(description="Commune par code INSEE.")
    async def commune(self, info: Info[Context, None], insee_code: str) -> Commune | None:
        async with info.context.db_session() as session:
            found = await search.get_communes(session, [insee_code])
        return Commune.from_model(found[0]) if found else None

    @strawberry.field(description="Communes desservies par un code postal.")
    async def communes_by_postal_code(
        self, info: Info[Context, None], postal_code: str
    ) -> list[Commune]:
        async with info.context.db_session() as session:
            rows = await search.communes_by_postal_code(session, postal_code)
        return [Commune.from_model(c) for c in rows]
