"""GraphQL: adhesions, partnership conventions, the price list, invoices and payments.

A page of adhesions loads its members, conventions and invoices, and a page of
invoices its lines and payments, in a fixed number of statements whatever its length.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
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
from core.domain.adhesions import billing, conventions, pricing, service
from core.domain.adhesions.checks import BILLING, MANAGE, READ
from core.domain.adhesions.models import Adhesion as AdhesionModel
from core.domain.adhesions.models import Convention as ConventionModel
from core.domain.adhesions.models import Invoice as InvoiceModel
from core.domain.adhesions.models import InvoiceLine as InvoiceLineModel
from core.domain.adhesions.models import Payment as PaymentModel
from core.domain.adhesions.models import PriceListItem as PriceListItemModel
from core.domain.adhesions.vocabulary import (
    ADHESION_CATEGORIES,
    CONVENTION_PRICINGS,
    CONVENTION_SERVICES,
    CONVENTION_STATUSES,
    INVOICE_LINE_KINDS,
    INVOICE_STATUSES,
    PAYMENT_METHODS,
    PRICE_CODES,
    PRICE_UNITS,
)
from core.domain.families.models import Family as FamilyModel
from core.domain.structures.graphql import KindOption, Organisation
from core.domain.structures.models import Organisation as OrganisationModel
from core.territory.graphql import COMMUNE_INSEE_DEPRECATED, Commune, optional_commune
from core.territory.models import Commune as CommuneModel
from core.territory.models import Epci as EpciModel


def _option(value: str, vocabulary: Mapping[str, str]) -> KindOption:
    return KindOption(value=value, label=vocabulary[value])


def _options(vocabulary: Mapping[str, str]) -> list[KindOption]:
    return [KindOption(value=k, label=v) for k, v in vocabulary.items()]


def _sid(value: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value else None


async def _rows(session: Any, statement: Any) -> list[Any]:
    return list((await session.execute(statement)).scalars())


# --- price list ------------------------------------------------------------------------


@strawberry.type(description="Un tarif de la grille du pôle, en vigueur à partir d'une date.")
class PriceListItem:
    uid: strawberry.Private[str]
    code: str
    label: str
    unit: KindOption
    amount_cents: int = strawberry.field(description="Montant en centimes d'euro.")
    valid_from: dt.date

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)

    @classmethod
    def from_model(cls, row: PriceListItemModel) -> PriceListItem:
        return cls(
            uid=str(row.id),
            code=row.code,
            label=row.label,
            unit=_option(row.unit, PRICE_UNITS),
            amount_cents=row.amount_cents,
            valid_from=row.valid_from,
        )


@strawberry.type
class PriceListItemConnection(relay.ListConnection[PriceListItem]):
    total_count: int


# --- conventions -----------------------------------------------------------------------


@strawberry.type(description="Une convention de partenariat avec une commune ou un EPCI.")
class Convention(relay.Node):
    uid: relay.NodeID[str]
    title: str
    party_name: str = strawberry.field(description="Commune ou EPCI signataire.")
    commune_insee: str | None = strawberry.field(deprecation_reason=COMMUNE_INSEE_DEPRECATED)
    commune: Commune | None = strawberry.field(
        resolver=optional_commune, description="La commune signataire (null pour un EPCI)."
    )
    epci_siren: str | None
    organisation: Organisation | None
    pricing: KindOption
    rate_per_inhabitant: Decimal | None = strawberry.field(
        description="Euros par habitant (tarif par habitant)."
    )
    population: int | None = strawberry.field(
        description="Population retenue pour le calcul (données du territoire)."
    )
    yearly_amount_cents: int
    starts_on: dt.date
    ends_on: dt.date
    status: KindOption
    signed_on: dt.date | None
    services: list[KindOption] = strawberry.field(description="Services ouverts.")
    notes: str

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Convention | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_conventions(
                session,
                select(ConventionModel).where(ConventionModel.id.in_([i for i in ids if i])),
            )
        return in_order(ids, found, lambda c: uuid.UUID(c.uid), lambda c: c)


async def _organisations(session: Any, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Any]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = await _rows(session, select(OrganisationModel).where(OrganisationModel.id.in_(wanted)))
    return {r.id: Organisation.from_model(r) for r in rows}


async def load_conventions(session: Any, statement: Any) -> list[Convention]:
    rows: list[ConventionModel] = await _rows(session, statement)
    return await _conventions(session, rows)


async def _conventions(session: Any, rows: list[ConventionModel]) -> list[Convention]:
    communes = {r.commune_insee for r in rows if r.commune_insee}
    epcis = {r.epci_siren for r in rows if r.epci_siren}
    commune_names = (
        dict(
            (
                await session.execute(
                    select(CommuneModel.insee_code, CommuneModel.name).where(
                        CommuneModel.insee_code.in_(communes)
                    )
                )
            ).all()
        )
        if communes
        else {}
    )
    epci_names = (
        dict(
            (
                await session.execute(
                    select(EpciModel.siren, EpciModel.name).where(EpciModel.siren.in_(epcis))
                )
            ).all()
        )
        if epcis
        else {}
    )
    organisations = await _organisations(session, [r.organisation_id for r in rows])
    return [
        Convention(
            uid=str(r.id),
            title=r.title,
            party_name=(
                f"Commune de {commune_names.get(r.commune_insee, r.commune_insee)}"
                if r.commune_insee
                else epci_names.get(r.epci_siren or "", r.epci_siren or "")
            ),
            commune_insee=r.commune_insee,
            epci_siren=r.epci_siren,
            organisation=organisations.get(r.organisation_id) if r.organisation_id else None,
            pricing=_option(r.pricing, CONVENTION_PRICINGS),
            rate_per_inhabitant=(
                Decimal(r.rate_hundredths_cent).scaleb(-4)
                if r.rate_hundredths_cent is not None
                else None
            ),
            population=r.population,
            yearly_amount_cents=r.yearly_amount_cents,
            starts_on=r.starts_on,
            ends_on=r.ends_on,
            status=_option(r.status, CONVENTION_STATUSES),
            signed_on=r.signed_on,
            services=[_option(s, CONVENTION_SERVICES) for s in r.services],
            notes=r.notes,
        )
        for r in rows
    ]


@strawberry.type
class ConventionConnection(relay.ListConnection[Convention]):
    total_count: int


# --- invoices --------------------------------------------------------------------------


@strawberry.type(description="Une ligne de facture.")
class InvoiceLine:
    kind: KindOption
    label: str
    quantity: Decimal
    unit_cents: int
    total_cents: int
    adhesion_id: strawberry.ID | None
    convention_id: strawberry.ID | None
    period_year: int | None


@strawberry.type(description="Un paiement reçu.")
class Payment:
    uid: strawberry.Private[str]
    paid_on: dt.date
    amount_cents: int
    method: KindOption
    reference: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.uid)


@strawberry.type(description="Une facture (numérotée à l'émission, par pôle et par année).")
class Invoice(relay.Node):
    uid: relay.NodeID[str]
    number: str | None = strawberry.field(description="« 2026-0001 » ; aucun pour un brouillon.")
    status: KindOption
    customer_name: str = person_field()
    customer_address: str = person_field()
    family_id: strawberry.ID | None
    organisation_id: strawberry.ID | None
    issued_on: dt.date | None
    due_on: dt.date | None
    total_cents: int
    paid_cents: int
    balance_cents: int = strawberry.field(description="Reste à payer, en centimes.")
    cancelled_on: dt.date | None
    cancel_reason: str
    notes: str
    lines: list[InvoiceLine]
    payments: list[Payment]
    html_url: str
    pdf_url: str

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Invoice | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_invoices(
                session, select(InvoiceModel).where(InvoiceModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, found, lambda c: uuid.UUID(c.uid), lambda c: c)


def invoice_url(invoice_id: object, fmt: str) -> str:
    """Where the invoice prints (core/app/reports.py serves it), for the full invoice
    and for its summary on an adhesion alike."""
    return f"/reports/invoices/{invoice_id}.{fmt}"


async def load_invoices(session: Any, statement: Any) -> list[Invoice]:
    rows: list[InvoiceModel] = await _rows(session, statement)
    ids = [r.id for r in rows]
    lines: dict[uuid.UUID, list[InvoiceLineModel]] = defaultdict(list)
    payments: dict[uuid.UUID, list[PaymentModel]] = defaultdict(list)
    if ids:
        for line in await _rows(
            session,
            select(InvoiceLineModel)
            .where(InvoiceLineModel.invoice_id.in_(ids))
            .order_by(InvoiceLineModel.position),
        ):
            lines[line.invoice_id].append(line)
        for payment in await _rows(
            session,
            select(PaymentModel)
            .where(PaymentModel.invoice_id.in_(ids))
            .order_by(PaymentModel.paid_on, PaymentModel.id),
        ):
            payments[payment.invoice_id].append(payment)
    return [
        Invoice(
            uid=str(r.id),
            number=r.number,
            status=_option(r.status, INVOICE_STATUSES),
            customer_name=r.customer_name,
            customer_address=r.customer_address,
            family_id=_sid(r.family_id),
            organisation_id=_sid(r.organisation_id),
            issued_on=r.issued_on,
            due_on=r.due_on,
            total_cents=r.total_cents,
            paid_cents=r.paid_cents,
            balance_cents=(
                r.total_cents - r.paid_cents if r.status in {"issued", "partly_paid"} else 0
            ),
            cancelled_on=r.cancelled_on,
            cancel_reason=r.cancel_reason,
            notes=r.notes,
            lines=[
                InvoiceLine(
                    kind=_option(line.kind, INVOICE_LINE_KINDS),
                    label=line.label,
                    quantity=Decimal(line.quantity_hundredths).scaleb(-2),
                    unit_cents=line.unit_cents,
                    total_cents=line.total_cents,
                    adhesion_id=_sid(line.adhesion_id),
                    convention_id=_sid(line.convention_id),
                    period_year=line.period_year,
                )
                for line in lines[r.id]
            ],
            payments=[
                Payment(
                    uid=str(p.id),
                    paid_on=p.paid_on,
                    amount_cents=p.amount_cents,
                    method=_option(p.method, PAYMENT_METHODS),
                    reference=p.reference,
                )
                for p in payments[r.id]
            ],
            html_url=invoice_url(r.id, "html"),
            pdf_url=invoice_url(r.id, "pdf"),
        )
        for r in rows
    ]


@strawberry.type
class InvoiceConnection(relay.ListConnection[Invoice]):
    total_count: int


@strawberry.type(description="La facture d'une adhésion, en bref.")
class InvoiceSummary:
    id: strawberry.ID
    number: str | None
    status: KindOption

    @strawberry.field(description="La facture à imprimer (HTML), pour qui lit les adhésions.")
    def html_url(self) -> str:
        return invoice_url(self.id, "html")

    @strawberry.field(description="La facture en PDF.")
    def pdf_url(self) -> str:
        return invoice_url(self.id, "pdf")


# --- adhesions -------------------------------------------------------------------------


@strawberry.type(description="Une adhésion au pôle pour une année civile.")
class Adhesion(relay.Node):
    uid: relay.NodeID[str]
    year: int
    category: KindOption
    member_name: str = person_field(description="La famille ou le gestionnaire adhérent.")
    family_id: strawberry.ID | None
    organisation: Organisation | None
    convention: Convention | None = strawberry.field(
        description="La convention signée qui a permis l'adhésion d'une structure publique."
    )
    joined_on: dt.date
    amount_cents: int
    first_year_free: bool = strawberry.field(description="Première année d'une famille : gratuite.")
    invoice: InvoiceSummary | None = strawberry.field(
        description="La facture (non annulée) qui porte cette adhésion."
    )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Adhesion | None]:
        ids = [try_uuid(i) for i in node_ids]
        if not info.context.can(READ):
            return [None for _ in ids]
        async with info.context.db_session() as session:
            found = await load_adhesions(
                session, select(AdhesionModel).where(AdhesionModel.id.in_([i for i in ids if i]))
            )
        return in_order(ids, found, lambda c: uuid.UUID(c.uid), lambda c: c)


async def load_adhesions(session: Any, statement: Any) -> list[Adhesion]:
    rows: list[AdhesionModel] = await _rows(session, statement)
    family_ids = {r.family_id for r in rows if r.family_id}
    families = (
        dict(
            (
                await session.execute(
                    select(FamilyModel.id, FamilyModel.name).where(FamilyModel.id.in_(family_ids))
                )
            ).all()
        )
        if family_ids
        else {}
    )
    organisations = await _organisations(session, [r.organisation_id for r in rows])
    convention_ids = {r.convention_id for r in rows if r.convention_id}
    covering = (
        {
            uuid.UUID(c.uid): c
            for c in await load_conventions(
                session, select(ConventionModel).where(ConventionModel.id.in_(convention_ids))
            )
        }
        if convention_ids
        else {}
    )
    invoices: dict[uuid.UUID, InvoiceSummary] = {}
    if rows:
        for adhesion_id, invoice_id, number, status in (
            await session.execute(
                select(
                    InvoiceLineModel.adhesion_id,
                    InvoiceModel.id,
                    InvoiceModel.number,
                    InvoiceModel.status,
                )
                .join(InvoiceModel, InvoiceModel.id == InvoiceLineModel.invoice_id)
                .where(
                    InvoiceLineModel.adhesion_id.in_([r.id for r in rows]),
                    InvoiceModel.status != "cancelled",
                )
            )
        ).all():
            invoices[adhesion_id] = InvoiceSummary(
                id=strawberry.ID(str(invoice_id)),
                number=number,
                status=_option(status, INVOICE_STATUSES),
            )
    result = []
    for r in rows:
        organisation = organisations.get(r.organisation_id) if r.organisation_id else None
        result.append(
            Adhesion(
                uid=str(r.id),
                year=r.year,
                category=_option(r.category, ADHESION_CATEGORIES),
                member_name=(
                    families.get(r.family_id, "?")
                    if r.family_id
                    else (organisation.name if organisation else "?")
                ),
                family_id=_sid(r.family_id),
                organisation=organisation,
                convention=covering.get(r.convention_id) if r.convention_id else None,
                joined_on=r.joined_on,
                amount_cents=r.amount_cents,
                first_year_free=r.first_year_free,
                invoice=invoices.get(r.id),
            )
        )
    return result


@strawberry.type
class AdhesionConnection(relay.ListConnection[Adhesion]):
    total_count: int


# --- inputs and payloads ---------------------------------------------------------------


@strawberry.input(description="Une adhésion : une famille ou un gestionnaire (l'un des deux).")
class AdhesionInput:
    year: int
    joined_on: dt.date
    family_id: strawberry.ID | None = None
    organisation_id: strawberry.ID | None = None
    amount_cents: int | None = strawberry.field(
        default=None,
        description="À défaut, le tarif de la grille. La 1re année d'une famille est "
        "gratuite : un montant autre que 0 est refusé (VALIDATION).",
    )


@strawberry.input(description="Une convention de partenariat (commune OU EPCI).")
class ConventionInput:
    title: str = chars_field(ConventionModel.title)
    starts_on: dt.date
    ends_on: dt.date
    pricing: str = strawberry.field(description="per_inhabitant ou flat.")
    commune_insee: str | None = chars_field(ConventionModel.commune_insee, default=None)
    epci_siren: str | None = chars_field(ConventionModel.epci_siren, default=None)
    organisation_id: strawberry.ID | None = None
    rate_per_inhabitant: Decimal | None = strawberry.field(
        default=None, description="Euros par habitant, 4 décimales au plus (0.03)."
    )
    flat_amount_cents: int | None = None
    services: list[str] = strawberry.field(default_factory=list)
    notes: str = chars_field(ConventionModel.notes, default="")


@strawberry.input(description="Un tarif, en vigueur à partir d'une date.")
class PriceInput:
    code: str = strawberry.field(description="Voir priceCodes, ou un code propre au pôle.")
    amount_cents: int
    valid_from: dt.date
    unit: str = strawberry.field(description="Voir priceUnits.")
    label: str = chars_field(PriceListItemModel.label, default="")


@strawberry.input(
    description="Une ligne : un tarif (priceCode), une adhésion, l'année d'une convention, "
    "ou une ligne libre (label et unitCents)."
)
class InvoiceLineInput:
    price_code: str | None = None
    adhesion_id: strawberry.ID | None = None
    convention_id: strawberry.ID | None = None
    year: int | None = None
    label: str = chars_field(InvoiceLineModel.label, default="")
    quantity: Decimal = Decimal(1)
    unit_cents: int | None = None


@strawberry.input(description="Une facture ; le destinataire se déduit des lignes à défaut.")
class InvoiceInput:
    lines: list[InvoiceLineInput]
    customer_name: str = chars_field(InvoiceModel.customer_name, default="")
    customer_address: str = chars_field(InvoiceModel.customer_address, default="")
    family_id: strawberry.ID | None = None
    organisation_id: strawberry.ID | None = None
    notes: str = chars_field(InvoiceModel.notes, default="")


@strawberry.input(
    description="Signer (signed), terminer (ended) ou annuler (cancelled) une convention ; "
    "on : date de signature ou de fin."
)
class SetConventionStatusInput:
    status: str
    on: dt.date


@strawberry.input(description="Annuler une facture sans paiement (elle garde son numéro).")
class CancelInvoiceInput:
    on: dt.date
    reason: str = chars_field(InvoiceModel.cancel_reason, default="")


@strawberry.input(description="Un paiement reçu, partiel ou total.")
class PaymentInput:
    invoice_id: strawberry.ID
    paid_on: dt.date
    amount_cents: int
    method: str = strawberry.field(description="Voir paymentMethods.")
    reference: str = chars_field(PaymentModel.reference, default="")


@strawberry.type
class AdhesionPayload:
    adhesion: Adhesion | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ConventionPayload:
    convention: Convention | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PricePayload:
    item: PriceListItem | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# --- queries ---------------------------------------------------------------------------


@strawberry.type
class AdhesionsQuery:
    @strawberry.field(description="Catégories d'adhésion.")
    def adhesion_categories(self) -> list[KindOption]:
        return _options(ADHESION_CATEGORIES)

    @strawberry.field(description="Statuts, tarifications et services des conventions.")
    def convention_statuses(self) -> list[KindOption]:
        return _options(CONVENTION_STATUSES)

    @strawberry.field(description="Tarifications des conventions (code et libellé).")
    def convention_pricings(self) -> list[KindOption]:
        return _options(CONVENTION_PRICINGS)

    @strawberry.field(description="Services prévus par les conventions (code et libellé).")
    def convention_services(self) -> list[KindOption]:
        return _options(CONVENTION_SERVICES)

    @strawberry.field(description="Codes de tarif connus (un pôle peut en ajouter).")
    def price_codes(self) -> list[KindOption]:
        return _options(PRICE_CODES)

    @strawberry.field(description="Unités de tarif (code et libellé).")
    def price_units(self) -> list[KindOption]:
        return _options(PRICE_UNITS)

    @strawberry.field(description="Statuts des factures (code et libellé).")
    def invoice_statuses(self) -> list[KindOption]:
        return _options(INVOICE_STATUSES)

    @strawberry.field(description="Moyens de paiement (code et libellé).")
    def payment_methods(self) -> list[KindOption]:
        return _options(PAYMENT_METHODS)

    @strawberry.field(
        description="Adhésions du pôle, des plus récentes aux plus anciennes ; filtres : "
        "année, catégorie, famille, gestionnaire.",
        extensions=[action_gate(READ)],
    )
    async def adhesions(
        self,
        info: Info[Context, None],
        year: int | None = None,
        categories: list[str] | None = None,
        family_id: strawberry.ID | None = None,
        organisation_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AdhesionConnection:
        statement = service.adhesions_query(
            service.AdhesionFilter(
                year=year,
                categories=categories or (),
                family_id=maybe_id(family_id, "familyId"),
                organisation_id=maybe_id(organisation_id, "organisationId"),
            )
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_adhesions(session, page)
        return connection(AdhesionConnection, nodes, win, total)

    @strawberry.field(
        description="À relancer : les adhésions de l'année précédente non renouvelées pour "
        "l'année donnée (l'année en cours par défaut).",
        extensions=[action_gate(READ)],
    )
    async def adhesion_renewals(
        self,
        info: Info[Context, None],
        year: int | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AdhesionConnection:
        statement = service.adhesions_query(
            service.AdhesionFilter(not_renewed_in=year or dt.date.today().year)
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_adhesions(session, page)
        return connection(AdhesionConnection, nodes, win, total)

    @strawberry.field(
        description="Conventions du pôle ; filtres : statut, commune, EPCI, période "
        "[début, fin[ où elles s'appliquent.",
        extensions=[action_gate(READ)],
    )
    async def conventions(
        self,
        info: Info[Context, None],
        statuses: list[str] | None = None,
        commune_insee: str | None = None,
        epci_siren: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ConventionConnection:
        statement = conventions.conventions_query(
            conventions.ConventionFilter(
                statuses=statuses or (),
                commune_insee=commune_insee,
                epci_siren=epci_siren,
                start=start,
                end=end,
            )
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_conventions(session, page)
        return connection(ConventionConnection, nodes, win, total)

    @strawberry.field(
        description="Les conventions signées qui couvrent une commune à une date "
        "(directement ou par son EPCI) ; aujourd'hui par défaut.",
        extensions=[action_gate(READ)],
    )
    async def conventions_covering(
        self, info: Info[Context, None], commune_insee: str, on: dt.date | None = None
    ) -> list[Convention]:
        ctx = info.context
        async with ctx.db_session() as session:
            rows = await conventions.covering(
                session, caller(ctx), commune_insee=commune_insee, on=on or dt.date.today()
            )
            return await _conventions(session, rows)

    @strawberry.field(
        description="Grille tarifaire : toutes les versions, ou les tarifs en vigueur à "
        "une date (on).",
        extensions=[action_gate(READ)],
    )
    async def price_list(
        self,
        info: Info[Context, None],
        on: dt.date | None = None,
        codes: list[str] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> PriceListItemConnection:
        statement = pricing.price_list_query(on=on, codes=codes or ())
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            rows = await _rows(session, page)
        return connection(
            PriceListItemConnection, [PriceListItem.from_model(r) for r in rows], win, total
        )

    @strawberry.field(
        description="Factures du pôle (brouillons d'abord, puis par numéro décroissant) ; "
        "filtres : statut, année, famille, gestionnaire, échues non réglées à une date.",
        extensions=[action_gate(READ)],
    )
    async def invoices(
        self,
        info: Info[Context, None],
        statuses: list[str] | None = None,
        year: int | None = None,
        family_id: strawberry.ID | None = None,
        organisation_id: strawberry.ID | None = None,
        overdue_on: dt.date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> InvoiceConnection:
        statement = billing.invoices_query(
            billing.InvoiceFilter(
                statuses=statuses or (),
                year=year,
                family_id=maybe_id(family_id, "familyId"),
                organisation_id=maybe_id(organisation_id, "organisationId"),
                overdue_on=overdue_on,
            )
        )
        async with info.context.db_session() as session:
            win, total, page = await page_of(session, statement, first, after)
            nodes = await load_invoices(session, page)
        return connection(InvoiceConnection, nodes, win, total)


# --- mutations -------------------------------------------------------------------------


async def _invoice_payload(ctx: Context, apply: Any) -> InvoicePayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        invoice_id = await apply(session)
        await session.commit()
        (result,) = await load_invoices(
            session, select(InvoiceModel).where(InvoiceModel.id == invoice_id)
        )
    return InvoicePayload(errors=errors) if errors else InvoicePayload(invoice=result)


async def _convention_payload(ctx: Context, apply: Any) -> ConventionPayload:
    result = None
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        row = await apply(session)
        await session.commit()
        (result,) = await _conventions(session, [row])
    return ConventionPayload(errors=errors) if errors else ConventionPayload(convention=result)


def _lines(lines: list[InvoiceLineInput]) -> list[billing.LineInput]:
    return [
        billing.LineInput(
            price_code=line.price_code,
            adhesion_id=maybe_id(line.adhesion_id, f"lines.{i}.adhesionId"),
            convention_id=maybe_id(line.convention_id, f"lines.{i}.conventionId"),
            year=line.year,
            label=line.label,
            quantity=line.quantity,
            unit_cents=line.unit_cents,
        )
        for i, line in enumerate(lines)
    ]


@strawberry.type
class AdhesionsMutation:
    @strawberry.mutation(
        description="Enregistrer l'adhésion d'une famille ou d'un gestionnaire pour une année.",
        extensions=[action_gate(MANAGE)],
    )
    async def register_adhesion(
        self, info: Info[Context, None], input: AdhesionInput
    ) -> AdhesionPayload:
        ctx = info.context
        result = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            row = await service.register_adhesion(
                session,
                caller(ctx),
                service.AdhesionInput(
                    year=input.year,
                    joined_on=input.joined_on,
                    family_id=maybe_id(input.family_id, "familyId"),
                    organisation_id=maybe_id(input.organisation_id, "organisationId"),
                    amount_cents=input.amount_cents,
                ),
            )
            await session.commit()
            (result,) = await load_adhesions(
                session, select(AdhesionModel).where(AdhesionModel.id == row.id)
            )
        return AdhesionPayload(errors=errors) if errors else AdhesionPayload(adhesion=result)

    @strawberry.mutation(
        description="Préparer une convention de partenariat (à signer ensuite).",
        extensions=[action_gate(BILLING)],
    )
    async def create_convention(
        self, info: Info[Context, None], input: ConventionInput
    ) -> ConventionPayload:
        ctx = info.context
        return await _convention_payload(
            ctx,
            lambda session: conventions.create_convention(
                session,
                caller(ctx),
                conventions.ConventionInput(
                    title=input.title,
                    starts_on=input.starts_on,
                    ends_on=input.ends_on,
                    pricing=input.pricing,
                    commune_insee=input.commune_insee,
                    epci_siren=input.epci_siren,
                    organisation_id=maybe_id(input.organisation_id, "organisationId"),
                    rate_per_inhabitant=input.rate_per_inhabitant,
                    flat_amount_cents=input.flat_amount_cents,
                    services=input.services,
                    notes=input.notes,
                ),
            ),
        )

    @strawberry.mutation(
        description="Signer (signed), terminer (ended) ou annuler (cancelled) une convention ; "
        "on : date de signature ou de fin.",
        extensions=[action_gate(BILLING)],
    )
    @flat_form(SetConventionStatusInput)
    async def set_convention_status(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: SetConventionStatusInput,
    ) -> ConventionPayload:
        ctx = info.context

        async def apply(session: Any) -> Any:
            return await conventions.set_convention_status(
                session, caller(ctx), parse_id(id, "id"), input.status, on=input.on
            )

        return await _convention_payload(ctx, apply)

    @strawberry.mutation(
        description="Ajouter un tarif à la grille, à partir d'une date.",
        extensions=[action_gate(BILLING)],
    )
    async def set_price(self, info: Info[Context, None], input: PriceInput) -> PricePayload:
        ctx = info.context
        result = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            row = await pricing.set_price(
                session,
                caller(ctx),
                code=input.code,
                amount_cents=input.amount_cents,
                valid_from=input.valid_from,
                unit=input.unit,
                label=input.label,
            )
            await session.commit()
            result = PriceListItem.from_model(row)
        return PricePayload(errors=errors) if errors else PricePayload(item=result)

    @strawberry.mutation(
        description="Préparer une facture (brouillon), ou l'émettre d'emblée avec issueOn.",
        extensions=[action_gate(BILLING)],
    )
    async def create_invoice(
        self, info: Info[Context, None], input: InvoiceInput, issue_on: dt.date | None = None
    ) -> InvoicePayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await billing.create_invoice(
                session,
                caller(ctx),
                billing.InvoiceInput(
                    lines=_lines(input.lines),
                    customer_name=input.customer_name,
                    customer_address=input.customer_address,
                    family_id=maybe_id(input.family_id, "familyId"),
                    organisation_id=maybe_id(input.organisation_id, "organisationId"),
                    notes=input.notes,
                ),
                issue_on=issue_on,
            )
            return row.id

        return await _invoice_payload(ctx, apply)

    @strawberry.mutation(
        description="Émettre une facture : elle reçoit le numéro suivant de son année.",
        extensions=[action_gate(BILLING)],
    )
    async def issue_invoice(
        self, info: Info[Context, None], id: strawberry.ID, issued_on: dt.date
    ) -> InvoicePayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await billing.issue_invoice(
                session, caller(ctx), parse_id(id, "id"), on=issued_on
            )
            return row.id

        return await _invoice_payload(ctx, apply)

    @strawberry.mutation(
        description="Annuler une facture sans paiement (elle garde son numéro).",
        extensions=[action_gate(BILLING)],
    )
    @flat_form(CancelInvoiceInput)
    async def cancel_invoice(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: CancelInvoiceInput,
    ) -> InvoicePayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await billing.cancel_invoice(
                session, caller(ctx), parse_id(id, "id"), on=input.on, reason=input.reason
            )
            return row.id

        return await _invoice_payload(ctx, apply)

    @strawberry.mutation(
        description="Enregistrer un paiement (partiel ou total) sur une facture émise.",
        extensions=[action_gate(BILLING)],
    )
    async def record_payment(
        self, info: Info[Context, None], input: PaymentInput
    ) -> InvoicePayload:
        ctx = info.context

        async def apply(session: Any) -> uuid.UUID:
            row = await billing.record_payment(
                session,
                caller(ctx),
                billing.PaymentInput(
                    invoice_id=parse_id(input.invoice_id, "invoiceId"),
                    paid_on=input.paid_on,
                    amount_cents=input.amount_cents,
                    method=input.method,
                    reference=input.reference,
                ),
            )
            return row.invoice_id

        return await _invoice_payload(ctx, apply)


TYPES = (Adhesion, Convention, Invoice)
