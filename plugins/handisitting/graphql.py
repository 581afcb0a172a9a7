"""Handisitting in the GraphQL schema.

Queries sit under ``handisitting { … }`` (null with PLUGIN_DISABLED for a pole that did
not enable the plugin); mutations are top-level, prefixed and gated. Staff hold
``handisitting.read`` / ``handisitting.manage``; a sitter holds only
``handisitting.sitter``, which opens ``me``, ``myBookings`` and ``needsSheet`` and the
mutations a sitter makes on their own proposals and sittings.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy import select

from core import sdk
from plugins.handisitting import bookings, checks, matching, personal_data, sitters
from plugins.handisitting.access import MANAGE, READ, RESPOND, SITTER
from plugins.handisitting.models import (
    Booking,
    Document,
    Feedback,
    Incident,
    Proposal,
    Request,
    Sitter,
    Sitting,
    Skill,
    Unavailability,
    VettingStep,
)
from plugins.handisitting.types import (
    HandisittingBooking,
    HandisittingCandidate,
    HandisittingDocument,
    HandisittingHoursLine,
    HandisittingIncident,
    HandisittingMyBooking,
    HandisittingNeedsSheet,
    HandisittingProposal,
    HandisittingRenewal,
    HandisittingRequest,
    HandisittingRequestConnection,
    HandisittingSitter,
    HandisittingSitterConnection,
    HandisittingSitting,
    hhmm,
    option,
    skill_options,
)
from plugins.handisitting.vocabulary import (
    MAX_DOCUMENT_BYTES,
    Background,
    BookingStatus,
    DocumentKind,
    RequestStatus,
    SitterStatus,
    UnmatchedReason,
)

PLUGIN = "handisitting"


def _id(value: Any, type_name: str, field: str) -> uuid.UUID:
    return checks.node_uuid(value, type_name, field)


async def _share_days(ctx: sdk.Context) -> int:
    return int((await ctx.plugin_settings(PLUGIN)).get("share_days_after", 7))


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _sitter_user(ctx: sdk.Context) -> uuid.UUID | None:
    """None for staff (they act for the pole); the account of a sitter acting for
    themselves. FORBIDDEN for anyone else."""
    ctx.require(RESPOND)
    if ctx.can(MANAGE):
        return None
    actor = ctx.require(SITTER)
    if actor.user_id is None:
        raise sdk.ForbiddenError("réservé à un·e intervenant·e connecté·e")
    return actor.user_id


# --- inputs and payloads --------------------------------------------------------------


@strawberry.input(description="Un créneau hebdomadaire.")
class HandisittingSlotInput:
    weekday: int = strawberry.field(description="0 = lundi … 6 = dimanche.")
    starts_at: str = strawberry.field(
        description="Heure de début, « 14:00 » (5 caractères au plus)."
    )
    ends_at: str = strawberry.field(description="Heure de fin, « 18:00 » (5 caractères au plus).")


def _slots(given: list[HandisittingSlotInput]) -> list[sitters.Slot]:
    return [
        sitters.Slot(
            s.weekday,
            checks.clock(s.starts_at, f"input.availability.{i}.startsAt"),
            checks.clock(s.ends_at, f"input.availability.{i}.endsAt"),
        )
        for i, s in enumerate(given)
    ]


@strawberry.input(description="La candidature d'un·e intervenant·e.")
class HandisittingApplyInput:
    first_name: str = sdk.chars_field(Sitter.first_name, "Prénom.")
    last_name: str = sdk.chars_field(Sitter.last_name, "Nom.")
    email: str = sdk.chars_field(Sitter.email, "Adresse électronique.")
    commune_insee: str = strawberry.field(
        description="Code INSEE de la commune où vit l'intervenant·e (5 caractères au plus). "
        "Voir communes."
    )
    travel_km: int = strawberry.field(
        description="Distance acceptée pour se déplacer (0 à 200 km)."
    )
    background: str = strawberry.field(description="Code. Voir handisitting { backgrounds }.")
    phone: str = sdk.chars_field(Sitter.phone, "Téléphone.", default="")
    background_detail: str = sdk.chars_field(
        Sitter.background_detail, "Études suivies ou expérience.", default=""
    )
    languages: list[str] = strawberry.field(default_factory=list)
    skills: list[str] = strawberry.field(
        default_factory=list, description="Codes : voir handisitting { skills }."
    )
    availability: list[HandisittingSlotInput] = strawberry.field(default_factory=list)


@strawberry.type(description="Résultat d'une écriture sur un·e intervenant·e.")
class HandisittingSitterPayload:
    sitter: HandisittingSitter | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Les disponibilités (et, si données, les compétences) d'un·e intervenant·e."
)
class HandisittingSetAvailabilityInput:
    sitter_id: strawberry.ID
    availability: list[HandisittingSlotInput]
    skills: list[str] | None = None


@strawberry.input(description="Une absence de l'intervenant·e (examens, congés).")
class HandisittingAddUnavailabilityInput:
    sitter_id: strawberry.ID
    starts_on: dt.date
    ends_on: dt.date
    note: str = sdk.chars_field(Unavailability.note, "Remarque.", default="")


@strawberry.input(
    description="Une pièce justificative : PDF, JPEG ou PNG de 640 Ko au plus, en base64."
)
class HandisittingAddDocumentInput:
    sitter_id: strawberry.ID
    kind: str = strawberry.field(description="Code. Voir handisitting { documentKinds }.")
    issued_on: dt.date
    filename: str = sdk.chars_field(
        Document.filename,
        "Nom du fichier (sans fichier : l'original a été vu au pôle)",
        default="",
    )
    content_base64: str | None = strawberry.field(
        default=None,
        description="Le fichier en base64 ; absent, la pièce est enregistrée comme vue sur "
        "l'original, sans copie conservée (873 816 caractères au plus : 640 Ko en base64).",
    )
    expires_on: dt.date | None = None


@strawberry.type(description="Résultat de l'ajout ou de la vérification d'une pièce.")
class HandisittingDocumentPayload:
    document: HandisittingDocument | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Une étape de l'agrément, avec son motif.")
class HandisittingVetInput:
    sitter_id: strawberry.ID
    status: str = strawberry.field(
        description="interview, documents_checked, approved, refused ou suspended. "
        "Voir handisitting { sitterStatuses }."
    )
    reason: str = sdk.chars_field(VettingStep.reason, "Motif.")


@strawberry.input(description="Une compétence ajoutée au vocabulaire du pôle.")
class HandisittingAddSkillInput:
    code: str = sdk.chars_field(Skill.code, "Code de la compétence, en minuscules.")
    label: str = sdk.chars_field(Skill.label, "Libellé.")


@strawberry.type(description="Résultat de l'ajout d'une compétence.")
class HandisittingSkillPayload:
    skill: sdk.KindOption | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Le compte (rôle « sitter ») avec lequel l'intervenant·e se connecte."
)
class HandisittingLinkAccountInput:
    sitter_id: strawberry.ID
    user_id: strawberry.ID


@strawberry.input(description="La demande d'une famille pour son enfant.")
class HandisittingRecordRequestInput:
    family_id: strawberry.ID
    child_id: strawberry.ID
    needs: str = sdk.chars_field(
        Request.needs, "La fiche de besoins, partagée seulement pendant une garde convenue"
    )
    first_on: dt.date
    starts_at: str = strawberry.field(
        description="Heure de début, « 14:00 » (5 caractères au plus)."
    )
    ends_at: str = strawberry.field(description="Heure de fin, « 18:00 » (5 caractères au plus).")
    weekly: bool = False
    last_on: dt.date | None = strawberry.field(
        default=None, description="Dernière garde (demande hebdomadaire)."
    )
    skills: list[str] = strawberry.field(default_factory=list)
    commune_insee: str | None = strawberry.field(
        default=None,
        description="Lieu de garde ; par défaut la commune de la famille (code INSEE, 5 "
        "caractères au plus). Voir communes.",
    )


@strawberry.type(description="Résultat d'une écriture sur une demande.")
class HandisittingRequestPayload:
    request: HandisittingRequest | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Clore une demande sans garde, avec la raison.")
class HandisittingCloseRequestInput:
    request_id: strawberry.ID
    reason: str = strawberry.field(description="Code. Voir handisitting { unmatchedReasons }.")


@strawberry.input(description="Proposer un·e intervenant·e pour une demande.")
class HandisittingProposeInput:
    request_id: strawberry.ID
    sitter_id: strawberry.ID
    confirm_warnings: bool = strawberry.field(
        default=False,
        description="Proposer malgré les avertissements (compétence non couverte, distance, "
        "disponibilités).",
    )


@strawberry.type(description="Résultat d'une écriture sur une proposition.")
class HandisittingProposalPayload:
    proposal: HandisittingProposal | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="La réponse de l'intervenant·e à une proposition.")
class HandisittingAnswerProposalInput:
    proposal_id: strawberry.ID
    accept: bool
    note: str = sdk.chars_field(Proposal.answer_note, "Remarque.", default="")


@strawberry.input(description="La première rencontre avec la famille, avant toute garde.")
class HandisittingRecordMeetingInput:
    proposal_id: strawberry.ID
    met_on: dt.date


@strawberry.input(description="L'accord de la famille après la première rencontre.")
class HandisittingAgreeInput:
    proposal_id: strawberry.ID
    agreed_on: dt.date


@strawberry.type(description="Résultat d'une écriture sur une garde convenue.")
class HandisittingBookingPayload:
    booking: HandisittingBooking | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Annuler une garde convenue : qui annule, pourquoi.")
class HandisittingCancelBookingInput:
    booking_id: strawberry.ID
    by: str = sdk.chars_field(Booking.cancelled_by, "family, sitter ou pole")
    reason: str = sdk.chars_field(Booking.cancel_reason, "Pourquoi.")


@strawberry.input(description="Ce qu'il est advenu d'une garde.")
class HandisittingRecordSittingInput:
    sitting_id: strawberry.ID
    status: str = sdk.chars_field(Sitting.status, "done, cancelled ou no_show")
    by: str | None = sdk.chars_field(
        Sitting.cancelled_by,
        "Qui annule : family, sitter ou pole (obligatoire pour cancelled).",
        default=None,
    )
    reason: str = sdk.chars_field(
        Sitting.cancel_reason, "Pourquoi (obligatoire pour cancelled).", default=""
    )


@strawberry.type(description="Résultat d'une écriture sur une garde.")
class HandisittingSittingPayload:
    sitting: HandisittingSitting | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="L'avis d'un côté sur une garde faite.")
class HandisittingLeaveFeedbackInput:
    sitting_id: strawberry.ID
    side: str = sdk.chars_field(Feedback.side, "family ou sitter")
    rating: int = strawberry.field(description="1 à 4.")
    comment: str = sdk.chars_field(Feedback.comment, "Commentaire.", default="")


@strawberry.input(description="Un incident pendant une garde.")
class HandisittingReportIncidentInput:
    booking_id: strawberry.ID
    by: str = sdk.chars_field(Incident.reported_by, "family, sitter ou pole")
    happened_on: dt.date
    description: str = sdk.chars_field(Incident.description, "Ce qui s'est passé.")


@strawberry.type(description="Résultat d'une écriture sur un incident.")
class HandisittingIncidentPayload:
    incident: HandisittingIncident | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


# --- queries --------------------------------------------------------------------------


async def _bookings_of(session: Any, ids: list[uuid.UUID]) -> list[HandisittingBooking]:
    rows = await session.execute(
        select(Booking, Sitter)
        .join(Sitter, Sitter.id == Booking.sitter_id)
        .where(Booking.id.in_(ids))
    )
    return [HandisittingBooking.from_row(b, s) for b, s in rows]


@sdk.plugin_namespace(
    PLUGIN, description="Handisitting : garde à domicile d'enfants en situation de handicap."
)
class HandisittingQuery:
    @strawberry.field(
        description="Compétences du pôle (code et libellé).", extensions=sdk.requires(READ)
    )
    async def skills(self, info: sdk.Info) -> list[sdk.KindOption]:
        async with info.context.db_session() as session:
            labels = await sitters.skills(session)
        return skill_options(labels, labels)

    @strawberry.field(
        description="Études ou expérience (code et libellé).", extensions=sdk.requires(READ)
    )
    def backgrounds(self) -> list[sdk.KindOption]:
        return [option(v) for v in Background]

    @strawberry.field(description="Sortes de pièces justificatives.", extensions=sdk.requires(READ))
    def document_kinds(self) -> list[sdk.KindOption]:
        return [option(v) for v in DocumentKind]

    @strawberry.field(description="Étapes de l'agrément.", extensions=sdk.requires(READ))
    def sitter_statuses(self) -> list[sdk.KindOption]:
        return [option(v) for v in SitterStatus]

    @strawberry.field(
        description="Raisons de clore une demande sans garde.", extensions=sdk.requires(READ)
    )
    def unmatched_reasons(self) -> list[sdk.KindOption]:
        return [option(v) for v in UnmatchedReason]

    @strawberry.field(description="Les intervenant·es, par nom.", extensions=sdk.requires(READ))
    async def sitters(
        self,
        info: sdk.Info,
        first: int | None = None,
        after: str | None = None,
        status: str | None = None,
    ) -> HandisittingSitterConnection:
        statement = select(Sitter).order_by(Sitter.last_name, Sitter.first_name, Sitter.id)
        if status is not None:
            statement = statement.where(
                Sitter.status == checks.code(SitterStatus, status, "status").value
            )
        async with info.context.db_session() as session:
            return await sdk.paginate(
                session,
                statement,
                first=first,
                after=after,
                convert=HandisittingSitter.from_row,
                connection_cls=HandisittingSitterConnection,
            )

    @strawberry.field(description="Un·e intervenant·e.", extensions=sdk.requires(READ))
    async def sitter(self, info: sdk.Info, id: strawberry.ID) -> HandisittingSitter:
        async with info.context.db_session() as session:
            row = await checks.row(session, Sitter, _id(id, "HandisittingSitter", "id"), "id")
        return HandisittingSitter.from_row(row)

    @strawberry.field(
        description="Les demandes des familles, les plus récentes d'abord.",
        extensions=sdk.requires(READ),
    )
    async def requests(
        self,
        info: sdk.Info,
        first: int | None = None,
        after: str | None = None,
        status: str | None = None,
    ) -> HandisittingRequestConnection:
        statement = select(Request).order_by(Request.first_on.desc(), Request.id)
        if status is not None:
            statement = statement.where(
                Request.status == checks.code(RequestStatus, status, "status").value
            )
        async with info.context.db_session() as session:
            return await sdk.paginate(
                session,
                statement,
                first=first,
                after=after,
                convert=HandisittingRequest.from_row,
                connection_cls=HandisittingRequestConnection,
            )

    @strawberry.field(description="Une demande.", extensions=sdk.requires(READ))
    async def request(self, info: sdk.Info, id: strawberry.ID) -> HandisittingRequest:
        async with info.context.db_session() as session:
            row = await checks.row(session, Request, _id(id, "HandisittingRequest", "id"), "id")
        return HandisittingRequest.from_row(row)

    @strawberry.field(
        description="Les intervenant·es agréé·es pour une demande, du meilleur score au moins bon, "
        "chaque score expliqué (compétences, distance, disponibilités, continuité, avis).",
        extensions=sdk.requires(READ),
    )
    async def candidates(
        self, info: sdk.Info, request_id: strawberry.ID, first: int = 20
    ) -> list[HandisittingCandidate]:
        if not 1 <= first <= sdk.MAX_FIRST:
            raise sdk.ValidationError(f"first : de 1 à {sdk.MAX_FIRST}", field="first")
        async with info.context.db_session() as session:
            request = await checks.row(
                session, Request, _id(request_id, "HandisittingRequest", "requestId"), "requestId"
            )
            ranked = await matching.rank(session, request, today=dt.date.today(), limit=first)
        return [HandisittingCandidate.of(c) for c in ranked]

    @strawberry.field(
        description="Pièces à renouveler : celles des intervenant·es (hors refusé·es et "
        "effacé·es) qui ont "
        "expiré ou expirent dans les jours donnés (30 par défaut), la plus proche d'abord. Une "
        "pièce obligatoire expirée suspend les propositions jusqu'à son renouvellement.",
        extensions=sdk.requires(READ),
    )
    async def renewals(self, info: sdk.Info, within_days: int = 30) -> list[HandisittingRenewal]:
        if not 0 <= within_days <= 366:
            raise sdk.ValidationError("de 0 à 366 jours", field="withinDays")
        today = dt.date.today()
        async with info.context.db_session() as session:
            found = await sitters.expiring(session, today=today, within_days=within_days)
        return [
            HandisittingRenewal(
                sitter=HandisittingSitter.from_row(sitter),
                document=HandisittingDocument.from_row(doc, today),
            )
            for sitter, doc in found
        ]

    @strawberry.field(
        description="Les comptes du pôle au rôle « sitter » pas encore reliés à un·e "
        "intervenant·e (value : l'identifiant du compte, à donner à handisittingLinkAccount).",
        extensions=sdk.requires(MANAGE),
    )
    async def sitter_accounts(self, info: sdk.Info) -> list[sdk.KindOption]:
        async with info.context.db_session() as session:
            found = await sitters.free_accounts(session)
        return [sdk.KindOption(value=str(a.id), label=a.display_name) for a in found]

    @strawberry.field(
        description="Incidents signalés, ceux à traiter d'abord.", extensions=sdk.requires(READ)
    )
    async def incidents(self, info: sdk.Info, open_only: bool = True) -> list[HandisittingIncident]:
        statement = select(Incident).order_by(
            Incident.handled_at.is_not(None), Incident.happened_on.desc(), Incident.id
        )
        if open_only:
            statement = statement.where(Incident.handled_at.is_(None))
        async with info.context.db_session() as session:
            rows = (await session.execute(statement.limit(100))).scalars().all()
        return [HandisittingIncident.from_row(r) for r in rows]

    @strawberry.field(
        description="Heures de garde faites par un·e intervenant·e sur une année, par mois et par "
        "famille.",
        extensions=sdk.requires(READ),
    )
    async def hours(
        self, info: sdk.Info, sitter_id: strawberry.ID, year: int
    ) -> list[HandisittingHoursLine]:
        return await _hours(info.context, _id(sitter_id, "HandisittingSitter", "sitterId"), year)

    # --- the sitter's own screens ---

    @strawberry.field(description="Mon profil d'intervenant·e.", extensions=sdk.requires(RESPOND))
    async def me(self, info: sdk.Info) -> HandisittingSitter | None:
        ctx: sdk.Context = info.context
        async with ctx.db_session() as session:
            row = await sitters.sitter_of_user(session, ctx.require(RESPOND).user_id)
        return None if row is None else HandisittingSitter.from_row(row)

    @strawberry.field(
        description="Les propositions qui me sont faites.", extensions=sdk.requires(RESPOND)
    )
    async def my_proposals(self, info: sdk.Info) -> list[HandisittingProposal]:
        ctx: sdk.Context = info.context
        async with ctx.db_session() as session:
            me = await sitters.sitter_of_user(session, ctx.require(RESPOND).user_id)
            if me is None:
                return []
            rows = (
                await session.execute(
                    select(Proposal)
                    .where(Proposal.sitter_id == me.id)
                    .order_by(Proposal.created_at.desc(), Proposal.id)
                )
            ).scalars()
            return [HandisittingProposal.from_row(p, me) for p in rows]

    @strawberry.field(description="Mes gardes convenues.", extensions=sdk.requires(RESPOND))
    async def my_bookings(self, info: sdk.Info) -> list[HandisittingMyBooking]:
        ctx: sdk.Context = info.context
        today = dt.date.today()
        async with ctx.db_session() as session:
            me = await sitters.sitter_of_user(session, ctx.require(RESPOND).user_id)
            if me is None:
                return []
            found = await bookings.sitter_bookings(session, me.id)
            sittings = await bookings.sittings(session, [b.id for b in found])
            lines = []
            for b in found:
                is_open = (
                    b.status == BookingStatus.CONFIRMED.value
                    and b.agreed_on <= today <= b.share_until
                )
                first_name = None
                if is_open and await sdk.consent_active(session, b.family_id, bookings.CONSENT):
                    first_name = (await sdk.find_child(session, b.child_id, field="id")).first_name
                lines.append(
                    HandisittingMyBooking(
                        id=strawberry.ID(sdk.relay.to_base64("HandisittingBooking", str(b.id))),
                        status=option(BookingStatus(b.status)),
                        child_first_name=first_name,
                        needs_sheet_open=first_name is not None,
                        share_until=b.share_until,
                        sittings=[HandisittingSitting.from_row(s) for s in sittings.get(b.id, [])],
                    )
                )
        return lines

    @strawberry.field(
        description="La fiche de besoins de l'enfant d'une de mes gardes convenues, de l'accord "
        "de la "
        "famille à quelques jours après la dernière garde (chaque lecture est tracée). Hors de ces "
        "conditions : NOT_FOUND, comme une garde qui n'existe pas.",
        extensions=sdk.requires(SITTER),
    )
    async def needs_sheet(
        self, info: sdk.Info, booking_id: strawberry.ID
    ) -> HandisittingNeedsSheet:
        ctx: sdk.Context = info.context
        actor = ctx.require(SITTER)
        today = dt.date.today()
        async with ctx.db_session() as session:
            sheet = await bookings.needs_sheet(
                session,
                booking_id=_id(booking_id, "HandisittingBooking", "bookingId"),
                sitter_user_id=actor.user_id,
                today=today,
                actor=actor.subject,
            )
            labels = await sitters.skills(session)
            commune = await sdk.find_commune(
                session, sheet.request.commune_insee, field="bookingId"
            )
            await session.commit()
        return HandisittingNeedsSheet(
            booking_id=booking_id,
            child_first_name=sheet.child_first_name,
            child_age=_age(sheet.child_birth_date, today),
            needs=sheet.request.needs,
            skills=skill_options(sheet.request.skills, labels),
            commune_insee=commune.id,
            first_on=sheet.request.first_on,
            last_on=sheet.request.last_on,
            starts_at=hhmm(sheet.request.starts_at),
            ends_at=hhmm(sheet.request.ends_at),
            open_until=sheet.booking.share_until,
        )

    @strawberry.field(
        description="Mes heures de garde faites sur une année.", extensions=sdk.requires(RESPOND)
    )
    async def my_hours(self, info: sdk.Info, year: int) -> list[HandisittingHoursLine]:
        ctx: sdk.Context = info.context
        async with ctx.db_session() as session:
            me = await sitters.sitter_of_user(session, ctx.require(RESPOND).user_id)
        return [] if me is None else await _hours(ctx, me.id, year)


async def _hours(ctx: sdk.Context, sitter_id: uuid.UUID, year: int) -> list[HandisittingHoursLine]:
    if not 2000 <= year <= 2100:
        raise sdk.ValidationError("année hors limites (2000 à 2100)", field="year")
    async with ctx.db_session() as session:
        sitter = await checks.row(session, Sitter, sitter_id, "sitterId")
        found = await bookings.hours_by_month(session, sitter.id, year)
        names = {}
        for family_id in {f for _, f in found}:
            names[family_id] = (
                await sdk.find_family(session, family_id, field="sitterId", anonymised=True)
            ).name
    return [
        HandisittingHoursLine(month=month, family_name=names[family_id], hours=round(hours, 2))
        for (month, family_id), hours in sorted(
            found.items(), key=lambda kv: (kv[0][0], names[kv[0][1]])
        )
    ]


# --- mutations ------------------------------------------------------------------------


def _decode(content: str) -> bytes:
    text = content.strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    # Refuse before decoding a string longer than the largest file in base64.
    if len(text) > (MAX_DOCUMENT_BYTES + 2) // 3 * 4:
        raise sdk.ValidationError(
            f"fichier trop gros : {MAX_DOCUMENT_BYTES // 1024} Ko au plus",
            field="input.contentBase64",
        )
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise sdk.ValidationError("base64 illisible", field="input.contentBase64") from None


@strawberry.type(description="Ce que le pôle détient sur un·e intervenant·e (droit d'accès).")
class HandisittingSitterExportPayload:
    data: sdk.JSON | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Résultat de l'application de la durée de conservation.")
class HandisittingPurgePayload:
    documents: int = strawberry.field(default=0, description="Fichiers supprimés.")
    sitters: int = strawberry.field(default=0, description="Intervenant·es effacé·es.")
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


Work = Callable[[Any, str], Awaitable[Any]]


async def _write(
    info: sdk.Info, action: str, work: Work, answer: Callable[[Any], Any], payload: type
) -> Any:
    """One mutation: check ``action``, run ``work(session, actor)`` in the request's
    transaction, commit, and answer ``answer(result)`` — or the payload with the coded
    errors, everything rolled back (``sdk.user_errors``)."""
    ctx: sdk.Context = info.context
    actor = ctx.require(action)
    async with sdk.user_errors(ctx) as errors, ctx.db_session() as session:
        result = await work(session, actor.subject)
        await session.commit()
    return payload(errors=errors) if errors else answer(result)


def _sitter(result: Sitter) -> HandisittingSitterPayload:
    return HandisittingSitterPayload(sitter=HandisittingSitter.from_row(result))


def _document(result: Document) -> HandisittingDocumentPayload:
    return HandisittingDocumentPayload(
        document=HandisittingDocument.from_row(result, dt.date.today())
    )


def _request(result: Request) -> HandisittingRequestPayload:
    return HandisittingRequestPayload(request=HandisittingRequest.from_row(result))


def _proposal(result: tuple[Proposal, Sitter]) -> HandisittingProposalPayload:
    return HandisittingProposalPayload(proposal=HandisittingProposal.from_row(*result))


def _booking(result: HandisittingBooking) -> HandisittingBookingPayload:
    return HandisittingBookingPayload(booking=result)


def _sitting(result: Sitting) -> HandisittingSittingPayload:
    return HandisittingSittingPayload(sitting=HandisittingSitting.from_row(result))


def _incident(result: Incident) -> HandisittingIncidentPayload:
    return HandisittingIncidentPayload(incident=HandisittingIncident.from_row(result))


async def _with_sitter(session: Any, proposal: Proposal) -> tuple[Proposal, Sitter]:
    return proposal, await checks.row(session, Sitter, proposal.sitter_id, "input.proposalId")


async def _booking_of(session: Any, booking: Booking) -> HandisittingBooking:
    return (await _bookings_of(session, [booking.id]))[0]


@strawberry.type
class HandisittingPersonalDataMutation:
    """The sitters' personal data: export, erasure, retention (merged into the
    plugin's mutations)."""

    @sdk.plugin_mutation(
        PLUGIN,
        description="Exporter tout ce que le pôle détient sur un·e intervenant·e.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_export_sitter(
        self, info: sdk.Info, sitter_id: strawberry.ID
    ) -> HandisittingSitterExportPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: personal_data.export_sitter(
                s, _id(sitter_id, "HandisittingSitter", "sitterId"), who
            ),
            lambda found: HandisittingSitterExportPayload(data=found),
            HandisittingSitterExportPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Effacer l'identité, les coordonnées, les mots et les fichiers d'un·e "
        "intervenant·e (les dates et heures des gardes restent, sans nom).",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_erase_sitter(
        self, info: sdk.Info, sitter_id: strawberry.ID
    ) -> HandisittingSitterPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: personal_data.erase_sitter(
                s, _id(sitter_id, "HandisittingSitter", "sitterId"), who
            ),
            _sitter,
            HandisittingSitterPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Appliquer la durée de conservation du pôle : fichiers des pièces expirées "
        "depuis plus longtemps supprimés, intervenant·es sans garde depuis effacé·es.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_purge(self, info: sdk.Info) -> HandisittingPurgePayload:
        months = int((await info.context.plugin_settings(PLUGIN)).get("retention_months", 24))
        return await _write(
            info,
            MANAGE,
            lambda s, who: personal_data.purge(
                s, today=dt.date.today(), retention_months=months, actor=who
            ),
            lambda counts: HandisittingPurgePayload(**counts),
            HandisittingPurgePayload,
        )


