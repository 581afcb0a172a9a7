"""The printable invoice, in French (templates/documents/invoice.html): HTML for the
screen, and the same HTML as PDF for sending (core.api.documents).

A draft prints as « Facture proforma (brouillon) » without a number; a cancelled
invoice prints its number with « ANNULÉE » and the reason."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.api.documents import DocumentTemplates, Letterhead
from core.audit.trail import record
from core.domain.adhesions.checks import READ, euros
from core.domain.adhesions.models import Invoice, InvoiceLine, Payment
from core.domain.adhesions.vocabulary import INVOICE_STATUSES, PAYMENT_METHODS
from core.domain.lookups import get_or_not_found as _get
from core.tenancy.models import Tenant


@dataclass(frozen=True)
class Document:
    pole: str
    operator: str
    invoice: Invoice
    lines: list[InvoiceLine]
    payments: list[Payment]

    @property
    def title(self) -> str:
        if self.invoice.number is None:
            return "Facture proforma (brouillon)"
        return f"Facture n° {self.invoice.number}"


async def document(
    session: AsyncSession, caller: Caller, tenant: Tenant, invoice_id: uuid.UUID
) -> Document:
    """What the printed invoice shows; the read is audited (a family's name is on it)."""
    actor = caller.require(READ)
    invoice: Invoice = await _get(session, Invoice, invoice_id, "invoiceId")
    lines = list(
        (
            await session.execute(
                select(InvoiceLine)
                .where(InvoiceLine.invoice_id == invoice.id)
                .order_by(InvoiceLine.position)
            )
        ).scalars()
    )
    payments = list(
        (
            await session.execute(
                select(Payment)
                .where(Payment.invoice_id == invoice.id)
                .order_by(Payment.paid_on, Payment.id)
            )
        ).scalars()
    )
    record(
        session,
        actor=actor.subject,
        action="read",
        object_type="Invoice",
        object_id=str(invoice.id),
        fields=["document", "customerName", "customerAddress"],
    )
    # The pole's address and contact are on the letterhead of every document.
    return Document(
        pole=tenant.name,
        operator=tenant.operator,
        invoice=invoice,
        lines=lines,
        payments=payments,
    )


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _quantity(hundredths: int) -> str:
    whole, part = divmod(hundredths, 100)
    return f"{whole}" if part == 0 else f"{whole},{part:02d}".rstrip("0")


def _status_line(doc: Document) -> str:
    inv = doc.invoice
    if inv.status == "cancelled":
        return f"ANNULÉE le {_date(inv.cancelled_on)}" + (
            f" : {inv.cancel_reason}" if inv.cancel_reason else ""
        )
    return INVOICE_STATUSES[inv.status]


def _summary(doc: Document) -> list[tuple[str, str]]:
    inv = doc.invoice
    rows = [("Total", euros(inv.total_cents))]
    if inv.paid_cents:
        rows.append(("Déjà réglé", euros(inv.paid_cents)))
    if inv.status in {"issued", "partly_paid"}:
        rows.append(("Reste à payer", euros(inv.total_cents - inv.paid_cents)))
    return rows


FOOTER = "Montants en euros, sans TVA."
TEMPLATES = DocumentTemplates(Path(__file__).with_name("templates"))
TEMPLATES.env.filters.update(euros=euros, quantity=_quantity)


def render_html(doc: Document, letterhead: Letterhead) -> str:
    """The printed invoice (the PDF is this HTML, core.api.documents.pdf)."""
    return TEMPLATES.render(
        "documents/invoice.html",
        letterhead=letterhead,
        doc=doc,
        inv=doc.invoice,
        status=_status_line(doc),
        summary=_summary(doc),
        methods=PAYMENT_METHODS,
        footer=FOOTER,
    )
