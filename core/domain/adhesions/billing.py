"""Invoices and payments.

A draft invoice has lines (from the price list, an adhesion, a convention's year, or
free) and a total; issuing it gives the next number of the pole and year
(« 2026-0001 »), taken from a counter row updated in the same transaction — locked with
SELECT … FOR UPDATE on PostgreSQL, under SQLite's single writer on SQLite — so numbers
are consecutive, never skipped (a rolled-back issue gives its number back with the
rest of the transaction) and never reused (a cancelled invoice keeps its number).
Payments (partial or whole) move it to « Partiellement payée » then « Payée ».
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.db.limits import clean_text
from core.db.upsert import upsert
from core.domain.adhesions import pricing
from core.domain.adhesions.checks import (
    BILLING,
    cents,
    civil_year,
    hundredths,
    not_future,
    one_of,
    rounded,
)
from core.domain.adhesions.conventions import party_name
from core.domain.adhesions.models import (
    Adhesion,
    Convention,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Payment,
)
from core.domain.adhesions.vocabulary import (
    ADHESION_CATEGORIES,
    INVOICE_STATUSES,
    PAYMENT_METHODS,
)
from core.domain.families.models import Family
from core.domain.lookups import audit
from core.domain.lookups import get_or_not_found as _get
from core.domain.structures.models import Organisation
from core.errors import ConflictError, ValidationError
from core.territory.models import Commune

PAYMENT_DAYS = 30
MAX_LINES = 50
MAX_QUANTITY = 1_000_000  # hundredths: 10 000 units


@dataclass(frozen=True)
class LineInput:
    """One line: a price-list code, an adhesion, a convention's year, or a free line
    (label and unit amount)."""

    price_code: str | None = None
    adhesion_id: uuid.UUID | None = None
    convention_id: uuid.UUID | None = None
    year: int | None = None
    label: str = ""
    quantity: Decimal = Decimal(1)
    unit_cents: int | None = None


@dataclass(frozen=True)
class InvoiceInput:
    lines: Sequence[LineInput]
    customer_name: str = ""
    customer_address: str = ""
    family_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    notes: str = ""


@dataclass
class _Customer:
    name: str = ""
    address: str = ""
    family_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None


async def _family_customer(session: AsyncSession, family: Family) -> _Customer:
    commune = await session.get(Commune, family.commune_insee)
    where = f"{family.address}\n{commune.name if commune else ''}".strip()
    return _Customer(family.name, where, family_id=family.id)


async def _organisation_customer(session: AsyncSession, organisation: Organisation) -> _Customer:
    commune = (
        await session.get(Commune, organisation.commune_insee)
        if organisation.commune_insee
        else None
    )
    return _Customer(
        organisation.name, commune.name if commune else "", organisation_id=organisation.id
    )


async def _already_billed(session: AsyncSession, *conditions: object) -> str | None:
    """The number (or « brouillon ») of a live invoice holding such a line."""
    found = (
        await session.execute(
            select(Invoice.number)
            .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
            .where(Invoice.status != "cancelled", *conditions)  # type: ignore[arg-type]
            .limit(1)
        )
    ).first()
    return None if found is None else (found[0] or "brouillon")


async def _line(
    session: AsyncSession, index: int, data: LineInput, priced_on: dt.date, guess: _Customer
) -> InvoiceLine:
    at = f"lines.{index}"
    sources = [
        data.price_code is not None,
        data.adhesion_id is not None,
        data.convention_id is not None,
    ]
    if sum(sources) > 1:
        raise ValidationError(
            "une ligne vient d'un tarif, d'une adhésion ou d'une convention (une seule)",
            field=f"{at}.priceCode",
        )
    quantity = hundredths(data.quantity, f"{at}.quantity")
    if not 0 < quantity <= MAX_QUANTITY:
        raise ValidationError("quantité strictement positive", field=f"{at}.quantity")
    label = " ".join(data.label.split())
    if data.price_code is not None:
        price = await pricing.price_at(session, data.price_code, priced_on)
        if price is None:
            raise ValidationError(
                f"aucun tarif « {data.price_code} » en vigueur au {priced_on:%d/%m/%Y}",
                field=f"{at}.priceCode",
            )
        return InvoiceLine(
            kind="price_item",
            label=clean_text(label or price.label, InvoiceLine.label, f"{at}.label"),
            quantity_hundredths=quantity,
            unit_cents=price.amount_cents,
            total_cents=rounded(quantity * price.amount_cents, 100),
            price_item_id=price.id,
        )
    if data.adhesion_id is not None:
        adhesion: Adhesion = await _get(session, Adhesion, data.adhesion_id, f"{at}.adhesionId")
        if adhesion.amount_cents == 0:
            raise ValidationError("adhésion gratuite : rien à facturer", field=f"{at}.adhesionId")
        billed = await _already_billed(session, InvoiceLine.adhesion_id == adhesion.id)
        if billed is not None:
            raise ConflictError(
                f"adhésion déjà facturée (facture {billed})", field=f"{at}.adhesionId"
            )
        if not guess.name:
            if adhesion.family_id is not None:
                family: Family = await _get(session, Family, adhesion.family_id, f"{at}.adhesionId")
                guess.__dict__.update((await _family_customer(session, family)).__dict__)
            elif adhesion.organisation_id is not None:
                organisation: Organisation = await _get(
                    session, Organisation, adhesion.organisation_id, f"{at}.adhesionId"
                )
                guess.__dict__.update(
                    (await _organisation_customer(session, organisation)).__dict__
                )
        return InvoiceLine(
            kind="adhesion",
            label=(label or f"Adhésion {adhesion.year} — {ADHESION_CATEGORIES[adhesion.category]}")[
                :300
            ],
            quantity_hundredths=100,
            unit_cents=adhesion.amount_cents,
            total_cents=adhesion.amount_cents,
            adhesion_id=adhesion.id,
        )
    if data.convention_id is not None:
        convention: Convention = await _get(
            session, Convention, data.convention_id, f"{at}.conventionId"
        )
        if convention.status not in {"signed", "ended"}:
            raise ConflictError(
                "seule une convention signée se facture", field=f"{at}.conventionId"
            )
        if data.year is None:
            raise ValidationError("l'année facturée", field=f"{at}.year")
        civil_year(data.year, f"{at}.year")
        if not convention.starts_on.year <= data.year <= convention.ends_on.year:
            raise ValidationError("année hors de la convention", field=f"{at}.year")
        billed = await _already_billed(
            session,
            InvoiceLine.convention_id == convention.id,
            InvoiceLine.period_year == data.year,
        )
        if billed is not None:
            raise ConflictError(
                f"cette année de la convention est déjà facturée (facture {billed})",
                field=f"{at}.year",
            )
        if not guess.name:
            guess.name = await party_name(session, convention)
            guess.organisation_id = convention.organisation_id
        return InvoiceLine(
            kind="convention",
            label=clean_text(
                label or f"{convention.title} — année {data.year}", InvoiceLine.label, f"{at}.label"
            ),
            quantity_hundredths=100,
            unit_cents=convention.yearly_amount_cents,
            total_cents=convention.yearly_amount_cents,
            convention_id=convention.id,
            period_year=data.year,
        )
    if not label:
        raise ValidationError("libellé de la ligne", field=f"{at}.label")
    if data.unit_cents is None:
        raise ValidationError("prix unitaire en centimes", field=f"{at}.unitCents")
    unit = cents(data.unit_cents, f"{at}.unitCents")
    return InvoiceLine(
        kind="free",
        label=clean_text(label, InvoiceLine.label, f"{at}.label"),
        quantity_hundredths=quantity,
        unit_cents=unit,
        total_cents=rounded(quantity * unit, 100),
    )


async def create_invoice(
    session: AsyncSession,
    caller: Caller,
    data: InvoiceInput,
    *,
    issue_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Invoice:
    """A draft invoice (or an issued one when ``issue_on`` is given: one transaction)."""
    actor = caller.require(BILLING)
    if not data.lines:
        raise ValidationError("au moins une ligne", field="lines")
    if len(data.lines) > MAX_LINES:
        raise ValidationError(f"{MAX_LINES} lignes au plus", field="lines")
    if data.family_id is not None and data.organisation_id is not None:
        raise ValidationError("une famille ou un gestionnaire, pas les deux", field="familyId")
    customer = _Customer()
    if data.family_id is not None:
        family: Family = await _get(session, Family, data.family_id, "familyId")
        customer = await _family_customer(session, family)
    elif data.organisation_id is not None:
        organisation: Organisation = await _get(
            session, Organisation, data.organisation_id, "organisationId"
        )
        customer = await _organisation_customer(session, organisation)
    priced_on = issue_on or today or dt.date.today()
    lines = []
    seen: set[tuple[str, object, object]] = set()
    for index, line in enumerate(data.lines):
        built = await _line(session, index, line, priced_on, customer)
        key = (built.kind, built.adhesion_id or built.convention_id, built.period_year)
        if built.kind in {"adhesion", "convention"} and key in seen:
            raise ConflictError("ligne en double", field=f"lines.{index}")
        seen.add(key)
        built.position = index + 1
        lines.append(built)
    name = " ".join(data.customer_name.split()) or customer.name
    if not name:
        raise ValidationError("à qui est adressée la facture ?", field="customerName")
    total = sum(line.total_cents for line in lines)
    if total <= 0:
        raise ValidationError("facture d'un montant nul", field="lines")
    cents(total, "lines")
    row = Invoice(
        status="draft",
        customer_name=name,
        customer_address=data.customer_address.strip() or customer.address,
        family_id=customer.family_id,
        organisation_id=customer.organisation_id,
        total_cents=total,
        paid_cents=0,
        notes=data.notes.strip(),
    )
    session.add(row)
    await session.flush()
    for line in lines:
        line.invoice_id = row.id
        session.add(line)
    await session.flush()
    audit(
        session,
        actor.subject,
        "invoices.create",
        "Invoice",
        row.id,
        ["customerName", "customerAddress", "lines", "totalCents"],
    )
    if issue_on is not None:
        await issue_invoice(session, caller, row.id, on=issue_on, today=today)
    return row


async def _next_sequence(session: AsyncSession, year: int) -> int:
    """The next number of ``year`` in this pole, counted in this transaction.

    The year's row is created if missing (a concurrent creator's row wins quietly), then
    locked (SELECT … FOR UPDATE: PostgreSQL) and incremented in one statement — on
    SQLite the insert already took the database's single write lock."""
    await session.execute(
        upsert(session, InvoiceCounter).on_conflict_do_nothing(
            index_elements=["tenant_id", "year"]
        ),
        {"year": year, "last_sequence": 0},
    )
    await session.execute(
        select(InvoiceCounter.id).where(InvoiceCounter.year == year).with_for_update()
    )
    sequence = await session.scalar(
        update(InvoiceCounter)
        .where(InvoiceCounter.year == year)
        .values(last_sequence=InvoiceCounter.last_sequence + 1)
        .returning(InvoiceCounter.last_sequence)
    )
    assert sequence is not None
    return int(sequence)


