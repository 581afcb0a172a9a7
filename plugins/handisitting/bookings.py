"""Families' requests, proposals, first meetings, bookings and their sittings,
feedback, incidents — and the needs sheet, shared only under an agreed booking.

The path: staff record a request for a child of the pole; they propose a ranked sitter
(warned, not silently, of a skill not covered or a sitter out of range); the sitter
accepts or declines; the first meeting is recorded; the family agrees → a booking with
its sittings, refused if one overlaps another of the sitter's sittings or falls outside
the sitter's availability.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.handisitting import checks, matching
from plugins.handisitting import sitters as sitter_service
from plugins.handisitting.models import (
    Booking,
    Feedback,
    Incident,
    Proposal,
    Request,
    Sitter,
    Sitting,
    minutes_between,
)
from plugins.handisitting.vocabulary import (
    OPEN_PROPOSALS,
    BookingStatus,
    ProposalStatus,
    RequestStatus,
    Side,
    SittingStatus,
    UnmatchedReason,
)

CONSENT = "share_with_sitter"
MAX_WEEKS = 53


# --- requests -------------------------------------------------------------------------


async def record_request(
    session: AsyncSession,
    *,
    departement_code: str,
    family_id: str,
    child_id: str,
    needs: str,
    skill_codes: Sequence[str],
    commune_insee: str | None,
    first_on: dt.date,
    last_on: dt.date | None,
    weekly: bool,
    starts_at: dt.time,
    ends_at: dt.time,
    actor: str,
) -> Request:
    family = await sdk.find_family(session, family_id, field="input.familyId")
    child = await sdk.find_child(session, child_id, field="input.childId", family_id=family.id)
    needs = checks.words(needs, "input.needs", label="Fiche de besoins", max_length=sdk.NOTE)
    codes = await sitter_service.check_skills(session, skill_codes, "input.skills")
    place = await sdk.find_commune(
        session,
        commune_insee or family.commune_insee or child.commune_insee,
        field="input.communeInsee",
    )
    if place.departement_code != departement_code:
        raise sdk.ValidationError(
            f"la commune {place.name} n'est pas dans le département du pôle",
            field="input.communeInsee",
        )
    checks.day(first_on, "input.firstOn", label="Première garde")
    last = first_on if last_on is None or not weekly else last_on
    if last < first_on:
        raise sdk.ValidationError(
            "la dernière garde ne peut pas précéder la première", field="input.lastOn"
        )
    if (last - first_on).days > 7 * MAX_WEEKS:
        raise sdk.ValidationError("une demande couvre un an au plus", field="input.lastOn")
    if ends_at <= starts_at:
        raise sdk.ValidationError(
            "l'heure de fin doit suivre l'heure de début", field="input.endsAt"
        )
    row = Request(
        family_id=family.id,
        child_id=child.id,
        needs=needs,
        skills=codes,
        commune_insee=place.id,
        first_on=first_on,
        last_on=last,
        weekly=weekly,
        starts_at=starts_at,
        ends_at=ends_at,
        status=RequestStatus.OPEN.value,
        recorded_by=actor,
    )
    session.add(row)
    await session.flush()
    checks.audit(
        session,
        actor,
        "record_request",
        "request",
        row.id,
        ["family_id", "child_id", "needs", "skills", "commune_insee", "dates", "times"],
    )
    return row


async def close_unmatched(
    session: AsyncSession, *, request_id: uuid.UUID, reason: str, actor: str
) -> Request:
    request = await checks.row(session, Request, request_id, "input.requestId")
    why = checks.code(UnmatchedReason, reason, "input.reason")
    if request.status != RequestStatus.OPEN.value:
        raise sdk.ConflictError("la demande n'est plus en attente", field="input.requestId")
    request.status = RequestStatus.UNMATCHED.value
    request.unmatched_reason = why.value
    await session.flush()
    checks.audit(
        session, actor, "close_request", "request", request.id, ["status", "unmatched_reason"]
    )
    return request


# --- proposals ------------------------------------------------------------------------


async def propose(
    session: AsyncSession,
    *,
    request_id: uuid.UUID,
    sitter_id: uuid.UUID,
    confirm_warnings: bool,
    today: dt.date,
    actor: str,
) -> Proposal:
    """Propose a sitter for a request. A suspended (or not approved) sitter, or one with
    a document to put right, is refused; a skill not covered, a distance beyond what the
    sitter accepts or missing availability are warnings: refused until staff confirm."""
    request = await checks.row(session, Request, request_id, "input.requestId")
    sitter = await checks.row(session, Sitter, sitter_id, "input.sitterId")
    if request.status != RequestStatus.OPEN.value:
        raise sdk.ConflictError("la demande n'est plus en attente", field="input.requestId")
    problems = await matching.proposable(session, sitter, today)
    if problems:
        raise sdk.ValidationError(
            "intervenant·e non proposable : " + " ; ".join(problems), field="input.sitterId"
        )
    if await session.scalar(
        select(Proposal.id).where(
            Proposal.request_id == request.id, Proposal.sitter_id == sitter.id
        )
    ):
        raise sdk.ConflictError("déjà proposé·e pour cette demande", field="input.sitterId")
    slots, away = await sitter_service.availability(session, [sitter.id])
    candidate = matching.score(
        request,
        sitter,
        labels=await sitter_service.skills(session),
        slots=slots.get(sitter.id, []),
        away=away.get(sitter.id, []),
        known_family=sitter.id in await matching.known_to_family(session, request.family_id),
        rating=(await matching.ratings(session, [sitter.id])).get(sitter.id),
    )
    # An optional document expired: staff know it before proposing (decision 207).
    candidate.warnings.extend(
        sitter_service.document_warnings(
            await sitter_service.documents(session, [sitter.id]), today
        )
    )
    if candidate.warnings and not confirm_warnings:
        raise sdk.ValidationError(
            "à confirmer : " + " ; ".join(candidate.warnings), field="input.confirmWarnings"
        )
    row = Proposal(
        request_id=request.id,
        sitter_id=sitter.id,
        status=ProposalStatus.PROPOSED.value,
        score=candidate.score_json(),
        warnings=candidate.warnings,
        proposed_by=actor,
    )
    session.add(row)
    await session.flush()
    checks.audit(
        session, actor, "propose", "proposal", row.id, ["request_id", "sitter_id", "score"]
    )
    return row


async def answer(
    session: AsyncSession,
    *,
    proposal_id: uuid.UUID,
    accept: bool,
    note: str,
    sitter_user_id: uuid.UUID | None,
    actor: str,
) -> Proposal:
    """The sitter accepts or declines (themselves, or staff on their word). With
    ``sitter_user_id``, only that sitter's own proposal is found."""
    proposal = await checks.row(session, Proposal, proposal_id, "input.proposalId")
    if sitter_user_id is not None:
        mine = await sitter_service.sitter_of_user(session, sitter_user_id)
        if mine is None or mine.id != proposal.sitter_id:
            raise sdk.NotFoundError("introuvable dans ce pôle", field="input.proposalId")
    if proposal.status != ProposalStatus.PROPOSED.value:
        raise sdk.ConflictError(
            f"proposition déjà « {ProposalStatus(proposal.status).label} »",
            field="input.proposalId",
        )
    proposal.status = (ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED).value
    proposal.answer_note = checks.words(
        note, "input.note", label="Mot", max_length=sdk.NOTE, required=False
    )
    await session.flush()
    checks.audit(
        session, actor, "answer_proposal", "proposal", proposal.id, ["status", "answer_note"]
    )
    return proposal


