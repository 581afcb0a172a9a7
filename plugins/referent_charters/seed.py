"""Demo data: three training sessions, the default charter, a few fictitious referents in
the pole's most populous communes, their signatures, and two meetings a year.

Works for any pole (communes come from the pole's département). Idempotent: each row
is looked up by its natural key (session number, charter version, referent name and
session, meeting date and title) and added only when missing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.referent_charters.models import (
    Attendance,
    CharterVersion,
    Meeting,
    Referent,
    Signature,
    TrainingSession,
)
from plugins.referent_charters.vocabulary import (
    DEFAULT_CHARTER_VERSION,
    DEFAULT_COMMITMENTS,
    Job,
    MeetingKind,
    StructureKind,
)

PROGRAMME = (
    "Deux journées animées par une association partenaire (handicap et développement du "
    "jeune enfant, accueil des familles), puis une journée animée par le pôle (rôle du "
    "référent, charte, outils d'observation)."
)
# number -> (first day, last day): the three days are spread over a month.
SESSIONS = {
    5: (dt.date(2024, 3, 11), dt.date(2024, 4, 8)),
    6: (dt.date(2025, 3, 10), dt.date(2025, 4, 7)),
    7: (dt.date(2026, 3, 9), dt.date(2026, 4, 13)),
}
CHARTER_PUBLISHED_ON = dt.date(2021, 9, 1)

# Fictitious people and crèches. (first name, last name, job, structure, session number)
EAJE, DOMICILE = StructureKind.EAJE, StructureKind.DOMICILE
REFERENTS: tuple[tuple[str, str, Job, StructureKind, str, int], ...] = (
    ("Claire", "Dumontel", Job.EJE, EAJE, "Multi-accueil Les Petits Pas", 5),
    ("Sophie", "Bérangier", Job.CHILDMINDER, DOMICILE, "", 5),
    ("Nadia", "Fernel", Job.DIRECTOR, EAJE, "Crèche Les Lucioles", 5),
    ("Julien", "Marsac", Job.NURSE, EAJE, "Multi-accueil Arc-en-ciel", 6),
    ("Émilie", "Roussange", Job.CAP_AEPE, EAJE, "Micro-crèche Les Galopins", 6),
    ("Martine", "Vial-Orcet", Job.CHILDMINDER, DOMICILE, "", 6),
    ("Léa", "Chabrier", Job.RSAI, EAJE, "Crèche familiale Les Marmots", 7),
    ("Inès", "Bouvaret", Job.EJE, EAJE, "Multi-accueil Pomme d'Api", 7),
    ("Patricia", "Genestoux", Job.CHILDMINDER, DOMICILE, "", 7),
)

FOLLOW_UP, THEMED_DAY = MeetingKind.FOLLOW_UP, MeetingKind.THEMED_DAY
MEETINGS: tuple[tuple[dt.date, MeetingKind, str], ...] = (
    (dt.date(2024, 6, 18), FOLLOW_UP, "Réunion de suivi des référents"),
    (dt.date(2024, 11, 19), THEMED_DAY, "Journée thématique : l'accueil d'un enfant autiste"),
    (dt.date(2025, 6, 17), FOLLOW_UP, "Réunion de suivi des référents"),
    (dt.date(2025, 11, 18), THEMED_DAY, "Journée thématique : communiquer avec des pictogrammes"),
    (dt.date(2026, 6, 16), FOLLOW_UP, "Réunion de suivi des référents"),
    (dt.date(2026, 10, 13), THEMED_DAY, "Journée thématique : sensorialité et aménagement"),
)


async def seed(tenant: sdk.Tenant, session: AsyncSession) -> None:
    sessions = await _sessions(session)
    charter = await _charter(session)
    communes = list(
        (
            await session.execute(
                select(sdk.Commune.insee_code)
                .where(sdk.Commune.departement_code == tenant.departement_code)
                .order_by(sdk.Commune.population.desc(), sdk.Commune.insee_code)
                .limit(len(REFERENTS))
            )
        ).scalars()
    )
    referents = await _referents(session, sessions, communes)
    await _signatures(session, charter, referents, sessions)
    await _meetings(session, referents, sessions)
    await session.flush()


async def _sessions(session: AsyncSession) -> dict[int, TrainingSession]:
    existing = {s.number: s for s in (await session.execute(select(TrainingSession))).scalars()}
    for number, (start, end) in SESSIONS.items():
        if number not in existing:
            existing[number] = TrainingSession(
                number=number,
                title=f"{number}e session de formation des référents",
                start_on=start,
                end_on=end,
                programme=PROGRAMME,
            )
            session.add(existing[number])
    await session.flush()
    return existing


async def _charter(session: AsyncSession) -> CharterVersion:
    charter = await session.scalar(
        select(CharterVersion).where(CharterVersion.version == DEFAULT_CHARTER_VERSION)
    )
    if charter is None:
        charter = CharterVersion(
            version=DEFAULT_CHARTER_VERSION,
            commitments=list(DEFAULT_COMMITMENTS),
            published_on=CHARTER_PUBLISHED_ON,
        )
        session.add(charter)
        await session.flush()
    return charter


async def _referents(
    session: AsyncSession, sessions: dict[int, TrainingSession], communes: list[str]
) -> list[tuple[Referent, int]]:
    """(referent, session number) for the demo referents; none without communes."""
    if not communes:
        return []
    existing = {
        (r.first_name, r.last_name, r.training_session_id): r
        for r in (await session.execute(select(Referent))).scalars()
    }
    found = []
    for i, (first, last, job, kind, structure, number) in enumerate(REFERENTS):
        session_id = sessions[number].id
        row = existing.get((first, last, session_id))
        if row is None:
            row = Referent(
                first_name=first,
                last_name=last,
                job=job.value,
                commune_insee=communes[i % len(communes)],
                structure_kind=kind.value,
                structure_name=structure,
                training_session_id=session_id,
            )
            session.add(row)
        found.append((row, number))
    await session.flush()
    return found


async def _signatures(
    session: AsyncSession,
    charter: CharterVersion,
    referents: list[tuple[Referent, int]],
    sessions: dict[int, TrainingSession],
) -> None:
    signed = set((await session.execute(select(Signature.referent_id))).scalars())
    for i, (referent, number) in enumerate(referents):
        if referent.id in signed:
            continue
        # Signed on the last training day; the establishment a week later, the pole a
        # week after that — except the last one, still waiting for the pole.
        last_day = sessions[number].end_on
        at_home = referent.structure_kind == StructureKind.DOMICILE.value
        session.add(
            Signature(
                referent_id=referent.id,
                charter_version_id=charter.id,
                signed_on=last_day,
                establishment_signed_on=None if at_home else last_day + dt.timedelta(days=7),
                pole_signed_on=(
                    None if i == len(referents) - 1 else last_day + dt.timedelta(days=14)
                ),
            )
        )


async def _meetings(
    session: AsyncSession,
    referents: list[tuple[Referent, int]],
    sessions: dict[int, TrainingSession],
) -> None:
    existing = {(m.held_on, m.title): m for m in (await session.execute(select(Meeting))).scalars()}
    rows = []
    for held_on, kind, title in MEETINGS:
        row = existing.get((held_on, title))
        if row is None:
            row = Meeting(held_on=held_on, kind=kind.value, title=title)
            session.add(row)
        rows.append(row)
    await session.flush()
    present: set[tuple[uuid.UUID, uuid.UUID]] = {
        (meeting_id, referent_id)
        for meeting_id, referent_id in await session.execute(
            select(Attendance.meeting_id, Attendance.referent_id)
        )
    }
    today = dt.date.today()
    for j, meeting in enumerate(rows):
        if meeting.held_on > today:
            continue
        for i, (referent, number) in enumerate(referents):
            # Trained referents only, and not all of them every time: some fall behind.
            if sessions[number].end_on > meeting.held_on or (i + j) % 3 == 0:
                continue
            if (meeting.id, referent.id) not in present:
                session.add(Attendance(meeting_id=meeting.id, referent_id=referent.id))
