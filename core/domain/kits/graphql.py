"""GraphQL: the kits catalogue, reservations and loans, the availability calendar and
the loan reports.

A page of kits loads its components and which kits are out in a fixed number of
statements; a page of loans adds the borrowers' names, the checklists, the trips and
the staff names, each in one statement, whatever its length. A borrowing family is a
person: the borrower's name and the notes are audited fields.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, maybe_id, parse_id, try_uuid
from core.api.inputs import flat_form
from core.api.limits import chars_field
from core.api.pagination import connection, in_order, page_of
from core.api.payloads import UserError, user_errors
from core.api.reads import person_field
from core.api.staff import StaffMember
from core.api.staff import staff_member as _staff
from core.api.staff import staff_names as _names
from core.domain.families.models import Family as FamilyModel
from core.domain.kits import service
from core.domain.kits.models import Kit as KitModel
from core.domain.kits.models import KitComponent as ComponentModel
from core.domain.kits.models import KitLoan as LoanModel
from core.domain.kits.models import KitLoanCheck, KitTrip
from core.domain.kits.vocabulary import (
    BORROWER_KINDS,
    KIT_STATUSES,
    LOAN_STATUSES,
    THEMES,
    TRIP_KINDS,
)
from core.domain.structures.graphql import KindOption
from core.domain.structures.models import Organisation as OrganisationModel
from core.domain.structures.models import Structure as StructureModel

READ, MANAGE = service.READ, service.MANAGE


def _option(value: str, vocabulary: Any) -> KindOption:
    return KindOption(value=value, label=vocabulary[value])


def _options(vocabulary: Any) -> list[KindOption]:
    return [KindOption(value=k, label=v) for k, v in vocabulary.items()]


def _sid(value: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value else None


@strawberry.type(description="Un élément de la malle et sa quantité (la liste à cocher).")
class KitComponent:
    id: strawberry.ID
    name: str
    quantity: int


@strawberry.type(description="Une malle (ou mallette) pédagogique du catalogue.")
class Kit(relay.Node):
    uid: relay.NodeID[str]
    name: str
    theme: KindOption
    series: str
    age_min_months: int | None
    age_max_months: int | None
    description: str
    photo_url: str | None
    status: KindOption = strawberry.field(
        description="Disponible, sortie (lue dans les prêts), en réparation, retirée."
    )
    components: list[KitComponent]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Kit | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_kits(
                session, select(KitModel).where(KitModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, found, lambda k: uuid.UUID(k.uid), lambda k: k)


async def kits_by_id(session: Any, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Kit]:
    """Kits by id, for a DataLoader batch (a plugin's ``sdk.KIT.field``): three statements."""
    found = await load_kits(session, select(KitModel).where(KitModel.id.in_(ids)))
    return {uuid.UUID(k.uid): k for k in found}


async def load_kits(session: Any, statement: Any) -> list[Kit]:
    """Kits with their active components and whether they are out: three statements."""
    return await kits_of(session, list((await session.execute(statement)).scalars()))


async def kits_of(session: Any, rows: list[KitModel]) -> list[Kit]:
    """The API's kits for rows already read: two statements."""
    ids = [r.id for r in rows]
    components: dict[uuid.UUID, list[ComponentModel]] = defaultdict(list)
    for c in (
        await session.execute(
            select(ComponentModel)
            .where(ComponentModel.kit_id.in_(ids), ComponentModel.active.is_(True))
            .order_by(ComponentModel.position, ComponentModel.id)
        )
    ).scalars():
        components[c.kit_id].append(c)
    out = await service.kits_out(session, ids)
    return [
        Kit(
            uid=str(r.id),
            name=r.name,
            theme=_option(r.theme, THEMES),
            series=r.series,
            age_min_months=r.age_min_months,
            age_max_months=r.age_max_months,
            description=r.description,
            photo_url=r.photo_url,
            status=_option(service.shown_status(r, out), KIT_STATUSES),
            components=[
                KitComponent(id=strawberry.ID(str(c.id)), name=c.name, quantity=c.quantity)
                for c in components[r.id]
            ],
        )
        for r in rows
    ]


@strawberry.type(description="Un élément compté au départ ou au retour.")
class ComponentCount:
    component_id: strawberry.ID
    name: str
    expected: int
    missing: int


@strawberry.type(
    name="KitTrip", description="Une livraison ou une récupération par l'équipe du pôle."
)
class KitTripType:
    kind: KindOption
    happened_on: dt.date
    staff: StaffMember | None
    km: float


@strawberry.type(description="Une réservation puis un prêt de malle.")
class KitLoan(relay.Node):
    uid: relay.NodeID[str]
    kit: Kit | None = strawberry.field(description="Null : demande surprise pas encore servie.")
    surprise: bool
    wish_theme: KindOption | None
    wish: str = person_field(description="Ce que l'emprunteur souhaite (demande surprise).")
    starts_on: dt.date
    ends_on: dt.date = strawberry.field(description="Date de retour prévue (incluse).")
    status: KindOption
    borrower_kind: KindOption
    borrower_name: str = person_field()
    structure_id: strawberry.ID | None
    organisation_id: strawberry.ID | None
    family_id: strawberry.ID | None
    member: bool = strawberry.field(description="Adhérent (sinon : prêt payant).")
    departed_on: dt.date | None
    returned_on: dt.date | None
    checked_on: dt.date | None
    cancelled_on: dt.date | None
    notes: str = person_field()
    departure_check: list[ComponentCount]
    return_check: list[ComponentCount]
    trips: list[KitTripType]

    @strawberry.field(description="Éléments manquants au retour (quantité manquante > 0).")
    def missing_at_return(self) -> list[ComponentCount]:
        return [c for c in self.return_check if c.missing > 0]

    @strawberry.field(
        description="Jours de retard d'une malle encore sortie à une date (aujourd'hui par "
        "défaut) ; 0 sinon. Calculé, jamais enregistré."
    )
    def overdue_days(self, on: dt.date | None = None) -> int:
        return service.overdue_days(self.status.value, self.ends_on, on or dt.date.today())

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[KitLoan | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_loans(
                session, select(LoanModel).where(LoanModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, found, lambda k: uuid.UUID(k.uid), lambda k: k)


async def load_loans(session: Any, statement: Any) -> list[KitLoan]:
    """Loans with kit, borrower name, checklists, trips and staff: a fixed number of
    statements (each batch runs even when empty, so short and long pages cost alike).
    An empty page is its one statement: there is nothing to load for it (the home
    page's « Départs » and « Retours » of a week without loans, decision 194)."""
    rows: list[LoanModel] = list((await session.execute(statement)).scalars())
    if not rows:
        return []
    ids = [r.id for r in rows]
    kits = {
        uuid.UUID(k.uid): k
        for k in await load_kits(
            session, select(KitModel).where(KitModel.id.in_({r.kit_id for r in rows if r.kit_id}))
        )
    }
    names: dict[uuid.UUID, str] = {}
    for model, column in (
        (StructureModel, LoanModel.structure_id),
        (OrganisationModel, LoanModel.organisation_id),
        (FamilyModel, LoanModel.family_id),
    ):
        wanted = {getattr(r, column.key) for r in rows if getattr(r, column.key)}
        for row_id, name in await session.execute(
            select(model.id, model.name).where(model.id.in_(wanted))
        ):
            names[row_id] = name
    checks: dict[tuple[uuid.UUID, str], list[ComponentCount]] = defaultdict(list)
    for check, name in await session.execute(
        select(KitLoanCheck, ComponentModel.name)
        .join(ComponentModel, ComponentModel.id == KitLoanCheck.component_id)
        .where(KitLoanCheck.loan_id.in_(ids))
        .order_by(ComponentModel.position, ComponentModel.id)
    ):
        checks[(check.loan_id, check.moment)].append(
            ComponentCount(
                component_id=strawberry.ID(str(check.component_id)),
                name=name,
                expected=check.expected,
                missing=check.missing,
            )
        )
    trips: dict[uuid.UUID, list[KitTrip]] = defaultdict(list)
    for trip in (
        await session.execute(
            select(KitTrip).where(KitTrip.loan_id.in_(ids)).order_by(KitTrip.happened_on)
        )
    ).scalars():
        trips[trip.loan_id].append(trip)
    staff = await _names(session, [t.staff_user_id for group in trips.values() for t in group])
    return [
        KitLoan(
            uid=str(r.id),
            kit=kits.get(r.kit_id) if r.kit_id else None,
            surprise=r.surprise,
            wish_theme=_option(r.wish_theme, THEMES) if r.wish_theme else None,
            wish=r.wish,
            starts_on=r.starts_on,
            ends_on=r.ends_on,
            status=_option(r.status, LOAN_STATUSES),
            borrower_kind=_option(r.borrower_kind, BORROWER_KINDS),
            borrower_name=names.get(r.structure_id or r.organisation_id or r.family_id, "?"),  # type: ignore[arg-type]
            structure_id=_sid(r.structure_id),
            organisation_id=_sid(r.organisation_id),
            family_id=_sid(r.family_id),
            member=r.member,
            departed_on=r.departed_on,
            returned_on=r.returned_on,
            checked_on=r.checked_on,
            cancelled_on=r.cancelled_on,
            notes=r.notes,
            departure_check=checks[(r.id, "departure")],
            return_check=checks[(r.id, "return")],
            trips=[
                KitTripType(
                    kind=_option(t.kind, TRIP_KINDS),
                    happened_on=t.happened_on,
                    staff=_staff(t.staff_user_id, staff),
                    km=t.km,
                )
                for t in trips[r.id]
            ],
        )
        for r in rows
    ]


@strawberry.type
class KitConnection(relay.ListConnection[Kit]):
    total_count: int


@strawberry.type
class KitLoanConnection(relay.ListConnection[KitLoan]):
    total_count: int


@strawberry.type(description="Une période du calendrier d'une malle (jours inclus).")
class KitPeriod:
    starts_on: dt.date
    ends_on: dt.date
    days: int
    status: KindOption | None = strawberry.field(description="Statut du prêt (périodes prises).")
    loan_id: strawberry.ID | None


@strawberry.type(description="Le calendrier d'une malle sur une période.")
class KitCalendar:
    kit: Kit
    busy: list[KitPeriod]
    free: list[KitPeriod]
    free_days: int


@strawberry.type(description="Prêts d'une malle sur une période (rapport d'activité).")
class KitLoanCount:
    kit: Kit
    loans: int
    days: int


@strawberry.type(description="Prêts par type d'emprunteur sur une période.")
class BorrowerKindCount:
    kind: KindOption
    loans: int
    non_members: int


@strawberry.type(description="Kilomètres de livraison et de récupération sur une année.")
class KitKilometres:
    year: int
    trips: int
    km: float


@strawberry.input(description="Un élément de la malle ; id pour modifier un élément existant.")
class KitComponentInput:
    name: str = chars_field(ComponentModel.name)
    quantity: int = 1
    id: strawberry.ID | None = None


@strawberry.input(description="Une malle du catalogue et son contenu.")
class KitInput:
    name: str = chars_field(KitModel.name)
    theme: str = strawberry.field(description="Voir kitThemes.")
    components: list[KitComponentInput]
    series: str = chars_field(KitModel.series, default="")
    age_min_months: int | None = None
    age_max_months: int | None = None
    description: str = chars_field(KitModel.description, default="")
    photo_url: str | None = chars_field(KitModel.photo_url, "Adresse https://", default=None)


@strawberry.input(
    description="Une réservation : une malle (ou surprise: true) pour un emprunteur — "
    "structure, gestionnaire ou famille. Sans endsOn : la durée de prêt du pôle."
)
class KitReservationInput:
    starts_on: dt.date
    kit_id: strawberry.ID | None = None
    ends_on: dt.date | None = None
    structure_id: strawberry.ID | None = None
    organisation_id: strawberry.ID | None = None
    family_id: strawberry.ID | None = None
    member: bool = True
    surprise: bool = False
    wish_theme: str | None = chars_field(LoanModel.wish_theme, default=None)
    wish: str = chars_field(LoanModel.wish, default="")
    notes: str = chars_field(LoanModel.notes, default="")


@strawberry.input(description="Un élément manquant : combien.")
class MissingInput:
    component_id: strawberry.ID
    missing: int


@strawberry.input(description="Un déplacement de l'équipe (par défaut : vous).")
class TripInput:
    km: float
    staff_user_id: strawberry.ID | None = None


@strawberry.input(
    description="Départ de la malle : la liste comptée (manquants), livrée par l'équipe "
    "(delivery) ou retirée au pôle."
)
class DepartKitLoanInput:
    departed_on: dt.date
    missing: list[MissingInput] | None = None
    delivery: TripInput | None = None


@strawberry.input(
    description="Retour de la malle : la liste comptée à nouveau (manquants), récupérée par "
    "l'équipe (collection) ou rapportée au pôle."
)
class ReturnKitLoanInput:
    returned_on: dt.date
    missing: list[MissingInput] | None = None
    collection: TripInput | None = None


@strawberry.input(
    description="Malle vérifiée après son retour (repair: true l'envoie en réparation)."
)
class CheckKitLoanInput:
    checked_on: dt.date
    repair: bool = False


@strawberry.type
class KitPayload:
    kit: Kit | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class KitLoanPayload:
    loan: KitLoan | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _kit_input(data: KitInput) -> service.KitInput:
    return service.KitInput(
        name=data.name,
        theme=data.theme,
        components=[
            service.ComponentInput(
                name=c.name, quantity=c.quantity, id=maybe_id(c.id, f"components.{i}.id")
            )
            for i, c in enumerate(data.components)
        ],
        series=data.series,
        age_min_months=data.age_min_months,
        age_max_months=data.age_max_months,
        description=data.description,
        photo_url=data.photo_url,
    )


def _missing(items: list[MissingInput] | None) -> list[service.Missing]:
    return [
        service.Missing(parse_id(m.component_id, f"missing.{i}.componentId"), m.missing)
        for i, m in enumerate(items or [])
    ]


def _trip(trip: TripInput | None, field: str) -> service.TripInput | None:
    if trip is None:
        return None
    return service.TripInput(
        km=trip.km, staff_user_id=maybe_id(trip.staff_user_id, f"{field}.staffUserId")
    )


def _period(p: service.Period) -> KitPeriod:
    return KitPeriod(
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        days=p.days,
        status=_option(p.status, LOAN_STATUSES) if p.status else None,
        loan_id=_sid(p.loan_id),
    )


@strawberry.type
class KitsQuery:
    @strawberry.field(description="Thèmes des malles.")
    def kit_themes(self) -> list[KindOption]:
        return _options(THEMES)

    @strawberry.field(description="Statuts des malles (code et libellé).")
    def kit_statuses(self) -> list[KindOption]:
        return _options(KIT_STATUSES)

    @strawberry.field(description="Statuts des prêts de malles (code et libellé).")
    def kit_loan_statuses(self) -> list[KindOption]:
        return _options(LOAN_STATUSES)

    @strawberry.field(description="Types d'emprunteurs des rapports (EAJE, ACM, RPE, famille…).")
    def kit_borrower_kinds(self) -> list[KindOption]:
        return _options(BORROWER_KINDS)

    @strawberry.field(
        description="Catalogue des malles par nom ; filtres : mots du nom, thèmes, statuts "
        "(sans statut : tout sauf les malles retirées), âge de l'enfant en mois.",
        extensions=[action_gate(READ)],
    )
    async def kits(
        self,
        info: Info[Context, None],
        search: str | None = None,
        themes: list[str] | None = None,
        statuses: list[str] | None = None,
        age_months: int | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> KitConnection:
        statement = service.kits_query(
            service.KitFilter(
                search=search,
                themes=themes or (),
                statuses=statuses or (),
                age_months=age_months,
            )
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_kits(session, page)
        return connection(KitConnection, nodes, win, total)

    @strawberry.field(
        description="Réservations et prêts, du plus récent au plus ancien ; filtres : malle, "
        "statuts, types d'emprunteur, structure, famille, demandes surprises à servir, en "
        "retard (à aujourd'hui), période [début, fin] touchée, retour prévu au plus tard "
        "le (endsBy) ; orderBy: -startsOn (défaut), startsOn ou endsOn (les plus proches "
        "d'abord).",
        extensions=[action_gate(READ)],
    )
    async def kit_loans(
        self,
        info: Info[Context, None],
        kit_id: strawberry.ID | None = None,
        statuses: list[str] | None = None,
        borrower_kinds: list[str] | None = None,
        structure_id: strawberry.ID | None = None,
        family_id: strawberry.ID | None = None,
        surprise_unassigned: bool = False,
        overdue: bool = False,
        start: dt.date | None = None,
        end: dt.date | None = None,
        ends_by: dt.date | None = None,
        order_by: str = "-startsOn",
        first: int | None = None,
        after: str | None = None,
    ) -> KitLoanConnection:
        statement = service.loans_query(
            service.LoanFilter(
                kit_id=maybe_id(kit_id, "kitId"),
                statuses=statuses or (),
                borrower_kinds=borrower_kinds or (),
                structure_id=maybe_id(structure_id, "structureId"),
                family_id=maybe_id(family_id, "familyId"),
                surprise_unassigned=surprise_unassigned,
                overdue_on=dt.date.today() if overdue else None,
                start=start,
                end=end,
                ends_by=ends_by,
                order=order_by,
            )
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            # first: 0 asks for the count alone (« 3 malles en retard »): no page to load.
            nodes = await load_loans(session, page) if win.limit else []
        return connection(KitLoanConnection, nodes, win, total)

    @strawberry.field(
        description="Calendrier des malles sur [début, fin] (jours inclus, deux ans au plus) : "
        "périodes prises et périodes libres ; toutes les malles non retirées, ou celles "
        "demandées.",
        extensions=[action_gate(READ)],
    )
    async def kit_availability(
        self,
        info: Info[Context, None],
        start: dt.date,
        end: dt.date,
        kit_ids: list[strawberry.ID] | None = None,
    ) -> list[KitCalendar]:
        ids = None
        if kit_ids is not None:
            ids = [parse_id(k, f"kitIds.{i}") for i, k in enumerate(kit_ids)]
        async with info.context.db_session() as session:
            calendars = await service.availability(
                session, caller(info.context), start=start, end=end, kit_ids=ids
            )
            kits = await kits_of(session, [c.kit for c in calendars])
        return [
            KitCalendar(
                kit=kit,
                busy=[_period(p) for p in c.busy],
                free=[_period(p) for p in c.free],
                free_days=c.free_days,
            )
            for kit, c in zip(kits, calendars, strict=True)
        ]

    @strawberry.field(
        description="Prêts partis sur [début, fin[ par malle (nombre, jours), du plus prêté "
        "au moins prêté.",
        extensions=[action_gate(READ)],
    )
    async def kit_loans_by_kit(
        self, info: Info[Context, None], start: dt.date, end: dt.date
    ) -> list[KitLoanCount]:
        async with info.context.db_session() as session:
            counts = await service.loans_by_kit(session, caller(info.context), start=start, end=end)
            kits = {
                k.uid: k
                for k in await load_kits(
                    session, select(KitModel).where(KitModel.id.in_([c.kit_id for c in counts]))
                )
            }
        return [KitLoanCount(kit=kits[str(c.kit_id)], loans=c.loans, days=c.days) for c in counts]

    @strawberry.field(
        description="Prêts partis sur [début, fin[ par type d'emprunteur (dont non adhérents).",
        extensions=[action_gate(READ)],
    )
    async def kit_loans_by_borrower_kind(
        self, info: Info[Context, None], start: dt.date, end: dt.date
    ) -> list[BorrowerKindCount]:
        async with info.context.db_session() as session:
            counts = await service.loans_by_borrower_kind(
                session, caller(info.context), start=start, end=end
            )
        return [
            BorrowerKindCount(
                kind=_option(c.kind, BORROWER_KINDS), loans=c.loans, non_members=c.non_members
            )
            for c in counts
        ]

    @strawberry.field(
        description="Kilomètres parcourus pour livrer et récupérer les malles, par année.",
        extensions=[action_gate(READ)],
    )
    async def kit_kilometres_by_year(self, info: Info[Context, None]) -> list[KitKilometres]:
        async with info.context.db_session() as session:
            years = await service.km_by_year(session, caller(info.context))
        return [KitKilometres(year=y.year, trips=y.trips, km=y.km) for y in years]


async def _kit_payload(ctx: Context, apply: Any) -> KitPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        row = await apply(session)
        await session.commit()
        (result,) = await load_kits(session, select(KitModel).where(KitModel.id == row.id))
    return KitPayload(errors=errors) if errors else KitPayload(kit=result)


async def _loan_payload(ctx: Context, apply: Any) -> KitLoanPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        row = await apply(session)
        await session.commit()
        (result,) = await load_loans(session, select(LoanModel).where(LoanModel.id == row.id))
    return KitLoanPayload(errors=errors) if errors else KitLoanPayload(loan=result)


@strawberry.type
class KitsMutation:
    @strawberry.mutation(
        description="Publier une malle au catalogue.", extensions=[action_gate(MANAGE)]
    )
    async def create_kit(self, info: Info[Context, None], input: KitInput) -> KitPayload:
        ctx = info.context
        return await _kit_payload(
            ctx, lambda session: service.create_kit(session, caller(ctx), _kit_input(input))
        )

    @strawberry.mutation(
        description="Modifier une malle et son contenu (les éléments omis sont retirés).",
        extensions=[action_gate(MANAGE)],
    )
    async def update_kit(
        self, info: Info[Context, None], id: strawberry.ID, input: KitInput
    ) -> KitPayload:
        ctx = info.context
        return await _kit_payload(
            ctx,
            lambda session: service.update_kit(
                session, caller(ctx), parse_id(id, "id"), _kit_input(input)
            ),
        )

    @strawberry.mutation(
        description="Mettre une malle en réparation, la retirer, ou la rendre disponible.",
        extensions=[action_gate(MANAGE)],
    )
    async def set_kit_status(
        self, info: Info[Context, None], id: strawberry.ID, status: str
    ) -> KitPayload:
        ctx = info.context
        return await _kit_payload(
            ctx,
            lambda session: service.set_kit_status(
                session, caller(ctx), parse_id(id, "id"), status
            ),
        )

    @strawberry.mutation(
        description="Réserver une malle (ou demander une malle surprise) pour un emprunteur.",
        extensions=[action_gate(MANAGE)],
    )
    async def reserve_kit(
        self, info: Info[Context, None], input: KitReservationInput
    ) -> KitLoanPayload:
        ctx = info.context

        async def apply(session: Any) -> Any:
            return await service.reserve(
                session,
                caller(ctx),
                ctx.require_tenant(),
                service.ReservationInput(
                    starts_on=input.starts_on,
                    kit_id=maybe_id(input.kit_id, "kitId"),
                    ends_on=input.ends_on,
                    structure_id=maybe_id(input.structure_id, "structureId"),
                    organisation_id=maybe_id(input.organisation_id, "organisationId"),
                    family_id=maybe_id(input.family_id, "familyId"),
                    member=input.member,
                    surprise=input.surprise,
                    wish_theme=input.wish_theme,
                    wish=input.wish,
                    notes=input.notes,
                ),
            )

        return await _loan_payload(ctx, apply)

    @strawberry.mutation(
        description="Choisir la malle d'une demande surprise (ou en changer avant le départ).",
        extensions=[action_gate(MANAGE)],
    )
    async def assign_kit(
        self, info: Info[Context, None], id: strawberry.ID, kit_id: strawberry.ID
    ) -> KitLoanPayload:
        ctx = info.context
        return await _loan_payload(
            ctx,
            lambda session: service.assign_kit(
                session, caller(ctx), parse_id(id, "id"), parse_id(kit_id, "kitId")
            ),
        )

    @strawberry.mutation(description="Confirmer une réservation.", extensions=[action_gate(MANAGE)])
    async def confirm_kit_loan(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> KitLoanPayload:
        ctx = info.context
        return await _loan_payload(
            ctx, lambda session: service.confirm(session, caller(ctx), parse_id(id, "id"))
        )

    @strawberry.mutation(
        description="Annuler une réservation (avant le départ) : ses dates sont libérées.",
        extensions=[action_gate(MANAGE)],
    )
    async def cancel_kit_loan(self, info: Info[Context, None], id: strawberry.ID) -> KitLoanPayload:
        ctx = info.context
        return await _loan_payload(
            ctx, lambda session: service.cancel(session, caller(ctx), parse_id(id, "id"))
        )

    @strawberry.mutation(
        description="Départ de la malle : la liste comptée (manquants), livrée par l'équipe "
        "(delivery) ou retirée au pôle.",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(DepartKitLoanInput)
    async def depart_kit_loan(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: DepartKitLoanInput,
    ) -> KitLoanPayload:
        ctx = info.context

        async def apply(session: Any) -> Any:
            return await service.depart(
                session,
                caller(ctx),
                parse_id(id, "id"),
                on=input.departed_on,
                missing=_missing(input.missing),
                delivery=_trip(input.delivery, "delivery"),
            )

        return await _loan_payload(ctx, apply)

    @strawberry.mutation(
        description="Retour de la malle : la liste comptée à nouveau (manquants), récupérée "
        "par l'équipe (collection) ou rapportée au pôle.",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(ReturnKitLoanInput)
    async def return_kit_loan(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: ReturnKitLoanInput,
    ) -> KitLoanPayload:
        ctx = info.context

        async def apply(session: Any) -> Any:
            return await service.give_back(
                session,
                caller(ctx),
                parse_id(id, "id"),
                on=input.returned_on,
                missing=_missing(input.missing),
                collection=_trip(input.collection, "collection"),
            )

        return await _loan_payload(ctx, apply)

    @strawberry.mutation(
        description="Malle vérifiée après son retour (repair: true l'envoie en réparation).",
        extensions=[action_gate(MANAGE)],
    )
    @flat_form(CheckKitLoanInput)
    async def check_kit_loan(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: CheckKitLoanInput,
    ) -> KitLoanPayload:
        ctx = info.context

        async def apply(session: Any) -> Any:
            return await service.check(
                session, caller(ctx), parse_id(id, "id"), on=input.checked_on, repair=input.repair
            )

        return await _loan_payload(ctx, apply)


TYPES = (Kit, KitLoan)
