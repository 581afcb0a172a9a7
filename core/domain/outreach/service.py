"""Awareness sessions and events: the rules of recording them, the lists, and the
tables the poles' activity reports print.

A session happens in a commune of the territory reference, or at a distance by video
(then it has no commune), lasts a whole number of half days, is led by members of the
pole, and counts its participants; when names are listed the count is derived from them
or must be at least their number. Every function checks
the caller's action, names the field at fault, and audits the fields it writes; a failing
call writes nothing (the caller's transaction is rolled back whole).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.auth.models import Membership
from core.db.limits import check_length, limit_text
from core.domain.lookups import audit, check_commune, delete_recorded
from core.domain.lookups import get_or_not_found as _get
from core.domain.outreach.models import (
    AwarenessSession,
    OutreachEvent,
    SessionParticipant,
    SessionSpeaker,
)
from core.domain.outreach.vocabulary import AUDIENCES, EVENT_KINDS, REMOTE_LABEL, SESSION_KINDS
from core.domain.structures.models import Structure
from core.errors import ValidationError
from core.territory.models import Commune

READ = "outreach.read"
MANAGE = "outreach.manage"
# Ten days: longer courses are recorded as several sessions, as the reports count them.
MAX_HALF_DAYS = 20
# A support's name ("Plaquette du pôle"), one entry of a JSON list: no column to declare it.
MAX_MATERIAL = 200
MAX_PEOPLE = 100_000
MAX_MATERIALS = 30
MAX_PARTICIPANTS = 500
# Sessions are planned ahead, but not years ahead: a date further out is a typo.
PLANNING_HORIZON = dt.timedelta(days=366)
EARLIEST = dt.date(2000, 1, 1)
# The durations every pole's table prints, present or not (½ day, 1 day, 2 days).
STANDARD_HALF_DAYS = (1, 2, 4)


def _one_of(value: str, vocabulary: Mapping[str, str], field: str) -> str:
    if value not in vocabulary:
        raise ValidationError(f"valeur inconnue « {value} » ({', '.join(vocabulary)})", field=field)
    return value


def _day(day: dt.date, field: str, today: dt.date | None) -> dt.date:
    if day < EARLIEST or day > (today or dt.date.today()) + PLANNING_HORIZON:
        raise ValidationError("date hors de la période possible", field=field)
    return day


def _count(value: int, field: str) -> int:
    if not 0 <= value <= MAX_PEOPLE:
        raise ValidationError(f"nombre entre 0 et {MAX_PEOPLE}", field=field)
    return value


def period(
    year: int | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """[start, end[ from a calendar year or explicit bounds (one or the other)."""
    if year is not None:
        if start is not None or end is not None:
            raise ValidationError("une année ou une période, pas les deux", field="year")
        if not 2000 <= year <= 2100:
            raise ValidationError("année entre 2000 et 2100", field="year")
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    if start is None or end is None:
        raise ValidationError("une année, ou un début et une fin", field="start")
    if end <= start:
        raise ValidationError("la fin doit suivre le début", field="end")
    return start, end


async def _active_members(
    session: AsyncSession, user_ids: Sequence[uuid.UUID], field: str
) -> list[uuid.UUID]:
    """The speakers, each an active member of the pole (one statement for all)."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return []
    found = set(
        (
            await session.execute(
                select(Membership.user_id).where(
                    Membership.user_id.in_(wanted), Membership.active.is_(True)
                )
            )
        ).scalars()
    )
    for index, user_id in enumerate(user_ids):
        if user_id not in found:
            raise ValidationError(
                "cette personne n'est pas membre active du pôle", field=f"{field}.{index}"
            )
    return wanted


async def _structures(
    session: AsyncSession, wanted: Sequence[tuple[uuid.UUID | None, str]]
) -> None:
    """Each named structure is the pole's (one statement for all); NOT_FOUND names the
    first one missing."""
    ids = {value for value, _ in wanted if value is not None}
    if not ids:
        return
    found = set(
        (await session.execute(select(Structure.id).where(Structure.id.in_(ids)))).scalars()
    )
    for value, where in wanted:
        if value is not None and value not in found:
            await _get(session, Structure, value, where)


# --- sessions ------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantInput:
    name: str
    structure_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SessionInput:
    kind: str
    audience: str
    # Empty for a session held by video (``remote``).
    commune_insee: str | None
    held_on: dt.date
    half_days: int
    speaker_ids: Sequence[uuid.UUID] = ()
    # None: derived from the names listed.
    participants_count: int | None = None
    participants: Sequence[ParticipantInput] = ()
    materials: Sequence[str] = ()
    host_structure_id: uuid.UUID | None = None
    title: str = ""
    notes: str = ""
    remote: bool = False


@dataclass(frozen=True)
class _CheckedSession:
    values: dict[str, Any]
    speakers: list[uuid.UUID]
    participants: list[tuple[str, uuid.UUID | None]]


async def _check_session(
    session: AsyncSession, data: SessionInput, today: dt.date | None
) -> _CheckedSession:
    _one_of(data.kind, SESSION_KINDS, "kind")
    _one_of(data.audience, AUDIENCES, "audience")
    commune = (data.commune_insee or "").strip() or None
    if data.remote:
        # Said explicitly, so that a forgotten commune is not taken for a video session.
        if commune is not None:
            raise ValidationError(
                "une séance à distance n'a pas de commune : laissez la commune vide",
                field="communeInsee",
            )
    elif commune is None:
        raise ValidationError("la commune où la séance a lieu", field="communeInsee")
    else:
        await check_commune(session, commune)
    _day(data.held_on, "heldOn", today)
    if not 1 <= data.half_days <= MAX_HALF_DAYS:
        raise ValidationError(f"durée en demi-journées, de 1 à {MAX_HALF_DAYS}", field="halfDays")
    if len(data.participants) > MAX_PARTICIPANTS:
        raise ValidationError(f"{MAX_PARTICIPANTS} noms au plus", field="participants")
    participants = []
    for index, person in enumerate(data.participants):
        name = " ".join(person.name.split())
        if not name:
            raise ValidationError("le nom du participant", field=f"participants.{index}.name")
        check_length(name, SessionParticipant.name, f"participants.{index}.name")
        participants.append((name, person.structure_id))
    if data.participants_count is None:
        count = len(participants)
    else:
        count = _count(data.participants_count, "participantsCount")
        if count < len(participants):
            raise ValidationError(
                f"{len(participants)} noms listés pour {count} participants",
                field="participantsCount",
            )
    if len(data.materials) > MAX_MATERIALS:
        raise ValidationError(f"{MAX_MATERIALS} supports au plus", field="materials")
    materials = []
    for index, item in enumerate(data.materials):
        text = " ".join(item.split())
        if not text:
            raise ValidationError("support vide", field=f"materials.{index}")
        if len(text) > MAX_MATERIAL:
            raise ValidationError(limit_text(MAX_MATERIAL), field=f"materials.{index}")
        materials.append(text)
    await _structures(
        session,
        [(data.host_structure_id, "hostStructureId")]
        + [(s, f"participants.{i}.structureId") for i, (_, s) in enumerate(participants)],
    )
    speakers = await _active_members(session, data.speaker_ids, "speakerIds")
    return _CheckedSession(
        values={
            "kind": data.kind,
            "audience": data.audience,
            "commune_insee": commune,
            "held_on": data.held_on,
            "half_days": data.half_days,
            "participants_count": count,
            "host_structure_id": data.host_structure_id,
            "title": " ".join(data.title.split()),
            "materials": list(dict.fromkeys(materials)),
            "notes": data.notes.strip(),
        },
        speakers=speakers,
        participants=participants,
    )


_SESSION_FIELDS = [
    "kind",
    "audience",
    "commune",
    "heldOn",
    "halfDays",
    "participantsCount",
    "hostStructure",
    "title",
    "materials",
    "notes",
    "speakers",
]


def _add_people(session: AsyncSession, row_id: uuid.UUID, checked: _CheckedSession) -> None:
    for user_id in checked.speakers:
        session.add(SessionSpeaker(session_id=row_id, user_id=user_id))
    for position, (name, structure_id) in enumerate(checked.participants):
        session.add(
            SessionParticipant(
                session_id=row_id, position=position, name=name, structure_id=structure_id
            )
        )


async def record_session(
    session: AsyncSession, caller: Caller, data: SessionInput, *, today: dt.date | None = None
) -> AwarenessSession:
    actor = caller.require(MANAGE)
    checked = await _check_session(session, data, today)
    row = AwarenessSession(**checked.values)
    session.add(row)
    await session.flush()
    _add_people(session, row.id, checked)
    await session.flush()
    fields = _SESSION_FIELDS + (["participants"] if checked.participants else [])
    audit(session, actor.subject, "outreach_sessions.record", "AwarenessSession", row.id, fields)
    return row


async def update_session(
    session: AsyncSession,
    caller: Caller,
    session_id: uuid.UUID,
    data: SessionInput,
    *,
    today: dt.date | None = None,
) -> AwarenessSession:
    """Replace what is recorded of a session (speakers and participants included)."""
    actor = caller.require(MANAGE)
    row: AwarenessSession = await _get(session, AwarenessSession, session_id, "id")
    checked = await _check_session(session, data, today)
    had_names = (
        await session.execute(
            select(SessionParticipant.id).where(SessionParticipant.session_id == row.id).limit(1)
        )
    ).first() is not None
    for name, value in checked.values.items():
        setattr(row, name, value)
    await session.execute(delete(SessionSpeaker).where(SessionSpeaker.session_id == row.id))
    await session.execute(delete(SessionParticipant).where(SessionParticipant.session_id == row.id))
    _add_people(session, row.id, checked)
    await session.flush()
    fields = _SESSION_FIELDS + (["participants"] if checked.participants or had_names else [])
    audit(session, actor.subject, "outreach_sessions.update", "AwarenessSession", row.id, fields)
    return row


async def delete_session(session: AsyncSession, caller: Caller, session_id: uuid.UUID) -> None:
    actor = caller.require(MANAGE)
    row: AwarenessSession = await _get(session, AwarenessSession, session_id, "id")
    await session.execute(delete(SessionSpeaker).where(SessionSpeaker.session_id == row.id))
    await session.execute(delete(SessionParticipant).where(SessionParticipant.session_id == row.id))
    await delete_recorded(
        session, AwarenessSession, "AwarenessSession", AwarenessSession.id == row.id
    )
    audit(session, actor.subject, "outreach_sessions.delete", "AwarenessSession", session_id, [])


@dataclass(frozen=True)
class SessionFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    kinds: Sequence[str] = ()
    audiences: Sequence[str] = ()
    commune_insee: str | None = None
    epci_siren: str | None = None
    speaker_id: uuid.UUID | None = None


def _in_epci(column: Any, siren: str) -> Any:
    return column.in_(select(Commune.insee_code).where(Commune.epci_siren == siren))


def sessions_query(f: SessionFilter) -> Select[tuple[AwarenessSession]]:
    statement = select(AwarenessSession)
    for index, kind in enumerate(f.kinds):
        _one_of(kind, SESSION_KINDS, f"kinds.{index}")
    for index, audience in enumerate(f.audiences):
        _one_of(audience, AUDIENCES, f"audiences.{index}")
    if f.kinds:
        statement = statement.where(AwarenessSession.kind.in_(list(f.kinds)))
    if f.audiences:
        statement = statement.where(AwarenessSession.audience.in_(list(f.audiences)))
    if f.start:
        statement = statement.where(AwarenessSession.held_on >= f.start)
    if f.end:
        statement = statement.where(AwarenessSession.held_on < f.end)
    if f.commune_insee:
        statement = statement.where(AwarenessSession.commune_insee == f.commune_insee)
    if f.epci_siren:
        statement = statement.where(_in_epci(AwarenessSession.commune_insee, f.epci_siren))
    if f.speaker_id:
        statement = statement.where(
            AwarenessSession.id.in_(
                select(SessionSpeaker.session_id).where(SessionSpeaker.user_id == f.speaker_id)
            )
        )
    return statement.order_by(AwarenessSession.held_on.desc(), AwarenessSession.id.desc())


# --- events --------------------------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    kind: str
    commune_insee: str
    held_on: dt.date
    people_reached: int = 0
    title: str = ""
    notes: str = ""


async def _check_event(
    session: AsyncSession, data: EventInput, today: dt.date | None
) -> dict[str, Any]:
    _one_of(data.kind, EVENT_KINDS, "kind")
    if not data.commune_insee:
        raise ValidationError("la commune où l'événement a lieu", field="communeInsee")
    await check_commune(session, data.commune_insee)
    _day(data.held_on, "heldOn", today)
    title = " ".join(data.title.split())
    if not title:
        raise ValidationError("le titre de l'événement", field="title")
    return {
        "kind": data.kind,
        "commune_insee": data.commune_insee,
        "held_on": data.held_on,
        "people_reached": _count(data.people_reached, "peopleReached"),
        "title": title,
        "notes": data.notes.strip(),
    }


_EVENT_FIELDS = ["kind", "commune", "heldOn", "peopleReached", "title", "notes"]


async def record_event(
    session: AsyncSession, caller: Caller, data: EventInput, *, today: dt.date | None = None
) -> OutreachEvent:
    actor = caller.require(MANAGE)
    row = OutreachEvent(**await _check_event(session, data, today))
    session.add(row)
    await session.flush()
    audit(session, actor.subject, "outreach_events.record", "OutreachEvent", row.id, _EVENT_FIELDS)
    return row


async def update_event(
    session: AsyncSession,
    caller: Caller,
    event_id: uuid.UUID,
    data: EventInput,
    *,
    today: dt.date | None = None,
) -> OutreachEvent:
    actor = caller.require(MANAGE)
    row: OutreachEvent = await _get(session, OutreachEvent, event_id, "id")
    for name, value in (await _check_event(session, data, today)).items():
        setattr(row, name, value)
    await session.flush()
    audit(session, actor.subject, "outreach_events.update", "OutreachEvent", row.id, _EVENT_FIELDS)
    return row


async def delete_event(session: AsyncSession, caller: Caller, event_id: uuid.UUID) -> None:
    actor = caller.require(MANAGE)
    row: OutreachEvent = await _get(session, OutreachEvent, event_id, "id")
    await delete_recorded(session, OutreachEvent, "OutreachEvent", OutreachEvent.id == row.id)
    audit(session, actor.subject, "outreach_events.delete", "OutreachEvent", event_id, [])


@dataclass(frozen=True)
class EventFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    kinds: Sequence[str] = ()
    commune_insee: str | None = None
    epci_siren: str | None = None


def events_query(f: EventFilter) -> Select[tuple[OutreachEvent]]:
    statement = select(OutreachEvent)
    for index, kind in enumerate(f.kinds):
        _one_of(kind, EVENT_KINDS, f"kinds.{index}")
    if f.kinds:
        statement = statement.where(OutreachEvent.kind.in_(list(f.kinds)))
    if f.start:
        statement = statement.where(OutreachEvent.held_on >= f.start)
    if f.end:
        statement = statement.where(OutreachEvent.held_on < f.end)
    if f.commune_insee:
        statement = statement.where(OutreachEvent.commune_insee == f.commune_insee)
    if f.epci_siren:
        statement = statement.where(_in_epci(OutreachEvent.commune_insee, f.epci_siren))
    return statement.order_by(OutreachEvent.held_on.desc(), OutreachEvent.id.desc())


# --- report tables -------------------------------------------------------------------


@dataclass
class Cell:
    """Sessions (or events) and the people they reached."""

    count: int = 0
    people: int = 0

    def add(self, count: int, people: int) -> None:
        self.count += count
        self.people += people


@dataclass
class Row:
    commune_insee: str | None  # None: the sessions held by video
    commune_name: str
    key: str  # the audience for sessions; "" for events (one row per commune)
    cells: list[Cell]
    total: Cell = field(default_factory=Cell)


@dataclass
class Table:
    """Rows × columns with row totals, column totals and the grand total, as printed."""

    start: dt.date
    end: dt.date
    columns: list[str | int]
    rows: list[Row]
    column_totals: list[Cell]
    total: Cell
    by_kind: dict[str, Cell]


def _build(
    start: dt.date,
    end: dt.date,
    columns: list[Any],
    groups: Sequence[tuple[str | None, str, Any, str, int, int]],
    names: Mapping[str, str],
    key_order: Sequence[str],
) -> Table:
    """Fold (commune, row key, column, kind, count, people) groups into the table; rows by
    commune name then the vocabulary's order of the key, the sessions by video last."""
    position = {c: i for i, c in enumerate(columns)}
    rows: dict[tuple[str | None, str], Row] = {}
    column_totals = [Cell() for _ in columns]
    total = Cell()
    by_kind: dict[str, Cell] = defaultdict(Cell)
    for insee, key, column, kind, count, people in groups:
        row = rows.get((insee, key))
        if row is None:
            name = REMOTE_LABEL if insee is None else names.get(insee, insee)
            row = rows[insee, key] = Row(insee, name, key, [Cell() for _ in columns])
        row.cells[position[column]].add(count, people)
        row.total.add(count, people)
        column_totals[position[column]].add(count, people)
        total.add(count, people)
        by_kind[kind].add(count, people)
    order = {k: i for i, k in enumerate(key_order)}
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            r.commune_insee is None,
            r.commune_name,
            r.commune_insee or "",
            order[r.key],
        ),
    )
    return Table(start, end, columns, ordered, column_totals, total, dict(by_kind))


