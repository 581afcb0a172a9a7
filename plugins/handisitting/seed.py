"""Demo data: fictitious sitters in the pole's most populous communes (approved, one
applying, one suspended for an expired criminal-record extract), their weekly slots
and documents, and — when the pole has families — requests for their children: one
booked on Wednesday afternoons with sittings done and both sides' feedback, one open,
one closed for lack of a sitter in the area.

The first sitter, Inès Lambert, is the demo's ``sitter@<pole>.maillage.example``
account (core's demo accounts): « Mes gardes » shows her the Wednesday booking, whose
needs sheet is open while the family's consent holds, and an older booking with
another family whose sheet closed a week after its last sitting.

Documents are seeded as checked on the original with no scan kept (a pole may choose
so: decision 136); a demo never holds a real file. Dates follow today, so the demo
stays alive. Idempotent: nothing is added once the pole has sitters (the account is
linked on a later run if it was not yet).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.handisitting import bookings
from plugins.handisitting.models import (
    Availability,
    Document,
    Feedback,
    Request,
    Sitter,
    Sitting,
    Skill,
    VettingStep,
)
from plugins.handisitting.sitters import NO_COPY
from plugins.handisitting.vocabulary import (
    Background,
    DocumentKind,
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
        "Inès",
        "Lambert",
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


def _email(first: str, last: str) -> str:
    plain = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
    return plain.encode("ascii", "ignore").decode() + "@exemple.invalid"


async def seed(tenant: sdk.Tenant, session: AsyncSession) -> None:
    if not (await session.execute(select(Sitter.id).limit(1))).first():
        await _sitters(tenant, session)
    await _link_demo_account(session)


async def _link_demo_account(session: AsyncSession) -> None:
    """The pole's demo account with the ``sitter`` role signs in as the first demo
    sitter (where core's demo accounts exist and nobody is linked yet)."""
    if await session.scalar(select(Sitter.id).where(Sitter.user_id.is_not(None)).limit(1)):
        return
    first, last = SITTERS[0][:2]
    sitter = await session.scalar(select(Sitter).where(Sitter.email == _email(first, last)))
    accounts = await sdk.list_staff_members(session, roles=["sitter"])
    if sitter is None or not accounts:
        return
    sitter.user_id = accounts[0].id
    await session.flush()


async def _sitters(tenant: sdk.Tenant, session: AsyncSession) -> None:
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
            email=_email(first, last),
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


async def _request(
    session: AsyncSession,
    plan: tuple[sdk.FamilyView, sdk.ChildView],
    needs: str,
    skills: list[str],
    days: tuple[dt.date, dt.date],
    hours: tuple[dt.time, dt.time],
    unmatched: UnmatchedReason | None = None,
) -> Request:
    """A request of the family for its child, at home: one day, or every week from the
    first day to the last."""
    family, child = plan
    row = Request(
        family_id=family.id,
        child_id=child.id,
        needs=needs,
        skills=skills,
        commune_insee=family.commune_insee or child.commune_insee,
        first_on=days[0],
        last_on=days[1],
        weekly=days[1] > days[0],
        starts_at=hours[0],
        ends_at=hours[1],
        status=(RequestStatus.OPEN if unmatched is None else RequestStatus.UNMATCHED).value,
        unmatched_reason=None if unmatched is None else unmatched.value,
        recorded_by=SEEDER,
    )
    session.add(row)
    await session.flush()
    return row


async def _requests(session: AsyncSession, sitters: list[Sitter], today: dt.date) -> None:
    families = await sdk.list_families(session, limit=30)
    plans = []
    for family in families:
        children = await sdk.list_children(session, family.id)
        if children:
            consented = await sdk.consent_active(session, family.id, bookings.CONSENT)
            plans.append((not consented, family, children[0]))
    # The booked family first among those whose consent opens the needs sheet.
    plans = [(f, c) for _, f, c in sorted(plans, key=lambda p: p[0])][:3]
    if not plans:
        return
    # A weekly request booked with Inès: three Wednesdays done, the rest to come.
    first = _last_wednesday(today, 2)
    booked = await _request(
        session,
        plans[0],
        NEEDS,
        ["autism"],
        (first, first + dt.timedelta(weeks=10)),
        (dt.time(14, 0), dt.time(17, 30)),
    )
    ines = sitters[0]
    done = await _book(session, booked, ines, met_on=first - dt.timedelta(days=5), today=today)
    for sitting in done:
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
        # Three Saturdays done with Inès four months ago: the needs sheet closed a week
        # after the last one (the pole's default ``share_days_after``).
        first = today - dt.timedelta(days=(today.weekday() - 5) % 7 + 7 * 18)
        past = await _request(
            session,
            plans[1],
            "Trois samedis de fin d'après-midi pendant l'hospitalisation d'un parent.",
            ["first_aid"],
            (first, first + dt.timedelta(weeks=2)),
            (dt.time(16, 30), dt.time(18, 30)),
        )
        await _book(session, past, ines, met_on=first - dt.timedelta(days=4), today=today)
        saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 + 14)
        await _request(
            session,
            plans[1],
            "Besoin d'une garde un samedi pour un mariage ; crises d'épilepsie "
            "possibles, protocole à connaître.",
            ["epilepsy", "first_aid"],
            (saturday, saturday),
            (dt.time(16, 30), dt.time(19, 0)),
        )
    if len(plans) > 2:
        day = today - dt.timedelta(days=40)
        await _request(
            session,
            plans[2],
            "Garde le mardi matin ; enfant polyhandicapé, alimentation par sonde.",
            ["polyhandicap", "feeding"],
            (day, day),
            (dt.time(8, 30), dt.time(12, 0)),
            unmatched=UnmatchedReason.NO_SITTER_AREA,
        )


async def _book(
    session: AsyncSession, request: Request, sitter: Sitter, *, met_on: dt.date, today: dt.date
) -> list[Sitting]:
    """The path staff take, through the plugin's services: proposed (the score
    computed), accepted, met, agreed by the family two days later; the sittings before
    today done. Returns those done."""
    proposal = await bookings.propose(
        session,
        request_id=request.id,
        sitter_id=sitter.id,
        confirm_warnings=True,
        today=met_on,
        actor=SEEDER,
    )
    await bookings.answer(
        session, proposal_id=proposal.id, accept=True, note="", sitter_user_id=None, actor=SEEDER
    )
    await bookings.record_meeting(session, proposal_id=proposal.id, met_on=met_on, actor=SEEDER)
    booking = await bookings.agree(
        session,
        proposal_id=proposal.id,
        agreed_on=met_on + dt.timedelta(days=2),
        share_days_after=7,
        today=met_on + dt.timedelta(days=2),
        actor=SEEDER,
    )
    done = [s for s in (await bookings.sittings(session, [booking.id]))[booking.id] if s.on < today]
    for sitting in done:
        await bookings.record_sitting(
            session,
            sitting_id=sitting.id,
            status=SittingStatus.DONE.value,
            today=today,
            actor=SEEDER,
        )
    return done
