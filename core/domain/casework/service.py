"""Requests, follow-ups and interventions: the rules of the daily work.

A request is recorded as it arrives, qualified, answered, turned into a follow-up or
closed. A follow-up belongs to one child, is in the charge of a member of the pole, and
closes once with an outcome; its interventions are dated on a timeline. Every function
checks the caller's action, names the field at fault, and audits the fields it writes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.auth.models import Membership, User
from core.domain.casework.models import (
    FollowUp,
    FollowUpPartner,
    FollowUpStructure,
    Intervention,
    Request,
)
from core.domain.casework.vocabulary import (
    CHANNELS,
    INTERVENTION_KINDS,
    OUTCOMES,
    REQUEST_STATUSES,
    REQUESTER_KINDS,
    SUBJECTS,
)
from core.domain.families.models import Child, Family
from core.domain.families.service import OLDEST_YEARS, first_name_like
from core.domain.families.vocabulary import age_in_years
from core.domain.lookups import audit, name_words, touch
from core.domain.lookups import get_or_not_found as _get
from core.domain.structures.models import Partner, Structure
from core.errors import ConflictError, ValidationError
from core.territory.models import Commune

READ = "casework.read"
MANAGE = "casework.manage"
MAX_MINUTES = 24 * 60
MAX_KM = 2000.0


def _one_of(value: str, vocabulary: Any, field: str) -> str:
    if value not in vocabulary:
        raise ValidationError(f"valeur inconnue « {value} » ({', '.join(vocabulary)})", field=field)
    return value


def _not_future(day: dt.date, field: str, today: dt.date | None = None) -> dt.date:
    if day > (today or dt.date.today()):
        raise ValidationError("date dans le futur", field=field)
    return day


async def _member(session: AsyncSession, user_id: uuid.UUID | None, field: str) -> None:
    """A staff member named on a file must be an active member of the pole."""
    if user_id is None:
        return
    found = await session.execute(
        select(Membership.id).where(Membership.user_id == user_id, Membership.active.is_(True))
    )
    if found.first() is None:
        raise ValidationError("cette personne n'est pas membre active du pôle", field=field)


async def active_staff(session: AsyncSession) -> list[tuple[uuid.UUID, str]]:
    """The pole's active members (user id, name), by name: who may be a referent."""
    rows = await session.execute(
        select(User.id, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.active.is_(True))
        .order_by(User.display_name, User.id)
    )
    return [(user_id, name) for user_id, name in rows]


# --- requests --------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestInput:
    received_on: dt.date
    channel: str
    requester_kind: str
    requester_name: str
    subjects: Sequence[str]
    description: str = ""
    family_id: uuid.UUID | None = None
    child_id: uuid.UUID | None = None
    structure_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None


async def record_request(
    session: AsyncSession, caller: Caller, data: RequestInput, *, today: dt.date | None = None
) -> Request:
    actor = caller.require(MANAGE)
    _not_future(data.received_on, "receivedOn", today)
    _one_of(data.channel, CHANNELS, "channel")
    _one_of(data.requester_kind, REQUESTER_KINDS, "requesterKind")
    if not data.subjects:
        raise ValidationError("au moins un objet de demande", field="subjects")
    for index, subject in enumerate(data.subjects):
        _one_of(subject, SUBJECTS, f"subjects.{index}")
    name = " ".join(data.requester_name.split())
    if not name:
        raise ValidationError("qui fait la demande ?", field="requesterName")
    for model, value, field in (
        (Family, data.family_id, "familyId"),
        (Child, data.child_id, "childId"),
        (Structure, data.structure_id, "structureId"),
        (Partner, data.partner_id, "partnerId"),
    ):
        if value is not None:
            await _get(session, model, value, field)
    await _member(session, data.assigned_to, "assignedTo")
    row = Request(
        received_on=data.received_on,
        channel=data.channel,
        requester_kind=data.requester_kind,
        requester_name=name,
        subjects=sorted(set(data.subjects)),
        description=data.description.strip(),
        family_id=data.family_id,
        child_id=data.child_id,
        structure_id=data.structure_id,
        partner_id=data.partner_id,
        assigned_to=data.assigned_to,
        status="new",
    )
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "requests.record",
        "Request",
        row.id,
        ["receivedOn", "channel", "requesterKind", "requesterName", "subjects", "description"],
    )
    return row


