"""Demo directory: fictitious structures, gestionnaires, partners and contacts, placed in
the pole's real communes by a seeded generator (the same pole always gets the same data).
Names are invented; no real person or establishment is described."""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.structures.models import ContactPerson, Organisation, Partner, Structure
from core.tenancy.models import Tenant
from core.territory.models import Commune
from core.territory.names import normalize_name

NAMES = [
    "Les Petits Loups",
    "Les Lucioles",
    "Pom'Cannelle",
    "Les Trois Pommes",
    "Le Jardin des Lutins",
    "Les Copains d'Abord",
    "L'Île aux Enfants",
    "Les Coccinelles",
    "Les Bout'chous",
    "Arc-en-Ciel",
    "Les Petits Pas",
    "La Ribambelle",
]
FIRST = ["Claire", "Sophie", "Nadia", "Julien", "Émilie", "Karim", "Laure", "Thomas", "Inès"]
LAST = ["Martin", "Bernard", "Lefebvre", "Dubois", "Moreau", "Girard", "Fontaine", "Roux"]
# (kind, name pattern, capacity, age range in months)
STRUCTURES = [
    ("eaje", "Multi-accueil {name}", 40, (2, 72)),
    ("eaje", "Crèche {name}", 24, (2, 48)),
    ("mam", "MAM {name}", 12, (2, 72)),
    ("rpe", "Relais petite enfance {de_commune}", None, (0, 72)),
    ("acm", "Accueil de loisirs {de_commune}", 80, (36, 204)),
    ("periscolaire", "Périscolaire {name}", 60, (36, 144)),
    ("centre_social", "Centre social {name}", None, (0, 204)),
    ("ludotheque", "Ludothèque {name}", None, (0, 204)),
]
PARTNERS = [
    ("mdph", "MDPH (fictive) du département"),
    ("camsp", "CAMSP {de_commune}"),
    ("cmp", "CMP enfants {de_commune}"),
    ("pmi", "PMI — circonscription {de_commune}"),
    ("sessad", "SESSAD {name}"),
    ("respite", "Plateforme de répit {name}"),
    ("family_association", "Association de familles {name}"),
    ("education_nationale", "Circonscription Éducation nationale {de_commune}"),
]


def _de(commune: str) -> str:
    """« de Béthune », « d'Auchel », « du Touquet »… (French elision before a vowel)."""
    if commune.startswith("Le "):
        return "du " + commune[3:]
    if commune.startswith("Les "):
        return "des " + commune[4:]
    return ("d'" if commune[:1].upper() in "AEÉÈIÎOUYH" else "de ") + commune


def _phone(rng: random.Random, departement: str) -> str:
    prefix = "03" if departement == "62" else "04"
    return f"{prefix} 00 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


async def seed_directory(tenant: Tenant, session: AsyncSession) -> None:
    if (await session.execute(select(Structure.id).limit(1))).first():
        return
    rng = random.Random(f"maillage-demo-directory-{tenant.slug}")
    communes = list(
        (
            await session.execute(
                select(Commune)
                .where(
                    Commune.departement_code == tenant.departement_code,
                    Commune.population >= 3000,
                )
                .order_by(Commune.population.desc())
                .limit(25)
            )
        ).scalars()
    )
    if not communes:
        return
    gestionnaires = []
    for commune in communes[:6]:
        row = Organisation(
            name=f"Commune de {commune.name}",
            search_name=normalize_name(f"Commune de {commune.name}"),
            kind="commune",
            commune_insee=commune.insee_code,
        )
        session.add(row)
        gestionnaires.append(row)
    association = Organisation(
        name="Association Grandir Ensemble (fictive)",
        search_name=normalize_name("Association Grandir Ensemble (fictive)"),
        kind="association",
    )
    session.add(association)
    gestionnaires.append(association)
    await session.flush()

    for index in range(30):
        kind, pattern, capacity, (low, high) = STRUCTURES[index % len(STRUCTURES)]
        commune = rng.choice(communes)
        name = pattern.format(name=rng.choice(NAMES), de_commune=_de(commune.name))
        search = normalize_name(name)
        twin = await session.execute(
            select(Structure.id).where(
                Structure.search_name == search, Structure.commune_insee == commune.insee_code
            )
        )
        if twin.first():
            continue
        structure = Structure(
            name=name,
            search_name=search,
            kind=kind,
            commune_insee=commune.insee_code,
            organisation_id=rng.choice(gestionnaires).id if kind != "mam" else None,
            address=f"{rng.randint(1, 60)} rue de l'Exemple",
            capacity=capacity,
            age_min_months=low,
            age_max_months=high,
            email=f"contact{index}@structure.example",
            phone=_phone(rng, tenant.departement_code),
        )
        session.add(structure)
        await session.flush()
        session.add(
            ContactPerson(
                structure_id=structure.id,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                function="Direction" if kind == "eaje" else "Responsable",
                email=f"direction{index}@structure.example",
                phone=_phone(rng, tenant.departement_code),
            )
        )
    for kind, pattern in PARTNERS:
        commune = rng.choice(communes[:8])
        name = pattern.format(name=rng.choice(NAMES), de_commune=_de(commune.name))
        partner = Partner(
            name=name,
            search_name=normalize_name(name),
            kind=kind,
            commune_insee=commune.insee_code,
            email=f"{kind.replace('_', '-')}@partenaire.example",
            phone=_phone(rng, tenant.departement_code),
        )
        session.add(partner)
        await session.flush()
        session.add(
            ContactPerson(
                partner_id=partner.id,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                function="Référent·e des relations avec le pôle",
            )
        )
    await session.flush()