async def issue_invoice(
    session: AsyncSession,
    caller: Caller,
    invoice_id: uuid.UUID,
    *,
    on: dt.date,
    today: dt.date | None = None,
) -> Invoice:
    actor = caller.require(BILLING)
    row: Invoice = await _get(session, Invoice, invoice_id, "id")
    if row.status != "draft":
        raise ConflictError(f"facture déjà {INVOICE_STATUSES[row.status].lower()}", field="id")
    not_future(on, "issuedOn", today)
    civil_year(on.year, "issuedOn")
    sequence = await _next_sequence(session, on.year)
    # Numbers follow the dates: an invoice is never dated before the last one issued.
    last = await session.scalar(
        select(func.max(Invoice.issued_on)).where(
            Invoice.year == on.year, Invoice.number.is_not(None)
        )
    )
    if isinstance(last, str):  # SQLite hands MAX() of a date back as text
        last = dt.date.fromisoformat(last)
    if last is not None and last > on:
        raise ValidationError(
            f"une facture de {on.year} est déjà datée du {last:%d/%m/%Y} : la numérotation "
            "suit les dates",
            field="issuedOn",
        )
    row.status, row.year, row.sequence = "issued", on.year, sequence
    row.number = f"{on.year}-{sequence:04d}"
    row.issued_on, row.due_on = on, on + dt.timedelta(days=PAYMENT_DAYS)
    await session.flush()
    audit(session, actor.subject, "invoices.issue", "Invoice", row.id, ["number", "issuedOn"])
    return row