async def _commune_names(session: AsyncSession, codes: set[str | None]) -> dict[str, str]:
    known = {c for c in codes if c is not None}
    if not known:
        return {}
    rows = await session.execute(
        select(Commune.insee_code, Commune.name).where(Commune.insee_code.in_(known))
    )
    return {code: name for code, name in rows}


async def session_table(
    session: AsyncSession, caller: Caller, *, start: dt.date, end: dt.date
) -> Table:
    """Sessions held in [start, end[ by commune × audience (rows) and duration (columns):
    sessions and participants per cell, row and column totals, grand total, and the
    totals by kind of session. Two statements whatever the number of sessions."""
    caller.require(READ)
    start, end = period(start=start, end=end)
    groups = [
        (insee, audience, half_days, kind, int(n), int(people or 0))
        for insee, audience, half_days, kind, n, people in await session.execute(
            select(
                AwarenessSession.commune_insee,
                AwarenessSession.audience,
                AwarenessSession.half_days,
                AwarenessSession.kind,
                func.count(),
                func.sum(AwarenessSession.participants_count),
            )
            .where(AwarenessSession.held_on >= start, AwarenessSession.held_on < end)
            .group_by(
                AwarenessSession.commune_insee,
                AwarenessSession.audience,
                AwarenessSession.half_days,
                AwarenessSession.kind,
            )
        )
    ]
    columns = sorted(set(STANDARD_HALF_DAYS) | {g[2] for g in groups})
    names = await _commune_names(session, {g[0] for g in groups})
    return _build(start, end, list(columns), groups, names, list(AUDIENCES))


async def event_table(
    session: AsyncSession, caller: Caller, *, start: dt.date, end: dt.date
) -> Table:
    """Events held in [start, end[ by commune (rows) and kind (columns): events and
    people reached per cell, with the totals."""
    caller.require(READ)
    start, end = period(start=start, end=end)
    groups = [
        (insee, "", kind, kind, int(n), int(people or 0))
        for insee, kind, n, people in await session.execute(
            select(
                OutreachEvent.commune_insee,
                OutreachEvent.kind,
                func.count(),
                func.sum(OutreachEvent.people_reached),
            )
            .where(OutreachEvent.held_on >= start, OutreachEvent.held_on < end)
            .group_by(OutreachEvent.commune_insee, OutreachEvent.kind)
        )
    ]
    names = await _commune_names(session, {g[0] for g in groups})
    return _build(start, end, list(EVENT_KINDS), groups, names, [""])
