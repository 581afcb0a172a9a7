"""The UDAF workshops in the GraphQL schema.

Queries sit under ``udafWorkshops { … }`` (null with PLUGIN_DISABLED for a pole that
did not enable the plugin); mutations are top-level, prefixed and gated. Every type
name starts with ``UdafWorkshops``. A convention answers core's ``Partner``, a
registration core's ``Family`` (through ``sdk.PARTNER.field``/``sdk.FAMILY.field``:
batched, gated by core's read action, audited as core audits them).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from core import sdk
from plugins.udaf_workshops import models, needs, service
from plugins.udaf_workshops import vocabulary as words
from plugins.udaf_workshops.ids import global_id, node_uuid, raw_uuid

PLUGIN = "udaf_workshops"
READ = "udaf_workshops.read"
MANAGE = "udaf_workshops.manage"
DEFAULTS = {"minimum_check_days": 14, "reminder_days": 7}


async def settings(ctx: sdk.Context) -> dict[str, int]:
    return {**DEFAULTS, **(await ctx.plugin_settings(PLUGIN))}


async def _nodes(
    info: sdk.Info,
    node_ids: Iterable[str],
    load: Callable[[Any, list[uuid.UUID]], Awaitable[Sequence[Any]]],
) -> list[Any]:
    """Relay's node resolution for the plugin's types: null without the read action,
    one batch otherwise, answered in the order asked."""
    ids = [raw_uuid(i) for i in node_ids]
    if not info.context.can(READ):
        return [None] * len(ids)
    async with info.context.db_session() as session:
        found = {node.uid: node for node in await load(session, [i for i in ids if i])}
    return [None if i is None else found.get(str(i)) for i in ids]


# --- types -----------------------------------------------------------------------------


@strawberry.type(description="Animateur·rice d'un atelier : du pôle (un compte) ou de l'UDAF.")
class UdafWorkshopsFacilitator:
    side: sdk.KindOption = strawberry.field(description="Pôle ressources ou UDAF.")
    name: str
    staff_member_id: strawberry.Private[uuid.UUID | None]
    staff_member: sdk.StaffMember | None = sdk.STAFF_MEMBER.field(
        "staff_member_id", description="Le membre de l'équipe du pôle (vide pour l'UDAF)."
    )

    @classmethod
    def from_row(cls, row: models.UdafWorkshopsFacilitator) -> UdafWorkshopsFacilitator:
        return cls(
            side=words.FacilitatorSide(row.side).option(),
            name=row.name,
            staff_member_id=row.staff_member_id,
        )


@strawberry.type(
    description="Parent pas encore connu du pôle : une fiche légère (coordonnées, "
    "consentement), qui peut devenir une famille."
)
class UdafWorkshopsParent(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    first_name: str = sdk.person_field()
    last_name: str = sdk.person_field()
    email: str = sdk.person_field(description="Adresse électronique (vide si inconnue).")
    phone: str = sdk.person_field(description="Téléphone (vide si inconnu).")
    consent_on: dt.date = strawberry.field(
        description="Jour où le parent a accepté que le pôle garde ses coordonnées."
    )
    family_id: strawberry.Private[uuid.UUID | None]
    family: sdk.Family | None = sdk.FAMILY.field(
        "family_id", description="La famille du pôle qu'il est devenu, le cas échéant."
    )

    @classmethod
    def from_row(cls, row: models.UdafWorkshopsParent) -> UdafWorkshopsParent:
        return cls(
            uid=str(row.id),
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            phone=row.phone,
            consent_on=row.consent_on,
            family_id=row.family_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[UdafWorkshopsParent | None]:
        async def load(session: Any, ids: list[uuid.UUID]) -> list[UdafWorkshopsParent]:
            return [cls.from_row(r) for r in await service.parents(session, ids=ids)]

        return await _nodes(info, node_ids, load)


@strawberry.type(description="Inscription d'une famille ou d'un parent à un atelier.")
class UdafWorkshopsRegistration(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    status: sdk.KindOption = strawberry.field(
        description="Inscrit·e, liste d'attente ou désinscrit·e."
    )
    seats: int = strawberry.field(description="Parents attendus (un couple compte deux).")
    present: int | None = strawberry.field(
        description="Parents venus ; vide tant que la présence n'est pas notée."
    )
    email: str = sdk.person_field(description="Adresse des rappels pour une famille.")
    reminded_on: dt.date | None = strawberry.field(description="Rappel envoyé le.")
    family_id: strawberry.Private[uuid.UUID | None]
    family: sdk.Family | None = sdk.FAMILY.field(
        "family_id", description="La famille du pôle inscrite (vide pour un parent)."
    )
    parent: UdafWorkshopsParent | None = strawberry.field(
        description="Le parent inscrit, pas encore connu du pôle (vide pour une famille)."
    )

    @classmethod
    def from_row(cls, row: models.UdafWorkshopsRegistration) -> UdafWorkshopsRegistration:
        return cls(
            uid=str(row.id),
            status=words.RegistrationStatus(row.status).option(),
            seats=row.seats,
            present=row.present,
            email=row.email,
            reminded_on=row.reminded_on,
            family_id=row.family_id,
            parent=None if row.parent is None else UdafWorkshopsParent.from_row(row.parent),
        )


async def _registrations_batch(
    ctx: sdk.Context, ids: Sequence[uuid.UUID]
) -> list[list[UdafWorkshopsRegistration]]:
    async with ctx.db_session() as session:
        found = await service.registrations(session, ids)
    return [[UdafWorkshopsRegistration.from_row(r) for r in found.get(i, [])] for i in ids]


def _registrations_loader(ctx: sdk.Context) -> DataLoader[uuid.UUID, Any]:
    # One statement for every workshop a request shows, made on first use.
    loader = ctx.loaders.get(_registrations_batch)
    if loader is None:

        async def load(ids: list[uuid.UUID]) -> list[list[UdafWorkshopsRegistration]]:
            return await _registrations_batch(ctx, ids)

        loader = ctx.loaders[_registrations_batch] = DataLoader(load_fn=load)
    return loader


@strawberry.type(description="Atelier de soutien à la parentalité mené avec l'UDAF.")
class UdafWorkshopsWorkshop(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    held_on: dt.date = strawberry.field(description="Date de l'atelier.")
    start_time: str = strawberry.field(description="Heure de début, « 09:30 ».")
    end_time: str = strawberry.field(description="Heure de fin, « 11:30 ».")
    commune_insee: strawberry.Private[str]
    commune: sdk.CommuneNode = sdk.COMMUNE.field(
        "commune_insee", description="La commune où il se tient."
    )
    place: str = strawberry.field(description="Le lieu (salle, adresse).")
    theme: str
    capacity: int = strawberry.field(description="Places pour les parents.")
    minimum_participants: int = strawberry.field(
        description="En dessous de ce nombre de parents inscrits, l'atelier n'a pas lieu."
    )
    status: sdk.KindOption = strawberry.field(description="Prévu → confirmé → maintenu, ou annulé.")
    cancel_reason: sdk.KindOption | None = strawberry.field(
        description="Raison de l'annulation (faute de participants…)."
    )
    cancel_note: str
    cancelled_on: dt.date | None
    facilitators: list[UdafWorkshopsFacilitator]
    registered: int = strawberry.field(description="Parents inscrits (hors liste d'attente).")
    waiting: int = strawberry.field(description="Parents en liste d'attente.")
    present: int = strawberry.field(description="Parents venus (présence notée).")
    attendance_recorded: bool
    below_minimum: bool = strawberry.field(
        description="Moins de parents inscrits que le minimum, pour un atelier à venir."
    )
    convention_uuid: strawberry.Private[uuid.UUID]
    convention_id: strawberry.ID = strawberry.field(
        description="La convention dont l'atelier fait partie (son identifiant global)."
    )
    convention_year: int = strawberry.field(description="Année de la convention.")

    @strawberry.field(
        description="Inscriptions : les inscrits, puis la liste d'attente dans l'ordre "
        "d'arrivée, puis les désinscrits.",
        extensions=sdk.requires(READ),
    )
    async def registrations(self, info: sdk.Info) -> list[UdafWorkshopsRegistration]:
        return await _registrations_loader(info.context).load(uuid.UUID(self.uid))

    @classmethod
    def from_row(
        cls, row: models.UdafWorkshopsWorkshop, seats: service.Seats
    ) -> UdafWorkshopsWorkshop:
        live = row.status in service.LIVE
        return cls(
            uid=str(row.id),
            held_on=row.held_on,
            start_time=row.start_time.strftime("%H:%M"),
            end_time=row.end_time.strftime("%H:%M"),
            commune_insee=row.commune_insee,
            place=row.place,
            theme=row.theme,
            capacity=row.capacity,
            minimum_participants=row.minimum_participants,
            status=words.WorkshopStatus(row.status).option(),
            cancel_reason=None
            if row.cancel_reason is None
            else words.CancelReason(row.cancel_reason).option(),
            cancel_note=row.cancel_note,
            cancelled_on=row.cancelled_on,
            facilitators=[UdafWorkshopsFacilitator.from_row(f) for f in row.facilitators],
            registered=seats.registered,
            waiting=seats.waiting,
            present=seats.present,
            attendance_recorded=seats.attendance_recorded,
            below_minimum=live and seats.registered < row.minimum_participants,
            convention_uuid=row.convention_id,
            convention_id=strawberry.ID(global_id("UdafWorkshopsConvention", row.convention_id)),
            convention_year=row.convention.year,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[UdafWorkshopsWorkshop | None]:
        async def load(session: Any, ids: list[uuid.UUID]) -> list[UdafWorkshopsWorkshop]:
            return await workshop_nodes(session, await service.workshops(session, ids=ids))

        return await _nodes(info, node_ids, load)


async def workshop_nodes(
    session: Any, rows: Sequence[models.UdafWorkshopsWorkshop]
) -> list[UdafWorkshopsWorkshop]:
    counts = await service.seats(session, [r.id for r in rows])
    return [UdafWorkshopsWorkshop.from_row(r, counts.get(r.id, service.Seats())) for r in rows]


@strawberry.type(description="Une inscription d'une famille, avec son atelier.")
class UdafWorkshopsFamilyRegistration:
    registration: UdafWorkshopsRegistration
    workshop: UdafWorkshopsWorkshop


@strawberry.type(description="Ateliers annulés pour une raison.")
class UdafWorkshopsCancellations:
    reason: sdk.KindOption
    count: int


@strawberry.type(
    description="Prévus, maintenus, annulés (et pourquoi) : le bilan d'une convention tel "
    "que le pôle le rend à l'UDAF et à ses financeurs."
)
class UdafWorkshopsOutcome:
    planned: int = strawberry.field(description="Ateliers prévus par la convention.")
    held: int = strawberry.field(description="Ateliers maintenus (qui ont eu lieu).")
    to_come: int = strawberry.field(description="Ateliers prévus ou confirmés à venir.")
    cancelled: int = strawberry.field(description="Ateliers annulés.")
    cancellations: list[UdafWorkshopsCancellations] = strawberry.field(
        description="Annulations par raison."
    )
    parents_registered: int = strawberry.field(description="Parents inscrits aux ateliers.")
    parents_present: int = strawberry.field(description="Parents venus.")
    summary: str = strawberry.field(
        description="La phrase du bilan : « 1 atelier maintenu sur les 5 prévus, faute de "
        "participants »."
    )

    @classmethod
    def of(cls, outcome: service.Outcome) -> UdafWorkshopsOutcome:
        return cls(
            planned=outcome.planned,
            held=outcome.held,
            to_come=outcome.to_come,
            cancelled=outcome.cancelled_total,
            cancellations=[
                UdafWorkshopsCancellations(reason=r.option(), count=n) for r, n in outcome.reasons
            ],
            parents_registered=outcome.parents_registered,
            parents_present=outcome.parents_present,
            summary=outcome.summary,
        )


@strawberry.type(description="Convention annuelle avec l'UDAF : les ateliers qu'elle prévoit.")
class UdafWorkshopsConvention(sdk.relay.Node):
    uid: sdk.relay.NodeID[str]
    partner_id: strawberry.Private[uuid.UUID]
    partner: sdk.Partner = sdk.PARTNER.field(
        "partner_id", description="Le partenaire (l'UDAF), fiche du pôle."
    )
    year: int
    workshops_planned: int = strawberry.field(description="Ateliers prévus dans l'année.")
    territory: str = strawberry.field(description="Le territoire couvert.")
    funder: str = strawberry.field(description="Le financeur.")
    funding_amount: decimal.Decimal | None = strawberry.field(
        description="Le financement, en euros."
    )
    status: sdk.KindOption = strawberry.field(description="En préparation, signée, close.")
    notes: str
    outcome: UdafWorkshopsOutcome
    workshops: list[UdafWorkshopsWorkshop] = strawberry.field(description="Ses ateliers, par date.")

    @classmethod
    def of(
        cls, outcome: service.Outcome, workshops: list[UdafWorkshopsWorkshop]
    ) -> UdafWorkshopsConvention:
        row = outcome.convention
        return cls(
            uid=str(row.id),
            partner_id=row.partner_id,
            year=row.year,
            workshops_planned=row.workshops_planned,
            territory=row.territory,
            funder=row.funder,
            funding_amount=row.funding_amount,
            status=words.ConventionStatus(row.status).option(),
            notes=row.notes,
            outcome=UdafWorkshopsOutcome.of(outcome),
            workshops=workshops,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: sdk.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[UdafWorkshopsConvention | None]:
        return await _nodes(info, node_ids, lambda session, ids: conventions(session, ids=ids))


async def conventions(
    session: Any, *, year: int | None = None, ids: Sequence[uuid.UUID] | None = None
) -> list[UdafWorkshopsConvention]:
    """Conventions with their outcome and workshops: five statements, however many."""
    found = await service.outcomes(session, year=year, ids=ids)
    wanted = [o.convention.id for o in found]
    rows = await service.workshops(session, convention_ids=wanted) if found else []
    by_convention: dict[uuid.UUID, list[UdafWorkshopsWorkshop]] = {}
    for node in await workshop_nodes(session, rows):
        by_convention.setdefault(node.convention_uuid, []).append(node)
    return [UdafWorkshopsConvention.of(o, by_convention.get(o.convention.id, [])) for o in found]


@strawberry.type(
    description="Règle du minimum : un atelier à venir sous son minimum d'inscrits, à "
    "quelques jours de sa date. Rien n'est annulé automatiquement."
)
class UdafWorkshopsBelowMinimum:
    workshop: UdafWorkshopsWorkshop
    registered: int
    days_left: int = strawberry.field(description="Jours avant l'atelier.")


@strawberry.type(description="Une réponse possible et combien de familles l'ont choisie.")
class UdafWorkshopsNeedsWish:
    value: str
    label: str
    count: int = strawberry.field(description="Réponses qui la choisissent.")
    share: float | None = strawberry.field(
        description="Part (%) des réponses à cette question qui la choisissent."
    )

    @classmethod
    def of(cls, wish: needs.Wish) -> UdafWorkshopsNeedsWish:
        return cls(value=wish.value, label=wish.label, count=wish.count, share=wish.share)


@strawberry.type(
    description="Le questionnaire « Besoins des familles » d'une année, réponses "
    "regroupées : ce que les familles demandent pour l'an prochain. Sous le seuil de "
    "réponses (threshold), seul leur nombre est donné."
)
class UdafWorkshopsNeedsSummary:
    year: int
    answers: int = strawberry.field(description="Réponses reçues dans l'année.")
    threshold: int = strawberry.field(
        description="Réponses en dessous desquelles ni part ni moyenne n'est donnée."
    )
    enough: bool = strawberry.field(description="Assez de réponses pour en tirer des parts.")
    themes: list[UdafWorkshopsNeedsWish] = strawberry.field(
        description="Thèmes souhaités, les plus demandés d'abord (vide sous le seuil)."
    )
    times: list[UdafWorkshopsNeedsWish] = strawberry.field(
        description="Moments qui conviennent (semaine matin, soirée, samedi matin)."
    )
    places: list[UdafWorkshopsNeedsWish] = strawberry.field(description="Lieux préférés.")
    formats: list[UdafWorkshopsNeedsWish] = strawberry.field(
        description="Formes d'atelier préférées."
    )
    childcare_share: float | None = strawberry.field(
        description="Part (%) des familles qui auraient besoin d'une garde pendant l'atelier."
    )
    usefulness_mean: float | None = strawberry.field(
        description="Ce que l'atelier a apporté, en moyenne sur l'échelle de 1 à 4."
    )
    summary: str = strawberry.field(
        description="La phrase du bilan : « 12 réponses au questionnaire des besoins ; "
        "thèmes les plus demandés : le sommeil (8)… »."
    )

    @classmethod
    def of(cls, found: needs.NeedsSummary) -> UdafWorkshopsNeedsSummary:
        def wishes(items: list[needs.Wish]) -> list[UdafWorkshopsNeedsWish]:
            return [UdafWorkshopsNeedsWish.of(w) for w in items]

        return cls(
            year=found.year,
            answers=found.answers,
            threshold=needs.MIN_ANSWERS,
            enough=found.enough,
            themes=wishes(found.themes),
            times=wishes(found.times),
            places=wishes(found.places),
            formats=wishes(found.formats),
            childcare_share=found.childcare_share,
            usefulness_mean=found.usefulness_mean,
            summary=found.sentence,
        )


# --- inputs and payloads ---------------------------------------------------------------


@strawberry.input(description="Une convention avec l'UDAF (ou sa correction, avec id).")
class UdafWorkshopsRecordConventionInput:
    partner_id: strawberry.ID = strawberry.field(description="Le partenaire (fiche du pôle).")
    year: int
    workshops_planned: int = strawberry.field(description="Ateliers prévus dans l'année.")
    territory: str = sdk.chars_field(models.UdafWorkshopsConvention.territory)
    status: str = strawberry.field(
        default="signed",
        description="Code du statut. Voir udafWorkshops { conventionStatuses }.",
    )
    funder: str = sdk.chars_field(models.UdafWorkshopsConvention.funder, default="")
    funding_amount: decimal.Decimal | None = strawberry.field(
        default=None, description="Financement, en euros."
    )
    notes: str = sdk.chars_field(models.UdafWorkshopsConvention.notes, default="")
    id: strawberry.ID | None = strawberry.field(
        default=None, description="La convention à corriger ; vide pour une nouvelle."
    )


@strawberry.type(description="Résultat de l'enregistrement d'une convention.")
class UdafWorkshopsConventionPayload:
    convention: UdafWorkshopsConvention | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Un atelier à planifier dans une convention.")
class UdafWorkshopsPlanWorkshopInput:
    convention_id: strawberry.ID
    held_on: dt.date
    start_time: str = strawberry.field(
        description="Heure de début, « 09:30 » (5 caractères au plus)."
    )
    end_time: str = strawberry.field(description="Heure de fin, « 11:30 » (5 caractères au plus).")
    commune_insee: str = strawberry.field(
        description="Code INSEE de la commune (5 caractères au plus). Voir communes."
    )
    theme: str = sdk.chars_field(models.UdafWorkshopsWorkshop.theme)
    capacity: int = strawberry.field(description="Places pour les parents.")
    minimum_participants: int = strawberry.field(
        description="Parents inscrits en dessous desquels l'atelier n'a pas lieu."
    )
    place: str = sdk.chars_field(models.UdafWorkshopsWorkshop.place, default="")
    staff_facilitator_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Animateur·rices du pôle (comptes de l'équipe)."
    )
    udaf_facilitators: list[str] = strawberry.field(
        default_factory=list, description="Animateur·rices de l'UDAF (noms)."
    )


@strawberry.type(description="Résultat d'une opération sur un atelier.")
class UdafWorkshopsWorkshopPayload:
    workshop: UdafWorkshopsWorkshop | None = None
    notified: int = strawberry.field(default=0, description="Courriels envoyés aux parents.")
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Faire avancer un atelier : prévu → confirmé → maintenu, ou l'annuler "
    "avec sa raison."
)
class UdafWorkshopsChangeStatusInput:
    workshop_id: strawberry.ID
    status: str = strawberry.field(
        description="confirmed, held ou cancelled. Voir udafWorkshops { workshopStatuses }."
    )
    reason: str | None = strawberry.field(
        default=None, description="Pour une annulation. Voir udafWorkshops { cancelReasons }."
    )
    note: str = sdk.chars_field(models.UdafWorkshopsWorkshop.cancel_note, default="")


@strawberry.input(description="Un parent pas encore connu du pôle.")
class UdafWorkshopsNewParentInput:
    first_name: str = sdk.chars_field(models.UdafWorkshopsParent.first_name)
    last_name: str = sdk.chars_field(models.UdafWorkshopsParent.last_name)
    consent: bool = strawberry.field(
        description="Le parent accepte que le pôle garde ses coordonnées pour les ateliers."
    )
    email: str = sdk.chars_field(models.UdafWorkshopsParent.email, default="")
    phone: str = sdk.chars_field(models.UdafWorkshopsParent.phone, default="")
    commune_insee: str | None = strawberry.field(
        default=None, description="Code INSEE de la commune (5 caractères au plus). Voir communes."
    )


@strawberry.input(
    description="Inscrire une famille du pôle, un parent déjà noté, ou un nouveau parent."
)
class UdafWorkshopsRegisterInput:
    workshop_id: strawberry.ID
    family_id: strawberry.ID | None = None
    parent_id: strawberry.ID | None = None
    parent: UdafWorkshopsNewParentInput | None = None
    seats: int = strawberry.field(default=1, description="Parents attendus (1 à 4).")
    email: str = sdk.chars_field(
        models.UdafWorkshopsRegistration.email,
        "Adresse des rappels (pour une famille)",
        default="",
    )


@strawberry.type(description="Résultat d'une inscription.")
class UdafWorkshopsRegistrationPayload:
    registration: UdafWorkshopsRegistration | None = None
    workshop: UdafWorkshopsWorkshop | None = None
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Parents venus, pour une inscription.")
class UdafWorkshopsAttendanceLineInput:
    registration_id: strawberry.ID
    present: int


@strawberry.input(description="La présence à un atelier maintenu.")
class UdafWorkshopsRecordAttendanceInput:
    workshop_id: strawberry.ID
    lines: list[UdafWorkshopsAttendanceLineInput]


@strawberry.input(description="Envoyer le questionnaire des besoins après un atelier maintenu.")
class UdafWorkshopsSendNeedsQuestionnaireInput:
    workshop_id: strawberry.ID


@strawberry.type(
    description="Résultat de l'envoi du questionnaire des besoins : envoyés, déjà "
    "envoyés (jamais deux fois), venus sans adresse électronique."
)
class UdafWorkshopsNeedsSendingPayload:
    workshop: UdafWorkshopsWorkshop | None = None
    sent: int = strawberry.field(default=0, description="Questionnaires envoyés par courriel.")
    already_sent: int = strawberry.field(
        default=0, description="Inscriptions qui l'avaient déjà reçu (pas de second envoi)."
    )
    without_email: int = strawberry.field(
        default=0,
        description="Inscriptions venues sans adresse électronique : à joindre autrement.",
    )
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Résultat d'une opération sur une fiche de parent.")
class UdafWorkshopsParentPayload:
    parent: UdafWorkshopsParent | None = None
    erased_registrations: int = 0
    errors: list[sdk.UserError] = strawberry.field(default_factory=list)


# --- queries ---------------------------------------------------------------------------


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise sdk.ValidationError("année hors limites (2000 à 2100)", field="year")
    return year


@sdk.plugin_namespace(PLUGIN, description="Ateliers de soutien à la parentalité avec l'UDAF.")
class UdafWorkshopsQuery:
    @strawberry.field(description="Statuts d'un atelier.", extensions=sdk.requires(READ))
    def workshop_statuses(self) -> list[sdk.KindOption]:
        return words.WorkshopStatus.options()

    @strawberry.field(description="Raisons d'annulation.", extensions=sdk.requires(READ))
    def cancel_reasons(self) -> list[sdk.KindOption]:
        return words.CancelReason.options()

    @strawberry.field(description="Statuts d'une convention.", extensions=sdk.requires(READ))
    def convention_statuses(self) -> list[sdk.KindOption]:
        return words.ConventionStatus.options()

    @strawberry.field(
        description="Conventions avec leur bilan et leurs ateliers, la plus récente d'abord "
        "(toutes, ou celles d'une année).",
        extensions=sdk.requires(READ),
    )
    async def conventions(
        self, info: sdk.Info, year: int | None = None
    ) -> list[UdafWorkshopsConvention]:
        year = None if year is None else _year(year)
        async with info.context.db_session() as session:
            return await conventions(session, year=year)

    @strawberry.field(description="Une convention.", extensions=sdk.requires(READ))
    async def convention(self, info: sdk.Info, id: strawberry.ID) -> UdafWorkshopsConvention:
        convention_id = node_uuid(id, "UdafWorkshopsConvention", "id")
        async with info.context.db_session() as session:
            found = await conventions(session, ids=[convention_id])
        if not found:
            raise sdk.NotFoundError("convention introuvable dans ce pôle", field="id")
        return found[0]

    @strawberry.field(
        description="Ateliers par date (ceux d'une année, ou tous).",
        extensions=sdk.requires(READ),
    )
    async def workshops(
        self, info: sdk.Info, year: int | None = None
    ) -> list[UdafWorkshopsWorkshop]:
        year = None if year is None else _year(year)
        async with info.context.db_session() as session:
            rows = await service.workshops(session, year=year)
            return await workshop_nodes(session, rows)

    @strawberry.field(description="Un atelier.", extensions=sdk.requires(READ))
    async def workshop(self, info: sdk.Info, id: strawberry.ID) -> UdafWorkshopsWorkshop:
        workshop_id = node_uuid(id, "UdafWorkshopsWorkshop", "id")
        async with info.context.db_session() as session:
            rows = await service.workshops(session, ids=[workshop_id])
            if not rows:
                raise sdk.NotFoundError("atelier introuvable dans ce pôle", field="id")
            return (await workshop_nodes(session, rows))[0]

    @strawberry.field(
        description="Règle du minimum : les ateliers à venir sous leur minimum d'inscrits "
        "dans le délai du pôle (réglage minimum_check_days).",
        extensions=sdk.requires(READ),
    )
    async def below_minimum(self, info: sdk.Info) -> list[UdafWorkshopsBelowMinimum]:
        days = (await settings(info.context))["minimum_check_days"]
        async with info.context.db_session() as session:
            found = await service.below_minimum(session, today=dt.date.today(), days=days)
            nodes = await workshop_nodes(session, [f.workshop for f in found])
        return [
            UdafWorkshopsBelowMinimum(workshop=n, registered=f.registered, days_left=f.days_left)
            for n, f in zip(nodes, found, strict=True)
        ]

    @strawberry.field(
        description="Les ateliers confirmés à venir dans le délai du pôle (réglage "
        "reminder_days) dont des parents inscrits n'ont pas encore reçu le rappel.",
        extensions=sdk.requires(READ),
    )
    async def reminders_due(self, info: sdk.Info) -> list[UdafWorkshopsWorkshop]:
        days = (await settings(info.context))["reminder_days"]
        async with info.context.db_session() as session:
            rows = await service.reminders_due(session, today=dt.date.today(), days=days)
            return await workshop_nodes(session, rows)

    @strawberry.field(
        description="Les inscriptions d'une famille du pôle, l'atelier le plus récent "
        "d'abord (une famille d'un autre pôle : NOT_FOUND sur familyId).",
        extensions=sdk.requires(READ),
    )
    async def family_registrations(
        self, info: sdk.Info, family_id: strawberry.ID
    ) -> list[UdafWorkshopsFamilyRegistration]:
        async with info.context.db_session() as session:
            family = await sdk.find_family(session, family_id, field="familyId", anonymised=True)
            found = await service.family_registrations(session, family.id)
            nodes = {
                n.uid: n
                for n in await workshop_nodes(
                    session, list({r.workshop.id: r.workshop for r in found}.values())
                )
            }
        return [
            UdafWorkshopsFamilyRegistration(
                registration=UdafWorkshopsRegistration.from_row(r),
                workshop=nodes[str(r.workshop_id)],
            )
            for r in found
        ]

    @strawberry.field(
        description="Le questionnaire « Besoins des familles » de l'année : réponses "
        "reçues du 1er janvier au 31 décembre, regroupées (thèmes souhaités, moments, "
        "lieux, besoin de garde, utilité de l'atelier).",
        extensions=sdk.requires(READ),
    )
    async def needs_summary(self, info: sdk.Info, year: int) -> UdafWorkshopsNeedsSummary:
        year = _year(year)
        async with info.context.db_session() as session:
            return UdafWorkshopsNeedsSummary.of(await needs.needs_summary(session, year))

    @strawberry.field(
        description="Parents pas encore connus du pôle (fiches légères), par nom.",
        extensions=sdk.requires(READ),
    )
    async def parents(
        self, info: sdk.Info, unlinked_only: bool = False
    ) -> list[UdafWorkshopsParent]:
        async with info.context.db_session() as session:
            rows = await service.parents(session, unlinked_only=unlinked_only)
        return [UdafWorkshopsParent.from_row(r) for r in rows]


def contribution(mutation: type) -> sdk.GraphQLContribution:
    return sdk.GraphQLContribution(
        query=UdafWorkshopsQuery,
        mutation=mutation,
        types=(
            UdafWorkshopsConvention,
            UdafWorkshopsWorkshop,
            UdafWorkshopsRegistration,
            UdafWorkshopsParent,
        ),
    )
