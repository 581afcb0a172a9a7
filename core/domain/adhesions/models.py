"""Adhesions, conventions, the price list, invoices, their counter and payments.

Amounts are integers in euro cents (never floats); a rate per inhabitant is kept in
hundredths of a cent (0,03 € = 300) and a quantity in hundredths (1,5 h = 150), so
that every total is exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamped
from core.db.limits import NOTE, max_chars
from core.tenancy.scoped import TenantScoped, tenant_fk, tenant_index, tenant_unique


class PriceListItem(TenantScoped, Timestamped, Base):
    """One price of the pole's list, in force from ``valid_from`` until the next row of
    the same code (versioned by validity date: an old invoice keeps its old price)."""

    __tablename__ = "price_list_items"
    __table_args__ = (
        tenant_unique("code", "valid_from"),
        CheckConstraint("amount_cents >= 0", name="amount_positive"),
    )

    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int]
    valid_from: Mapped[dt.date] = mapped_column(Date)


class Convention(TenantScoped, Timestamped, Base):
    """A partnership convention with a commune or an EPCI (one of the two)."""

    __tablename__ = "conventions"
    __table_args__ = (
        tenant_fk(["organisation_id"], "organisations", ondelete="SET NULL"),
        tenant_index("ix_conventions_commune", "commune_insee"),
        tenant_index("ix_conventions_epci", "epci_siren"),
        CheckConstraint("(commune_insee IS NULL) <> (epci_siren IS NULL)", name="one_party"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint("yearly_amount_cents >= 0", name="amount_positive"),
    )

    title: Mapped[str] = mapped_column(String(200))
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee_code"))
    epci_siren: Mapped[str | None] = mapped_column(ForeignKey("epci.siren"))
    # The party's row in the pole's directory, when there is one (for the invoice).
    organisation_id: Mapped[uuid.UUID | None]
    pricing: Mapped[str] = mapped_column(String(20))
    rate_hundredths_cent: Mapped[int | None]
    # The population the amount was computed from (the territory data may be reloaded).
    population: Mapped[int | None]
    yearly_amount_cents: Mapped[int]
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))


class Adhesion(TenantScoped, Timestamped, Base):
    """A membership for one civil year: a family's or an organisation's (one of the two)."""

    __tablename__ = "adhesions"
    __table_args__ = (
        tenant_fk(["family_id"], "families", ondelete="CASCADE"),
        tenant_fk(["organisation_id"], "organisations"),
        tenant_fk(["convention_id"], "conventions"),
        # One adhesion per member and year (NULLs are distinct on both databases).
        tenant_unique("year", "family_id", name="uq_adhesions_family_year"),
        tenant_unique("year", "organisation_id", name="uq_adhesions_organisation_year"),
        tenant_index("ix_adhesions_year", "year", "category"),
        CheckConstraint("(family_id IS NULL) <> (organisation_id IS NULL)", name="one_member"),
        CheckConstraint("amount_cents >= 0", name="amount_positive"),
    )

    year: Mapped[int]
    category: Mapped[str] = mapped_column(String(20))
    family_id: Mapped[uuid.UUID | None]
    organisation_id: Mapped[uuid.UUID | None]
    # The signed convention that allowed a public gestionnaire's adhesion.
    convention_id: Mapped[uuid.UUID | None]
    joined_on: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int]
    first_year_free: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[str] = mapped_column(String(200))


class InvoiceCounter(TenantScoped, Base):
    """The last invoice number given in a pole and year: updated in the transaction that
    issues an invoice (row locked on PostgreSQL), so numbers are gap-free and unique."""

    __tablename__ = "invoice_counters"
    __table_args__ = (tenant_unique("year"),)

    year: Mapped[int]
    last_sequence: Mapped[int] = mapped_column(default=0)


class Invoice(TenantScoped, Timestamped, Base):
    """An invoice: a draft has no number; issuing gives the next number of its year,
    kept for ever (a cancelled invoice keeps it, marked cancelled)."""

    __tablename__ = "invoices"
    __table_args__ = (
        tenant_fk(["family_id"], "families", ondelete="SET NULL"),
        tenant_fk(["organisation_id"], "organisations", ondelete="SET NULL"),
        tenant_unique("year", "sequence", name="uq_invoices_year_sequence"),
        tenant_unique("number", name="uq_invoices_number"),
        tenant_index("ix_invoices_status", "status", "issued_on"),
        CheckConstraint("total_cents >= 0", name="total_positive"),
        CheckConstraint("paid_cents >= 0 AND paid_cents <= total_cents", name="paid_range"),
        # A draft has no number; an issued invoice always has one (a cancelled one
        # keeps the number it had, if any).
        CheckConstraint(
            "(status = 'draft' AND number IS NULL) OR status = 'cancelled' "
            "OR (status <> 'draft' AND number IS NOT NULL)",
            name="numbered",
        ),
    )

    status: Mapped[str] = mapped_column(String(12), default="draft")
    year: Mapped[int | None]
    sequence: Mapped[int | None]
    number: Mapped[str | None] = mapped_column(String(20))
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_address: Mapped[str] = mapped_column(Text, default="", info=max_chars(500))
    family_id: Mapped[uuid.UUID | None]
    organisation_id: Mapped[uuid.UUID | None]
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    total_cents: Mapped[int] = mapped_column(default=0)
    paid_cents: Mapped[int] = mapped_column(default=0)
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date)
    cancel_reason: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))
    notes: Mapped[str] = mapped_column(Text, default="", info=max_chars(NOTE))


class InvoiceLine(TenantScoped, Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        tenant_fk(["invoice_id"], "invoices", ondelete="CASCADE"),
        tenant_fk(["price_item_id"], "price_list_items"),
        tenant_fk(["adhesion_id"], "adhesions"),
        tenant_fk(["convention_id"], "conventions"),
        tenant_unique("invoice_id", "position"),
        tenant_index("ix_invoice_lines_adhesion", "adhesion_id"),
        tenant_index("ix_invoice_lines_convention", "convention_id", "period_year"),
        CheckConstraint("quantity_hundredths > 0", name="quantity_positive"),
        CheckConstraint("unit_cents >= 0 AND total_cents >= 0", name="amounts_positive"),
    )

    invoice_id: Mapped[uuid.UUID]
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(300))
    quantity_hundredths: Mapped[int]
    unit_cents: Mapped[int]
    total_cents: Mapped[int]
    price_item_id: Mapped[uuid.UUID | None]
    adhesion_id: Mapped[uuid.UUID | None]
    convention_id: Mapped[uuid.UUID | None]
    # The convention's year this line bills.
    period_year: Mapped[int | None]


class Payment(TenantScoped, Timestamped, Base):
    __tablename__ = "payments"
    __table_args__ = (
        tenant_fk(["invoice_id"], "invoices", ondelete="CASCADE"),
        tenant_index("ix_payments_invoice", "invoice_id", "paid_on"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    invoice_id: Mapped[uuid.UUID]
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int]
    method: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(100), default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
