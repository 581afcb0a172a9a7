"""Personal data in handisitting.

Families: their requests (the needs sheet) and bookings go with the family's export and
erasure (``sdk.family_records``). Sitters are data subjects too: ``export_sitter`` gives
everything held about one, ``erase_sitter`` removes their identity, contact, words and
files while keeping the bookings' dates and hours (the pole's figures) and closes the
record (status ``erased``: never ranked, proposed nor vetted again), and ``purge``
applies the pole's retention: sitters with nothing for ``retention_months`` since their
last sitting (or agreement, proposal, vetting step, application) are erased, documents
expired longer than that lose their file (decision 205).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.handisitting import checks
from plugins.handisitting.models import (
    Availability,
    Booking,
    Document,
    Feedback,
    Incident,
    Proposal,
    Request,
    Sitter,
    Sitting,
    Unavailability,
    VettingStep,
)
from plugins.handisitting.vocabulary import (
    OPEN_PROPOSALS,
    BookingStatus,
    DocumentKind,
    ProposalStatus,
    Side,
    SitterStatus,
    SittingStatus,
)

ERASED = "Effacé·e"


def family_sources() -> list[sdk.PersonalDataSource]:
    return [
        sdk.family_records(
            Booking,
            title="Gardes à domicile convenues (handisitting)",
            kind="Garde convenue",
            type_name="HandisittingBooking",
            order=40,
            describe=lambda b: {
                "Convenue le": b.agreed_on.isoformat(),
                "État": b.status,
                "Annulée par": b.cancelled_by,
                "Motif d'annulation": b.cancel_reason,
            },
        ),
        sdk.family_records(
            Request,
            title="Demandes de garde à domicile (handisitting)",
            kind="Demande de garde",
            type_name="HandisittingRequest",
            order=45,
            describe=lambda r: {
                "Fiche de besoins": r.needs,
                "Compétences demandées": ", ".join(r.skills),
                "Du": r.first_on.isoformat(),
                "Au": r.last_on.isoformat(),
                "Horaires": f"{r.starts_at:%H:%M}–{r.ends_at:%H:%M}",
                "Chaque semaine": "oui" if r.weekly else "non",
            },
        ),
    ]


async def export_sitter(session: AsyncSession, sitter_id: uuid.UUID, actor: str) -> dict[str, Any]:
    """Everything held about a sitter, in French labels (subject access)."""
    sitter = await checks.row(session, Sitter, sitter_id, "sitterId")
    steps = (
        await session.scalars(
            select(VettingStep)
            .where(VettingStep.sitter_id == sitter.id)
            .order_by(VettingStep.at, VettingStep.id)
        )
    ).all()
    docs = (
        await session.scalars(
            select(Document).where(Document.sitter_id == sitter.id).order_by(Document.issued_on)
        )
    ).all()
    slots = (
        await session.scalars(select(Availability).where(Availability.sitter_id == sitter.id))
    ).all()
    away = (
        await session.scalars(
            select(Unavailability)
            .where(Unavailability.sitter_id == sitter.id)
            .order_by(Unavailability.starts_on)
        )
    ).all()
    proposals = (
        await session.scalars(
            select(Proposal)
            .where(Proposal.sitter_id == sitter.id)
            .order_by(Proposal.created_at, Proposal.id)
        )
    ).all()
    incidents = (
        await session.scalars(
            select(Incident)
            .join(Booking, Booking.id == Incident.booking_id)
            .where(Booking.sitter_id == sitter.id)
            .order_by(Incident.happened_on, Incident.id)
        )
    ).all()
    sittings = (
        await session.execute(
            select(
                Sitting.on,
                Sitting.minutes,
                Sitting.status,
                Sitting.cancelled_by,
                Sitting.cancel_reason,
                Feedback.side,
                Feedback.rating,
                Feedback.comment,
            )
            .outerjoin(Feedback, Feedback.sitting_id == Sitting.id)
            .where(Sitting.sitter_id == sitter.id)
            .order_by(Sitting.on)
        )
    ).all()
    checks.audit(session, actor, "export_sitter", "sitter", sitter.id, ["*"])
    return {
        "Identité": {
            "Prénom": sitter.first_name,
            "Nom": sitter.last_name,
            "Adresse électronique": sitter.email,
            "Téléphone": sitter.phone,
            "Commune": sitter.commune_insee,
            "Distance acceptée (km)": sitter.travel_km,
            "Études ou expérience": sitter.background_detail,
            "Langues": sitter.languages,
            "Compétences": sitter.skills,
            "Agrément": SitterStatus(sitter.status).label,
        },
        "Étapes de l'agrément": [
            {"Étape": s.status, "Motif": s.reason, "Le": s.at.isoformat()} for s in steps
        ],
        "Pièces": [
            {
                "Pièce": DocumentKind(d.kind).label,
                "Délivrée le": d.issued_on.isoformat(),
                "Expire le": d.expires_on.isoformat() if d.expires_on else None,
                "Fichier": d.filename,
            }
            for d in docs
        ],
        "Disponibilités": [
            {"Jour": a.weekday, "De": f"{a.starts_at:%H:%M}", "À": f"{a.ends_at:%H:%M}"}
            for a in slots
        ],
        "Absences": [
            {"Du": u.starts_on.isoformat(), "Au": u.ends_on.isoformat(), "Motif": u.note}
            for u in away
        ],
        "Propositions": [
            {
                "Proposée le": p.created_at.date().isoformat(),
                "État": ProposalStatus(p.status).label,
                "Réponse": p.answer_note,
                "Première rencontre": p.met_on.isoformat() if p.met_on else None,
            }
            for p in proposals
        ],
        "Gardes": [
            {
                "Le": on.isoformat(),
                "Minutes": minutes,
                "État": status,
                "Annulée par": Side(cancelled_by).label if cancelled_by else None,
                "Motif d'annulation": cancel_reason,
                "Avis": None
                if side is None
                else {"De": side, "Note": rating, "Commentaire": comment},
            }
            for on, minutes, status, cancelled_by, cancel_reason, side, rating, comment in sittings
        ],
        "Incidents": [
            {
                "Le": i.happened_on.isoformat(),
                "Signalé par": Side(i.reported_by).label,
                "Description": i.description,
                "Traité": i.handled_at is not None,
            }
            for i in incidents
        ],
    }


async def erase_sitter(
    session: AsyncSession, sitter_id: uuid.UUID, actor: str, *, today: dt.date | None = None
) -> Sitter:
    """Erase a sitter's identity, contact, words and files; keep the dates and hours.

    Refused (CONFLICT on ``sitterId``) while a confirmed booking of hers has sittings
    ahead: a family counts on them, so staff cancel it first, saying who and why
    (decision 205). Her open proposals are withdrawn; the record is closed (``erased``)."""
    sitter = await checks.row(session, Sitter, sitter_id, "sitterId")
    today = today or dt.date.today()
    ahead = (
        await session.execute(
            select(func.count(func.distinct(Sitting.booking_id)), func.min(Sitting.on))
            .join(Booking, Booking.id == Sitting.booking_id)
            .where(
                Booking.sitter_id == sitter.id,
                Booking.status == BookingStatus.CONFIRMED.value,
                Sitting.status == SittingStatus.PLANNED.value,
                Sitting.on >= today,
            )
        )
    ).one()
    if ahead[0]:
        raise sdk.ConflictError(
            f"{ahead[0]} garde(s) convenue(s) encore à venir (la prochaine le "
            f"{sdk.date_fr(ahead[1])}) : annulez-les d'abord en disant qui et pourquoi, "
            "la famille doit le savoir",
            field="sitterId",
        )
    sitter.first_name = ERASED
    sitter.last_name = ERASED
    sitter.email = f"efface-{sitter.id}@invalid"
    sitter.phone = ""
    sitter.background_detail = ""
    sitter.languages = []
    sitter.user_id = None
    sitter.status = SitterStatus.ERASED.value
    await session.execute(
        update(Document)
        .where(Document.sitter_id == sitter.id)
        .values(content=None, size=0, filename="effacé")
    )
    await session.execute(
        update(VettingStep).where(VettingStep.sitter_id == sitter.id).values(reason="")
    )
    # Her week and her absences serve only to propose her, which ends here.
    await session.execute(delete(Availability).where(Availability.sitter_id == sitter.id))
    await session.execute(delete(Unavailability).where(Unavailability.sitter_id == sitter.id))
    await session.execute(
        update(Proposal)
        .where(Proposal.sitter_id == sitter.id, Proposal.status.in_(OPEN_PROPOSALS))
        .values(status=ProposalStatus.WITHDRAWN.value)
    )
    await session.execute(
        update(Proposal).where(Proposal.sitter_id == sitter.id).values(answer_note="")
    )
    sitting_ids = select(Sitting.id).where(Sitting.sitter_id == sitter.id)
    await session.execute(
        update(Feedback).where(Feedback.sitting_id.in_(sitting_ids)).values(comment="")
    )
    # Her own reports go; a family's or the pole's report of an incident is the pole's
    # record of what happened to a child, kept (decision 205).
    booking_ids = select(Booking.id).where(Booking.sitter_id == sitter.id)
    await session.execute(
        update(Incident)
        .where(Incident.booking_id.in_(booking_ids), Incident.reported_by == Side.SITTER.value)
        .values(description="")
    )
    # Why she cancelled a sitting or a booking, in her words; the fact stays.
    await session.execute(
        update(Sitting)
        .where(Sitting.sitter_id == sitter.id, Sitting.cancelled_by == Side.SITTER.value)
        .values(cancel_reason="")
    )
    await session.execute(
        update(Booking)
        .where(Booking.sitter_id == sitter.id, Booking.cancelled_by == Side.SITTER.value)
        .values(cancel_reason="")
    )
    session.add(
        VettingStep(
            sitter_id=sitter.id,
            status=SitterStatus.ERASED.value,
            reason="Données personnelles effacées",
            by=actor,
            at=checks.now(),
        )
    )
    await session.flush()
    checks.audit(session, actor, "erase_sitter", "sitter", sitter.id, ["*"])
    return sitter


async def last_activity(session: AsyncSession) -> dict[uuid.UUID, dt.date]:
    """Each sitter's last day with the pole, not erased: the latest of her application,
    a vetting step, a proposal, an agreement and a sitting not cancelled (planned ones
    ahead included). Five statements, whatever the number of sitters."""
    found: dict[uuid.UUID, dt.date] = {}

    def keep(sitter_id: uuid.UUID, day: dt.date | dt.datetime | None) -> None:
        if day is None or sitter_id not in found:
            return
        on = day.date() if isinstance(day, dt.datetime) else day
        found[sitter_id] = max(found[sitter_id], on)

    for sitter_id, created in await session.execute(
        select(Sitter.id, Sitter.created_at).where(Sitter.status != SitterStatus.ERASED.value)
    ):
        found[sitter_id] = created.date()
    for statement in (
        select(VettingStep.sitter_id, func.max(VettingStep.at)).group_by(VettingStep.sitter_id),
        select(Proposal.sitter_id, func.max(Proposal.created_at)).group_by(Proposal.sitter_id),
        select(Booking.sitter_id, func.max(Booking.agreed_on)).group_by(Booking.sitter_id),
        select(Sitting.sitter_id, func.max(Sitting.on))
        .where(Sitting.status != SittingStatus.CANCELLED.value)
        .group_by(Sitting.sitter_id),
    ):
        for sitter_id, day in await session.execute(statement):
            keep(sitter_id, day)
    return found


def retention_limit(today: dt.date, retention_months: int) -> dt.date:
    return today - dt.timedelta(days=round(retention_months * 30.44))


async def purge(
    session: AsyncSession, *, today: dt.date, retention_months: int, actor: str
) -> dict[str, int]:
    """Apply the retention: files of documents expired for longer than the retention
    are dropped; sitters whose last day with the pole (``last_activity``: a sitting
    ahead counts) is older than the retention are erased."""
    limit = retention_limit(today, retention_months)
    files = await session.execute(
        update(Document)
        .where(Document.expires_on < limit, Document.size > 0)
        .values(content=None, size=0)
    )
    stale = sorted(
        sitter_id for sitter_id, last in (await last_activity(session)).items() if last < limit
    )
    for sitter_id in stale:
        await erase_sitter(session, sitter_id, actor, today=today)
    return {"documents": int(files.rowcount or 0), "sitters": len(stale)}
