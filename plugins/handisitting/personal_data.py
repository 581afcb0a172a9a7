"""Personal data in handisitting.

Families: their requests (the needs sheet) and bookings go with the family's export and
erasure (``sdk.family_records``). Sitters are data subjects too: ``export_sitter`` gives
everything held about one, ``erase_sitter`` removes their identity, contact, words and
files while keeping the bookings' dates and hours (the pole's figures), and ``purge``
applies the pole's retention: sitters without a booking for ``retention_months`` are
erased, documents expired longer than that lose their file.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.handisitting import checks
from plugins.handisitting.models import (
    Availability,
    Booking,
    Document,
    Feedback,
    Request,
    Sitter,
    Sitting,
    Unavailability,
    VettingStep,
)
from plugins.handisitting.vocabulary import DocumentKind

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
        await session.scalars(select(VettingStep).where(VettingStep.sitter_id == sitter.id))
    ).all()
    docs = (
        await session.scalars(
            select(Document).where(Document.sitter_id == sitter.id).order_by(Document.issued_on)
        )
    ).all()
    slots = (
        await session.scalars(select(Availability).where(Availability.sitter_id == sitter.id))
    ).all()
    sittings = (
        await session.execute(
            select(
                Sitting.on,
                Sitting.minutes,
                Sitting.status,
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
            "Agrément": sitter.status,
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
        "Gardes": [
            {
                "Le": on.isoformat(),
                "Minutes": minutes,
                "État": status,
                "Avis": None
                if side is None
                else {"De": side, "Note": rating, "Commentaire": comment},
            }
            for on, minutes, status, side, rating, comment in sittings
        ],
    }


async def erase_sitter(session: AsyncSession, sitter_id: uuid.UUID, actor: str) -> Sitter:
    """Erase a sitter's identity, contact, words and files; keep the dates and hours."""
    sitter = await checks.row(session, Sitter, sitter_id, "sitterId")
    sitter.first_name = ERASED
    sitter.last_name = ERASED
    sitter.email = f"efface-{sitter.id}@invalid"
    sitter.phone = ""
    sitter.background_detail = ""
    sitter.languages = []
    sitter.user_id = None
    await session.execute(
        update(Document)
        .where(Document.sitter_id == sitter.id)
        .values(content=None, size=0, filename="effacé")
    )
    await session.execute(
        update(VettingStep).where(VettingStep.sitter_id == sitter.id).values(reason="")
    )
    await session.execute(
        update(Unavailability).where(Unavailability.sitter_id == sitter.id).values(note="")
    )
    sitting_ids = select(Sitting.id).where(Sitting.sitter_id == sitter.id)
    await session.execute(
        update(Feedback).where(Feedback.sitting_id.in_(sitting_ids)).values(comment="")
    )
    await session.flush()
    checks.audit(session, actor, "erase_sitter", "sitter", sitter.id, ["*"])
    return sitter


async def purge(
    session: AsyncSession, *, today: dt.date, retention_months: int, actor: str
) -> dict[str, int]:
    """Apply the retention: files of documents expired for longer than the retention
    are dropped; sitters with no booking (and no application) within it are erased."""
    limit = today - dt.timedelta(days=round(retention_months * 30.44))
    files = await session.execute(
        update(Document)
        .where(Document.expires_on < limit, Document.size > 0)
        .values(content=None, size=0)
    )
    last_booking = (
        select(Booking.sitter_id, func.max(Booking.agreed_on).label("last"))
        .group_by(Booking.sitter_id)
        .subquery()
    )
    stale = (
        await session.scalars(
            select(Sitter.id)
            .outerjoin(last_booking, last_booking.c.sitter_id == Sitter.id)
            .where(
                Sitter.first_name != ERASED,
                func.coalesce(last_booking.c.last, func.date(Sitter.created_at)) < limit,
            )
        )
    ).all()
    for sitter_id in stale:
        await erase_sitter(session, sitter_id, actor)
    return {"documents": int(files.rowcount or 0), "sitters": len(stale)}
