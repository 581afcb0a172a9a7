"""Demo adhesions and billing: the price list, conventions with the pole's real
communes and EPCI (the directory's commune gestionnaires and the EPCI of the pole's
town), two years of adhesions, and the invoices and payments that follow — made by a
seeded generator (the same pole always gets the same history). Families, amounts and
references are fictitious; invoice numbers run gap-free per year, in date order."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.adhesions.checks import rounded
from core.domain.adhesions.models import (
    Adhesion,
    Convention,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Payment,
    PriceListItem,
)
from core.domain.adhesions.vocabulary import ADHESION_CATEGORIES, PRICE_CODES
from core.domain.families.demo import seed_families
from core.domain.families.models import Family
from core.domain.structures.demo import seed_directory
from core.domain.structures.models import Organisation
from core.tenancy.models import Tenant
from core.territory.models import Commune, Epci

BY = "demo:seed"
END = dt.date(2026, 10, 30)
# (code, unit, cents from 2025-01-01, cents from 2026-01-01 or None)
PRICES = [
    ("adhesion_family", "year", 500, None),
    ("adhesion_association", "year", 10000, None),
    ("adhesion_public", "year", 8000, None),
    ("kit_loan", "loan", 3500, 4000),
    ("onsite_session_hour", "hour_speaker", 5000, None),
]
RATE = 300  # 0,03 € per inhabitant, in hundredths of a cent


@dataclass
class _Bill:
    """An invoice to write once every one is known (numbers follow dates)."""

    on: dt.date
    customer: str
    address: str
    lines: list[InvoiceLine]
    family: Family | None = None
    organisation: Organisation | None = None
    payments: list[tuple[dt.date, int, str]] = field(default_factory=list)


def _pay(rng: random.Random, index: int, bill: _Bill, total: int) -> None:
    """Most invoices are paid within weeks; every fifth in two goes; every seventh, and
    the last month's, still wait (the overdue list shows them)."""
    if bill.on > END - dt.timedelta(days=30) or index % 7 == 3:
        return
    method = rng.choice(["transfer", "transfer", "cheque", "card", "cash"])
    first = min(bill.on + dt.timedelta(days=rng.randint(5, 40)), END)
    if index % 5 == 1 and total >= 2:
        half = total // 2
        bill.payments.append((first, half, method))
        if first + dt.timedelta(days=30) <= END and index % 10 != 1:
            bill.payments.append((first + dt.timedelta(days=30), total - half, method))
    else:
        bill.payments.append((first, total, method))


