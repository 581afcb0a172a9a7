"""Demo outreach: two years of awareness sessions and events in the pole's real
communes, made by a seeded generator (the same pole always gets the same history).
Speakers are the pole's demo accounts; named participants are clearly fictitious."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.demo import seed_accounts
from core.auth.models import Membership
from core.domain.outreach.models import (
    AwarenessSession,
    OutreachEvent,
    SessionParticipant,
    SessionSpeaker,
)
from core.domain.structures.demo import seed_directory
from core.domain.structures.models import Structure
from core.tenancy.models import Tenant
from core.territory.models import Commune

START = dt.date(2024, 11, 4)
END = dt.date(2026, 10, 30)
MATERIALS = (
    "Diaporama du pôle",
    "Malle sensorielle",
    "Casque anti-bruit",
    "Time timer",
    "Pictogrammes",
    "Série « 1 livre 1 jeu »",
    "Quiz sur les représentations du handicap",
    "Vidéo de témoignages de parents",
)
FIRST_NAMES = ("Amandine", "Bruno", "Chloé", "Djamila", "Élodie", "Fanny", "Gaëlle", "Hugo")
LAST_INITIALS = "BCDGLMPRT"
# (kind, audience weights, half days choices, participants range, names listed)
SESSION_PLANS = (
    ("territorial", ("early_childhood", "youth", "mixed"), (1, 2), (8, 25), False),
    ("member_on_site", ("early_childhood", "youth"), (1,), (5, 15), True),
    ("on_demand", ("early_childhood", "youth", "mixed"), (1, 2), (4, 12), False),
    ("children", ("youth",), (1,), (12, 28), False),
    ("childminders_evening", ("early_childhood",), (1,), (6, 20), False),
    ("training_course", ("early_childhood", "youth"), (1, 2), (10, 24), False),
    ("pedagogical_day", ("early_childhood", "youth", "mixed"), (2, 4), (8, 30), True),
)
EVENTS = (
    ("forum", "Forum des assistants maternels de {commune}"),
    ("forum", "Semaine du handicap — forum de {commune}"),
    ("stand", "Stand au salon de la petite enfance de {commune}"),
    ("stand", "Stand à la fête des associations de {commune}"),
    ("partner_presentation", "Présentation du pôle aux élus de {commune}"),
    ("partner_presentation", "Présentation du pôle au réseau des RPE ({commune})"),
)


def _day(rng: random.Random) -> dt.date:
    while True:
        day = START + dt.timedelta(days=rng.randint(0, (END - START).days - 1))
        if day.weekday() < 5:
            return day


async def seed_outreach(tenant: Tenant, session: AsyncSession) -> None:
    if (await session.execute(select(AwarenessSession.id).limit(1))).first():
        return
    await seed_directory(tenant, session)
    await seed_accounts(tenant, session)  # the speakers are the demo accounts
    rng = random.Random(f"maillage-demo-outreach-{tenant.slug}")
    communes = list(
        (
            await session.execute(
                select(Commune)
                .where(Commune.departement_code == tenant.departement_code)
                .order_by(Commune.population.desc(), Commune.insee_code)
                .limit(14)
            )
        ).scalars()
    )
    if not communes:
        return
    speakers = [
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
    structures = list(
        (
            await session.execute(
                select(Structure)
                .where(Structure.kind.in_(["eaje", "mam", "rpe", "acm"]))
                .order_by(Structure.name, Structure.id)
            )
        ).scalars()
    )
    # A pole for children 0–6 (63) mostly speaks to early-childhood teams.
    young_only = tenant.departement_code == "63"
    for _ in range(64):
        kind, audiences, durations, people, named = rng.choice(SESSION_PLANS)
        audience = "early_childhood" if young_only else rng.choice(audiences)
        commune = rng.choice(communes[:8] if rng.random() < 0.7 else communes)
        here = [s for s in structures if s.commune_insee == commune.insee_code]
        host = rng.choice(here or structures) if named and structures else None
        count = rng.randint(*people)
        row = AwarenessSession(
            kind=kind,
            audience=audience,
            commune_insee=commune.insee_code,
            held_on=_day(rng),
            half_days=rng.choice(durations),
            participants_count=count,
            host_structure_id=host.id if host else None,
            title="",
            materials=sorted(rng.sample(MATERIALS, rng.randint(1, 3))),
            notes="(fictif) Séance préparée avec l'équipe d'accueil.",
        )
        session.add(row)
        await session.flush()
        for user_id in rng.sample(speakers, min(len(speakers), rng.randint(1, 2))):
            session.add(SessionSpeaker(session_id=row.id, user_id=user_id))
        if named:
            for position in range(min(count, rng.randint(3, 8))):
                session.add(
                    SessionParticipant(
                        session_id=row.id,
                        position=position,
                        name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}. (fictif)",
                        structure_id=host.id if host else None,
                    )
                )
    for _ in range(18):
        kind, title = rng.choice(EVENTS)
        commune = rng.choice(communes)
        session.add(
            OutreachEvent(
                kind=kind,
                commune_insee=commune.insee_code,
                held_on=_day(rng),
                people_reached=rng.randint(15, 220),
                title=title.format(commune=commune.name),
                notes="(fictif) Documentation du pôle distribuée, contacts pris.",
            )
        )
    await session.flush()