async def record_meeting(
    session: AsyncSession, *, proposal_id: uuid.UUID, met_on: dt.date, actor: str
) -> Proposal:
    proposal = await checks.row(session, Proposal, proposal_id, "input.proposalId")
    if proposal.status != ProposalStatus.ACCEPTED.value:
        raise sdk.ConflictError(
            "la première rencontre suit l'accord de l'intervenant·e", field="input.proposalId"
        )
    checks.day(met_on, "input.metOn", label="Date de la rencontre")
    if met_on > dt.date.today():
        raise sdk.ValidationError("la rencontre n'a pas encore eu lieu", field="input.metOn")
    proposal.status = ProposalStatus.MET.value
    proposal.met_on = met_on
    await session.flush()
    checks.audit(session, actor, "record_meeting", "proposal", proposal.id, ["status", "met_on"])
    return proposal


# --- bookings -------------------------------------------------------------------------


def _overlaps(a_start: dt.time, a_end: dt.time, b_start: dt.time, b_end: dt.time) -> bool:
    return a_start < b_end and b_start < a_end


async def agree(
    session: AsyncSession,
    *,
    proposal_id: uuid.UUID,
    agreed_on: dt.date,
    share_days_after: int,
    today: dt.date,
    actor: str,
) -> Booking:
    """The family agrees after the first meeting: book the request's sittings with this
    sitter. Refused if the sitter can no longer be proposed (suspended, a required
    document expired since the proposal: decision 208), if a sitting falls outside the
    sitter's availability or overlaps one of their other sittings; nothing is written
    then."""
    proposal = await checks.row(session, Proposal, proposal_id, "input.proposalId")
    if proposal.status != ProposalStatus.MET.value:
        raise sdk.ConflictError(
            "la famille donne son accord après la première rencontre", field="input.proposalId"
        )
    sitter = await checks.row(session, Sitter, proposal.sitter_id, "input.proposalId")
    problems = await matching.proposable(session, sitter, today)
    if problems:
        raise sdk.ValidationError(
            "l'intervenant·e ne peut plus être proposé·e : " + " ; ".join(problems),
            field="input.proposalId",
        )
    request = await checks.row(session, Request, proposal.request_id, "input.proposalId")
    if request.status != RequestStatus.OPEN.value:
        raise sdk.ConflictError("la demande a déjà une garde convenue", field="input.proposalId")
    checks.day(agreed_on, "input.agreedOn", label="Date de l'accord")
    dates = [d for d in matching.sitting_dates(request) if d >= agreed_on]
    if not dates:
        raise sdk.ValidationError(
            "toutes les gardes demandées sont passées", field="input.agreedOn"
        )
    slots, away = await sitter_service.availability(session, [proposal.sitter_id])
    outside = [
        d
        for d in dates
        if not matching.free_on(
            d,
            request.starts_at,
            request.ends_at,
            slots.get(proposal.sitter_id, []),
            away.get(proposal.sitter_id, []),
        )
    ]
    if outside:
        listed = ", ".join(sdk.date_fr(d) for d in outside[:5])
        raise sdk.ValidationError(
            f"hors des disponibilités de l'intervenant·e : {listed}", field="input.proposalId"
        )
    taken = await session.execute(
        select(Sitting.on, Sitting.starts_at, Sitting.ends_at)
        .join(Booking, and_(Booking.id == Sitting.booking_id))
        .where(
            Sitting.sitter_id == proposal.sitter_id,
            Sitting.on.in_(dates),
            Sitting.status == SittingStatus.PLANNED.value,
            Booking.status == BookingStatus.CONFIRMED.value,
        )
    )
    clashes = sorted(
        on for on, s, e in taken if _overlaps(s, e, request.starts_at, request.ends_at)
    )
    if clashes:
        raise sdk.ConflictError(
            "l'intervenant·e a déjà une garde à ces heures : "
            + ", ".join(sdk.date_fr(d) for d in clashes[:5]),
            field="input.proposalId",
        )
    booking = Booking(
        proposal_id=proposal.id,
        request_id=request.id,
        sitter_id=proposal.sitter_id,
        family_id=request.family_id,
        child_id=request.child_id,
        status=BookingStatus.CONFIRMED.value,
        agreed_on=agreed_on,
        agreed_by=actor,
        share_until=dates[-1] + dt.timedelta(days=share_days_after),
    )
    session.add(booking)
    await session.flush()
    session.add_all(
        Sitting(
            booking_id=booking.id,
            sitter_id=proposal.sitter_id,
            on=d,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            minutes=minutes_between(request.starts_at, request.ends_at),
            status=SittingStatus.PLANNED.value,
        )
        for d in dates
    )
    proposal.status = ProposalStatus.AGREED.value
    request.status = RequestStatus.BOOKED.value
    # The other sitters proposed for this request are released.
    others = await session.execute(
        select(Proposal).where(
            Proposal.request_id == request.id,
            Proposal.id != proposal.id,
            Proposal.status.in_(OPEN_PROPOSALS),
        )
    )
    for other in others.scalars():
        other.status = ProposalStatus.WITHDRAWN.value
    await session.flush()
    checks.audit(session, actor, "agree_booking", "booking", booking.id, ["status", "sittings"])
    return booking


