"""Adhesions by civil year: a family's (the first year free, then the pole's fee), an
association's, or a public gestionnaire's (commune, EPCI, CCAS) — the last only while a
signed convention covers it. Renewal reminders are computed: last year's adhesions not
renewed this year."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.access.actions import Caller
from core.domain.adhesions import pricing
from core.domain.adhesions.checks import MANAGE, cents, civil_year, not_future, one_of
from core.domain.adhesions.conventions import covering_query
from core.domain.adhesions.models import Adhesion, Convention
from core.domain.adhesions.vocabulary import (
    ADHESION_CATEGORIES,
    ADHESION_FEE_CODES,
    PRICE_CODES,
    PUBLIC_KINDS,
)
from core.domain.families.models import Family
from core.domain.lookups import audit
from core.domain.lookups import get_or_not_found as _get
from core.domain.structures.models import Organisation
from core.domain.structures.vocabulary import ORGANISATION_KINDS
from core.errors import ConflictError, ValidationError


@dataclass(frozen=True)
class AdhesionInput:
    year: int
    joined_on: dt.date
    family_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    # The fee when the pole departs from its price list (a reduced fee…).
    amount_cents: int | None = None


async def _covering_convention(
    session: AsyncSession, organisation: Organisation, on: dt.date
) -> Convention | None:
    """The signed convention in force on ``on`` that covers a public gestionnaire: an
    EPCI's own, or (commune, CCAS) its commune's or that commune's EPCI's."""
    if organisation.kind == "epci":
        if organisation.siren is None and organisation.commune_insee is None:
            raise ValidationError(
                "renseignez le SIREN de l'EPCI dans l'annuaire", field="organisationId"
            )
        if organisation.siren is not None:
            statement = covering_query(epci_siren=organisation.siren, on=on)
        else:
            statement = covering_query(organisation.commune_insee, on=on).where(
                Convention.epci_siren.is_not(None)
            )
    else:
        if organisation.commune_insee is None:
            raise ValidationError(
                "renseignez la commune du gestionnaire dans l'annuaire", field="organisationId"
            )
        statement = covering_query(organisation.commune_insee, on=on)
    return (await session.execute(statement.limit(1))).scalar()


async def register_adhesion(
    session: AsyncSession, caller: Caller, data: AdhesionInput, *, today: dt.date | None = None
) -> Adhesion:
    actor = caller.require(MANAGE)
    civil_year(data.year)
    not_future(data.joined_on, "joinedOn", today)
    if data.joined_on.year not in (data.year - 1, data.year):
        raise ValidationError(
            "adhésion enregistrée dans l'année ou à la fin de l'année précédente",
            field="joinedOn",
        )
    if (data.family_id is None) == (data.organisation_id is None):
        raise ValidationError(
            "une famille (adhésion individuelle) ou un gestionnaire (adhésion collective)",
            field="familyId",
        )
    convention: Convention | None = None
    first_year = False
    if data.family_id is not None:
        await _get(session, Family, data.family_id, "familyId")
        category = "family"
        same = Adhesion.family_id == data.family_id
        earlier = await session.execute(
            select(Adhesion.id).where(
                Adhesion.family_id == data.family_id, Adhesion.year < data.year
            )
        )
        first_year = earlier.first() is None
    else:
        assert data.organisation_id is not None
        organisation: Organisation = await _get(
            session, Organisation, data.organisation_id, "organisationId"
        )
        same = Adhesion.organisation_id == data.organisation_id
        if organisation.kind == "association":
            category = "association"
        elif organisation.kind in PUBLIC_KINDS:
            category = "public"
            convention = await _covering_convention(session, organisation, data.joined_on)
            if convention is None:
                raise ValidationError(
                    f"{ORGANISATION_KINDS[organisation.kind]} sans convention de partenariat "
                    f"signée en vigueur au {data.joined_on:%d/%m/%Y} : l'adhésion d'une "
                    "structure publique suppose la convention de son gestionnaire",
                    field="organisationId",
                )
        else:
            raise ValidationError(
                "seules les associations et les structures publiques (commune, EPCI, CCAS) "
                "adhèrent à titre collectif",
                field="organisationId",
            )
    taken = await session.execute(select(Adhesion.id).where(same, Adhesion.year == data.year))
    if taken.first() is not None:
        raise ConflictError(f"déjà adhérent en {data.year}", field="year")
    if first_year:
        # The pole's rule, not a default: an amount other than 0 is a mistake to say,
        # never one to drop (the family would owe nothing while the form said 5 €).
        if data.amount_cents:
            raise ValidationError(
                "la première année d'adhésion d'une famille est gratuite : laissez le "
                "montant vide (ou 0)",
                field="amountCents",
            )
        amount = 0
    elif data.amount_cents is not None:
        amount = cents(data.amount_cents, "amountCents")
    else:
        code = ADHESION_FEE_CODES[category]
        price = await pricing.price_at(session, code, data.joined_on)
        if price is None:
            raise ValidationError(
                f"aucun tarif « {PRICE_CODES[code]} » en vigueur au "
                f"{data.joined_on:%d/%m/%Y} : complétez la grille tarifaire ou indiquez "
                "le montant",
                field="amountCents",
            )
        amount = price.amount_cents
    row = Adhesion(
        year=data.year,
        category=category,
        family_id=data.family_id,
        organisation_id=data.organisation_id,
        convention_id=convention.id if convention else None,
        joined_on=data.joined_on,
        amount_cents=amount,
        first_year_free=first_year,
        recorded_by=actor.subject,
    )
    session.add(row)
    await session.flush()
    audit(
        session,
        actor.subject,
        "adhesions.register",
        "Adhesion",
        row.id,
        ["year", "member", "category", "amountCents"],
    )
    return row


@dataclass(frozen=True)
class AdhesionFilter:
    year: int | None = None
    categories: Sequence[str] = ()
    family_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    # Last year's adhesions not renewed in this year (renewal reminders).
    not_renewed_in: int | None = None


def adhesions_query(f: AdhesionFilter) -> Select[tuple[Adhesion]]:
    statement = select(Adhesion)
    if f.year is not None:
        statement = statement.where(Adhesion.year == civil_year(f.year))
    for index, category in enumerate(f.categories):
        one_of(category, ADHESION_CATEGORIES, f"categories.{index}")
    if f.categories:
        statement = statement.where(Adhesion.category.in_(list(f.categories)))
    if f.family_id is not None:
        statement = statement.where(Adhesion.family_id == f.family_id)
    if f.organisation_id is not None:
        statement = statement.where(Adhesion.organisation_id == f.organisation_id)
    if f.not_renewed_in is not None:
        year = civil_year(f.not_renewed_in, "notRenewedIn")
        renewed = aliased(Adhesion)
        statement = statement.where(
            Adhesion.year == year - 1,
            ~exists().where(
                and_(
                    renewed.year == year,
                    renewed.tenant_id == Adhesion.tenant_id,
                    (renewed.family_id == Adhesion.family_id)
                    | (renewed.organisation_id == Adhesion.organisation_id),
                )
            ),
        )
    return statement.order_by(Adhesion.year.desc(), Adhesion.joined_on.desc(), Adhesion.id.desc())