async def seed_adhesions(tenant: Tenant, session: AsyncSession) -> None:
    if (await session.execute(select(PriceListItem.id).limit(1))).first():
        return
    await seed_directory(tenant, session)
    await seed_families(tenant, session)
    rng = random.Random(f"maillage-demo-adhesions-{tenant.slug}")
    for code, unit, first, second in PRICES:
        session.add(
            PriceListItem(
                code=code,
                label=PRICE_CODES[code],
                unit=unit,
                amount_cents=first,
                valid_from=dt.date(2025, 1, 1),
            )
        )
        if second is not None:
            session.add(
                PriceListItem(
                    code=code,
                    label=PRICE_CODES[code],
                    unit=unit,
                    amount_cents=second,
                    valid_from=dt.date(2026, 1, 1),
                )
            )
    fees = {code: first for code, _unit, first, _second in PRICES}

    towns = list(
        (
            await session.execute(
                select(Organisation)
                .where(Organisation.kind == "commune", Organisation.commune_insee.is_not(None))
                .order_by(Organisation.name, Organisation.id)
            )
        ).scalars()
    )
    communes = {
        c.insee_code: c
        for c in (
            await session.execute(
                select(Commune).where(Commune.insee_code.in_([t.commune_insee for t in towns]))
            )
        ).scalars()
    }
    bills: list[_Bill] = []
    conventions: dict[str, Convention] = {}
    # The first three commune gestionnaires signed a convention per inhabitant.
    for index, town in enumerate(towns[:3]):
        commune = communes[town.commune_insee or ""]
        starts = dt.date(2025, 1, 1) if index < 2 else dt.date(2026, 1, 1)
        row = Convention(
            title=f"Convention de partenariat — {town.name} ({starts.year}-{starts.year + 2})",
            commune_insee=commune.insee_code,
            organisation_id=town.id,
            pricing="per_inhabitant",
            rate_hundredths_cent=RATE,
            population=commune.population,
            yearly_amount_cents=rounded(RATE * commune.population, 100),
            starts_on=starts,
            ends_on=dt.date(starts.year + 2, 12, 31),
            status="signed",
            signed_on=starts + dt.timedelta(days=20),
            services=["public_adhesions", "onsite_sessions", "kit_loans"],
            notes="(fictif) Convention de démonstration.",
        )
        session.add(row)
        conventions[town.commune_insee or ""] = row
    # The EPCI of the pole's town: a flat amount for 2026; one more still in draft.
    home = (tenant.contact or {}).get("commune")
    home_commune = await session.get(Commune, home) if home else None
    epci = (
        await session.get(Epci, home_commune.epci_siren)
        if home_commune and home_commune.epci_siren
        else None
    )
    if epci is not None:
        session.add(
            Convention(
                title=f"Convention de partenariat — {epci.name} (2026)",
                epci_siren=epci.siren,
                pricing="flat",
                yearly_amount_cents=250000,
                starts_on=dt.date(2026, 1, 1),
                ends_on=dt.date(2026, 12, 31),
                status="signed",
                signed_on=dt.date(2026, 2, 3),
                services=["public_adhesions", "territorial_sessions", "kit_delivery"],
                notes="(fictif) Forfait annuel de démonstration.",
            )
        )
    if len(towns) > 3:
        commune = communes[towns[3].commune_insee or ""]
        session.add(
            Convention(
                title=f"Projet de convention — {towns[3].name}",
                commune_insee=commune.insee_code,
                organisation_id=towns[3].id,
                pricing="per_inhabitant",
                rate_hundredths_cent=RATE,
                population=commune.population,
                yearly_amount_cents=rounded(RATE * commune.population, 100),
                starts_on=dt.date(2027, 1, 1),
                ends_on=dt.date(2029, 12, 31),
                status="draft",
                services=["public_adhesions", "onsite_sessions"],
            )
        )
    await session.flush()
    for convention in conventions.values():
        for year in range(convention.starts_on.year, 2027):
            on = dt.date(year, 3, 2)
            bill = _Bill(
                on, next(t.name for t in towns if t.id == convention.organisation_id), "", []
            )
            bill.organisation = next(t for t in towns if t.id == convention.organisation_id)
            bill.lines.append(
                InvoiceLine(
                    kind="convention",
                    label=f"{convention.title} — année {year}",
                    quantity_hundredths=100,
                    unit_cents=convention.yearly_amount_cents,
                    total_cents=convention.yearly_amount_cents,
                    convention_id=convention.id,
                    period_year=year,
                )
            )
            bills.append(bill)

    def adhesion_bill(adhesion: Adhesion, name: str, address: str) -> _Bill:
        on = adhesion.joined_on + dt.timedelta(days=rng.randint(0, 10))
        bill = _Bill(min(on, END), name, address, [])
        bill.lines.append(
            InvoiceLine(
                kind="adhesion",
                label=f"Adhésion {adhesion.year} — {ADHESION_CATEGORIES[adhesion.category]}",
                quantity_hundredths=100,
                unit_cents=adhesion.amount_cents,
                total_cents=adhesion.amount_cents,
                adhesion_id=adhesion.id,
            )
        )
        return bill

    families = list(
        (await session.execute(select(Family).order_by(Family.name, Family.id))).scalars()
    )
    for family in families:
        years = [y for y in (2025, 2026) if rng.random() < (0.55 if y == 2025 else 0.7)]
        for position, year in enumerate(years):
            joined = dt.date(year, 1, 5) + dt.timedelta(days=rng.randint(0, 250))
            adhesion = Adhesion(
                year=year,
                category="family",
                family_id=family.id,
                joined_on=min(joined, END),
                amount_cents=0 if position == 0 else fees["adhesion_family"],
                first_year_free=position == 0,
                recorded_by=BY,
            )
            session.add(adhesion)
            await session.flush()
            if adhesion.amount_cents:
                bill = adhesion_bill(adhesion, family.name, family.address)
                bill.family = family
                bills.append(bill)

    associations = list(
        (
            await session.execute(
                select(Organisation)
                .where(Organisation.kind == "association")
                .order_by(Organisation.id)
            )
        ).scalars()
    )
    members: list[tuple[Organisation, str, Convention | None]] = [
        (a, "association", None) for a in associations
    ] + [
        (t, "public", conventions[t.commune_insee or ""])
        for t in towns
        if (t.commune_insee or "") in conventions
    ]
    for organisation, category, convention in members:
        for year in (2025, 2026):
            if convention is not None and convention.starts_on.year > year:
                continue
            if year == 2026 and rng.random() < 0.25:
                continue  # not renewed: the renewal list shows it
            joined = dt.date(year, 3, 1) + dt.timedelta(days=rng.randint(0, 60))
            adhesion = Adhesion(
                year=year,
                category=category,
                organisation_id=organisation.id,
                convention_id=convention.id if convention else None,
                joined_on=joined,
                amount_cents=fees[f"adhesion_{category}"],
                recorded_by=BY,
            )
            session.add(adhesion)
            await session.flush()
            bill = adhesion_bill(adhesion, organisation.name, "")
            bill.organisation = organisation
            bills.append(bill)

    sequences: dict[int, int] = {}
    for index, bill in enumerate(sorted(bills, key=lambda b: (b.on, b.customer))):
        total = sum(line.total_cents for line in bill.lines)
        sequences[bill.on.year] = sequences.get(bill.on.year, 0) + 1
        invoice = Invoice(
            status="issued",
            year=bill.on.year,
            sequence=sequences[bill.on.year],
            number=f"{bill.on.year}-{sequences[bill.on.year]:04d}",
            customer_name=bill.customer,
            customer_address=bill.address,
            family_id=bill.family.id if bill.family else None,
            organisation_id=bill.organisation.id if bill.organisation else None,
            issued_on=bill.on,
            due_on=bill.on + dt.timedelta(days=30),
            total_cents=total,
            paid_cents=0,
        )
        session.add(invoice)
        await session.flush()
        for position, line in enumerate(bill.lines, start=1):
            line.invoice_id, line.position = invoice.id, position
            session.add(line)
        _pay(rng, index, bill, total)
        for paid_on, amount, method in bill.payments:
            session.add(
                Payment(
                    invoice_id=invoice.id,
                    paid_on=max(paid_on, bill.on),
                    amount_cents=amount,
                    method=method,
                    reference="(fictif)" if method in {"transfer", "cheque"} else "",
                    recorded_by=BY,
                )
            )
            invoice.paid_cents += amount
        if invoice.paid_cents:
            invoice.status = "paid" if invoice.paid_cents == total else "partly_paid"
    for year, last in sequences.items():
        session.add(InvoiceCounter(year=year, last_sequence=last))
    await session.flush()