async def cancel_invoice(
    session: AsyncSession,
    caller: Caller,
    invoice_id: uuid.UUID,
    *,
    on: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> Invoice:
    """A draft is dropped; an issued invoice without payment is cancelled and keeps its
    number (the record a credit note would be)."""
    actor = caller.require(BILLING)
    row: Invoice = await _get(session, Invoice, invoice_id, "id")
    if row.status == "cancelled":
        raise ConflictError("facture déjà annulée", field="id")
    if row.paid_cents > 0:
        raise ConflictError(
            "des paiements sont enregistrés sur cette facture : elle ne peut plus être annulée",
            field="id",
        )
    not_future(on, "on", today)
    if row.issued_on is not None and on < row.issued_on:
        raise ValidationError("l'annulation précède la facture", field="on")
    if row.status != "draft" and not reason.strip():
        raise ValidationError("motif de l'annulation", field="reason")
    row.status, row.cancelled_on, row.cancel_reason = "cancelled", on, reason.strip()
    await session.flush()
    audit(session, actor.subject, "invoices.cancel", "Invoice", row.id, ["status", "reason"])
    return row


@dataclass(frozen=True)
class PaymentInput:
    invoice_id: uuid.UUID
    paid_on: dt.date
    amount_cents: int
    method: str
    reference: str = ""


async def record_payment(
    session: AsyncSession, caller: Caller, data: PaymentInput, *, today: dt.date | None = None
) -> Payment:
    actor = caller.require(BILLING)
    invoice: Invoice = await _get(session, Invoice, data.invoice_id, "invoiceId")
    if invoice.status not in {"issued", "partly_paid"}:
        raise ConflictError(
            f"facture {INVOICE_STATUSES[invoice.status].lower()} : aucun paiement attendu",
            field="invoiceId",
        )
    one_of(data.method, PAYMENT_METHODS, "method")
    not_future(data.paid_on, "paidOn", today)
    cents(data.amount_cents, "amountCents", positive=True)
    balance = invoice.total_cents - invoice.paid_cents
    if data.amount_cents > balance:
        raise ValidationError(
            f"le paiement dépasse le reste dû ({balance / 100:.2f} €)".replace(".", ","),
            field="amountCents",
        )
    row = Payment(
        invoice_id=invoice.id,
        paid_on=data.paid_on,
        amount_cents=data.amount_cents,
        method=data.method,
        reference=data.reference.strip(),
        recorded_by=actor.subject,
    )
    session.add(row)
    invoice.paid_cents += data.amount_cents
    invoice.status = "paid" if invoice.paid_cents == invoice.total_cents else "partly_paid"
    await session.flush()
    audit(
        session,
        actor.subject,
        "payments.record",
        "Invoice",
        invoice.id,
        ["payment", "amountCents", "method", "status"],
    )
    return row


@dataclass(frozen=True)
class InvoiceFilter:
    statuses: Sequence[str] = ()
    year: int | None = None
    family_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    # Issued, unpaid (whole or part), due before this date.
    overdue_on: dt.date | None = None


def invoices_query(f: InvoiceFilter) -> Select[tuple[Invoice]]:
    statement = select(Invoice)
    for index, status in enumerate(f.statuses):
        one_of(status, INVOICE_STATUSES, f"statuses.{index}")
    if f.statuses:
        statement = statement.where(Invoice.status.in_(list(f.statuses)))
    if f.year is not None:
        statement = statement.where(Invoice.year == civil_year(f.year))
    if f.family_id is not None:
        statement = statement.where(Invoice.family_id == f.family_id)
    if f.organisation_id is not None:
        statement = statement.where(Invoice.organisation_id == f.organisation_id)
    if f.overdue_on is not None:
        statement = statement.where(
            Invoice.status.in_(["issued", "partly_paid"]), Invoice.due_on < f.overdue_on
        )
    # Drafts first (no number yet), then by number, newest first.
    return statement.order_by(
        Invoice.year.desc().nulls_first(),
        Invoice.sequence.desc().nulls_first(),
        Invoice.created_at.desc(),
        Invoice.id.desc(),
    )