@strawberry.type
class HandisittingSitterMutation(HandisittingPersonalDataMutation):
    """Applications, availability, documents, vetting, skills, accounts."""

    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer la candidature d'un·e intervenant·e.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_apply(
        self, info: sdk.Info, input: HandisittingApplyInput
    ) -> HandisittingSitterPayload:
        departement = info.context.require_tenant().departement_code
        return await _write(
            info,
            MANAGE,
            lambda s, who: sitters.apply(
                s,
                departement_code=departement,
                first_name=input.first_name,
                last_name=input.last_name,
                email=input.email,
                phone=input.phone,
                commune_insee=input.commune_insee,
                travel_km=input.travel_km,
                background=input.background,
                background_detail=input.background_detail,
                languages=input.languages,
                skill_codes=input.skills,
                availability=_slots(input.availability),
                actor=who,
            ),
            _sitter,
            HandisittingSitterPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Remplacer les disponibilités (et les compétences) d'un·e intervenant·e.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_set_availability(
        self, info: sdk.Info, input: HandisittingSetAvailabilityInput
    ) -> HandisittingSitterPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: sitters.set_availability(
                s,
                sitter_id=_id(input.sitter_id, "HandisittingSitter", "input.sitterId"),
                skill_codes=input.skills,
                availability=_slots(input.availability),
                actor=who,
            ),
            _sitter,
            HandisittingSitterPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer une absence de l'intervenant·e.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_add_unavailability(
        self, info: sdk.Info, input: HandisittingAddUnavailabilityInput
    ) -> HandisittingSitterPayload:
        async def work(session: Any, who: str) -> Sitter:
            row = await sitters.add_unavailability(
                session,
                sitter_id=_id(input.sitter_id, "HandisittingSitter", "input.sitterId"),
                starts_on=input.starts_on,
                ends_on=input.ends_on,
                note=input.note,
                actor=who,
            )
            return await checks.row(session, Sitter, row.sitter_id, "input.sitterId")

        return await _write(info, MANAGE, work, _sitter, HandisittingSitterPayload)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Retirer une absence de l'intervenant·e.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_remove_unavailability(
        self, info: sdk.Info, unavailability_id: strawberry.ID
    ) -> HandisittingSitterPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: sitters.remove_unavailability(
                s,
                unavailability_id=_id(
                    unavailability_id, "HandisittingUnavailability", "unavailabilityId"
                ),
                actor=who,
            ),
            _sitter,
            HandisittingSitterPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Ajouter une pièce justificative (chiffrée au repos).",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_add_document(
        self, info: sdk.Info, input: HandisittingAddDocumentInput
    ) -> HandisittingDocumentPayload:
        key = info.context.settings.secret_key
        return await _write(
            info,
            MANAGE,
            lambda s, who: sitters.add_document(
                s,
                secret_key=key,
                sitter_id=_id(input.sitter_id, "HandisittingSitter", "input.sitterId"),
                kind=input.kind,
                filename=input.filename,
                data=None if input.content_base64 is None else _decode(input.content_base64),
                issued_on=input.issued_on,
                expires_on=input.expires_on,
                actor=who,
            ),
            _document,
            HandisittingDocumentPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Attester qu'une pièce a été vérifiée sur l'original.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_check_document(
        self, info: sdk.Info, document_id: strawberry.ID
    ) -> HandisittingDocumentPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: sitters.check_document(
                s,
                document_id=_id(document_id, "HandisittingDocument", "input.documentId"),
                actor=who,
            ),
            _document,
            HandisittingDocumentPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Faire avancer l'agrément d'un·e intervenant·e, avec le motif.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_vet(
        self, info: sdk.Info, input: HandisittingVetInput
    ) -> HandisittingSitterPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: sitters.vet(
                s,
                sitter_id=_id(input.sitter_id, "HandisittingSitter", "input.sitterId"),
                status=input.status,
                reason=input.reason,
                actor=who,
            ),
            _sitter,
            HandisittingSitterPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Ajouter une compétence au vocabulaire du pôle.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_add_skill(
        self, info: sdk.Info, input: HandisittingAddSkillInput
    ) -> HandisittingSkillPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: sitters.add_skill(s, code=input.code, label=input.label, actor=who),
            lambda row: HandisittingSkillPayload(
                skill=sdk.KindOption(value=row.code, label=row.label)
            ),
            HandisittingSkillPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Relier l'intervenant·e à son compte (rôle « sitter »).",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_link_account(
        self, info: sdk.Info, input: HandisittingLinkAccountInput
    ) -> HandisittingSitterPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: sitters.link_account(
                s,
                sitter_id=_id(input.sitter_id, "HandisittingSitter", "input.sitterId"),
                user_id=input.user_id,
                actor=who,
            ),
            _sitter,
            HandisittingSitterPayload,
        )


