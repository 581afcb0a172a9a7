"""Ranking the sitters for a family's request, every score explained (decision 138).

A candidate's score (out of 100) is the sum of five parts, each shown with what it
was computed from so that staff can say why one sitter comes before another:

- required skills covered (40): the share of the request's skills the sitter has;
- distance (25): from the sitter's commune to the family's, as the crow flies
  (commune centroids, great circle, ``sdk.distance_km``), full at 0 km, nothing at
  the distance the sitter agreed to travel or beyond;
- availability (20): the share of the request's sittings inside the sitter's weekly
  slots and outside their exceptions;
- continuity (10): the sitter already sat for this family (a booking not cancelled);
- past feedback (5): the families' average rating of the sitter (1–4); with no rating
  yet, half the points, so a newcomer is neither favoured nor buried.

Only approved sitters whose required documents are checked and in date are ranked:
an expired document suspends proposals until renewed. Everything is read in a fixed
number of statements, whatever the number of sitters.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.handisitting import sitters as sitter_service
from plugins.handisitting.models import (
    Availability,
    Booking,
    Document,
    Feedback,
    Request,
    Sitter,
    Sitting,
    Unavailability,
)
from plugins.handisitting.vocabulary import BookingStatus, Side, SitterStatus

WEIGHTS = {
    "skills": 40.0,
    "distance": 25.0,
    "availability": 20.0,
    "continuity": 10.0,
    "feedback": 5.0,
}
MAX_SITTINGS = 60  # a weekly request spans about a year at most


@dataclass(frozen=True)
class Part:
    """One part of a score: its points out of ``weight``, and why, in French."""

    name: str
    points: float
    weight: float
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"points": round(self.points, 1), "weight": self.weight, "detail": self.detail}


@dataclass
class Candidate:
    sitter: Sitter
    parts: list[Part]
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(sum(p.points for p in self.parts), 1)

    def score_json(self) -> dict[str, object]:
        return {**{p.name: p.as_json() for p in self.parts}, "total": self.total}


def sitting_dates(request: Request) -> list[dt.date]:
    """The days a request asks for: one, or every week from the first to the last."""
    if not request.weekly:
        return [request.first_on]
    days, day = [], request.first_on
    while day <= request.last_on and len(days) < MAX_SITTINGS:
        days.append(day)
        day += dt.timedelta(days=7)
    return days


def free_on(
    day: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    slots: Sequence[Availability],
    away: Sequence[Unavailability],
) -> bool:
    if any(u.starts_on <= day <= u.ends_on for u in away):
        return False
    return any(
        s.weekday == day.weekday() and s.starts_at <= starts_at and ends_at <= s.ends_at
        for s in slots
    )


def _km(a: str, b: str) -> float | None:
    try:
        return sdk.distance_km(a, b)
    except sdk.UnknownPlace:
        return None


def score(
    request: Request,
    sitter: Sitter,
    *,
    labels: dict[str, str],
    slots: Sequence[Any],
    away: Sequence[Any],
    known_family: bool,
    rating: tuple[float, int] | None,
) -> Candidate:
    """One sitter's score for one request, with its parts and warnings."""
    warnings: list[str] = []
    required = set(request.skills)
    covered = required & set(sitter.skills)
    missing = sorted(required - covered)
    share = 1.0 if not required else len(covered) / len(required)
    skills_detail = (
        "aucune compétence particulière demandée"
        if not required
        else f"{len(covered)} compétence(s) demandée(s) sur {len(required)}"
        + (f" ; manque : {', '.join(labels.get(c, c) for c in missing)}" if missing else "")
    )
    if missing:
        warnings.append(
            "compétence(s) non couverte(s) : " + ", ".join(labels.get(c, c) for c in missing)
        )

    km = _km(sitter.commune_insee, request.commune_insee)
    if km is None:
        distance_points, distance_detail = 0.0, "distance inconnue (commune sans contour)"
        warnings.append("distance inconnue")
    else:
        reach = max(sitter.travel_km, 1)
        distance_points = WEIGHTS["distance"] * max(0.0, 1 - km / reach)
        distance_detail = (
            f"{sdk.number_fr(km, 1)} km à vol d'oiseau (se déplace jusqu'à {sitter.travel_km} km)"
        )
        if km > sitter.travel_km:
            warnings.append(f"au-delà de la distance acceptée ({sdk.number_fr(km, 1)} km)")

    dates = sitting_dates(request)
    # The weekdays whose slot covers the request's hours, once; then each date.
    days = {
        s.weekday
        for s in slots
        if s.starts_at <= request.starts_at and request.ends_at <= s.ends_at
    }
    free = [
        d
        for d in dates
        if d.weekday() in days and not any(u.starts_on <= d <= u.ends_on for u in away)
    ]
    availability_share = len(free) / len(dates) if dates else 0.0
    if len(free) < len(dates):
        warnings.append(f"disponible pour {len(free)} garde(s) sur {len(dates)}")

    if rating is None:
        feedback_points, feedback_detail = WEIGHTS["feedback"] / 2, "pas encore d'avis des familles"
    else:
        average, count = rating
        feedback_points = WEIGHTS["feedback"] * (average - 1) / 3
        feedback_detail = (
            f"note moyenne des familles {sdk.number_fr(average, 1)} sur 4 ({count} avis)"
        )

    parts = [
        Part("skills", WEIGHTS["skills"] * share, WEIGHTS["skills"], skills_detail),
        Part("distance", distance_points, WEIGHTS["distance"], distance_detail),
        Part(
            "availability",
            WEIGHTS["availability"] * availability_share,
            WEIGHTS["availability"],
            f"disponible pour {len(free)} garde(s) sur {len(dates)}",
        ),
        Part(
            "continuity",
            WEIGHTS["continuity"] if known_family else 0.0,
            WEIGHTS["continuity"],
            "connaît déjà la famille" if known_family else "ne connaît pas encore la famille",
        ),
        Part("feedback", feedback_points, WEIGHTS["feedback"], feedback_detail),
    ]
    return Candidate(sitter, parts, warnings)