async def cancel(
    session: AsyncSession, *, booking_id: uuid.UUID, by: str, reason: str, actor: str
) -> Booking:
    """Cancel a booking: its planned sittings with it, and the needs sheet closes at once."""
    booking = await checks.row(session, Booking, booking_id, "input.bookingId")
    side = checks.code(Side, by, "input.by")
    reason = checks.words(reason, "input.reason", label="Motif", max_length=sdk.NOTE)
    if booking.status == BookingStatus.CANCELLED.value:
        raise sdk.ConflictError("garde déjà annulée", field="input.bookingId")
    booking.status = BookingStatus.CANCELLED.value
    booking.cancelled_at = checks.now()
    booking.cancelled_by = side.value
    booking.cancel_reason = reason
    planned = await session.execute(
        select(Sitting).where(
            Sitting.booking_id == booking.id, Sitting.status == SittingStatus.PLANNED.value
        )
    )
    for sitting in planned.scalars():
        sitting.status = SittingStatus.CANCELLED.value
        sitting.cancelled_by = side.value
        sitting.cancel_reason = reason
    await session.flush()
    checks.audit(
        session,
        actor,
        "cancel_booking",
        "booking",
        booking.id,
        ["status", "cancelled_by", "cancel_reason"],
    )
    return booking


async def record_sitting(
    session: AsyncSession,
    *,
    sitting_id: uuid.UUID,
    status: str,
    today: dt.date,
    actor: str,
    by: str | None = None,
    reason: str = "",
) -> Sitting:
    """A sitting done, missed or cancelled. Cancelling one sitting says who and why,
    as cancelling the booking does (``by``, ``reason``); the booking goes on."""
    sitting = await checks.row(session, Sitting, sitting_id, "input.sittingId")
    outcome = checks.code(SittingStatus, status, "input.status")
    if outcome is SittingStatus.PLANNED:
        raise sdk.ValidationError(
            "une garde se dit faite, annulée ou manquée", field="input.status"
        )
    if outcome in (SittingStatus.DONE, SittingStatus.NO_SHOW) and sitting.on > today:
        raise sdk.ValidationError("cette garde n'a pas encore eu lieu", field="input.status")
    fields = ["status"]
    if outcome is SittingStatus.CANCELLED:
        if not by:
            raise sdk.ValidationError(
                "qui annule : la famille, l'intervenant·e ou le pôle", field="input.by"
            )
        side = checks.code(Side, by, "input.by")
        reason = checks.words(reason, "input.reason", label="Motif", max_length=sdk.NOTE)
        fields += ["cancelled_by", "cancel_reason"]
    if sitting.status != SittingStatus.PLANNED.value:
        raise sdk.ConflictError(
            f"garde déjà « {SittingStatus(sitting.status).label} »", field="input.sittingId"
        )
    sitting.status = outcome.value
    if outcome is SittingStatus.CANCELLED:
        sitting.cancelled_by = side.value
        sitting.cancel_reason = reason
    await session.flush()
    checks.audit(session, actor, "record_sitting", "sitting", sitting.id, fields)
    return sitting


