"""Core feature: the territory reference (régions, départements, EPCI, communes)."""

from __future__ import annotations

from core.hooks import hookimpl
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
