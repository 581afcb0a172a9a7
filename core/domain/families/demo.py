"""Demo families: fictitious families, guardians, consents and children, generated with
a seed per pole (the same pole always gets the same people), living in the pole's real
communes and attending its demo structures. No real person is described: first names
are common ones, family names are drawn from a fixed list, every diagnosis says
« (fictif) »."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.families.models import (
    Child,
    ChildPartner,
    ChildStructure,
    Consent,
    Family,
    Guardian,
)
from core.domain.families.vocabulary import NEEDS
from core.domain.structures.demo import seed_directory
from core.domain.structures.models import Partner, Structure
from core.tenancy.models import Tenant
from core.territory.names import normalize_name

SURNAMES = [
    "Durand",
    "Lemoine",
    "Caron",
    "Fournier",
    "Perrin",
    "Renard",
    "Marchand",
    "Colin",
    "Vasseur",
    "Leclercq",
    "Dumont",
    "Bertin",
    "Gauthier",
    "Roussel",
    "Chevalier",
    "Picard",
    "Benali",
    "Nguyen",
    "Da Silva",
    "Haddad",
    "Morel",
    "Blanc",
    "Garnier",
    "Faure",
]
CHILDREN = [
    "Léo",
    "Jade",
    "Louise",
    "Gabriel",
    "Ambre",
    "Noah",
    "Inès",
    "Adam",
    "Lina",
    "Raphaël",
    "Chloé",
    "Sacha",
    "Mila",
    "Nathan",
    "Rose",
    "Yanis",
    "Zoé",
    "Lucas",
    "Anna",
    "Ethan",
]
PARENTS = ["Sarah", "Julie", "Mehdi", "Aurélie", "Nicolas", "Fatima", "Kevin", "Laetitia"]
NEEDS_TEXT = {
    "autism": "Besoin de repères visuels et d'un rythme prévisible ; difficultés lors des "
    "transitions.",
    "motor": "Se déplace avec un déambulateur ; aménagement de l'espace de change.",
    "language": "Peu de langage oral ; communique avec quelques signes (Makaton).",
    "hearing": "Porte des appareils auditifs ; besoin d'un environnement calme.",
    "chronic_illness": "Traitement quotidien ; protocole d'accueil individualisé en cours.",
    "development": "Acquisitions motrices et langagières en décalage ; suivi CAMSP.",
    "behaviour": "Crises lors de la séparation ; besoin d'un adulte repère.",
    "assessment": "Inquiétude de la crèche sur le développement ; évaluation en cours.",
}


async def seed_families(tenant: Tenant, session: AsyncSession) -> None:
    if (await session.execute(select(Family.id).limit(1))).first():
        return
    await seed_directory(tenant, session)
    rng = random.Random(f"maillage-demo-families-{tenant.slug}")
    structures = list(
        (
            await session.execute(
                select(Structure).where(Structure.merged_into_id.is_(None)).order_by(Structure.name)
            )
        ).scalars()
    )
    partners = list((await session.execute(select(Partner).order_by(Partner.name))).scalars())
    if not structures:
        return
    communes = sorted({s.commune_insee for s in structures})
    oldest = 6 if tenant.departement_code == "63" else 16
    today = dt.date(2026, 11, 1)  # fixed: the demo is the same whatever day it is built
    for index in range(24):
        surname = SURNAMES[index % len(SURNAMES)]
        family = Family(
            name=f"Famille {surname}",
            search_name=normalize_name(f"Famille {surname}"),
            commune_insee=rng.choice(communes),
            address=f"{rng.randint(1, 120)} rue des Exemples",
            situation="(fictif) Parents séparés, garde alternée." if index % 5 == 0 else "",
        )
        session.add(family)
        await session.flush()
        mother = rng.choice(PARENTS)
        session.add(
            Guardian(
                family_id=family.id,
                first_name=mother,
                last_name=surname,
                relationship_="mother" if index % 4 else "father",
                phone=f"06 00 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                email=f"famille.{normalize_name(surname).replace(' ', '-')}@exemple.fr",
            )
        )
        given = dt.datetime(2025, 1, 6, 10, tzinfo=dt.UTC) + dt.timedelta(days=13 * index)
        session.add(
            Consent(
                family_id=family.id,
                purpose="follow_up",
                given_by=f"{mother} {surname}",
                given_at=given,
                recorded_by="demo",
            )
        )
        # Every third family shares with structures; every sixth with a sitter too
        # (what handisitting's needs sheet asks for, decision 137).
        for purpose, every, days in (("share_with_structure", 3, 20), ("share_with_sitter", 6, 40)):
            if index % every == 0:
                session.add(
                    Consent(
                        family_id=family.id,
                        purpose=purpose,
                        given_by=f"{mother} {surname}",
                        given_at=given + dt.timedelta(days=days),
                        recorded_by="demo",
                    )
                )
        for _ in range(1 if index % 4 else 2):
            need = rng.choice(list(NEEDS_TEXT))
            age_days = rng.randint(120, 365 * oldest + 300)
            months = age_days // 30
            structure = rng.choice(
                [
                    s
                    for s in structures
                    if s.kind in {"eaje", "mam", "acm", "periscolaire"}
                    and (s.age_min_months or 0) <= months <= (s.age_max_months or 216)
                ]
                or structures
            )
            child = Child(
                family_id=family.id,
                first_name=rng.choice(CHILDREN),
                birth_date=today - dt.timedelta(days=age_days),
                commune_insee=family.commune_insee,
                needs=NEEDS_TEXT[need],
                needs_profile=sorted({need, rng.choice(list(NEEDS))}),
                diagnosis=f"(fictif) {NEEDS[need]}" if need != "assessment" else None,
                health_notes="(fictif) Allergie aux arachides." if index % 6 == 0 else None,
            )
            session.add(child)
            await session.flush()
            session.add(
                ChildStructure(
                    child_id=child.id,
                    structure_id=structure.id,
                    starts_on=given.date() + dt.timedelta(days=30),
                )
            )
            if partners and index % 2 == 0:
                session.add(
                    ChildPartner(
                        child_id=child.id,
                        partner_id=rng.choice(partners).id,
                        starts_on=given.date(),
                    )
                )
    await session.flush()
