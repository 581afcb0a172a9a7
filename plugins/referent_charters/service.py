"""The referent network's rules, for GraphQL and any later entry point: validate, then write.

Every check raises a coded error naming the GraphQL input field at fault
(``input.communeInsee``…), with a French message; the mutation turns it into a
payload error and nothing is written. Every write adds its audit event in the same
transaction, with field names only: referents are people, their names stay out of
the trail.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

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
    DEFAULT_COMMITMENTS,
    Job,
    MeetingKind,
    StructureKind,
)

PLUGIN = "referent_charters"
MAX_COMMITMENTS = 30
MAX_COMMITMENT_LENGTH = 500
# A charter or a sign-in sheet older than this is a typing mistake, not history.
EARLIEST = dt.date(2000, 1, 1)
# A training session's days, when they are not consecutive (« 7e session » over three
# separate days): more than this is several sessions.
MAX_DAYS = 20


# --- reading ---------------------------------------------------------------------------


def _referent_options() -> list[Any]:
    # Everything a referent node shows, loaded in a few batched statements per page
    # (no lazy loads: relationships are lazy="raise").
    return [
        selectinload(Referent.training_session),
        selectinload(Referent.commune),
        selectinload(Referent.signatures).selectinload(Signature.charter_version),
    ]


def referents_query(*, training_session_id: uuid.UUID | None = None) -> Any:
    statement = select(Referent).options(*_referent_options())
    if training_session_id is not None:
        statement = statement.where(Referent.training_session_id == training_session_id)
    return statement.order_by(Referent.last_name, Referent.first_name, Referent.id)


async def get_referents(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Referent]:
    rows = await session.execute(
        select(Referent).options(*_referent_options()).where(Referent.id.in_(ids))
    )
    return list(rows.scalars())


async def referent_with_context(session: AsyncSession, referent_id: uuid.UUID) -> Referent:
    """A referent just written, with what its node shows loaded afresh."""
    row = await session.scalar(
        select(Referent)
        .options(*_referent_options())
        .where(Referent.id == referent_id)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


@dataclass(frozen=True)
class Counts:
    """Referents per training session and signatures per charter version: the numbers
    the session and charter nodes show wherever they appear (two grouped statements
    over small tables, instead of one count per node)."""

    referents_by_session: dict[uuid.UUID, int]
    signatures_by_charter: dict[uuid.UUID, int]


async def counts(session: AsyncSession) -> Counts:
    by_session = await session.execute(
        select(Referent.training_session_id, func.count()).group_by(Referent.training_session_id)
    )
    by_charter = await session.execute(
        select(Signature.charter_version_id, func.count()).group_by(Signature.charter_version_id)
    )
    return Counts(
        {k: int(v) for k, v in by_session.all()}, {k: int(v) for k, v in by_charter.all()}
    )


async def training_sessions(
    session: AsyncSession, ids: Sequence[uuid.UUID] | None = None
) -> list[TrainingSession]:
    """Training sessions, the most recent first."""
    statement = select(TrainingSession).order_by(TrainingSession.number.desc())
    if ids is not None:
        statement = statement.where(TrainingSession.id.in_(ids))
    return list((await session.execute(statement)).scalars())


async def charters(
    session: AsyncSession, ids: Sequence[uuid.UUID] | None = None
) -> list[CharterVersion]:
    """Charter versions, the current one first."""
    statement = select(CharterVersion).order_by(
        CharterVersion.published_on.desc(), CharterVersion.id.desc()
    )
    if ids is not None:
        statement = statement.where(CharterVersion.id.in_(ids))
    return list((await session.execute(statement)).scalars())


async def meetings(
    session: AsyncSession,
    *,
    period: sdk.Period | None = None,
    ids: Sequence[uuid.UUID] | None = None,
) -> list[tuple[Meeting, int]]:
    """Meetings in date order, each with its number of attendees."""
    counts = (
        select(Attendance.meeting_id, func.count().label("n"))
        .group_by(Attendance.meeting_id)
        .subquery()
    )
    statement = (
        select(Meeting, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.meeting_id == Meeting.id)
        .order_by(Meeting.held_on, Meeting.id)
    )
    if period is not None:
        statement = statement.where(Meeting.held_on >= period.start, Meeting.held_on < period.end)
    if ids is not None:
        statement = statement.where(Meeting.id.in_(ids))
    return [(row, int(n)) for row, n in (await session.execute(statement)).all()]


@dataclass(frozen=True)
class AttendanceLine:
    referent: Referent
    year: int
    attended: int
    expected: int

    @property
    def behind(self) -> bool:
        return self.attended < self.expected


async def attendance_summary(
    session: AsyncSession, *, year: int, expected: int, behind_only: bool = False
) -> list[AttendanceLine]:
    """For each referent trained by the end of ``year``: meetings attended that year
    against the charter's commitment (``expected``, the pole's setting).

    A referent trained during the year owes the whole commitment: the charter says
    "twice a year", and the pole decides case by case whom to remind.
    """
    if not 2000 <= year <= 2100:
        raise sdk.ValidationError("année hors limites (2000 à 2100)", field="year")
    period = sdk.Period.year(year)
    referents = (
        (
            await session.execute(
                referents_query()
                .join(Referent.training_session)
                .where(TrainingSession.end_on < period.end)
            )
        )
        .scalars()
        .all()
    )
    attended = dict(
        (
            await session.execute(
                select(Attendance.referent_id, func.count())
                .join(Attendance.meeting)
                .where(Meeting.held_on >= period.start, Meeting.held_on < period.end)
                .group_by(Attendance.referent_id)
            )
        ).all()
    )
    lines = [AttendanceLine(r, year, int(attended.get(r.id, 0)), expected) for r in referents]
    return [line for line in lines if line.behind] if behind_only else lines


# --- checks ----------------------------------------------------------------------------


def _text(value: str, field: str, *, label: str, max_length: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise sdk.ValidationError(f"{label} : champ obligatoire", field=field)
    if len(value) > max_length:
        raise sdk.ValidationError(f"{label} : {max_length} caractères au plus", field=field)
    return value


def _past(day: dt.date, field: str, *, label: str) -> dt.date:
    if day > dt.date.today():
        raise sdk.ValidationError(f"{label} ne peut pas être dans le futur", field=field)
    if day < EARLIEST:
        raise sdk.ValidationError(f"{label} : date antérieure à 2000, vérifiez", field=field)
    return day


async def _by_id(session: AsyncSession, model: Any, row_id: uuid.UUID) -> Any:
    # Not session.get(): the primary key is (tenant_id, id); the scoped session adds
    # the pole, so the id alone finds the row, or nothing for another pole's id.
    return await session.scalar(select(model).where(model.id == row_id))


def _audit(
    session: AsyncSession, actor: str, verb: str, kind: str, row: Any, fields: Iterable[str]
) -> None:
    sdk.audit(
        session,
        actor=actor,
        action=f"{PLUGIN}.{verb}",
        object_type=f"{PLUGIN}.{kind}",
        object_id=str(row.id),
        fields=fields,
    )


# --- writing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingSessionInput:
    number: int
    title: str = ""
    # Either the first and last days, or the days one by one (then the first and last
    # days, if given, must be theirs).
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    days: Sequence[dt.date] = ()
    programme: str = ""


def _session_days(data: TrainingSessionInput) -> tuple[dt.date, dt.date, list[dt.date]]:
    """The first day, the last day and the days one by one (empty: every day from the
    first to the last)."""
    if len(data.days) > MAX_DAYS:
        raise sdk.ValidationError(f"{MAX_DAYS} journées au plus", field="input.days")
    seen: set[dt.date] = set()
    for index, day in enumerate(data.days):
        if day in seen:
            raise sdk.ValidationError("cette journée est déjà notée", field=f"input.days.{index}")
        seen.add(day)
    days = sorted(seen)
    start_on = data.start_on or (days[0] if days else None)
    end_on = data.end_on or (days[-1] if days else None)
    if start_on is None:
        raise sdk.ValidationError(
            "le premier jour, ou les journées une à une", field="input.startOn"
        )
    if end_on is None:
        raise sdk.ValidationError("le dernier jour, ou les journées une à une", field="input.endOn")
    if days and start_on != days[0]:
        raise sdk.ValidationError(
            f"le premier jour est la première journée notée ({sdk.date_fr(days[0])})",
            field="input.startOn",
        )
    if days and end_on != days[-1]:
        raise sdk.ValidationError(
            f"le dernier jour est la dernière journée notée ({sdk.date_fr(days[-1])})",
            field="input.endOn",
        )
    if end_on < start_on:
        raise sdk.ValidationError(
            "la fin de la session ne peut pas précéder son début", field="input.endOn"
        )
    if (end_on - start_on).days > 366:
        raise sdk.ValidationError("une session dure moins d'un an", field="input.endOn")
    return start_on, end_on, days


async def _check_training_session(
    session: AsyncSession, data: TrainingSessionInput, *, same: uuid.UUID | None = None
) -> dict[str, Any]:
    if not 1 <= data.number <= 999:
        raise sdk.ValidationError("numéro de session entre 1 et 999", field="input.number")
    title = _text(data.title, "input.title", label="Titre", max_length=200, required=False)
    programme = _text(
        data.programme, "input.programme", label="Programme", max_length=4000, required=False
    )
    start_on, end_on, days = _session_days(data)
    taken = select(TrainingSession.id).where(TrainingSession.number == data.number)
    if same is not None:
        taken = taken.where(TrainingSession.id != same)
    if await session.scalar(taken):
        raise sdk.ConflictError(f"la {data.number}e session existe déjà", field="input.number")
    return {
        "number": data.number,
        "title": title or f"{data.number}e session de formation des référents",
        "start_on": start_on,
        "end_on": end_on,
        "days": [d.isoformat() for d in days],
        "programme": programme,
    }


async def record_training_session(
    session: AsyncSession, data: TrainingSessionInput, *, actor: str
) -> TrainingSession:
    values = await _check_training_session(session, data)
    row = TrainingSession(**values)
    session.add(row)
    await session.flush()
    _audit(session, actor, "record_training_session", "training_session", row, list(values))
    return row


async def correct_training_session(
    session: AsyncSession, training_session_id: uuid.UUID, data: TrainingSessionInput, *, actor: str
) -> TrainingSession:
    """Correct a session with all its fields (a day moved, a title mistyped): its
    referents stay, and the report places them by the corrected last day."""
    row = await _by_id(session, TrainingSession, training_session_id)
    if row is None:
        raise sdk.NotFoundError("session de formation introuvable", field="id")
    values = await _check_training_session(session, data, same=row.id)
    # A charter is signed at the end of the training, never before its first day.
    signed_before = await session.scalar(
        select(func.min(Signature.signed_on))
        .join(Signature.referent)
        .where(Referent.training_session_id == row.id)
    )
    if signed_before is not None and signed_before < values["start_on"]:
        raise sdk.ValidationError(
            f"une charte de cette session est signée le {sdk.date_fr(signed_before)}, "
            "avant ce premier jour",
            field="input.startOn",
        )
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    await session.flush()
    if changed:
        _audit(session, actor, "correct_training_session", "training_session", row, changed)
    return row


async def register_referent(
    session: AsyncSession,
    *,
    departement_code: str,
    first_name: str,
    last_name: str,
    job: Job,
    commune_insee: str,
    structure_kind: StructureKind,
    structure_name: str,
    training_session_id: uuid.UUID,
    actor: str,
) -> Referent:
    first_name = _text(first_name, "input.firstName", label="Prénom", max_length=100)
    last_name = _text(last_name, "input.lastName", label="Nom", max_length=100)
    structure_name = _text(
        structure_name,
        "input.structureName",
        label="Nom de l'établissement",
        max_length=200,
        required=structure_kind is StructureKind.EAJE,
    )
    commune = await session.get(sdk.Commune, commune_insee.strip())
    if commune is None:
        raise sdk.ValidationError(f"commune inconnue : {commune_insee}", field="input.communeInsee")
    # A pole's network covers its own département.
    if commune.departement_code != departement_code:
        raise sdk.ValidationError(
            f"la commune {commune.name} n'est pas dans le département du pôle ({departement_code})",
            field="input.communeInsee",
        )
    if await _by_id(session, TrainingSession, training_session_id) is None:
        raise sdk.NotFoundError("session de formation introuvable", field="input.trainingSessionId")
    row = Referent(
        first_name=first_name,
        last_name=last_name,
        job=job.value,
        commune_insee=commune.insee_code,
        structure_kind=structure_kind.value,
        structure_name=structure_name,
        training_session_id=training_session_id,
    )
    session.add(row)
    await session.flush()
    _audit(
        session,
        actor,
        "register_referent",
        "referent",
        row,
        [
            "first_name",
            "last_name",
            "job",
            "commune_insee",
            "structure_kind",
            "structure_name",
            "training_session_id",
        ],
    )
    return await referent_with_context(session, row.id)


async def publish_charter(
    session: AsyncSession,
    *,
    version: str,
    published_on: dt.date,
    commitments: Sequence[str] | None,
    actor: str,
) -> CharterVersion:
    version = _text(version, "input.version", label="Version", max_length=40)
    published_on = _past(published_on, "input.publishedOn", label="La date de publication")
    wording = (
        list(DEFAULT_COMMITMENTS)
        if commitments is None
        else [
            _text(
                c,
                f"input.commitments.{i}",
                label=f"Engagement n° {i + 1}",
                max_length=MAX_COMMITMENT_LENGTH,
            )
            for i, c in enumerate(commitments)
        ]
    )
    if not 1 <= len(wording) <= MAX_COMMITMENTS:
        raise sdk.ValidationError(
            f"une charte compte de 1 à {MAX_COMMITMENTS} engagements", field="input.commitments"
        )
    if len(set(wording)) != len(wording):
        raise sdk.ValidationError("le même engagement figure deux fois", field="input.commitments")
    if await session.scalar(select(CharterVersion.id).where(CharterVersion.version == version)):
        raise sdk.ConflictError(
            f"la version « {version} » de la charte existe déjà", field="input.version"
        )
    row = CharterVersion(version=version, published_on=published_on, commitments=wording)
    session.add(row)
    await session.flush()
    _audit(
        session,
        actor,
        "publish_charter",
        "charter_version",
        row,
        ["version", "published_on", "commitments"],
    )
    return row


async def current_charter(session: AsyncSession) -> CharterVersion | None:
    return await session.scalar(
        select(CharterVersion)
        .order_by(CharterVersion.published_on.desc(), CharterVersion.id.desc())
        .limit(1)
    )


async def record_signature(
    session: AsyncSession,
    *,
    referent_id: uuid.UUID,
    charter_version_id: uuid.UUID | None,
    signed_on: dt.date,
    establishment_signed_on: dt.date | None,
    pole_signed_on: dt.date | None,
    actor: str,
) -> tuple[Signature, Referent]:
    """Record a referent's signature of a charter version (the current one by default),
    or complete it: the countersignatures often come weeks later. Dates already
    recorded are replaced by the ones given; a date left out is kept."""
    referent = await session.scalar(
        select(Referent)
        .options(selectinload(Referent.training_session))
        .where(Referent.id == referent_id)
    )
    if referent is None:
        raise sdk.NotFoundError("référent introuvable", field="input.referentId")
    if charter_version_id is None:
        charter = await current_charter(session)
        if charter is None:
            raise sdk.NotFoundError(
                "aucune charte publiée : publiez d'abord une version de la charte",
                field="input.charterId",
            )
    else:
        charter = await _by_id(session, CharterVersion, charter_version_id)
        if charter is None:
            raise sdk.NotFoundError("version de la charte introuvable", field="input.charterId")
    signed_on = _past(signed_on, "input.signedOn", label="La signature du référent")
    if signed_on < charter.published_on:
        raise sdk.ValidationError(
            f"la version « {charter.version} » n'était pas encore publiée à cette date",
            field="input.signedOn",
        )
    if signed_on < referent.training_session.start_on:
        raise sdk.ValidationError(
            "la charte se signe à l'issue de la formation, pas avant son début",
            field="input.signedOn",
        )
    if establishment_signed_on is not None:
        if referent.structure_kind == StructureKind.DOMICILE.value:
            raise sdk.ValidationError(
                "un·e assistant·e maternel·le à domicile n'a pas d'établissement signataire",
                field="input.establishmentSignedOn",
            )
        _past(
            establishment_signed_on,
            "input.establishmentSignedOn",
            label="La signature de l'établissement",
        )
    if pole_signed_on is not None:
        _past(pole_signed_on, "input.poleSignedOn", label="La signature du pôle")

    row = await session.scalar(
        select(Signature).where(
            Signature.referent_id == referent.id, Signature.charter_version_id == charter.id
        )
    )
    changed = ["signed_on"]
    if row is None:
        row = Signature(referent_id=referent.id, charter_version_id=charter.id, signed_on=signed_on)
        session.add(row)
        changed += ["referent_id", "charter_version_id"]
    row.signed_on = signed_on
    if establishment_signed_on is not None:
        row.establishment_signed_on = establishment_signed_on
        changed.append("establishment_signed_on")
    if pole_signed_on is not None:
        row.pole_signed_on = pole_signed_on
        changed.append("pole_signed_on")
    await session.flush()
    _audit(session, actor, "record_signature", "signature", row, changed)
    # Reloaded through the referent: its signatures come with their charter versions.
    referent = await referent_with_context(session, referent.id)
    return next(s for s in referent.signatures if s.id == row.id), referent


async def record_meeting(
    session: AsyncSession, *, held_on: dt.date, kind: MeetingKind, title: str, actor: str
) -> Meeting:
    title = _text(title, "input.title", label="Titre", max_length=200)
    if held_on < EARLIEST:
        raise sdk.ValidationError("date antérieure à 2000, vérifiez", field="input.heldOn")
    duplicate = await session.scalar(
        select(Meeting.id).where(Meeting.held_on == held_on, Meeting.title == title)
    )
    if duplicate is not None:
        raise sdk.ConflictError(
            "une rencontre de ce titre existe déjà à cette date", field="input.title"
        )
    row = Meeting(held_on=held_on, kind=kind.value, title=title)
    session.add(row)
    await session.flush()
    _audit(session, actor, "record_meeting", "meeting", row, ["held_on", "kind", "title"])
    return row


async def record_attendance(
    session: AsyncSession,
    *,
    meeting_id: uuid.UUID,
    referent_ids: Sequence[uuid.UUID],
    actor: str,
) -> tuple[Meeting, int]:
    """Record a meeting's sign-in sheet: the referents present. The list replaces the
    one recorded before, so a correction is the same call with the right list."""
    meeting = await session.scalar(
        select(Meeting).options(selectinload(Meeting.attendances)).where(Meeting.id == meeting_id)
    )
    if meeting is None:
        raise sdk.NotFoundError("rencontre introuvable", field="input.meetingId")
    if meeting.held_on > dt.date.today():
        raise sdk.ValidationError(
            "la rencontre n'a pas encore eu lieu : la feuille de présence attendra",
            field="input.meetingId",
        )
    wanted = list(dict.fromkeys(referent_ids))
    found = set(
        (await session.execute(select(Referent.id).where(Referent.id.in_(wanted)))).scalars()
    )
    for position, referent_id in enumerate(wanted):
        if referent_id not in found:
            raise sdk.NotFoundError(
                f"référent introuvable (n° {position + 1} de la liste)",
                field="input.referentIds",
            )
    present = set(wanted)
    meeting.attendances = [a for a in meeting.attendances if a.referent_id in present]
    already = {a.referent_id for a in meeting.attendances}
    for referent_id in wanted:
        if referent_id not in already:
            meeting.attendances.append(Attendance(referent_id=referent_id))
    await session.flush()
    _audit(session, actor, "record_attendance", "meeting", meeting, ["attendances"])
    return meeting, len(present)
