"""The demo's national network: the install's poles take part, with the default
catalogue. Their releases are for the demo's people to prepare, submit and approve
(README); the poles of other installs arrive as signed documents (core/network/signed.py).
Idempotent."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from core.contributions import IndicatorSpec
from core.errors import NotFoundError
from core.network.catalogue import DEFAULT_ENTRIES
from core.network.models import Network
from core.network.protection import Figure, Table, protect
from core.network.releases import coords_text, current_catalogue, network_reason
from core.network.setup import add_pole, define_network, set_catalogue
from core.network.signed import FORMAT, b64, import_release, public_bytes, sign, trust_key
from core.network.territory import departement_population
from core.tenancy.models import Tenant

DEMO_NETWORK = "Réseau national des pôles ressources handicap (démonstration)"
DEMO_ACTOR = "demo"


async def seed_network(
    session: AsyncSession, tenants: Sequence[Tenant], figures: Mapping[str, IndicatorSpec]
) -> Network:
    network = await define_network(session, name=DEMO_NETWORK, k=11, actor=DEMO_ACTOR)
    try:
        await current_catalogue(session, network)
    except NotFoundError:
        await set_catalogue(
            session,
            network,
            [e for e in DEFAULT_ENTRIES if e.figure in figures],
            figures,
            actor=DEMO_ACTOR,
            now=dt.datetime.now(dt.UTC),
        )
    for tenant in tenants:
        await add_pole(
            session,
            network,
            code=tenant.slug,
            name=tenant.name,
            departement=tenant.departement_code,
            local=tenant,
            actor=DEMO_ACTOR,
        )
    return network


# --- a dozen poles of other installs, imported as signed documents --------------------

# Fictitious poles (names invented; départements real, for their population).
OTHER_POLES = (
    ("prh-aisne", "Pôle ressources handicap de l'Aisne (fictif)", "02"),
    ("prh-nord", "Pôle ressources handicap du Nord (fictif)", "59"),
    ("prh-somme", "Pôle ressources handicap de la Somme (fictif)", "80"),
    ("prh-oise", "Pôle ressources handicap de l'Oise (fictif)", "60"),
    ("prh-calvados", "Pôle ressources handicap du Calvados (fictif)", "14"),
    ("prh-ille-et-vilaine", "Pôle ressources handicap d'Ille-et-Vilaine (fictif)", "35"),
    ("prh-loire-atlantique", "Pôle ressources handicap de Loire-Atlantique (fictif)", "44"),
    ("prh-rhone", "Pôle ressources handicap du Rhône (fictif)", "69"),
    ("prh-gironde", "Pôle ressources handicap de la Gironde (fictif)", "33"),
    ("prh-haute-garonne", "Pôle ressources handicap de Haute-Garonne (fictif)", "31"),
    ("prh-cantal", "Pôle ressources handicap du Cantal (fictif)", "15"),
    ("prh-lozere", "Pôle ressources handicap de la Lozère (fictif)", "48"),
)
DEMO_YEARS = (2024, 2025)
AGE_BRACKETS = {
    "0-2": "Moins de 3 ans",
    "3-5": "3 à 5 ans",
    "6-11": "6 à 11 ans",
    "12-": "12 ans et plus",
}
FAMILY = "casework.children_followed"
REQUESTS = "casework.requests"


def _demo_key(code: str) -> Ed25519PrivateKey:
    # The fictitious installs' keys, derived from their codes so that seeding again
    # signs the same documents (the import is then a no-op). Demo only: anyone can
    # derive them, and only the demo trusts them.
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"demo:{code}".encode()).digest())


def _demo_tables(code: str, year: int, population: int) -> list[Table]:
    rng = random.Random(f"{code}:{year}")
    scale = max(population, 50_000) / 10_000
    ages = {
        b: max(0, int(rng.gauss(w * scale, w * scale / 3)))
        for b, w in (("0-2", 0.9), ("3-5", 2.4), ("6-11", 3.1), ("12-", 1.2))
    }
    if rng.random() < 0.5:
        ages["0-2"] = rng.randint(1, 9)  # a rural pole: few very young children
    kinds = {"family": 4.0, "eaje": 1.5, "childminder": 0.6, "leisure_centre": 1.1, "partner": 0.5}
    requests = {k: max(0, int(rng.gauss(w * scale, w * scale / 4))) for k, w in kinds.items()}
    return [
        Table(FAMILY, ("age_bracket",), {(b,): n for b, n in ages.items()}),
        Table(REQUESTS, ("requester_kind",), {(k,): n for k, n in requests.items()}),
    ]


def demo_document(
    code: str,
    name: str,
    departement: str,
    year: int,
    population: int,
    figures: Mapping[str, IndicatorSpec],
    k: int,
) -> dict[str, Any]:
    """What the fictitious pole's install exports for ``year``: its tables protected by
    the same engine, hidden cells without value."""
    wanted = [f for f in (FAMILY, REQUESTS) if f in figures]
    specs = [Figure(f, figures[f].title, figures[f].counts_persons) for f in wanted]
    protected = protect(
        specs, [t for t in _demo_tables(code, year, population) if t.figure in wanted], k=k
    )
    requester = figures[REQUESTS].dimension("requester_kind") if REQUESTS in figures else None
    vocab: dict[str, Mapping[str, str]] = {"age_bracket": AGE_BRACKETS}
    if requester is not None and isinstance(requester.labels, Mapping):
        vocab["requester_kind"] = requester.labels
    cells = [
        {
            "figure": key.figure,
            "coords": coords_text(key.coords),
            "labels": {d: str(vocab.get(d, {}).get(c, c)) for d, c in key.coords},
            "value": cell.published,
            "reason": network_reason(cell, k),
        }
        for key, cell in sorted(protected.cells.items())
    ]
    note = protected.figures
    return {
        "format": FORMAT,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://maillage.example/{code}/{year}/1")),
        "pole": {"code": code, "name": name, "departement": departement},
        "period": str(year),
        "version": 1,
        "k": k,
        "catalogueVersion": 1,
        "reason": "",
        "population": population,
        "populationSource": f"département {departement}",
        "approvedAt": f"{year + 1}-03-01T00:00:00+00:00",
        "protection": {
            "cells": note.cells,
            "primary": note.primary,
            "secondary": note.secondary,
            "inherited": note.inherited,
            "smallestInterval": note.smallest_interval,
        },
        "figures": [{"code": f.code, "title": f.title, "persons": f.persons} for f in specs],
        "cells": cells,
    }


async def import_other_poles(
    session: AsyncSession, network: Network, figures: Mapping[str, IndicatorSpec]
) -> int:
    """The dozen fictitious poles' releases, signed by their installs and imported the
    way a real one is (trusted key, signature, replay, audit). Returns how many were new."""
    now = dt.datetime.now(dt.UTC)
    new = 0
    for code, name, departement in OTHER_POLES:
        pole = await add_pole(
            session, network, code=code, name=name, departement=departement, actor=DEMO_ACTOR
        )
        key = _demo_key(code)
        kid = f"demo-{code}"
        await trust_key(
            session, pole, kid, b64(public_bytes(key.public_key())), actor=DEMO_ACTOR, now=now
        )
        population = await departement_population(session, departement)
        for year in DEMO_YEARS:
            document = demo_document(code, name, departement, year, population, figures, network.k)
            _, created = await import_release(
                session, sign(document, kid, key), figures, actor=DEMO_ACTOR, now=now
            )
            new += created
    return new
