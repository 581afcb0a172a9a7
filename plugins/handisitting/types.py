"""Handisitting's GraphQL types. Nested lists (documents, vetting, availability,
proposals, sittings) load through per-request batches, only when selected."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.handisitting import bookings, matching, sitters
from plugins.handisitting.access import MANAGE, READ, SITTER
from plugins.handisitting.loaders import many
from plugins.handisitting.models import (
    Booking,
    Document,
    Feedback,
    Incident,
    Proposal,
    Request,
    Sitter,
    Sitting,
)
from plugins.handisitting.vocabulary import (
    DEFAULT_SKILLS,
    WEEKDAYS,
    Background,
    BookingStatus,
    DocumentKind,
    ProposalStatus,
    RequestStatus,
    Side,
    SitterStatus,
    SittingStatus,
    UnmatchedReason,
)

PART_LABELS = {
    "skills": "Compétences demandées",
    "distance": "Distance",
    "availability": "Disponibilités",
    "continuity": "Continuité avec la famille",
    "feedback": "Avis des familles",
}


def option(value: Enum) -> sdk.KindOption:
    return sdk.KindOption(value=str(value.value), label=value.label)  # type: ignore[attr-defined]


def skill_options(codes: Iterable[str], labels: Mapping[str, str]) -> list[sdk.KindOption]:
    return [sdk.KindOption(value=c, label=labels.get(c, c)) for c in codes]


def hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# --- batches --------------------------------------------------------------------------


async def documents_by_sitter(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Document]]:
    found: dict[uuid.UUID, list[Document]] = {}
    for d in await sitters.documents(session, ids):
        found.setdefault(d.sitter_id, []).append(d)
    return found


async def vetting_by_sitter(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> Mapping[uuid.UUID, list[Any]]:
    return await sitters.vetting_history(session, ids)


async def slots_by_sitter(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> Mapping[uuid.UUID, list[Any]]:
    slots, _ = await sitters.availability(session, ids)
    return slots


async def away_by_sitter(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> Mapping[uuid.UUID, list[Any]]:
    _, away = await sitters.availability(session, ids)
    return away


async def _grouped(session: AsyncSession, statement: Any, key: str) -> dict[uuid.UUID, list[Any]]:
    """The rows of ``statement`` by the ``key`` attribute of their first entity."""
    found: dict[uuid.UUID, list[Any]] = {}
    for row in await session.execute(statement):
        item = row if len(row) > 1 else row[0]
        found.setdefault(getattr(row[0], key), []).append(item)
    return found


async def proposals_by_request(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    return await _grouped(
        session,
        select(Proposal, Sitter)
        .join(Sitter, Sitter.id == Proposal.sitter_id)
        .where(Proposal.request_id.in_(ids))
        .order_by(Proposal.created_at, Proposal.id),
        "request_id",
    )


async def bookings_by_request(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    return await _grouped(
        session,
        select(Booking, Sitter)
        .join(Sitter, Sitter.id == Booking.sitter_id)
        .where(Booking.request_id.in_(ids))
        .order_by(Booking.agreed_on, Booking.id),
        "request_id",
    )


async def sittings_by_booking(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    return await bookings.sittings(session, ids)


async def feedback_by_sitting(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    return await _grouped(
        session,
        select(Feedback).where(Feedback.sitting_id.in_(ids)).order_by(Feedback.side),
        "sitting_id",
    )


async def skill_labels(
    session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    # One vocabulary per pole: the key is a constant, the loader reads it once a request.
    labels = await sitters.skills(session)
    return {k: [labels] for k in keys}


SKILLS_KEY = uuid.UUID(int=0)


async def _labels(info: sdk.Info) -> Mapping[str, str]:
    found = await many(info.context, skill_labels).load(SKILLS_KEY)
    return found[0] if found else DEFAULT_SKILLS


# --- types ----------------------------------------------------------------------------


@strawberry.type(description="Un créneau hebdomadaire de disponibilité.")
class HandisittingSlot:
    weekday: int = strawberry.field(description="0 = lundi … 6 = dimanche.")
    weekday_label: str
    starts_at: str = strawberry.field(description="Heure de début, « 14:00 ».")
    ends_at: str = strawberry.field(description="Heure de fin, « 18:00 ».")


@strawberry.type(description="Une absence : l'intervenant·e n'est pas disponible ces jours-là.")
class HandisittingUnavailability(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    starts_on: dt.date
    ends_on: dt.date
    note: str


@strawberry.type(description="Une étape de l'agrément, par un membre de l'équipe, avec son motif.")
class HandisittingVettingStep:
    status: sdk.KindOption
    reason: str
    at: dt.datetime


@strawberry.type(
    description="Une pièce justificative de l'intervenant·e (le fichier est chiffré au repos)."
)
class HandisittingDocument(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    kind: sdk.KindOption
    filename: str
    content_type: str
    size: int = strawberry.field(description="Taille en octets (0 : fichier purgé).")
    issued_on: dt.date
    expires_on: dt.date | None
    checked: bool = strawberry.field(description="Un membre de l'équipe a vu l'original.")
    expired: bool
    download_path: str | None = strawberry.field(
        description="Chemin de téléchargement (réservé à l'équipe ; nul une fois purgé)."
    )

    @classmethod
    def from_row(cls, row: Document, today: dt.date) -> HandisittingDocument:
        return cls(
            uid=str(row.id),
            kind=option(DocumentKind(row.kind)),
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            issued_on=row.issued_on,
            expires_on=row.expires_on,
            checked=row.checked_at is not None,
            expired=row.expires_on is not None and row.expires_on < today,
            download_path=f"/plugins/handisitting/documents/{row.id}" if row.size else None,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[HandisittingDocument | None]:
        ctx: sdk.Context = info.context
        ids = [_uuid(i) for i in node_ids]
        if not ctx.can(READ):
            return [None for _ in ids]
        async with ctx.db_session() as session:
            rows = (
                await session.execute(
                    select(Document).where(Document.id.in_([i for i in ids if i]))
                )
            ).scalars()
            today = dt.date.today()
            return sdk.in_order(ids, list(rows), lambda r: r.id, lambda r: cls.from_row(r, today))


@strawberry.type(
    description="Un·e intervenant·e de garde à domicile : candidature, agrément, pièces, "
    "disponibilités."
)
class HandisittingSitter(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    first_name: str
    last_name: str
    email: str
    phone: str
    commune_insee: strawberry.Private[str]
    commune: sdk.CommuneNode = strawberry.field(resolver=sdk.required_commune)
    travel_km: int = strawberry.field(description="Distance acceptée, à vol d'oiseau.")
    background: sdk.KindOption
    background_detail: str
    languages: list[str]
    skill_codes: strawberry.Private[list[str]]
    status: sdk.KindOption
    has_account: bool = strawberry.field(
        description="L'intervenant·e a un compte pour se connecter."
    )

    @classmethod
    def from_row(cls, row: Sitter) -> HandisittingSitter:
        return cls(
            uid=str(row.id),
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            phone=row.phone,
            commune_insee=row.commune_insee,
            travel_km=row.travel_km,
            background=option(Background(row.background)),
            background_detail=row.background_detail,
            languages=list(row.languages),
            skill_codes=list(row.skills),
            status=option(SitterStatus(row.status)),
            has_account=row.user_id is not None,
        )

    @strawberry.field(description="Compétences (code et libellé).")
    async def skills(self, info: sdk.Info) -> list[sdk.KindOption]:
        return skill_options(self.skill_codes, await _labels(info))

    @strawberry.field(description="Créneaux hebdomadaires de disponibilité.")
    async def availability(self, info: sdk.Info) -> list[HandisittingSlot]:
        rows = await many(info.context, slots_by_sitter).load(uuid.UUID(self.uid))
        return [
            HandisittingSlot(
                weekday=r.weekday,
                weekday_label=WEEKDAYS[r.weekday],
                starts_at=hhmm(r.starts_at),
                ends_at=hhmm(r.ends_at),
            )
            for r in rows
        ]

    @strawberry.field(description="Absences (exceptions aux créneaux).")
    async def unavailabilities(self, info: sdk.Info) -> list[HandisittingUnavailability]:
        rows = await many(info.context, away_by_sitter).load(uuid.UUID(self.uid))
        return [
            HandisittingUnavailability(
                uid=str(r.id), starts_on=r.starts_on, ends_on=r.ends_on, note=r.note
            )
            for r in rows
        ]

    @strawberry.field(description="Pièces justificatives, la plus récente de chaque sorte d'abord.")
    async def documents(self, info: sdk.Info) -> list[HandisittingDocument]:
        rows = await many(info.context, documents_by_sitter).load(uuid.UUID(self.uid))
        today = dt.date.today()
        return [HandisittingDocument.from_row(r, today) for r in rows]

    @strawberry.field(
        description="Ce qui empêche de proposer l'intervenant·e aujourd'hui (pièce manquante, "
        "non vérifiée ou expirée ; statut) ; vide : proposable."
    )
    async def blocking(self, info: sdk.Info) -> list[str]:
        rows = await many(info.context, documents_by_sitter).load(uuid.UUID(self.uid))
        found = (
            []
            if self.status.value == SitterStatus.APPROVED.value
            else [f"statut : {self.status.label}"]
        )
        return found + sitters.document_problems(rows, dt.date.today())

    @strawberry.field(
        description="Pièces facultatives expirées (premiers secours, diplôme ou certificat de "
        "scolarité) : à renouveler, sans empêcher de proposer l'intervenant·e."
    )
    async def document_warnings(self, info: sdk.Info) -> list[str]:
        rows = await many(info.context, documents_by_sitter).load(uuid.UUID(self.uid))
        return sitters.document_warnings(rows, dt.date.today())

    @strawberry.field(description="Étapes de l'agrément, dans l'ordre.")
    async def vetting(self, info: sdk.Info) -> list[HandisittingVettingStep]:
        rows = await many(info.context, vetting_by_sitter).load(uuid.UUID(self.uid))
        return [
            HandisittingVettingStep(status=option(SitterStatus(r.status)), reason=r.reason, at=r.at)
            for r in rows
        ]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[HandisittingSitter | None]:
        ctx: sdk.Context = info.context
        ids = [_uuid(i) for i in node_ids]
        if not ctx.can(READ):
            return [None for _ in ids]
        async with ctx.db_session() as session:
            rows = (
                await session.execute(select(Sitter).where(Sitter.id.in_([i for i in ids if i])))
            ).scalars()
            return sdk.in_order(ids, list(rows), lambda r: r.id, cls.from_row)


@strawberry.type(description="Page d'intervenant·es.")
class HandisittingSitterConnection(sdk.CountedConnection[HandisittingSitter]):
    pass


@strawberry.type(
    description="Une part du score d'un·e candidat·e : ses points, sur combien, et pourquoi."
)
class HandisittingScorePart:
    name: str = strawberry.field(
        description="skills, distance, availability, continuity, feedback."
    )
    label: str
    points: float
    weight: float
    detail: str


def parts_of(score: Mapping[str, Any]) -> list[HandisittingScorePart]:
    return [
        HandisittingScorePart(
            name=name,
            label=PART_LABELS[name],
            points=float(score[name]["points"]),
            weight=float(score[name]["weight"]),
            detail=str(score[name]["detail"]),
        )
        for name in PART_LABELS
        if name in score
    ]


@strawberry.type(description="Un·e candidat·e pour une demande, avec son score expliqué.")
class HandisittingCandidate:
    sitter: HandisittingSitter
    total: float = strawberry.field(description="Score sur 100.")
    parts: list[HandisittingScorePart]
    warnings: list[str] = strawberry.field(description="Ce qu'il faudra confirmer en proposant.")

    @classmethod
    def of(cls, candidate: matching.Candidate) -> HandisittingCandidate:
        return cls(
            sitter=HandisittingSitter.from_row(candidate.sitter),
            total=candidate.total,
            parts=parts_of(candidate.score_json()),
            warnings=list(candidate.warnings),
        )


@strawberry.type(description="Un avis sur une garde (1 à 4 et un commentaire).")
class HandisittingFeedback:
    side: sdk.KindOption
    rating: int
    comment: str


@strawberry.type(description="Une garde : une date et des heures ; faite, annulée ou manquée.")
class HandisittingSitting(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    on: dt.date
    starts_at: str = strawberry.field(description="Heure de début, « 14:00 ».")
    ends_at: str = strawberry.field(description="Heure de fin, « 18:00 ».")
    hours: float
    status: sdk.KindOption
    cancelled_by: sdk.KindOption | None = strawberry.field(
        description="Qui l'a annulée (elle seule, ou toute la garde convenue)."
    )
    cancel_reason: str | None = strawberry.field(description="Pourquoi elle a été annulée.")

    @classmethod
    def from_row(cls, row: Sitting) -> HandisittingSitting:
        return cls(
            uid=str(row.id),
            on=row.on,
            starts_at=hhmm(row.starts_at),
            ends_at=hhmm(row.ends_at),
            hours=round(row.hours, 2),
            status=option(SittingStatus(row.status)),
            cancelled_by=option(Side(row.cancelled_by)) if row.cancelled_by else None,
            cancel_reason=row.cancel_reason,
        )

    @strawberry.field(description="Les avis des deux côtés.")
    async def feedback(self, info: sdk.Info) -> list[HandisittingFeedback]:
        rows = await many(info.context, feedback_by_sitting).load(uuid.UUID(self.uid))
        return [
            HandisittingFeedback(side=option(Side(f.side)), rating=f.rating, comment=f.comment)
            for f in rows
        ]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[HandisittingSitting | None]:
        ctx: sdk.Context = info.context
        ids = [_uuid(i) for i in node_ids]
        if not ctx.can(READ):
            return [None for _ in ids]
        async with ctx.db_session() as session:
            rows = (
                await session.execute(select(Sitting).where(Sitting.id.in_([i for i in ids if i])))
            ).scalars()
            return sdk.in_order(ids, list(rows), lambda r: r.id, cls.from_row)


@strawberry.type(
    description="Une garde convenue : l'intervenant·e, les dates, l'accès à la fiche de besoins."
)
class HandisittingBooking(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    sitter: HandisittingSitter
    status: sdk.KindOption
    agreed_on: dt.date
    share_until: dt.date = strawberry.field(
        description="Dernier jour d'accès de l'intervenant·e à la fiche de besoins."
    )
    cancelled_by: sdk.KindOption | None
    cancel_reason: str | None

    @classmethod
    def from_row(cls, row: Booking, sitter: Sitter) -> HandisittingBooking:
        return cls(
            uid=str(row.id),
            sitter=HandisittingSitter.from_row(sitter),
            status=option(BookingStatus(row.status)),
            agreed_on=row.agreed_on,
            share_until=row.share_until,
            cancelled_by=option(Side(row.cancelled_by)) if row.cancelled_by else None,
            cancel_reason=row.cancel_reason,
        )

    @strawberry.field(description="Les gardes, par date.")
    async def sittings(self, info: sdk.Info) -> list[HandisittingSitting]:
        rows = await many(info.context, sittings_by_booking).load(uuid.UUID(self.uid))
        return [HandisittingSitting.from_row(r) for r in rows]


@strawberry.type(
    description="Un·e intervenant·e proposé·e pour une demande, et où en est la proposition."
)
class HandisittingProposal(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    sitter: HandisittingSitter
    status: sdk.KindOption
    total: float = strawberry.field(description="Score sur 100 au moment de la proposition.")
    parts: list[HandisittingScorePart]
    warnings: list[str] = strawberry.field(description="Avertissements confirmés en proposant.")
    answer_note: str
    met_on: dt.date | None = strawberry.field(description="Première rencontre avec la famille.")

    @classmethod
    def from_row(cls, row: Proposal, sitter: Sitter) -> HandisittingProposal:
        return cls(
            uid=str(row.id),
            sitter=HandisittingSitter.from_row(sitter),
            status=option(ProposalStatus(row.status)),
            total=float(row.score.get("total", 0.0)),  # type: ignore[arg-type]
            parts=parts_of(row.score),
            warnings=list(row.warnings),
            answer_note=row.answer_note,
            met_on=row.met_on,
        )


@strawberry.type(description="La demande d'une famille pour des gardes à domicile de son enfant.")
class HandisittingRequest(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    family_id: strawberry.Private[uuid.UUID]
    child_id: strawberry.Private[uuid.UUID]
    commune_insee: strawberry.Private[str]
    family: sdk.Family | None = sdk.FAMILY.field("family_id")
    child: sdk.Child | None = sdk.CHILD.field("child_id")
    needs: str = strawberry.field(description="La fiche de besoins de l'enfant.")
    skill_codes: strawberry.Private[list[str]]
    commune: sdk.CommuneNode = strawberry.field(resolver=sdk.required_commune)
    first_on: dt.date
    last_on: dt.date
    weekly: bool = strawberry.field(
        description="Chaque semaine, le même jour, de firstOn à lastOn."
    )
    weekday_label: str
    starts_at: str = strawberry.field(description="Heure de début, « 14:00 ».")
    ends_at: str = strawberry.field(description="Heure de fin, « 18:00 ».")
    status: sdk.KindOption
    unmatched_reason: sdk.KindOption | None

    @classmethod
    def from_row(cls, row: Request) -> HandisittingRequest:
        return cls(
            uid=str(row.id),
            family_id=row.family_id,
            child_id=row.child_id,
            commune_insee=row.commune_insee,
            needs=row.needs,
            skill_codes=list(row.skills),
            first_on=row.first_on,
            last_on=row.last_on,
            weekly=row.weekly,
            weekday_label=WEEKDAYS[row.first_on.weekday()],
            starts_at=hhmm(row.starts_at),
            ends_at=hhmm(row.ends_at),
            status=option(RequestStatus(row.status)),
            unmatched_reason=option(UnmatchedReason(row.unmatched_reason))
            if row.unmatched_reason
            else None,
        )

    @strawberry.field(description="Compétences demandées (code et libellé).")
    async def skills(self, info: sdk.Info) -> list[sdk.KindOption]:
        return skill_options(self.skill_codes, await _labels(info))

    @strawberry.field(description="Les intervenant·es proposé·es et où en est chaque proposition.")
    async def proposals(self, info: sdk.Info) -> list[HandisittingProposal]:
        rows = await many(info.context, proposals_by_request).load(uuid.UUID(self.uid))
        return [HandisittingProposal.from_row(p, s) for p, s in rows]

    @strawberry.field(description="Les gardes convenues pour cette demande.")
    async def bookings(self, info: sdk.Info) -> list[HandisittingBooking]:
        rows = await many(info.context, bookings_by_request).load(uuid.UUID(self.uid))
        return [HandisittingBooking.from_row(b, s) for b, s in rows]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[HandisittingRequest | None]:
        ctx: sdk.Context = info.context
        ids = [_uuid(i) for i in node_ids]
        if not ctx.can(READ):
            return [None for _ in ids]
        async with ctx.db_session() as session:
            rows = (
                await session.execute(select(Request).where(Request.id.in_([i for i in ids if i])))
            ).scalars()
            return sdk.in_order(ids, list(rows), lambda r: r.id, cls.from_row)


@strawberry.type(description="Page de demandes des familles.")
class HandisittingRequestConnection(sdk.CountedConnection[HandisittingRequest]):
    pass


@strawberry.type(description="Un incident signalé pendant une garde ; l'équipe est alertée.")
class HandisittingIncident(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    booking_id: strawberry.ID
    reported_by: sdk.KindOption
    happened_on: dt.date
    description: str
    handled: bool

    @classmethod
    def from_row(cls, row: Incident) -> HandisittingIncident:
        return cls(
            uid=str(row.id),
            booking_id=strawberry.ID(
                sdk.relay.to_base64("HandisittingBooking", str(row.booking_id))
            ),
            reported_by=option(Side(row.reported_by)),
            happened_on=row.happened_on,
            description=row.description,
            handled=row.handled_at is not None,
        )


@strawberry.type(
    description="La fiche de besoins de l'enfant, telle que l'intervenant·e la lit pendant une "
    "garde convenue."
)
class HandisittingNeedsSheet:
    booking_id: strawberry.ID
    child_first_name: str
    child_age: int = strawberry.field(description="Âge en années révolues.")
    needs: str
    skills: list[sdk.KindOption]
    commune_insee: strawberry.Private[str]
    commune: sdk.CommuneNode = strawberry.field(resolver=sdk.required_commune)
    first_on: dt.date
    last_on: dt.date
    starts_at: str = strawberry.field(description="Heure de début, « 14:00 ».")
    ends_at: str = strawberry.field(description="Heure de fin, « 18:00 ».")
    open_until: dt.date


@strawberry.type(
    description="Une garde vue par l'intervenant·e : les dates, sans rien de la famille."
)
class HandisittingMyBooking:
    id: strawberry.ID
    status: sdk.KindOption
    child_first_name: str | None = strawberry.field(
        description="Prénom de l'enfant, tant que la fiche de besoins est ouverte."
    )
    needs_sheet_open: bool
    share_until: dt.date
    sittings: list[HandisittingSitting]


@strawberry.type(description="Une pièce à renouveler : expirée, ou qui expire bientôt.")
class HandisittingRenewal:
    sitter: HandisittingSitter
    document: HandisittingDocument


@strawberry.type(
    description="Heures de garde faites, par mois et par famille (relevé pour la famille)."
)
class HandisittingHoursLine:
    month: int
    family_name: str
    hours: float


__all__ = ["MANAGE", "SITTER"]