@strawberry.type
class HandisittingMutation(HandisittingSitterMutation):
    """Requests, proposals, bookings, sittings, feedback and incidents."""

    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer la demande d'une famille pour son enfant.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_record_request(
        self, info: sdk.Info, input: HandisittingRecordRequestInput
    ) -> HandisittingRequestPayload:
        departement = info.context.require_tenant().departement_code
        return await _write(
            info,
            MANAGE,
            lambda s, who: bookings.record_request(
                s,
                departement_code=departement,
                family_id=input.family_id,
                child_id=input.child_id,
                needs=input.needs,
                skill_codes=input.skills,
                commune_insee=input.commune_insee,
                first_on=input.first_on,
                last_on=input.last_on,
                weekly=input.weekly,
                starts_at=checks.clock(input.starts_at, "input.startsAt"),
                ends_at=checks.clock(input.ends_at, "input.endsAt"),
                actor=who,
            ),
            _request,
            HandisittingRequestPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Clore une demande sans garde, avec la raison.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_close_request(
        self, info: sdk.Info, input: HandisittingCloseRequestInput
    ) -> HandisittingRequestPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: bookings.close_unmatched(
                s,
                request_id=_id(input.request_id, "HandisittingRequest", "input.requestId"),
                reason=input.reason,
                actor=who,
            ),
            _request,
            HandisittingRequestPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Proposer un·e intervenant·e pour une demande.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_propose(
        self, info: sdk.Info, input: HandisittingProposeInput
    ) -> HandisittingProposalPayload:
        async def work(session: Any, who: str) -> tuple[Proposal, Sitter]:
            row = await bookings.propose(
                session,
                request_id=_id(input.request_id, "HandisittingRequest", "input.requestId"),
                sitter_id=_id(input.sitter_id, "HandisittingSitter", "input.sitterId"),
                confirm_warnings=input.confirm_warnings,
                today=dt.date.today(),
                actor=who,
            )
            return await _with_sitter(session, row)

        return await _write(info, MANAGE, work, _proposal, HandisittingProposalPayload)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Accepter ou décliner une proposition (l'intervenant·e, ou l'équipe de sa "
        "part).",
        extensions=sdk.requires(RESPOND),
    )
    async def handisitting_answer_proposal(
        self, info: sdk.Info, input: HandisittingAnswerProposalInput
    ) -> HandisittingProposalPayload:
        sitter_user = _sitter_user(info.context)

        async def work(session: Any, who: str) -> tuple[Proposal, Sitter]:
            row = await bookings.answer(
                session,
                proposal_id=_id(input.proposal_id, "HandisittingProposal", "input.proposalId"),
                accept=input.accept,
                note=input.note,
                sitter_user_id=sitter_user,
                actor=who,
            )
            return await _with_sitter(session, row)

        return await _write(info, RESPOND, work, _proposal, HandisittingProposalPayload)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Enregistrer la première rencontre avec la famille.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_record_meeting(
        self, info: sdk.Info, input: HandisittingRecordMeetingInput
    ) -> HandisittingProposalPayload:
        async def work(session: Any, who: str) -> tuple[Proposal, Sitter]:
            row = await bookings.record_meeting(
                session,
                proposal_id=_id(input.proposal_id, "HandisittingProposal", "input.proposalId"),
                met_on=input.met_on,
                actor=who,
            )
            return await _with_sitter(session, row)

        return await _write(info, MANAGE, work, _proposal, HandisittingProposalPayload)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Convenir la garde : la famille est d'accord après la première rencontre.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_agree(
        self, info: sdk.Info, input: HandisittingAgreeInput
    ) -> HandisittingBookingPayload:
        share_days = await _share_days(info.context)

        async def work(session: Any, who: str) -> HandisittingBooking:
            row = await bookings.agree(
                session,
                proposal_id=_id(input.proposal_id, "HandisittingProposal", "input.proposalId"),
                agreed_on=input.agreed_on,
                share_days_after=share_days,
                today=dt.date.today(),
                actor=who,
            )
            return await _booking_of(session, row)

        return await _write(info, MANAGE, work, _booking, HandisittingBookingPayload)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Annuler une garde convenue (qui, pourquoi) : la fiche de besoins se ferme "
        "aussitôt.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_cancel_booking(
        self, info: sdk.Info, input: HandisittingCancelBookingInput
    ) -> HandisittingBookingPayload:
        async def work(session: Any, who: str) -> HandisittingBooking:
            row = await bookings.cancel(
                session,
                booking_id=_id(input.booking_id, "HandisittingBooking", "input.bookingId"),
                by=input.by,
                reason=input.reason,
                actor=who,
            )
            return await _booking_of(session, row)

        return await _write(info, MANAGE, work, _booking, HandisittingBookingPayload)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Dire ce qu'il est advenu d'une garde (faite, annulée, absence).",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_record_sitting(
        self, info: sdk.Info, input: HandisittingRecordSittingInput
    ) -> HandisittingSittingPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: bookings.record_sitting(
                s,
                sitting_id=_id(input.sitting_id, "HandisittingSitting", "input.sittingId"),
                status=input.status,
                today=dt.date.today(),
                actor=who,
                by=input.by,
                reason=input.reason,
            ),
            _sitting,
            HandisittingSittingPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Donner un avis sur une garde faite (la famille par l'équipe, ou "
        "l'intervenant·e).",
        extensions=sdk.requires(RESPOND),
    )
    async def handisitting_leave_feedback(
        self, info: sdk.Info, input: HandisittingLeaveFeedbackInput
    ) -> HandisittingSittingPayload:
        sitter_user = _sitter_user(info.context)

        async def work(session: Any, who: str) -> Sitting:
            sitting_id = _id(input.sitting_id, "HandisittingSitting", "input.sittingId")
            await bookings.leave_feedback(
                session,
                sitting_id=sitting_id,
                side=input.side,
                rating=input.rating,
                comment=input.comment,
                sitter_user_id=sitter_user,
                actor=who,
            )
            return await checks.row(session, Sitting, sitting_id, "input.sittingId")

        return await _write(info, RESPOND, work, _sitting, HandisittingSittingPayload)

    @sdk.plugin_mutation(
        PLUGIN,
        description="Signaler un incident pendant une garde : l'équipe est alertée.",
        extensions=sdk.requires(RESPOND),
    )
    async def handisitting_report_incident(
        self, info: sdk.Info, input: HandisittingReportIncidentInput
    ) -> HandisittingIncidentPayload:
        sitter_user = _sitter_user(info.context)
        tenant_id = info.context.require_tenant().id
        return await _write(
            info,
            RESPOND,
            lambda s, who: bookings.report_incident(
                s,
                tenant_id=tenant_id,
                booking_id=_id(input.booking_id, "HandisittingBooking", "input.bookingId"),
                by=input.by,
                happened_on=input.happened_on,
                description=input.description,
                sitter_user_id=sitter_user,
                actor=who,
            ),
            _incident,
            HandisittingIncidentPayload,
        )

    @sdk.plugin_mutation(
        PLUGIN,
        description="Marquer un incident comme traité.",
        extensions=sdk.requires(MANAGE),
    )
    async def handisitting_handle_incident(
        self, info: sdk.Info, incident_id: strawberry.ID
    ) -> HandisittingIncidentPayload:
        return await _write(
            info,
            MANAGE,
            lambda s, who: bookings.handle_incident(
                s,
                incident_id=_id(incident_id, "HandisittingIncident", "incidentId"),
                actor=who,
            ),
            _incident,
            HandisittingIncidentPayload,
        )


def contribution() -> sdk.GraphQLContribution:
    return sdk.GraphQLContribution(
        query=HandisittingQuery,
        mutation=HandisittingMutation,
        types=(
            HandisittingSitter,
            HandisittingDocument,
            HandisittingRequest,
            HandisittingProposal,
            HandisittingBooking,
            HandisittingSitting,
            HandisittingIncident,
        ),
    )


__all__ = ["Document", "contribution"]
