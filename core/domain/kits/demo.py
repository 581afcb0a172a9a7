"""Demo kits: a catalogue of about twenty kits with their components, and four years of
loans to the demo directory's structures and families, made by a seeded generator (the
same pole always gets the same history; dates are fixed, not read from the clock).
Loans of one kit follow each other, so the no-overlap rule holds by construction."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.demo import seed_accounts
from core.auth.models import Membership
from core.domain.families.demo import seed_families
from core.domain.families.models import Family
from core.domain.kits.models import Kit, KitComponent, KitLoan, KitLoanCheck, KitTrip
from core.domain.kits.vocabulary import ORGANISATION_BORROWER, STRUCTURE_BORROWER
from core.domain.structures.models import Organisation, Structure
from core.tenancy.models import Tenant
from core.territory.names import normalize_name

START = dt.date(2023, 1, 9)
TODAY = dt.date(2026, 11, 20)  # fixed: the demo is the same whatever day it is built
PHOTO = "https://photos.maillage.example/malles/{slug}.jpg"

# (name, theme, series, age range in months, components)
CATALOGUE: list[tuple[str, str, str, tuple[int, int], list[tuple[str, int]]]] = [
    (
        "Malle Snoezelen",
        "sensory",
        "",
        (0, 72),
        [
            ("Colonne à bulles", 1),
            ("Fibres optiques", 1),
            ("Projecteur d'ambiance", 1),
            ("Coussins sensoriels", 4),
        ],
    ),
    (
        "Mallette sensorielle des tout-petits",
        "sensory",
        "",
        (0, 36),
        [
            ("Balles à picots", 6),
            ("Tapis tactile", 1),
            ("Bouteilles sensorielles", 5),
            ("Hochets sonores", 4),
        ],
    ),
    (
        "Malle Montessori",
        "montessori",
        "",
        (12, 72),
        [
            ("Boîte à formes", 1),
            ("Cadres d'habillage", 3),
            ("Tour rose", 1),
            ("Livret pour l'équipe", 1),
        ],
    ),
    (
        "Malle motricité",
        "motor",
        "",
        (6, 72),
        [("Parcours en mousse", 6), ("Tunnel", 1), ("Poutre souple", 1), ("Ballons", 3)],
    ),
    (
        "Mallette motricité fine",
        "motor",
        "",
        (18, 72),
        [("Perles à enfiler", 1), ("Pinces ergonomiques", 4), ("Pâte à modeler", 6)],
    ),
    (
        "Malle des émotions",
        "emotions",
        "",
        (24, 144),
        [
            ("Roue des émotions", 1),
            ("Livres sur les émotions", 5),
            ("Poupées des humeurs", 4),
            ("Time timer", 1),
        ],
    ),
    (
        "Coin calme",
        "emotions",
        "",
        (12, 144),
        [("Casque anti-bruit", 2), ("Couverture lestée", 1), ("Sablier", 2), ("Coussin de sol", 2)],
    ),
    (
        "Malle communication",
        "communication",
        "",
        (12, 144),
        [
            ("Classeur de pictogrammes", 1),
            ("Cartes Makaton", 40),
            ("Séquentiels du quotidien", 5),
            ("Time timer", 1),
        ],
    ),
    (
        "Mallette langue des signes bébé",
        "communication",
        "",
        (6, 48),
        [("Imagier des signes", 1), ("Livres signés", 4), ("Affiches", 3)],
    ),
    (
        "Malle sommeil",
        "sleep",
        "",
        (0, 72),
        [("Veilleuse", 1), ("Livres du coucher", 4), ("Couverture lestée", 1), ("Bruit blanc", 1)],
    ),
    (
        "Malle repas",
        "food",
        "",
        (6, 72),
        [
            ("Assiettes à rebord", 4),
            ("Couverts ergonomiques", 4),
            ("Verres découpés", 4),
            ("Set de table en pictogrammes", 4),
        ],
    ),
    (
        "Malle fratrie",
        "siblings",
        "",
        (36, 168),
        [
            ("Livres sur la fratrie", 6),
            ("Jeu de coopération", 1),
            ("Carnet des frères et sœurs", 1),
        ],
    ),
    (
        "Différent comme toi",
        "reading",
        "1 livre 1 jeu",
        (24, 96),
        [("Album", 1), ("Jeu de cartes", 1)],
    ),
    (
        "Les lunettes de Lou",
        "reading",
        "1 livre 1 jeu",
        (24, 72),
        [("Album", 1), ("Loto des couleurs", 1)],
    ),
    ("Un fauteuil pour Tom", "reading", "1 livre 1 jeu", (36, 96), [("Album", 1), ("Puzzle", 1)]),
    (
        "Le bruit des mains",
        "reading",
        "1 livre 1 jeu",
        (24, 96),
        [("Album", 1), ("Memory des signes", 1)],
    ),
    (
        "Malle jeux coopératifs",
        "other",
        "",
        (36, 168),
        [("Jeux coopératifs", 6), ("Livret d'animation", 1)],
    ),
    (
        "Malle boccia et jeux adaptés",
        "motor",
        "",
        (72, 204),
        [("Jeu de boccia", 1), ("Rampe", 1), ("Balles sonores", 4)],
    ),
    (
        "Malle inclusion en accueil de loisirs",
        "other",
        "",
        (36, 204),
        [
            ("Guide pour l'équipe", 1),
            ("Casque anti-bruit", 3),
            ("Fidgets", 10),
            ("Pictogrammes des activités", 1),
        ],
    ),
    (
        "Mallette autisme petite enfance",
        "communication",
        "",
        (12, 72),
        [
            ("Emploi du temps visuel", 1),
            ("Time timer", 1),
            ("Jouets sensoriels", 6),
            ("Livret pour les parents", 1),
        ],
    ),
]
MEMBER_SHARE = 0.8


async def seed_kits(tenant: Tenant, session: AsyncSession) -> None:
    if (await session.execute(select(Kit.id).limit(1))).first():
        return
    await seed_families(tenant, session)  # the directory and the families borrow
    await seed_accounts(tenant, session)  # the staff who deliver are the demo accounts
    rng = random.Random(f"maillage-demo-kits-{tenant.slug}")
    small = tenant.departement_code == "63"  # 0-6 only: no leisure-centre kits
    structures = list(
        (
            await session.execute(
                select(Structure).where(Structure.merged_into_id.is_(None)).order_by(Structure.name)
            )
        ).scalars()
    )
    organisations = {o.id: o for o in (await session.execute(select(Organisation))).scalars()}
    families = list((await session.execute(select(Family).order_by(Family.name))).scalars())
    staff = [
        m.user_id
        for m in (
            await session.execute(
                select(Membership)
                .where(Membership.active.is_(True))
                .order_by(Membership.created_at, Membership.id)
            )
        ).scalars()
        if set(m.roles) & {"coordinator", "staff"}
    ]
    if not structures or not staff:
        return
    kits: list[tuple[Kit, list[KitComponent]]] = []
    for name, theme, series, (low, high), components in CATALOGUE:
        if small and low >= 72:
            continue
        kit = Kit(
            name=name,
            search_name=normalize_name(name),
            theme=theme,
            series=series,
            age_min_months=low,
            age_max_months=min(high, 72) if small else high,
            description=f"(fictif) {name} : contenu prêté pour trois semaines avec sa fiche.",
            photo_url=PHOTO.format(slug=normalize_name(name).replace(" ", "-")),
            status="available",
        )
        session.add(kit)
        await session.flush()
        rows = [
            KitComponent(kit_id=kit.id, position=i, name=c, quantity=q)
            for i, (c, q) in enumerate(components)
        ]
        session.add_all(rows)
        kits.append((kit, rows))
    await session.flush()
    kits[-1][0].status = "in_repair"

    def borrower() -> dict[str, object]:
        if families and rng.random() < 0.2:
            return {"family_id": rng.choice(families).id, "borrower_kind": "family"}
        s = rng.choice(structures)
        kind = STRUCTURE_BORROWER.get(s.kind)
        if kind is None:
            org = organisations.get(s.organisation_id) if s.organisation_id else None
            kind = ORGANISATION_BORROWER.get(org.kind, "other") if org else "other"
        return {"structure_id": s.id, "borrower_kind": kind}

    delivers = 0.7 if not small else 0.3
    for kit, components in kits:
        day = START + dt.timedelta(days=rng.randint(0, 40))
        while day < TODAY + dt.timedelta(days=40):
            length = 21 if small else rng.choice([14, 21, 21, 28])
            loan = KitLoan(
                kit_id=kit.id,
                starts_on=day,
                ends_on=day + dt.timedelta(days=length),
                member=rng.random() < MEMBER_SHARE,
                **borrower(),
            )
            if loan.ends_on < TODAY - dt.timedelta(days=3):
                back = loan.ends_on + dt.timedelta(days=rng.choice([-2, 0, 0, 0, 1, 3]))
                loan.status, loan.departed_on = "checked", day
                loan.returned_on, loan.checked_on = back, back + dt.timedelta(days=2)
            elif day <= TODAY:
                loan.status, loan.departed_on = "out", day  # some are now overdue
            else:
                loan.status = rng.choice(["requested", "confirmed"])
            if kit.status == "in_repair" and loan.status in {"out", "requested", "confirmed"}:
                break
            session.add(loan)
            await session.flush()
            if loan.departed_on is not None:
                for moment in ("departure", "return") if loan.returned_on else ("departure",):
                    lost = rng.random() < 0.08 and moment == "return"
                    for i, component in enumerate(components):
                        session.add(
                            KitLoanCheck(
                                loan_id=loan.id,
                                moment=moment,
                                component_id=component.id,
                                expected=component.quantity,
                                missing=1 if lost and i == len(components) - 1 else 0,
                            )
                        )
                if loan.structure_id is not None and rng.random() < delivers:
                    trips = [("delivery", loan.departed_on)]
                    if loan.returned_on:
                        trips.append(("collection", loan.returned_on))
                    for kind, on in trips:
                        session.add(
                            KitTrip(
                                loan_id=loan.id,
                                kind=kind,
                                happened_on=on,
                                staff_user_id=rng.choice(staff),
                                km=round(rng.uniform(8, 70), 1),
                            )
                        )
            day = loan.ends_on + dt.timedelta(days=rng.randint(3, 45))
    surprise_for = rng.choice(structures)
    session.add(
        KitLoan(
            kit_id=None,
            surprise=True,
            wish_theme="emotions",
            wish="(fictif) Une malle pour accompagner les séparations du matin.",
            starts_on=TODAY + dt.timedelta(days=30),
            ends_on=TODAY + dt.timedelta(days=51),
            structure_id=surprise_for.id,
            borrower_kind=STRUCTURE_BORROWER.get(surprise_for.kind, "other"),
            member=True,
            status="requested",
        )
    )
    await session.flush()
