"""The printable invoice, in French: HTML for the screen, PDF (ReportLab) for sending.

A draft prints as « Facture proforma (brouillon) » without a number; a cancelled
invoice prints its number with « ANNULÉE » and the reason."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
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
    pole_address: str
    pole_contact: str
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
    contact = tenant.contact or {}
    return Document(
        pole=tenant.name,
        operator=tenant.operator,
        pole_address=str(contact.get("address", "")),
        pole_contact=" — ".join(str(contact[k]) for k in ("email", "phone") if contact.get(k)),
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


def render_html(doc: Document) -> str:
    inv = doc.invoice
    parts = [
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">',
        f"<title>{escape(doc.title)} — {escape(doc.pole)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
        "color:#1b1b1b}h1{font-size:1.5rem}table{border-collapse:collapse;width:100%}"
        "th,td{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}"
        "td.n,th.n{text-align:right}.meta{color:#555}.cancelled{color:#b00;font-weight:bold}"
        "@media print{body{margin:0}}</style>",
        "</head><body>",
        f"<p><strong>{escape(doc.pole)}</strong><br>{escape(doc.operator)}<br>"
        f"{escape(doc.pole_address)}<br>{escape(doc.pole_contact)}</p>",
        f"<h1>{escape(doc.title)}</h1>",
        f'<p class="meta">Émise le {_date(inv.issued_on) or "—"}'
        + (f" — à régler avant le {_date(inv.due_on)}" if inv.due_on else "")
        + f' — statut : <span class="{"cancelled" if inv.status == "cancelled" else ""}">'
        f"{escape(_status_line(doc))}</span></p>",
        f"<p>Adressée à :<br><strong>{escape(inv.customer_name)}</strong><br>"
        f"{escape(inv.customer_address).replace(chr(10), '<br>')}</p>",
        '<table><thead><tr><th>Désignation</th><th class="n">Quantité</th>'
        '<th class="n">Prix unitaire</th><th class="n">Montant</th></tr></thead><tbody>',
    ]
    for line in doc.lines:
        parts.append(
            f"<tr><td>{escape(line.label)}</td>"
            f'<td class="n">{_quantity(line.quantity_hundredths)}</td>'
            f'<td class="n">{euros(line.unit_cents)}</td>'
            f'<td class="n">{euros(line.total_cents)}</td></tr>'
        )
    parts.append("</tbody><tfoot>")
    for label, amount in _summary(doc):
        parts.append(f'<tr><th colspan="3" class="n">{label}</th><td class="n">{amount}</td></tr>')
    parts.append("</tfoot></table>")
    if doc.payments:
        parts.append("<h2>Paiements reçus</h2><ul>")
        for p in doc.payments:
            parts.append(
                f"<li>{_date(p.paid_on)} — {PAYMENT_METHODS[p.method]} — {euros(p.amount_cents)}"
                + (f" ({escape(p.reference)})" if p.reference else "")
                + "</li>"
            )
        parts.append("</ul>")
    if inv.notes:
        parts.append(f"<p>{escape(inv.notes)}</p>")
    parts.append(f'<p class="meta">{FOOTER}</p></body></html>')
    return "".join(parts)


def render_pdf(doc: Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    inv = doc.invoice

    def para(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), styles[style])

    story: list[Any] = [
        para(f"{doc.pole}\n{doc.operator}\n{doc.pole_address}\n{doc.pole_contact}"),
        Spacer(1, 12),
        para(doc.title, "Title"),
        para(
            f"Émise le {_date(inv.issued_on) or '—'}"
            + (f" — à régler avant le {_date(inv.due_on)}" if inv.due_on else "")
            + f" — statut : {_status_line(doc)}",
            "Italic",
        ),
        Spacer(1, 12),
        para(f"Adressée à :\n{inv.customer_name}\n{inv.customer_address}"),
        Spacer(1, 12),
    ]
    data: list[list[Any]] = [["Désignation", "Quantité", "Prix unitaire", "Montant"]]
    for line in doc.lines:
        data.append(
            [
                para(line.label),
                _quantity(line.quantity_hundredths),
                euros(line.unit_cents),
                euros(line.total_cents),
            ]
        )
    for label, amount in _summary(doc):
        data.append(["", "", label, amount])
    table = Table(data, colWidths=[250, 60, 90, 90], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ("LINEABOVE", (0, len(doc.lines) + 1), (-1, len(doc.lines) + 1), 0.5, colors.grey),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    if doc.payments:
        story += [Spacer(1, 12), para("Paiements reçus", "Heading2")]
        for p in doc.payments:
            story.append(
                para(
                    f"{_date(p.paid_on)} — {PAYMENT_METHODS[p.method]} — {euros(p.amount_cents)}"
                    + (f" ({p.reference})" if p.reference else "")
                )
            )
    if inv.notes:
        story += [Spacer(1, 12), para(inv.notes)]
    story += [Spacer(1, 18), para(FOOTER, "Italic")]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=doc.title, author=doc.pole).build(story)
    return buffer.getvalue()