# Allowed moves of a request's status (follow_up is reached by open_follow_up only).
_MOVES = {
    "new": {"qualified", "answered", "closed"},
    "qualified": {"answered", "closed"},
    "answered": {"closed"},
    "follow_up": {"closed"},
    "closed": set(),
}


async def set_request_status(
    session: AsyncSession,
    caller: Caller,
    request_id: uuid.UUID,
    status: str,
    *,
    answer: str = "",
    on: dt.date | None = None,
) -> Request:
    actor = caller.require(MANAGE)
    _one_of(status, REQUEST_STATUSES, "status")
    row: Request = await _get(session, Request, request_id, "id")
    if status not in _MOVES[row.status]:
        raise ConflictError(
            f"une demande « {REQUEST_STATUSES[row.status]} » ne peut pas passer à "
            f"« {REQUEST_STATUSES[status]} »",
            field="status",
        )
    row.status = status
    fields = ["status"]
    if status == "answered":
        if not answer.strip():
            raise ValidationError("la réponse apportée", field="answer")
        row.answer, row.answered_on = answer.strip(), on or dt.date.today()
        fields += ["answer", "answeredOn"]
    await session.flush()
    audit(session, actor.subject, "requests.status", "Request", row.id, fields)
    return row


def requests_query(
    *,
    statuses: Sequence[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Select[tuple[Request]]:
    statement = select(Request)
    if statuses:
        for index, status in enumerate(statuses):
            _one_of(status, REQUEST_STATUSES, f"statuses.{index}")
        statement = statement.where(Request.status.in_(list(statuses)))
    if start:
        statement = statement.where(Request.received_on >= start)
    if end:
        statement = statement.where(Request.received_on < end)
    return statement.order_by(Request.received_on.desc(), Request.id.desc())


# --- follow-ups ------------------------------------------------------------------------


async def open_follow_up(
    session: AsyncSession,
    caller: Caller,
    *,
    child_id: uuid.UUID,
    opened_on: dt.date,
    referent_user_id: uuid.UUID | None = None,
    request_id: uuid.UUID | None = None,
    structure_ids: Sequence[uuid.UUID] = (),
    partner_ids: Sequence[uuid.UUID] = (),
    today: dt.date | None = None,
) -> FollowUp:
    """Open a child's follow-up (from a request, which then reads « Transformée en
    suivi »). One open follow-up per child."""
    actor = caller.require(MANAGE)
    child: Child = await _get(session, Child, child_id, "childId")
    _not_future(opened_on, "openedOn", today)
    # The age on the day the follow-up opens, not today's: a follow-up of 2021 brought in
    # now is for the child of 15 they were then.
    age = age_in_years(child.birth_date, opened_on)
    if age >= OLDEST_YEARS:
        raise ValidationError(
            f"l'enfant avait {age} ans à cette date : le pôle accompagne des enfants de moins "
            f"de {OLDEST_YEARS} ans",
            field="openedOn",
        )
    await _member(session, referent_user_id, "referentUserId")
    already = await session.execute(
        select(FollowUp.id).where(FollowUp.child_id == child_id, FollowUp.status == "open")
    )
    if already.first() is not None:
        raise ConflictError("cet enfant a déjà un suivi en cours", field="childId")
    request = None
    if request_id is not None:
        request = await _get(session, Request, request_id, "requestId")
        if request.status in {"follow_up", "closed"}:
            raise ConflictError("cette demande est déjà traitée", field="requestId")
    row = FollowUp(
        child_id=child_id,
        request_id=request_id,
        opened_on=opened_on,
        referent_user_id=referent_user_id,
        status="open",
    )
    session.add(row)
    await session.flush()
    for index, structure_id in enumerate(dict.fromkeys(structure_ids)):
        await _get(session, Structure, structure_id, f"structureIds.{index}")
        session.add(FollowUpStructure(follow_up_id=row.id, structure_id=structure_id))
    for index, partner_id in enumerate(dict.fromkeys(partner_ids)):
        await _get(session, Partner, partner_id, f"partnerIds.{index}")
        session.add(FollowUpPartner(follow_up_id=row.id, partner_id=partner_id))
    if request is not None:
        request.status = "follow_up"
        if request.child_id is None:
            request.child_id = child_id
    await session.flush()
    audit(
        session,
        actor.subject,
        "follow_ups.open",
        "FollowUp",
        row.id,
        ["child", "openedOn", "referent", "structures", "partners"],
    )
    return row


async def close_follow_up(
    session: AsyncSession,
    caller: Caller,
    follow_up_id: uuid.UUID,
    *,
    closed_on: dt.date,
    outcome: str,
    notes: str = "",
    today: dt.date | None = None,
) -> FollowUp:
    actor = caller.require(MANAGE)
    row: FollowUp = await _get(session, FollowUp, follow_up_id, "id")
    if row.status == "closed":
        raise ConflictError("ce suivi est déjà clos", field="id")
    _one_of(outcome, OUTCOMES, "outcome")
    _not_future(closed_on, "closedOn", today)
    if closed_on < row.opened_on:
        raise ValidationError("la clôture précède l'ouverture", field="closedOn")
    row.status, row.closed_on, row.outcome = "closed", closed_on, outcome
    row.outcome_notes = notes.strip()
    await session.flush()
    audit(
        session,
        actor.subject,
        "follow_ups.close",
        "FollowUp",
        row.id,
        ["status", "closedOn", "outcome", "outcomeNotes"],
    )
    return row


@dataclass(frozen=True)
class FollowUpFilter:
    statuses: Sequence[str] = ()
    referent_user_id: uuid.UUID | None = None
    structure_id: uuid.UUID | None = None
    commune_insee: str | None = None
    epci_siren: str | None = None
    # Active at some point in [start, end[ (opened before end, not closed before start).
    start: dt.date | None = None
    end: dt.date | None = None
    # The child's first name or the family's name, every word typed (decision 197).
    search: str | None = None
    # The follow-ups of a family's children: its file, a request's page (decision 197).
    family_id: uuid.UUID | None = None


def follow_ups_query(f: FollowUpFilter) -> Select[tuple[FollowUp]]:
    statement = select(FollowUp)
    if f.statuses:
        for index, status in enumerate(f.statuses):
            _one_of(status, {"open": 1, "closed": 1}, f"statuses.{index}")
        statement = statement.where(FollowUp.status.in_(list(f.statuses)))
    if f.referent_user_id:
        statement = statement.where(FollowUp.referent_user_id == f.referent_user_id)
    if f.structure_id:
        statement = statement.where(
            FollowUp.id.in_(
                select(FollowUpStructure.follow_up_id).where(
                    FollowUpStructure.structure_id == f.structure_id
                )
            )
        )
    if f.commune_insee or f.epci_siren:
        children = select(Child.id)
        if f.commune_insee:
            children = children.where(Child.commune_insee == f.commune_insee)
        if f.epci_siren:
            children = children.where(
                Child.commune_insee.in_(
                    select(Commune.insee_code).where(Commune.epci_siren == f.epci_siren)
                )
            )
        statement = statement.where(FollowUp.child_id.in_(children))
    if f.family_id:
        statement = statement.where(
            FollowUp.child_id.in_(select(Child.id).where(Child.family_id == f.family_id))
        )
    if f.search and f.search.strip():
        statement = statement.where(FollowUp.child_id.in_(_children_named(f.search)))
    if f.end:
        statement = statement.where(FollowUp.opened_on < f.end)
    if f.start:
        statement = statement.where(
            or_(FollowUp.closed_on.is_(None), FollowUp.closed_on >= f.start)
        )
    return statement.order_by(FollowUp.opened_on.desc(), FollowUp.id.desc())


def _children_named(search: str) -> Select[tuple[uuid.UUID]]:
    """The children every typed word names: in the family's name or in the child's first
    name, accents and case aside (« mael », « Maël » and « MAËL » find Maël)."""
    statement = select(Child.id).join(Family, Family.id == Child.family_id)
    for word in search.split():
        in_family = name_words(Family.search_name, word)
        if not in_family:  # punctuation alone names nobody
            continue
        statement = statement.where(or_(and_(*in_family), first_name_like(word)))
    return statement


# --- interventions ---------------------------------------------------------------------


@dataclass(frozen=True)
class InterventionInput:
    follow_up_id: uuid.UUID
    kind: str
    happened_on: dt.date
    duration_minutes: int = 0
    staff_user_id: uuid.UUID | None = None
    structure_id: uuid.UUID | None = None
    place: str = ""
    travel_km: float = 0.0
    notes: str = ""
    recommendations: str = ""


async def log_intervention(
    session: AsyncSession, caller: Caller, data: InterventionInput, *, today: dt.date | None = None
) -> Intervention:
    actor = caller.require(MANAGE)
    follow_up: FollowUp = await _get(session, FollowUp, data.follow_up_id, "followUpId")
    if follow_up.status == "closed":
        raise ConflictError("ce suivi est clos : rouvrez-en un nouveau", field="followUpId")
    _one_of(data.kind, INTERVENTION_KINDS, "kind")
    _not_future(data.happened_on, "happenedOn", today)
    if data.happened_on < follow_up.opened_on:
        raise ValidationError("avant l'ouverture du suivi", field="happenedOn")
    if not 0 <= data.duration_minutes <= MAX_MINUTES:
        raise ValidationError("durée en minutes entre 0 et 1440", field="durationMinutes")
    if not 0 <= data.travel_km <= MAX_KM:
        raise ValidationError("kilomètres entre 0 et 2000", field="travelKm")
    if data.kind == "recommendations" and not data.recommendations.strip():
        raise ValidationError("les préconisations données", field="recommendations")
    await _member(session, data.staff_user_id, "staffUserId")
    if data.structure_id is not None:
        await _get(session, Structure, data.structure_id, "structureId")
    row = Intervention(
        follow_up_id=data.follow_up_id,
        kind=data.kind,
        happened_on=data.happened_on,
        duration_minutes=data.duration_minutes,
        staff_user_id=data.staff_user_id or (caller.actor.user_id if caller.actor else None),
        structure_id=data.structure_id,
        place=data.place.strip(),
        travel_km=round(data.travel_km, 1),
        notes=data.notes.strip(),
        recommendations=data.recommendations.strip(),
    )
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "interventions.log",
        "Intervention",
        row.id,
        [
            "kind",
            "happenedOn",
            "durationMinutes",
            "staff",
            "place",
            "travelKm",
            "notes",
            "recommendations",
        ],
    )
    await touch(session, FollowUp, row.follow_up_id)
    return row


@dataclass(frozen=True)
class StaffActivity:
    user_id: uuid.UUID | None
    interventions: int
    minutes: int
    travel_km: float
    follow_ups: int


async def activity_by_staff(
    session: AsyncSession, caller: Caller, *, start: dt.date, end: dt.date
) -> list[StaffActivity]:
    """Interventions, time and kilometres per staff member over [start, end[."""
    caller.require(READ)
    if end <= start:
        raise ValidationError("la fin doit suivre le début", field="end")
    rows = await session.execute(
        select(
            Intervention.staff_user_id,
            func.count(),
            func.coalesce(func.sum(Intervention.duration_minutes), 0),
            func.coalesce(func.sum(Intervention.travel_km), 0.0),
            func.count(func.distinct(Intervention.follow_up_id)),
        )
        .where(and_(Intervention.happened_on >= start, Intervention.happened_on < end))
        .group_by(Intervention.staff_user_id)
    )
    return sorted(
        (
            StaffActivity(user, int(n), int(minutes), round(float(km), 1), int(files))
            for user, n, minutes, km, files in rows
        ),
        key=lambda a: -a.interventions,
    )