async def ratings(
    session: AsyncSession, sitter_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[float, int]]:
    """Families' average rating of each sitter, and the number of ratings: one statement."""
    rows = await session.execute(
        select(Sitting.sitter_id, func.avg(Feedback.rating), func.count())
        .join(Sitting, Sitting.id == Feedback.sitting_id)
        .where(Feedback.side == Side.FAMILY.value, Sitting.sitter_id.in_(sitter_ids))
        .group_by(Sitting.sitter_id)
    )
    return {sid: (float(avg), int(n)) for sid, avg, n in rows}


async def known_to_family(session: AsyncSession, family_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await session.execute(
        select(Booking.sitter_id).where(
            Booking.family_id == family_id, Booking.status != BookingStatus.CANCELLED.value
        )
    )
    return set(rows.scalars())


async def proposable(session: AsyncSession, sitter: Sitter, today: dt.date) -> list[str]:
    """Why this sitter cannot be proposed today (empty: they can)."""
    if sitter.status != SitterStatus.APPROVED.value:
        return [f"statut : {SitterStatus(sitter.status).label}"]
    return sitter_service.document_problems(
        await sitter_service.documents(session, [sitter.id]), today
    )


async def rank(
    session: AsyncSession, request: Request, *, today: dt.date, limit: int = 20
) -> list[Candidate]:
    """The approved sitters able to sit today, best score first (ties: by name)."""
    approved = list(
        (
            await session.execute(
                select(Sitter).where(Sitter.status == SitterStatus.APPROVED.value)
            )
        ).scalars()
    )
    ids = [s.id for s in approved]
    # Plain rows, not ORM objects: ranking reads a few columns of thousands of rows.
    docs: dict[uuid.UUID, list[Any]] = {}
    for doc in await session.execute(
        select(Document.sitter_id, Document.kind, Document.checked_at, Document.expires_on)
        .where(Document.sitter_id.in_(ids))
        .order_by(Document.sitter_id, Document.kind, Document.issued_on.desc(), Document.id)
    ):
        docs.setdefault(doc.sitter_id, []).append(doc)
    slots: dict[uuid.UUID, list[Any]] = {}
    for slot in await session.execute(
        select(
            Availability.sitter_id,
            Availability.weekday,
            Availability.starts_at,
            Availability.ends_at,
        ).where(Availability.sitter_id.in_(ids))
    ):
        slots.setdefault(slot.sitter_id, []).append(slot)
    away: dict[uuid.UUID, list[Any]] = {}
    for gap in await session.execute(
        select(Unavailability.sitter_id, Unavailability.starts_on, Unavailability.ends_on).where(
            Unavailability.sitter_id.in_(ids)
        )
    ):
        away.setdefault(gap.sitter_id, []).append(gap)
    known = await known_to_family(session, request.family_id)
    rated = await ratings(session, ids)
    labels = await sitter_service.skills(session)
    candidates = [
        score(
            request,
            s,
            labels=labels,
            slots=slots.get(s.id, []),
            away=away.get(s.id, []),
            known_family=s.id in known,
            rating=rated.get(s.id),
        )
        for s in approved
        if not sitter_service.document_problems(docs.get(s.id, []), today)
    ]
    candidates.sort(key=lambda c: (-c.total, c.sitter.last_name, c.sitter.first_name, c.sitter.id))
    return candidates[:limit]