async def leave_feedback(
    session: AsyncSession,
    *,
    sitting_id: uuid.UUID,
    side: str,
    rating: int,
    comment: str,
    sitter_user_id: uuid.UUID | None,
    actor: str,
) -> Feedback:
    """A side's feedback on a sitting done (the sitter themselves, or staff recording
    what the family said)."""
    sitting = await checks.row(session, Sitting, sitting_id, "input.sittingId")
    who = checks.code(Side, side, "input.side")
    if sitter_user_id is not None:
        mine = await sitter_service.sitter_of_user(session, sitter_user_id)
        if mine is None or mine.id != sitting.sitter_id:
            raise sdk.NotFoundError("introuvable dans ce pôle", field="input.sittingId")
        if who is not Side.SITTER:
            raise sdk.ForbiddenError("un·e intervenant·e donne son propre avis", field="input.side")
    if who is Side.POLE:
        raise sdk.ValidationError(
            "l'avis vient de la famille ou de l'intervenant·e", field="input.side"
        )
    if sitting.status != SittingStatus.DONE.value:
        raise sdk.ValidationError("l'avis suit une garde faite", field="input.sittingId")
    if not 1 <= rating <= 4:
        raise sdk.ValidationError("note de 1 à 4", field="input.rating")
    comment = checks.words(
        comment, "input.comment", label="Commentaire", max_length=sdk.NOTE, required=False
    )
    if await session.scalar(
        select(Feedback.id).where(Feedback.sitting_id == sitting.id, Feedback.side == who.value)
    ):
        raise sdk.ConflictError("avis déjà donné pour cette garde", field="input.side")
    row = Feedback(sitting_id=sitting.id, side=who.value, rating=rating, comment=comment)
    session.add(row)
    await session.flush()
    checks.audit(session, actor, "leave_feedback", "sitting", sitting.id, ["feedback." + who.value])
    return row


