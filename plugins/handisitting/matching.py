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

Only approved sitters whose required documents (identity, criminal-record extract) are
checked and in date are ranked: an expired one suspends proposals until renewed. An
optional document expired (first aid, diploma) is a warning to confirm (decision 207).
Everything is read in a fixed number of statements, whatever the number of sitters.
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
    sitter: Any  # a Sitter, or a row of its columns (ranking)
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


@dataclass(frozen=True)
class Plan:
    """What a request asks, worked out once for all the sitters it is compared with:
    its skills, its dates grouped by weekday (a weekly request has one weekday), its
    hours and its commune."""

    required: frozenset[str]
    dates: int
    by_weekday: dict[int, tuple[dt.date, ...]]
    starts_at: dt.time
    ends_at: dt.time
    commune_insee: str

    @classmethod
    def of(cls, request: Request) -> Plan:
        by_weekday: dict[int, list[dt.date]] = {}
        dates = sitting_dates(request)
        for day in dates:
            by_weekday.setdefault(day.weekday(), []).append(day)
        return cls(
            required=frozenset(request.skills),
            dates=len(dates),
            by_weekday={w: tuple(days) for w, days in by_weekday.items()},
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            commune_insee=request.commune_insee,
        )

    def covering(self, slots: Sequence[Any]) -> set[int]:
        """The weekdays whose slot holds the request's hours."""
        return {
            s.weekday for s in slots if s.starts_at <= self.starts_at and self.ends_at <= s.ends_at
        }

    def free(self, weekdays: set[int], away: Sequence[Any]) -> int:
        """How many of the request's dates fall on those weekdays and outside ``away``."""
        if not away:
            return sum(len(self.by_weekday.get(w, ())) for w in weekdays)
        return sum(
            1
            for w in weekdays
            for d in self.by_weekday.get(w, ())
            if not any(u.starts_on <= d <= u.ends_on for u in away)
        )


@dataclass(frozen=True)
class Figures:
    """A sitter's numbers for a request, before any sentence is written: enough to
    rank (``total``), and what ``explain`` turns into the parts staff read."""

    covered: frozenset[str]
    km: float | None
    free: int
    known: bool
    rating: tuple[float, int] | None
    points: tuple[float, float, float, float, float]

    @property
    def total(self) -> float:
        return round(sum(self.points), 1)


def figures(
    plan: Plan,
    sitter: Any,
    *,
    km: float | None,
    weekdays: set[int],
    away: Sequence[Any],
    known: bool,
    rating: tuple[float, int] | None,
) -> Figures:
    covered = plan.required.intersection(sitter.skills)
    share = 1.0 if not plan.required else len(covered) / len(plan.required)
    distance = (
        0.0 if km is None else WEIGHTS["distance"] * max(0.0, 1 - km / max(sitter.travel_km, 1))
    )
    free = plan.free(weekdays, away)
    feedback = (
        WEIGHTS["feedback"] / 2 if rating is None else WEIGHTS["feedback"] * (rating[0] - 1) / 3
    )
    return Figures(
        covered=covered,
        km=km,
        free=free,
        known=known,
        rating=rating,
        points=(
            WEIGHTS["skills"] * share,
            distance,
            WEIGHTS["availability"] * (free / plan.dates if plan.dates else 0.0),
            WEIGHTS["continuity"] if known else 0.0,
            feedback,
        ),
    )


def explain(plan: Plan, sitter: Any, numbers: Figures, labels: dict[str, str]) -> Candidate:
    """The candidate as staff read it: each part with its points and why, and the
    warnings a proposal must confirm."""
    warnings: list[str] = []
    required, covered = plan.required, numbers.covered
    missing = sorted(required - covered)
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
    km = numbers.km
    if km is None:
        distance_detail = "distance inconnue (commune sans contour)"
        warnings.append("distance inconnue")
    else:
        distance_detail = (
            f"{sdk.number_fr(km, 1)} km à vol d'oiseau (se déplace jusqu'à {sitter.travel_km} km)"
        )
        if km > sitter.travel_km:
            warnings.append(f"au-delà de la distance acceptée ({sdk.number_fr(km, 1)} km)")
    available = f"disponible pour {numbers.free} garde(s) sur {plan.dates}"
    if numbers.free < plan.dates:
        warnings.append(available)
    if numbers.rating is None:
        feedback_detail = "pas encore d'avis des familles"
    else:
        average, count = numbers.rating
        feedback_detail = (
            f"note moyenne des familles {sdk.number_fr(average, 1)} sur 4 ({count} avis)"
        )
    details = (
        skills_detail,
        distance_detail,
        available,
        "connaît déjà la famille" if numbers.known else "ne connaît pas encore la famille",
        feedback_detail,
    )
    parts = [
        Part(name, points, WEIGHTS[name], detail)
        for name, points, detail in zip(WEIGHTS, numbers.points, details, strict=True)
    ]
    return Candidate(sitter, parts, warnings)


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
    plan = Plan.of(request)
    numbers = figures(
        plan,
        sitter,
        km=_km(sitter.commune_insee, plan.commune_insee),
        weekdays=plan.covering(slots),
        away=away,
        known=known_family,
        rating=rating,
    )
    return explain(plan, sitter, numbers, labels)


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


