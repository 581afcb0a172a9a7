"""Partnership conventions with communes and EPCI: priced per inhabitant (rate ×
population of the territory data, kept as computed) or as a flat yearly amount, dated,
signed, ended or cancelled, and the extra services they open.

A commune is covered by the signed conventions of the commune itself and of its EPCI
in force at a date; that coverage is what lets a public gestionnaire adhere.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.domain.adhesions.checks import BILLING, READ, cents, hundredths, one_of, rounded
from core.domain.adhesions.models import Convention
from core.domain.adhesions.vocabulary import (
    CONVENTION_PRICINGS,
    CONVENTION_SERVICES,
    CONVENTION_STATUSES,
)
from core.domain.lookups import audit
from core.domain.lookups import get_or_not_found as _get
from core.domain.structures.models import Organisation
from core.errors import ConflictError, ValidationError
from core.territory.models import Commune, Epci

MAX_YEARS = 10


@dataclass(frozen=True)
class ConventionInput:
    title: str
    starts_on: dt.date
    ends_on: dt.date
    pricing: str
    commune_insee: str | None = None
    epci_siren: str | None = None
    organisation_id: uuid.UUID | None = None
    # Euros per inhabitant (0.03), for per_inhabitant pricing.
    rate_per_inhabitant: Decimal | None = None
    # Cents a year, for flat pricing.
    flat_amount_cents: int | None = None
    services: Sequence[str] = ()
    notes: str = ""


async def _party(session: AsyncSession, data: ConventionInput) -> tuple[str, int]:
    """The party's name and population; VALIDATION naming the field otherwise."""
    if (data.commune_insee is None) == (data.epci_siren is None):
        raise ValidationError(
            "une convention est passée avec une commune ou avec un EPCI (l'un des deux)",
            field="communeInsee",
        )
    if data.commune_insee is not None:
        commune = await session.get(Commune, data.commune_insee)
        if commune is None:
            raise ValidationError(f"commune inconnue : {data.commune_insee}", field="communeInsee")
        return f"Commune de {commune.name}", commune.population
    assert data.epci_siren is not None
    epci = await session.get(Epci, data.epci_siren)
    if epci is None:
        raise ValidationError(f"EPCI inconnu : {data.epci_siren}", field="epciSiren")
    return epci.name, epci.population


async def _check(
    session: AsyncSession, data: ConventionInput
) -> tuple[int | None, int | None, int]:
    """(rate in hundredths of a cent, population used, yearly amount in cents)."""
    if not " ".join(data.title.split()):
        raise ValidationError("intitulé de la convention", field="title")
    if data.ends_on < data.starts_on:
        raise ValidationError("la fin précède le début", field="endsOn")
    if data.ends_on > data.starts_on.replace(year=data.starts_on.year + MAX_YEARS):
        raise ValidationError(f"{MAX_YEARS} ans au plus", field="endsOn")
    one_of(data.pricing, CONVENTION_PRICINGS, "pricing")
    for index, service in enumerate(data.services):
        one_of(service, CONVENTION_SERVICES, f"services.{index}")
    _name, population = await _party(session, data)
    if data.organisation_id is not None:
        await _get(session, Organisation, data.organisation_id, "organisationId")
    if data.pricing == "flat":
        if data.flat_amount_cents is None:
            raise ValidationError("montant forfaitaire annuel", field="flatAmountCents")
        return None, None, cents(data.flat_amount_cents, "flatAmountCents")
    if data.rate_per_inhabitant is None:
        raise ValidationError("tarif par habitant, en euros", field="ratePerInhabitant")
    # Hundredths of a cent: 0,03 € → 300.
    rate = hundredths(data.rate_per_inhabitant, "ratePerInhabitant", places=4)
    if not 0 < rate <= 100_000:
        raise ValidationError(
            "tarif par habitant entre 0,0001 € et 10 €", field="ratePerInhabitant"
        )
    if population <= 0:
        field = "communeInsee" if data.commune_insee else "epciSiren"
        raise ValidationError(
            "population inconnue dans les données du territoire : tarif par habitant "
            "impossible, choisissez un forfait",
            field=field,
        )
    return rate, population, rounded(rate * population, 100)


