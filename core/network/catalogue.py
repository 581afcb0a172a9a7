"""What the network collects: figures taken from the indicator definitions (core's
and the plugins'), each with the breakdowns the network wants, checked so that a
release can be protected (decision 152):

* a figure of whole counts (measure ``count`` or ``sum``; a mean is not a count and
  cannot be protected by additive equations);
* only coarse dimensions (age bracket, audience, borrower kind…; never a commune, an
  EPCI, a kit: nothing below the département), and never a ``multiple`` one (a child
  counted in two categories breaks the tables' sums);
* at most two dimensions per table (the protection engine's limit).

The catalogue is versioned: a change makes a new version, and each release records
the version it was computed with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.contributions import IndicatorSpec
from core.errors import ValidationError
from core.network.protection.tables import MAX_DIMENSIONS

MAX_ENTRIES = 40
MAX_TABLES = 6


@dataclass(frozen=True)
class CatalogueEntry:
    figure: str
    tables: tuple[tuple[str, ...], ...]

    def as_json(self) -> dict[str, Any]:
        return {"figure": self.figure, "tables": [list(t) for t in self.tables]}


# What a new network collects until its coordinator says otherwise: the mission's
# figures, each alone and by its coarse dimensions.
DEFAULT_ENTRIES: tuple[CatalogueEntry, ...] = (
    CatalogueEntry("casework.children_followed", ((), ("age_bracket",))),
    CatalogueEntry("casework.requests", ((), ("requester_kind",), ("channel",))),
    CatalogueEntry("casework.interventions", ((), ("intervention_kind",))),
    CatalogueEntry("kits.loans", ((), ("borrower_kind",))),
    CatalogueEntry("outreach.sessions", ((), ("audience",))),
    CatalogueEntry("outreach.participants", ((), ("audience",))),
    CatalogueEntry("questionnaires.responses", ((),)),
)


def entries_from_json(raw: Sequence[Mapping[str, Any]]) -> list[CatalogueEntry]:
    return [
        CatalogueEntry(str(e["figure"]), tuple(tuple(t) for t in e.get("tables", [[]])))
        for e in raw
    ]


def check_entries(
    entries: Sequence[CatalogueEntry], figures: Mapping[str, IndicatorSpec]
) -> list[CatalogueEntry]:
    """The entries, checked against the figures' definitions; VALIDATION naming the
    entry otherwise."""
    if not entries:
        raise ValidationError("le catalogue doit contenir au moins un chiffre", field="entries")
    if len(entries) > MAX_ENTRIES:
        raise ValidationError(f"{MAX_ENTRIES} chiffres au plus", field="entries")
    seen: set[str] = set()
    checked = []
    for i, entry in enumerate(entries):
        where = f"entries[{i}]"
        spec = figures.get(entry.figure)
        if spec is None:
            raise ValidationError(f"chiffre inconnu : {entry.figure}", field=f"{where}.figure")
        if entry.figure in seen:
            raise ValidationError(f"{entry.figure} figure deux fois", field=f"{where}.figure")
        seen.add(entry.figure)
        if spec.measure not in ("count", "sum") or spec.facts is None:
            raise ValidationError(
                f"{entry.figure} n'est pas un comptage défini par ses faits : le réseau ne "
                "recueille que des comptages qu'il peut protéger",
                field=f"{where}.figure",
            )
        tables = entry.tables or ((),)
        if len(tables) > MAX_TABLES:
            raise ValidationError(f"{MAX_TABLES} tableaux au plus", field=f"{where}.tables")
        shapes: set[frozenset[str]] = set()
        for j, dims in enumerate(tables):
            field = f"{where}.tables[{j}]"
            if len(dims) > MAX_DIMENSIONS or len(set(dims)) != len(dims):
                raise ValidationError(
                    f"au plus {MAX_DIMENSIONS} dimensions distinctes par tableau", field=field
                )
            if frozenset(dims) in shapes:
                raise ValidationError("ce tableau est déjà demandé", field=field)
            shapes.add(frozenset(dims))
            for code in dims:
                dimension = spec.dimension(code)
                if dimension is None:
                    raise ValidationError(
                        f"dimension inconnue pour {entry.figure} : {code}", field=field
                    )
                if not dimension.coarse:
                    raise ValidationError(
                        f"« {dimension.title} » est trop fine pour le réseau (rien en dessous "
                        "du département ne sort du pôle)",
                        field=field,
                    )
                if dimension.multiple:
                    raise ValidationError(
                        f"« {dimension.title} » compte une même unité plusieurs fois : ses "
                        "cases ne s'additionnent pas, le secret ne pourrait pas être prouvé",
                        field=field,
                    )
        checked.append(CatalogueEntry(entry.figure, tuple(tuple(t) for t in tables)))
    return checked