# The columns of a sitter that a candidate shows (HandisittingSitter.from_row).
SITTER_COLUMNS = (
    Sitter.id,
    Sitter.first_name,
    Sitter.last_name,
    Sitter.email,
    Sitter.phone,
    Sitter.commune_insee,
    Sitter.travel_km,
    Sitter.background,
    Sitter.background_detail,
    Sitter.languages,
    Sitter.skills,
    Sitter.status,
    Sitter.user_id,
)


async def rank(
    session: AsyncSession, request: Request, *, today: dt.date, limit: int = 20
) -> list[Candidate]:
    """The approved sitters able to sit today, best score first (ties: by name).

    Plain rows, not ORM objects; the slots that hold the request's hours and the
    exceptions that meet its dates only, filtered by the database; every sitter's
    numbers computed, the sentences written for the ``limit`` best only (decision 138)."""
    plan = Plan.of(request)
    approved = Sitter.status == SitterStatus.APPROVED.value
    sitters = (await session.execute(select(*SITTER_COLUMNS).where(approved))).all()
    docs: dict[uuid.UUID, list[Any]] = {}
    for doc in await session.execute(
        select(Document.sitter_id, Document.kind, Document.checked_at, Document.expires_on)
        .join(Sitter, Sitter.id == Document.sitter_id)
        .where(approved)
        .order_by(Document.sitter_id, Document.kind, Document.issued_on.desc(), Document.id)
    ):
        docs.setdefault(doc.sitter_id, []).append(doc)
    weekdays: dict[uuid.UUID, set[int]] = {}
    for slot in await session.execute(
        select(Availability.sitter_id, Availability.weekday)
        .join(Sitter, Sitter.id == Availability.sitter_id)
        .where(
            approved,
            Availability.weekday.in_(sorted(plan.by_weekday)),
            Availability.starts_at <= plan.starts_at,
            Availability.ends_at >= plan.ends_at,
        )
    ):
        weekdays.setdefault(slot.sitter_id, set()).add(slot.weekday)
    first, last = request.first_on, max(d for days in plan.by_weekday.values() for d in days)
    away: dict[uuid.UUID, list[Any]] = {}
    for gap in await session.execute(
        select(Unavailability.sitter_id, Unavailability.starts_on, Unavailability.ends_on)
        .join(Sitter, Sitter.id == Unavailability.sitter_id)
        .where(approved, Unavailability.ends_on >= first, Unavailability.starts_on <= last)
    ):
        away.setdefault(gap.sitter_id, []).append(gap)
    known = await known_to_family(session, request.family_id)
    rated = await ratings(session, [s.id for s in sitters])
    labels = await sitter_service.skills(session)
    distances: dict[str, float | None] = {}
    ranked = []
    for s in sitters:
        if not sitter_service.documents_allow(docs.get(s.id, ()), today):
            continue
        if s.commune_insee not in distances:
            distances[s.commune_insee] = _km(s.commune_insee, plan.commune_insee)
        numbers = figures(
            plan,
            s,
            km=distances[s.commune_insee],
            weekdays=weekdays.get(s.id, set()),
            away=away.get(s.id, ()),
            known=s.id in known,
            rating=rated.get(s.id),
        )
        ranked.append((-numbers.total, s.last_name, s.first_name, s.id, numbers, s))
    ranked.sort(key=lambda r: r[:4])
    shown = []
    for *_, numbers, s in ranked[:limit]:
        candidate = explain(plan, s, numbers, labels)
        candidate.warnings.extend(sitter_service.document_warnings(docs.get(s.id, ()), today))
        shown.append(candidate)
    return shown