async def create_convention(
    session: AsyncSession, caller: Caller, data: ConventionInput
) -> Convention:
    """A convention in preparation (« En préparation »); signing it makes it count."""
    actor = caller.require(BILLING)
    rate, population, amount = await _check(session, data)
    row = Convention(
        title=" ".join(data.title.split()),
        commune_insee=data.commune_insee,
        epci_siren=data.epci_siren,
        organisation_id=data.organisation_id,
        pricing=data.pricing,
        rate_hundredths_cent=rate,
        population=population,
        yearly_amount_cents=amount,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        status="draft",
        services=sorted(set(data.services)),
        notes=data.notes.strip(),
    )
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "conventions.create",
        "Convention",
        row.id,
        ["title", "party", "pricing", "amount", "dates", "services"],
    )
    return row


# Allowed moves of a convention's status.
_MOVES = {
    "draft": {"signed", "cancelled"},
    "signed": {"ended", "cancelled"},
    "ended": set(),
    "cancelled": set(),
}


async def set_convention_status(
    session: AsyncSession,
    caller: Caller,
    convention_id: uuid.UUID,
    status: str,
    *,
    on: dt.date,
) -> Convention:
    """Sign (``on`` is the signature date), end (``on`` becomes the last day if earlier)
    or cancel a convention."""
    actor = caller.require(BILLING)
    one_of(status, CONVENTION_STATUSES, "status")
    row: Convention = await _get(session, Convention, convention_id, "id")
    if status not in _MOVES[row.status]:
        raise ConflictError(
            f"une convention « {CONVENTION_STATUSES[row.status]} » ne peut pas passer à "
            f"« {CONVENTION_STATUSES[status]} »",
            field="status",
        )
    fields = ["status"]
    if status == "signed":
        row.signed_on = on
        fields.append("signedOn")
    if status == "ended":
        if on < row.starts_on:
            raise ValidationError("la fin précède le début de la convention", field="on")
        if on < row.ends_on:
            row.ends_on = on
            fields.append("endsOn")
    row.status = status
    await session.flush()
    audit(session, actor.subject, "conventions.status", "Convention", row.id, fields)
    return row


def covering_query(
    commune_insee: str | None = None, epci_siren: str | None = None, on: dt.date | None = None
) -> Select[tuple[Convention]]:
    """Signed conventions in force on ``on`` covering a commune (directly or through its
    EPCI) or an EPCI."""
    statement = select(Convention).where(Convention.status == "signed")
    if on is not None:
        statement = statement.where(Convention.starts_on <= on, Convention.ends_on >= on)
    parties = []
    if commune_insee is not None:
        parties.append(Convention.commune_insee == commune_insee)
        parties.append(
            Convention.epci_siren.in_(
                select(Commune.epci_siren).where(Commune.insee_code == commune_insee)
            )
        )
    if epci_siren is not None:
        parties.append(Convention.epci_siren == epci_siren)
    return statement.where(or_(*parties)).order_by(Convention.starts_on, Convention.id)


async def covering(
    session: AsyncSession,
    caller: Caller,
    *,
    commune_insee: str,
    on: dt.date,
) -> list[Convention]:
    caller.require(READ)
    if await session.get(Commune, commune_insee) is None:
        raise ValidationError(f"commune inconnue : {commune_insee}", field="communeInsee")
    return list((await session.execute(covering_query(commune_insee, on=on))).scalars())


@dataclass(frozen=True)
class ConventionFilter:
    statuses: Sequence[str] = ()
    commune_insee: str | None = None
    epci_siren: str | None = None
    # In force at some point of [start, end[.
    start: dt.date | None = None
    end: dt.date | None = None


def conventions_query(f: ConventionFilter) -> Select[tuple[Convention]]:
    statement = select(Convention)
    if f.statuses:
        for index, status in enumerate(f.statuses):
            one_of(status, CONVENTION_STATUSES, f"statuses.{index}")
        statement = statement.where(Convention.status.in_(list(f.statuses)))
    if f.commune_insee:
        statement = statement.where(Convention.commune_insee == f.commune_insee)
    if f.epci_siren:
        statement = statement.where(Convention.epci_siren == f.epci_siren)
    if f.end:
        statement = statement.where(Convention.starts_on < f.end)
    if f.start:
        statement = statement.where(Convention.ends_on >= f.start)
    return statement.order_by(Convention.starts_on.desc(), Convention.id.desc())


async def party_name(session: AsyncSession, row: Convention) -> str:
    """Who the convention is with, as an invoice names them."""
    if row.organisation_id is not None:
        name = await session.scalar(
            select(Organisation.name).where(Organisation.id == row.organisation_id)
        )
        if name is not None:
            return name
    name, _population = await _party(
        session,
        ConventionInput(
            title=row.title,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            pricing=row.pricing,
            commune_insee=row.commune_insee,
            epci_siren=row.epci_siren,
        ),
    )
    return name