async def report_incident(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    booking_id: uuid.UUID,
    by: str,
    happened_on: dt.date,
    description: str,
    sitter_user_id: uuid.UUID | None,
    actor: str,
) -> Incident:
    booking = await checks.row(session, Booking, booking_id, "input.bookingId")
    side = checks.code(Side, by, "input.by")
    if sitter_user_id is not None:
        mine = await sitter_service.sitter_of_user(session, sitter_user_id)
        if mine is None or mine.id != booking.sitter_id:
            raise sdk.NotFoundError("introuvable dans ce pôle", field="input.bookingId")
        side = Side.SITTER
    checks.day(happened_on, "input.happenedOn", label="Date")
    if happened_on > dt.date.today():
        raise sdk.ValidationError("date dans le futur", field="input.happenedOn")
    text = checks.words(description, "input.description", label="Description", max_length=sdk.NOTE)
    row = Incident(
        booking_id=booking.id, reported_by=side.value, happened_on=happened_on, description=text
    )
    session.add(row)
    await session.flush()
    checks.audit(session, actor, "report_incident", "booking", booking.id, ["incident"])
    # Staff see open incidents on their screens; the event lets a pole wire mail or SMS.
    sdk.emit(
        session,
        sdk.Event("handisitting.incident_reported", tenant_id, {"incident_id": str(row.id)}),
    )
    return row


async def handle_incident(session: AsyncSession, *, incident_id: uuid.UUID, actor: str) -> Incident:
    row = await checks.row(session, Incident, incident_id, "input.incidentId")
    if row.handled_at is None:
        row.handled_at = checks.now()
        await session.flush()
        checks.audit(session, actor, "handle_incident", "incident", row.id, ["handled_at"])
    return row


# --- the needs sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class NeedsSheet:
    booking: Booking
    request: Request
    child_first_name: str
    child_birth_date: dt.date


