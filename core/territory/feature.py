"""Core feature: the territory reference (régions, départements, EPCI, communes)."""

from __future__ import annotations

from core.contributions import GraphQLContribution
from core.hooks import hookimpl
from core.territory import graphql
from core.territory.models import (
    Commune,
    CommunePostalCode,
    Departement,
    Epci,
    ReferenceDataset,
    Region,
)


@hookimpl
def maillage_models() -> list[type]:
    return [Region, Departement, Epci, Commune, CommunePostalCode, ReferenceDataset]


@hookimpl
def maillage_graphql() -> GraphQLContribution:
    return GraphQLContribution(
        query=graphql.TerritoryQuery, types=(graphql.Commune, graphql.Departement, graphql.Epci)
    )
