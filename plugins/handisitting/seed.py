"""Demo data: fictitious sitters in the pole's most populous communes (approved, one
applying, one suspended for an expired criminal-record extract), their weekly slots
and documents, and — when the pole has families — requests for their children: one
booked on Wednesday afternoons with sittings done and both sides' feedback, one open,
one closed for lack of a sitter in the area.

Documents are seeded as checked on the original with no scan kept (a pole may choose
so: decision 136); a demo never holds a real file. Dates follow today, so the demo
stays alive. Idempotent: nothing is added once the pole has sitters.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.handisitting.models import (
    Availability,
    Booking,
    Document,
    Feedback,
    Proposal,
    Request,
    Sitter,
    Sitting,
    Skill,
    VettingStep,
    minutes_between,
)
from plugins.handisitting.sitters import NO_COPY
from plugins.handisitting.vocabulary import (
    Background,
    BookingStatus,
    DocumentKind,
    ProposalStatus,
    RequestStatus,
    Side,
    SitterStatus,
    SittingStatus,
    UnmatchedReason,
)

SEEDER = "demo:handisitting"
WEDNESDAY = 2
# (first name, last name, background, detail, skills, travel km, status, weekday slots)
SITTERS = (
    (
        "Camille",
        "Verdonck",
        Background.MEDICO_SOCIAL,
        "3e année d'éducatrice spécialisée (IRTS)",
        ["autism", "behaviour", "first_aid"],
        15,
        SitterStatus.APPROVED,
        [WEDNESDAY, 5],
    ),
    (
        "Yanis",
        "Delattre",
        Background.MEDICAL,
        "Étudiant infirmier, 2e année (IFSI)",
        ["epilepsy", "feeding", "first_aid", "motor"],
        20,
        SitterStatus.APPROVED,
        [WEDNESDAY, 4],
    ),
    (
        "Manon",
        "Lefebvre",
        Background.DISABILITY,
        "Accompagnante éducative et sociale (AES)",
        ["polyhandicap", "motor", "feeding"],
        10,
        SitterStatus.APPROVED,
        [1, 3],
    ),
    (
        "Léna",
        "Dufossé",
        Background.SOCIAL,
        "Licence sciences de l'éducation, LSF niveau B1",
        ["deaf", "lsf", "autism"],
        25,
        SitterStatus.APPROVED,
        [WEDNESDAY, 5],
    ),
    (
        "Hugo",
        "Caron",
        Background.EXPERIENCE,
        "Grand frère d'un adolescent autiste, animateur BAFA",
        ["autism", "behaviour"],
        8,
        SitterStatus.APPLIED,
        [WEDNESDAY],
    ),
    (
        "Sarah",
        "Boulanger",
        Background.MEDICO_SOCIAL,
        "Monitrice-éducatrice",
        ["autism", "sensory"],
        12,
        SitterStatus.SUSPENDED,
        [WEDNESDAY],
    ),
)
NEEDS = (
    "Théo est autiste, il parle peu mais comprend les consignes courtes. Il a besoin d'un "
    "emploi du temps visuel (pictogrammes sur le frigo) et d'être prévenu de chaque "
    "changement. Il aime les puzzles et les trains. Éviter les bruits forts ; son casque "
    "anti-bruit est dans l'entrée. Goûter vers 16 h (pas de gluten)."
)


async def seed(tenant: sdk.Tenant, session: AsyncSession) -> None:
    if (await session.execute(select(Sitter.id).limit(1))).first():
        return
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    if not (await session.execute(select(Skill.id).where(Skill.code == "sensory"))).first():
        session.add(Skill(code="sensory", label="Troubles sensoriels (hypersensibilité)"))
    communes = list(
        (
            await session.execute(
                select(sdk.Commune.insee_code)
                .where(sdk.Commune.departement_code == tenant.departement_code)
                .order_by(sdk.Commune.population.desc(), sdk.Commune.insee_code)
                .limit(len(SITTERS))
            )
        ).scalars()
    )
    if not communes:
        return
    sitters = []
    for i, (first, last, background, detail, skills, km, status, days) in enumerate(SITTERS):
        sitter = Sitter(
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@exemple.invalid",
            phone="06 00 00 00 0" + str(i),
            commune_insee=communes[i % len(communes)],
            travel_km=km,
            background=background.value,
            background_detail=detail,
            languages=["français"] + (["anglais"] if i % 2 else []),
            skills=sorted(skills),
            status=status.value,
        )
        session.add(sitter)
        await session.flush()
        sitters.append(sitter)
        for day in days:
            session.add(
                Availability(
                    sitter_id=sitter.id,
                    weekday=day,
                    starts_at=dt.time(13, 0) if day == WEDNESDAY else dt.time(16, 30),
                    ends_at=dt.time(19, 0),
                )
            )
        steps = [SitterStatus.APPLIED]
        if status is not SitterStatus.APPLIED:
            steps += [SitterStatus.INTERVIEW, SitterStatus.DOCUMENTS_CHECKED, SitterStatus.APPROVED]
        if status is SitterStatus.SUSPENDED:
            steps.append(SitterStatus.SUSPENDED)
        for n, step in enumerate(steps):
            session.add(
                VettingStep(
                    sitter_id=sitter.id,
                    status=step.value,
                    reason={
                        SitterStatus.APPLIED: "Candidature reçue par le formulaire",
                        SitterStatus.INTERVIEW: "Entretien au pôle : motivation et expérience",
                        SitterStatus.DOCUMENTS_CHECKED: "Originaux vus à l'entretien",
                        SitterStatus.APPROVED: "Agrément par la coordinatrice",
                        SitterStatus.SUSPENDED: "Extrait de casier judiciaire expiré",
                    }[step],
                    by=SEEDER,
                    at=now - dt.timedelta(days=200 - 20 * n),
                )
            )
        if status is SitterStatus.APPLIED:
            continue
        record_on = today - dt.timedelta(days=400 if status is SitterStatus.SUSPENDED else 150)
        for kind, expires in (
            (DocumentKind.IDENTITY, today + dt.timedelta(days=2000)),
            (DocumentKind.CRIMINAL_RECORD, record_on + dt.timedelta(days=365)),
            (DocumentKind.FIRST_AID, today + dt.timedelta(days=20 + 30 * i)),
        ):
            session.add(
                Document(
                    sitter_id=sitter.id,
                    kind=kind.value,
                    filename=NO_COPY,
                    content_type="",
                    size=0,
                    content=None,
                    issued_on=record_on,
                    expires_on=expires,
                    checked_by=SEEDER,
                    checked_at=now - dt.timedelta(days=150),
                )
            )
    await _requests(session, sitters, today)
    await session.flush()


def _last_wednesday(today: dt.date, weeks_back: int) -> dt.date:
    back = (today.weekday() - WEDNESDAY) % 7 or 7
    return today - dt.timedelta(days=back + 7 * weeks_back)


async def _requests(session: AsyncSession, sitters: list[Sitter], today: dt.date) -> None:
    families = await sdk.list_families(session, limit=3)
    if not families:
        return
    plans = []
    for family in families:
        children = await sdk.list_children(session, family.id)
        if children:
            plans.append((family, children[0]))
    if not plans:
        return
    # A weekly request booked with Camille: three Wednesdays done, the rest to come.
    family, child = plans[0]
    first = _last_wednesday(today, 2)
    booked = Request(
        family_id=family.id,
        child_id=child.id,
        needs=NEEDS,
        skills=["autism"],
        commune_insee=family.commune_insee or child.commune_insee,
        first_on=first,
        last_on=first + dt.timedelta(weeks=10),
        weekly=True,
        starts_at=dt.time(14, 0),
        ends_at=dt.time(17, 30),
        status=RequestStatus.BOOKED.value,
        recorded_by=SEEDER,
    )
    session.add(booked)
    await session.flush()
    camille = sitters[0]
    proposal = Proposal(
        request_id=booked.id,
        sitter_id=camille.id,
        status=ProposalStatus.AGREED.value,
        score={
            "skills": {
                "points": 40.0,
                "weight": 40.0,
                "detail": "1 compétence(s) demandée(s) sur 1",
            },
            "distance": {"points": 20.0, "weight": 25.0, "detail": "3 km à vol d'oiseau"},
            "availability": {
                "points": 20.0,
                "weight": 20.0,
                "detail": "disponible pour 11 garde(s) sur 11",
            },
            "continuity": {
                "points": 0.0,
                "weight": 10.0,
                "detail": "ne connaît pas encore la famille",
            },
            "feedback": {"points": 2.5, "weight": 5.0, "detail": "pas encore d'avis des familles"},
            "total": 82.5,
        },
        warnings=[],
        proposed_by=SEEDER,
        met_on=first - dt.timedelta(days=5),
    )
    session.add(proposal)
    await session.flush()
    booking = Booking(
        proposal_id=proposal.id,
        request_id=booked.id,
        sitter_id=camille.id,
        family_id=family.id,
        child_id=child.id,
        status=BookingStatus.CONFIRMED.value,
        agreed_on=first - dt.timedelta(days=3),
        agreed_by=SEEDER,
        share_until=booked.last_on + dt.timedelta(days=7),
    )
    session.add(booking)
    await session.flush()
    for week in range(11):
        on = first + dt.timedelta(weeks=week)
        sitting = Sitting(
            booking_id=booking.id,
            sitter_id=camille.id,
            on=on,
            starts_at=booked.starts_at,
            ends_at=booked.ends_at,
            minutes=minutes_between(booked.starts_at, booked.ends_at),
            status=(SittingStatus.DONE if on < today else SittingStatus.PLANNED).value,
        )
        session.add(sitting)
        if on < today:
            await session.flush()
            session.add(
                Feedback(
                    sitting_id=sitting.id,
                    side=Side.FAMILY.value,
                    rating=4,
                    comment="Théo l'attendait à la fenêtre.",
                )
            )
            session.add(
                Feedback(
                    sitting_id=sitting.id,
                    side=Side.SITTER.value,
                    rating=3,
                    comment="Bonne après-midi, un moment difficile au goûter.",
                )
            )
    if len(plans) > 1:
        family, child = plans[1]
        session.add(
            Request(
                family_id=family.id,
                child_id=child.id,
                needs="Besoin d'une garde un samedi pour un mariage ; crises d'épilepsie "
                "possibles, protocole à connaître.",
                skills=["epilepsy", "first_aid"],
                commune_insee=family.commune_insee or child.commune_insee,
                first_on=today + dt.timedelta(days=(5 - today.weekday()) % 7 + 14),
                last_on=today + dt.timedelta(days=(5 - today.weekday()) % 7 + 14),
                weekly=False,
                starts_at=dt.time(16, 30),
                ends_at=dt.time(19, 0),
                status=RequestStatus.OPEN.value,
                recorded_by=SEEDER,
            )
        )
    if len(plans) > 2:
        family, child = plans[2]
        session.add(
            Request(
                family_id=family.id,
                child_id=child.id,
                needs="Garde le mardi matin ; enfant polyhandicapé, alimentation par sonde.",
                skills=["polyhandicap", "feeding"],
                commune_insee=family.commune_insee or child.commune_insee,
                first_on=today - dt.timedelta(days=40),
                last_on=today - dt.timedelta(days=40),
                weekly=False,
                starts_at=dt.time(8, 30),
                ends_at=dt.time(12, 0),
                status=RequestStatus.UNMATCHED.value,
                unmatched_reason=UnmatchedReason.NO_SITTER_AREA.value,
                recorded_by=SEEDER,
            )
        )