async def needs_sheet(
    session: AsyncSession,
    *,
    booking_id: uuid.UUID,
    sitter_user_id: uuid.UUID | None,
    today: dt.date,
    actor: str,
) -> NeedsSheet:
    """The child's needs sheet for the sitter of a confirmed booking, from the family's
    agreement to ``share_until``, while the family's consent holds (decision 137).
    Any other case answers NOT_FOUND, exactly as an id that never existed; each read
    is written to the audit trail."""
    not_found = sdk.NotFoundError("introuvable dans ce pôle", field="bookingId")
    sitter = await sitter_service.sitter_of_user(session, sitter_user_id)
    if sitter is None:
        raise not_found
    booking = await session.scalar(
        select(Booking).where(
            Booking.id == booking_id,
            Booking.sitter_id == sitter.id,
            Booking.status == BookingStatus.CONFIRMED.value,
            Booking.agreed_on <= today,
            Booking.share_until >= today,
        )
    )
    if booking is None or not await sdk.consent_active(session, booking.family_id, CONSENT):
        raise not_found
    request = await checks.row(session, Request, booking.request_id, "bookingId")
    child = await sdk.find_child(session, booking.child_id, field="bookingId")
    checks.audit(
        session,
        actor,
        "read_needs_sheet",
        "booking",
        booking.id,
        ["needs", "child.first_name", "child.birth_date"],
    )
    return NeedsSheet(booking, request, child.first_name, child.birth_date)


# --- the sitter's own view ------------------------------------------------------------


async def sitter_bookings(session: AsyncSession, sitter_id: uuid.UUID) -> list[Booking]:
    rows = await session.execute(
        select(Booking)
        .where(Booking.sitter_id == sitter_id)
        .order_by(Booking.agreed_on.desc(), Booking.id)
    )
    return list(rows.scalars())


async def sittings(
    session: AsyncSession, booking_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Sitting]]:
    found: dict[uuid.UUID, list[Sitting]] = {}
    rows = await session.execute(
        select(Sitting).where(Sitting.booking_id.in_(booking_ids)).order_by(Sitting.on, Sitting.id)
    )
    for s in rows.scalars():
        found.setdefault(s.booking_id, []).append(s)
    return found


def _done_in(year: int) -> tuple[Any, ...]:
    """The sittings done in the civil year ``year``."""
    return (
        Sitting.status == SittingStatus.DONE.value,
        Sitting.on >= dt.date(year, 1, 1),
        Sitting.on < dt.date(year + 1, 1, 1),
    )


async def hours_by_month(
    session: AsyncSession, sitter_id: uuid.UUID, year: int
) -> dict[tuple[int, uuid.UUID], float]:
    """Hours of sittings done per month and family: the statement a family uses for its
    own payment paperwork (CESU, PCH)."""
    rows = await session.execute(
        select(Sitting, Booking.family_id)
        .join(Booking, Booking.id == Sitting.booking_id)
        .where(Sitting.sitter_id == sitter_id, *_done_in(year))
    )
    found: dict[tuple[int, uuid.UUID], float] = {}
    for sitting, family_id in rows:
        key = (sitting.on.month, family_id)
        found[key] = found.get(key, 0.0) + sitting.hours
    return found


@dataclass(frozen=True)
class HoursLine:
    """A month of a family's statement: one sitter's sittings done and their hours."""

    month: int
    sitter: str
    sittings: int
    minutes: int

    @property
    def hours(self) -> float:
        return self.minutes / 60


async def family_hours(session: AsyncSession, family_id: uuid.UUID, year: int) -> list[HoursLine]:
    """The family's sittings done in ``year``, by month and sitter: the statement it uses
    for its own payment paperwork (CESU, PCH). One statement."""
    rows = await session.execute(
        select(Sitting.on, Sitting.minutes, Sitter.id, Sitter.first_name, Sitter.last_name)
        .join(Booking, Booking.id == Sitting.booking_id)
        .join(Sitter, Sitter.id == Sitting.sitter_id)
        .where(Booking.family_id == family_id, *_done_in(year))
    )
    lines: dict[tuple[int, str, uuid.UUID], list[int]] = {}
    for on, minutes, sitter_id, first, last in rows:
        line = lines.setdefault((on.month, f"{first} {last}", sitter_id), [0, 0])
        line[0] += 1
        line[1] += minutes
    return [
        HoursLine(month, name, count, minutes)
        for (month, name, _), (count, minutes) in sorted(lines.items())
    ]
