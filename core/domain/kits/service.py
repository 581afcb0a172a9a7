"""The kits catalogue and its loans: the rules of the lending desk.

A kit is published with its checklist of components; a borrower (a structure, a
gestionnaire or a family) reserves it for a period — by default the pole's
``default_loan_days`` — or asks for a « surprise » kit that the staff choose later.
A loan moves requested → confirmed → out → returned → checked (or cancelled before it
leaves); the checklist is counted at departure and at return, missing pieces recorded
per component; a delivery or a collection names the staff member and the kilometres.

No kit is lent twice on the same day: checked here for a clear message, and refused by
the database itself for the race this check cannot see (see ``models.NO_OVERLAP``).
Every function checks the caller's action, names the field at fault, and audits the
fields it writes.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.auth.models import Membership
from core.db.limits import check_length
from core.domain.families.models import Family
from core.domain.kits.models import NO_OVERLAP, Kit, KitComponent, KitLoan, KitLoanCheck, KitTrip
from core.domain.kits.vocabulary import (
    BORROWER_KINDS,
    LOAN_STATUSES,
    ORGANISATION_BORROWER,
    STORED_KIT_STATUSES,
    STRUCTURE_BORROWER,
    THEMES,
)
from core.domain.lookups import audit, name_words
from core.domain.lookups import get_or_not_found as _get
from core.domain.structures.models import Organisation, Structure
from core.errors import ConflictError, ValidationError
from core.tenancy.config import default_settings
from core.tenancy.models import Tenant
from core.territory.names import normalize_name

READ = "kits.read"
MANAGE = "kits.manage"
MAX_KM = 2000.0
MAX_LOAN_DAYS = 366
MAX_CALENDAR_DAYS = 731
# A reservation starts within two years: the catalogue changes, and a date further out
# is a typo (2062 for 2026). Past loans are entered after the fact back to 1 January of
# last year, so that year's activity report can still be completed; earlier, a typo.
MAX_AHEAD_DAYS = 730
MAX_AGE_MONTHS = 18 * 12
# Loans that hold their days (a cancelled one frees them).
HOLDING = ("requested", "confirmed", "out", "returned", "checked")
PHOTO_RE = re.compile(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$")


def _one_of(value: str, vocabulary: Any, field: str) -> str:
    if value not in vocabulary:
        raise ValidationError(f"valeur inconnue « {value} » ({', '.join(vocabulary)})", field=field)
    return value


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def loan_days(tenant: Tenant) -> int:
    settings = {**default_settings(), **(tenant.settings or {})}
    return int(settings["default_loan_days"])


async def _active_member(session: AsyncSession, user_id: uuid.UUID | None, field: str) -> None:
    """A staff member named on a trip must be an active member of the pole."""
    if user_id is None:
        raise ValidationError("le membre de l'équipe qui s'est déplacé", field=field)
    found = await session.execute(
        select(Membership.id).where(Membership.user_id == user_id, Membership.active.is_(True))
    )
    if found.first() is None:
        raise ValidationError("cette personne n'est pas membre active du pôle", field=field)


# --- catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentInput:
    name: str
    quantity: int = 1
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class KitInput:
    name: str
    theme: str
    components: Sequence[ComponentInput]
    series: str = ""
    age_min_months: int | None = None
    age_max_months: int | None = None
    description: str = ""
    photo_url: str | None = None


def _check_kit(data: KitInput) -> str:
    name = " ".join(data.name.split())
    if not name:
        raise ValidationError("le nom de la malle", field="name")
    check_length(name, Kit.name, "name")
    check_length(" ".join(data.series.split()), Kit.series, "series")
    _one_of(data.theme, THEMES, "theme")
    for value, field_name in (
        (data.age_min_months, "ageMinMonths"),
        (data.age_max_months, "ageMaxMonths"),
    ):
        if value is not None and not 0 <= value <= MAX_AGE_MONTHS:
            raise ValidationError(f"âge en mois entre 0 et {MAX_AGE_MONTHS}", field=field_name)
    if (
        data.age_min_months is not None
        and data.age_max_months is not None
        and data.age_min_months > data.age_max_months
    ):
        raise ValidationError("l'âge maximum précède l'âge minimum", field="ageMaxMonths")
    if data.photo_url is not None and data.photo_url.strip():
        url = data.photo_url.strip()
        if len(url) > 500 or not PHOTO_RE.match(url) or not urlsplit(url).hostname:
            raise ValidationError(
                "adresse de photo invalide (https://…, 500 caractères au plus)", field="photoUrl"
            )
    if not data.components:
        raise ValidationError("au moins un élément dans la malle", field="components")
    for index, component in enumerate(data.components):
        component_name = " ".join(component.name.split())
        if not component_name:
            raise ValidationError("le nom de l'élément", field=f"components.{index}.name")
        check_length(component_name, KitComponent.name, f"components.{index}.name")
        if not 1 <= component.quantity <= 999:
            raise ValidationError("quantité entre 1 et 999", field=f"components.{index}.quantity")
    return name


def _apply_kit(row: Kit, data: KitInput, name: str) -> None:
    row.name, row.search_name = name, normalize_name(name)
    row.theme = data.theme
    row.series = " ".join(data.series.split())
    row.age_min_months, row.age_max_months = data.age_min_months, data.age_max_months
    row.description = data.description.strip()
    row.photo_url = (data.photo_url or "").strip() or None


async def _set_components(
    session: AsyncSession, kit: Kit, components: Sequence[ComponentInput]
) -> None:
    """Lines with an id update that component; new lines are added; components left out
    become inactive (past checklists keep naming them)."""
    existing = {
        c.id: c
        for c in (
            await session.execute(select(KitComponent).where(KitComponent.kit_id == kit.id))
        ).scalars()
    }
    kept: set[uuid.UUID] = set()
    for position, line in enumerate(components):
        name = " ".join(line.name.split())
        if line.id is not None:
            component = existing.get(line.id)
            if component is None:
                raise ValidationError(
                    "élément inconnu dans cette malle", field=f"components.{position}.id"
                )
            component.name, component.quantity = name, line.quantity
            component.position, component.active = position, True
            kept.add(component.id)
        else:
            session.add(
                KitComponent(kit_id=kit.id, position=position, name=name, quantity=line.quantity)
            )
    for component_id, component in existing.items():
        if component_id not in kept:
            component.active = False


async def create_kit(session: AsyncSession, caller: Caller, data: KitInput) -> Kit:
    actor = caller.require(MANAGE)
    name = _check_kit(data)
    if any(c.id is not None for c in data.components):
        raise ValidationError("une nouvelle malle n'a pas encore d'éléments", field="components")
    row = Kit(status="available")
    _apply_kit(row, data, name)
    session.add(row)
    await session.flush()
    await _set_components(session, row, data.components)
    await session.flush()
    audit(session, actor.subject, "kits.create", "Kit", row.id, ["name", "theme", "components"])
    return row


async def update_kit(
    session: AsyncSession, caller: Caller, kit_id: uuid.UUID, data: KitInput
) -> Kit:
    actor = caller.require(MANAGE)
    row: Kit = await _get(session, Kit, kit_id, "id")
    name = _check_kit(data)
    _apply_kit(row, data, name)
    await _set_components(session, row, data.components)
    await session.flush()
    audit(session, actor.subject, "kits.update", "Kit", row.id, ["name", "theme", "components"])
    return row


async def _out_loan(session: AsyncSession, kit_id: uuid.UUID) -> KitLoan | None:
    return (
        await session.execute(
            select(KitLoan).where(KitLoan.kit_id == kit_id, KitLoan.status == "out").limit(1)
        )
    ).scalar()


async def set_kit_status(
    session: AsyncSession,
    caller: Caller,
    kit_id: uuid.UUID,
    status: str,
    *,
    today: dt.date | None = None,
) -> Kit:
    """In repair, retired, or available again. A kit that is out cannot change; a kit
    with reservations to come cannot be retired (cancel or move them first)."""
    actor = caller.require(MANAGE)
    _one_of(status, STORED_KIT_STATUSES, "status")
    row: Kit = await _get(session, Kit, kit_id, "id")
    if await _out_loan(session, kit_id) is not None:
        raise ConflictError("cette malle est en prêt : attendez son retour", field="status")
    if status == "retired":
        coming = await session.execute(
            select(KitLoan.id).where(
                KitLoan.kit_id == kit_id,
                KitLoan.status.in_(["requested", "confirmed"]),
                KitLoan.ends_on >= _today(today),
            )
        )
        if coming.first() is not None:
            raise ConflictError(
                "des réservations à venir : annulez-les ou changez de malle", field="status"
            )
    row.status = status
    await session.flush()
    audit(session, actor.subject, "kits.status", "Kit", row.id, ["status"])
    return row


@dataclass(frozen=True)
class KitFilter:
    search: str | None = None
    themes: Sequence[str] = ()
    statuses: Sequence[str] = ()
    age_months: int | None = None


def kits_query(f: KitFilter) -> Select[tuple[Kit]]:
    statement = select(Kit)
    if f.search:
        statement = statement.where(*name_words(Kit.search_name, f.search))
    if f.themes:
        for index, theme in enumerate(f.themes):
            _one_of(theme, THEMES, f"themes.{index}")
        statement = statement.where(Kit.theme.in_(list(f.themes)))
    if f.statuses:
        for index, status in enumerate(f.statuses):
            _one_of(status, ("available", "out", "in_repair", "retired"), f"statuses.{index}")
        out_now = select(KitLoan.kit_id).where(KitLoan.status == "out")
        wanted = set(f.statuses)
        # « out » is read from the loans: a stored "available" that is out is « out ».
        conditions = []
        if "out" in wanted:
            conditions.append(Kit.id.in_(out_now))
        stored = [s for s in wanted if s != "out"]
        if stored:
            conditions.append(Kit.status.in_(stored) & Kit.id.not_in(out_now))
        statement = statement.where(or_(*conditions))
    else:
        statement = statement.where(Kit.status != "retired")
    if f.age_months is not None:
        statement = statement.where(
            (Kit.age_min_months.is_(None) | (Kit.age_min_months <= f.age_months))
            & (Kit.age_max_months.is_(None) | (Kit.age_max_months >= f.age_months))
        )
    return statement.order_by(Kit.search_name, Kit.id)


async def kits_out(session: AsyncSession, kit_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these kits are out right now (one statement)."""
    rows = await session.execute(
        select(KitLoan.kit_id).where(KitLoan.kit_id.in_(list(kit_ids)), KitLoan.status == "out")
    )
    return {kit_id for (kit_id,) in rows}


def shown_status(kit: Kit, out: set[uuid.UUID]) -> str:
    return "out" if kit.id in out else kit.status


# --- reservations ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReservationInput:
    starts_on: dt.date
    kit_id: uuid.UUID | None = None
    ends_on: dt.date | None = None
    structure_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    family_id: uuid.UUID | None = None
    member: bool = True
    surprise: bool = False
    wish_theme: str | None = None
    wish: str = ""
    notes: str = ""


async def _borrower_kind(session: AsyncSession, data: ReservationInput) -> str:
    given = [v for v in (data.structure_id, data.organisation_id, data.family_id) if v is not None]
    if len(given) != 1:
        raise ValidationError(
            "un emprunteur : une structure, un gestionnaire ou une famille", field="borrower"
        )
    if data.family_id is not None:
        await _get(session, Family, data.family_id, "familyId")
        return "family"
    if data.organisation_id is not None:
        organisation: Organisation = await _get(
            session, Organisation, data.organisation_id, "organisationId"
        )
        return ORGANISATION_BORROWER.get(organisation.kind, "other")
    assert data.structure_id is not None
    structure: Structure = await _get(session, Structure, data.structure_id, "structureId")
    if structure.merged_into_id is not None:
        raise ConflictError(
            "cette fiche a été fusionnée : choisissez la structure conservée", field="structureId"
        )
    if structure.kind in STRUCTURE_BORROWER:
        return STRUCTURE_BORROWER[structure.kind]
    if structure.organisation_id is not None:
        organisation = await session.get(
            Organisation, (structure.tenant_id, structure.organisation_id)
        )
        if organisation is not None:
            return ORGANISATION_BORROWER.get(organisation.kind, "other")
    return "other"


async def _lendable(session: AsyncSession, kit_id: uuid.UUID, field: str) -> Kit:
    kit: Kit = await _get(session, Kit, kit_id, field)
    if kit.status == "retired":
        raise ConflictError("cette malle est retirée du catalogue", field=field)
    return kit


async def _free_or_conflict(
    session: AsyncSession,
    kit_id: uuid.UUID,
    starts_on: dt.date,
    ends_on: dt.date,
    field: str,
    loan_id: uuid.UUID | None = None,
) -> None:
    """The clear message for an overlap seen before writing (the database refuses the
    ones this check cannot see: two reservations at the same instant)."""
    statement = select(KitLoan.starts_on, KitLoan.ends_on).where(
        KitLoan.kit_id == kit_id,
        KitLoan.status.in_(HOLDING),
        KitLoan.starts_on <= ends_on,
        KitLoan.ends_on >= starts_on,
    )
    if loan_id is not None:
        statement = statement.where(KitLoan.id != loan_id)
    taken = (await session.execute(statement.limit(1))).first()
    if taken is not None:
        raise ConflictError(
            f"cette malle est déjà réservée du {taken[0]:%d/%m/%Y} au {taken[1]:%d/%m/%Y}",
            field=field,
        )


async def _flush_holding(session: AsyncSession, field: str) -> None:
    """Flush; the database's no-overlap refusal becomes a CONFLICT naming ``field``."""
    try:
        await session.flush()
    except IntegrityError as exc:
        if NO_OVERLAP in str(exc.orig):
            raise ConflictError(
                "cette malle vient d'être réservée sur ces dates", field=field
            ) from None
        raise


def _reservable(starts_on: dt.date, today: dt.date) -> None:
    earliest = dt.date(today.year - 1, 1, 1)
    if starts_on < earliest:
        raise ValidationError(
            f"un prêt passé s'enregistre jusqu'au {earliest:%d/%m/%Y} (année précédente)",
            field="startsOn",
        )
    if (starts_on - today).days > MAX_AHEAD_DAYS:
        raise ValidationError(
            f"une réservation commence dans les {MAX_AHEAD_DAYS} jours (deux ans)",
            field="startsOn",
        )


async def reserve(
    session: AsyncSession,
    caller: Caller,
    tenant: Tenant,
    data: ReservationInput,
    today: dt.date | None = None,
) -> KitLoan:
    """A reservation « Demandée » of a kit (or a surprise request without one)."""
    actor = caller.require(MANAGE)
    _reservable(data.starts_on, _today(today))
    kind = await _borrower_kind(session, data)
    if data.surprise:
        if data.kit_id is not None:
            raise ValidationError("une malle surprise est choisie par l'équipe", field="kitId")
        if data.wish_theme is not None:
            _one_of(data.wish_theme, THEMES, "wishTheme")
    elif data.kit_id is None:
        raise ValidationError("la malle réservée (ou une demande surprise)", field="kitId")
    ends_on = data.ends_on or data.starts_on + dt.timedelta(days=loan_days(tenant))
    if ends_on < data.starts_on:
        raise ValidationError("la fin précède le début", field="endsOn")
    if (ends_on - data.starts_on).days > MAX_LOAN_DAYS:
        raise ValidationError(f"un prêt dure {MAX_LOAN_DAYS} jours au plus", field="endsOn")
    if data.kit_id is not None:
        await _lendable(session, data.kit_id, "kitId")
        await _free_or_conflict(session, data.kit_id, data.starts_on, ends_on, "kitId")
    row = KitLoan(
        kit_id=data.kit_id,
        surprise=data.surprise,
        wish_theme=data.wish_theme if data.surprise else None,
        wish=data.wish.strip() if data.surprise else "",
        starts_on=data.starts_on,
        ends_on=ends_on,
        structure_id=data.structure_id,
        organisation_id=data.organisation_id,
        family_id=data.family_id,
        borrower_kind=kind,
        member=data.member,
        status="requested",
        notes=data.notes.strip(),
    )
    session.add(row)
    await _flush_holding(session, "kitId")
    audit(
        session,
        actor.subject,
        "kit_loans.reserve",
        "KitLoan",
        row.id,
        ["kit", "startsOn", "endsOn", "borrower", "member", "wish", "notes"],
    )
    return row


async def assign_kit(
    session: AsyncSession, caller: Caller, loan_id: uuid.UUID, kit_id: uuid.UUID
) -> KitLoan:
    """The staff choose the kit of a surprise request (or change it before it leaves):
    the same no-overlap rule as a reservation."""
    actor = caller.require(MANAGE)
    row: KitLoan = await _get(session, KitLoan, loan_id, "id")
    if row.status not in {"requested", "confirmed"}:
        raise ConflictError(
            f"un prêt « {LOAN_STATUSES[row.status]} » ne change plus de malle", field="id"
        )
    await _lendable(session, kit_id, "kitId")
    await _free_or_conflict(session, kit_id, row.starts_on, row.ends_on, "kitId", row.id)
    row.kit_id = kit_id
    await _flush_holding(session, "kitId")
    audit(session, actor.subject, "kit_loans.assign", "KitLoan", row.id, ["kit"])
    return row


def _move(row: KitLoan, allowed: set[str], to: str) -> None:
    if row.status not in allowed:
        raise ConflictError(
            f"un prêt « {LOAN_STATUSES[row.status]} » ne peut pas passer à « {LOAN_STATUSES[to]} »",
            field="id",
        )
    row.status = to


async def confirm(session: AsyncSession, caller: Caller, loan_id: uuid.UUID) -> KitLoan:
    actor = caller.require(MANAGE)
    row: KitLoan = await _get(session, KitLoan, loan_id, "id")
    if row.kit_id is None and row.status == "requested":
        raise ConflictError("choisissez d'abord la malle de cette demande", field="kitId")
    _move(row, {"requested"}, "confirmed")
    await session.flush()
    audit(session, actor.subject, "kit_loans.confirm", "KitLoan", row.id, ["status"])
    return row


async def cancel(
    session: AsyncSession, caller: Caller, loan_id: uuid.UUID, *, today: dt.date | None = None
) -> KitLoan:
    actor = caller.require(MANAGE)
    row: KitLoan = await _get(session, KitLoan, loan_id, "id")
    _move(row, {"requested", "confirmed"}, "cancelled")
    row.cancelled_on = _today(today)
    await session.flush()
    audit(session, actor.subject, "kit_loans.cancel", "KitLoan", row.id, ["status"])
    return row


@dataclass(frozen=True)
class Missing:
    component_id: uuid.UUID
    missing: int


@dataclass(frozen=True)
class TripInput:
    km: float
    staff_user_id: uuid.UUID | None = None


async def _checklist(
    session: AsyncSession, row: KitLoan, moment: str, missing: Sequence[Missing]
) -> None:
    """Every active component counted: expected (its quantity) and missing."""
    assert row.kit_id is not None
    components = {
        c.id: c
        for c in (
            await session.execute(
                select(KitComponent).where(
                    KitComponent.kit_id == row.kit_id, KitComponent.active.is_(True)
                )
            )
        ).scalars()
    }
    counted: dict[uuid.UUID, int] = {}
    for index, item in enumerate(missing):
        component = components.get(item.component_id)
        if component is None:
            raise ValidationError(
                "élément inconnu dans cette malle", field=f"missing.{index}.componentId"
            )
        if item.component_id in counted:
            raise ValidationError("élément compté deux fois", field=f"missing.{index}.componentId")
        if not 0 <= item.missing <= component.quantity:
            raise ValidationError(
                f"manquants entre 0 et {component.quantity}", field=f"missing.{index}.missing"
            )
        counted[item.component_id] = item.missing
    for component in components.values():
        session.add(
            KitLoanCheck(
                loan_id=row.id,
                moment=moment,
                component_id=component.id,
                expected=component.quantity,
                missing=counted.get(component.id, 0),
            )
        )


async def _trip(
    session: AsyncSession,
    caller: Caller,
    row: KitLoan,
    kind: str,
    on: dt.date,
    trip: TripInput | None,
    field: str,
) -> None:
    if trip is None:
        return  # the borrower came to the office
    if not 0 <= trip.km <= MAX_KM:
        raise ValidationError("kilomètres entre 0 et 2000", field=f"{field}.km")
    staff = trip.staff_user_id or (caller.actor.user_id if caller.actor else None)
    await _active_member(session, staff, f"{field}.staffUserId")
    assert staff is not None
    session.add(
        KitTrip(
            loan_id=row.id, kind=kind, happened_on=on, staff_user_id=staff, km=round(trip.km, 1)
        )
    )


async def depart(
    session: AsyncSession,
    caller: Caller,
    loan_id: uuid.UUID,
    *,
    on: dt.date,
    missing: Sequence[Missing] = (),
    delivery: TripInput | None = None,
) -> KitLoan:
    """The kit leaves: its checklist counted, delivered by the staff or fetched."""
    actor = caller.require(MANAGE)
    row: KitLoan = await _get(session, KitLoan, loan_id, "id")
    if row.status == "requested":
        raise ConflictError("confirmez d'abord la réservation", field="id")
    if row.status == "confirmed":
        assert row.kit_id is not None
        kit: Kit = await _get(session, Kit, row.kit_id, "kitId")
        if kit.status != "available":
            raise ConflictError(
                "cette malle est en réparation ou retirée : changez de malle", field="kitId"
            )
        if await _out_loan(session, kit.id) is not None:
            raise ConflictError("cette malle n'est pas encore revenue de son prêt", field="kitId")
    _move(row, {"confirmed"}, "out")
    row.departed_on = on
    await _checklist(session, row, "departure", missing)
    await _trip(session, caller, row, "delivery", on, delivery, "delivery")
    await session.flush()
    audit(
        session,
        actor.subject,
        "kit_loans.depart",
        "KitLoan",
        row.id,
        ["status", "departedOn", "departureCheck", "delivery"],
    )
    return row


async def give_back(
    session: AsyncSession,
    caller: Caller,
    loan_id: uuid.UUID,
    *,
    on: dt.date,
    missing: Sequence[Missing] = (),
    collection: TripInput | None = None,
) -> KitLoan:
    """The kit is back: the checklist counted again, missing pieces recorded."""
    actor = caller.require(MANAGE)
    row: KitLoan = await _get(session, KitLoan, loan_id, "id")
    _move(row, {"out"}, "returned")
    assert row.departed_on is not None
    if on < row.departed_on:
        raise ValidationError(
            f"le retour précède le départ ({row.departed_on:%d/%m/%Y})", field="returnedOn"
        )
    row.returned_on = on
    await _checklist(session, row, "return", missing)
    await _trip(session, caller, row, "collection", on, collection, "collection")
    await session.flush()
    audit(
        session,
        actor.subject,
        "kit_loans.return",
        "KitLoan",
        row.id,
        ["status", "returnedOn", "returnCheck", "collection"],
    )
    return row


async def check(
    session: AsyncSession,
    caller: Caller,
    loan_id: uuid.UUID,
    *,
    on: dt.date,
    repair: bool = False,
) -> KitLoan:
    """The pole has gone through the kit back from a loan; ``repair`` sends it to
    repair (it cannot leave again until set available)."""
    actor = caller.require(MANAGE)
    row: KitLoan = await _get(session, KitLoan, loan_id, "id")
    _move(row, {"returned"}, "checked")
    assert row.returned_on is not None and row.kit_id is not None
    if on < row.returned_on:
        raise ValidationError("la vérification précède le retour", field="checkedOn")
    row.checked_on = on
    if repair:
        kit: Kit = await _get(session, Kit, row.kit_id, "kitId")
        kit.status = "in_repair"
    await session.flush()
    audit(session, actor.subject, "kit_loans.check", "KitLoan", row.id, ["status", "checkedOn"])
    return row


def overdue_days(status: str, ends_on: dt.date, on: dt.date) -> int:
    """Days past the due date of a kit still out (0 when not overdue): computed, never
    stored, so it is right every morning."""
    if status != "out" or on <= ends_on:
        return 0
    return (on - ends_on).days


@dataclass(frozen=True)
class LoanFilter:
    kit_id: uuid.UUID | None = None
    statuses: Sequence[str] = ()
    borrower_kinds: Sequence[str] = ()
    structure_id: uuid.UUID | None = None
    family_id: uuid.UUID | None = None
    surprise_unassigned: bool = False
    overdue_on: dt.date | None = None
    # Holding some day of [start, end] (both included).
    start: dt.date | None = None
    end: dt.date | None = None
    # Due back on or before this day (a week's returns, the late ones included).
    ends_by: dt.date | None = None
    order: str = "-startsOn"


# A list's order: the most recent first (the default), or the soonest first by the
# day that matters to the list (« Départs » by start, « Retours » by due return).
LOAN_ORDERS = MappingProxyType(
    {
        "-startsOn": (KitLoan.starts_on.desc(), KitLoan.id.desc()),
        "startsOn": (KitLoan.starts_on, KitLoan.id),
        "endsOn": (KitLoan.ends_on, KitLoan.id),
    }
)


def loans_query(f: LoanFilter) -> Select[tuple[KitLoan]]:
    statement = select(KitLoan)
    for index, status in enumerate(f.statuses):
        _one_of(status, LOAN_STATUSES, f"statuses.{index}")
    for index, kind in enumerate(f.borrower_kinds):
        _one_of(kind, BORROWER_KINDS, f"borrowerKinds.{index}")
    if f.statuses:
        statement = statement.where(KitLoan.status.in_(list(f.statuses)))
    if f.borrower_kinds:
        statement = statement.where(KitLoan.borrower_kind.in_(list(f.borrower_kinds)))
    if f.kit_id:
        statement = statement.where(KitLoan.kit_id == f.kit_id)
    if f.structure_id:
        statement = statement.where(KitLoan.structure_id == f.structure_id)
    if f.family_id:
        statement = statement.where(KitLoan.family_id == f.family_id)
    if f.surprise_unassigned:
        statement = statement.where(
            KitLoan.kit_id.is_(None), KitLoan.status.in_(["requested", "confirmed"])
        )
    if f.overdue_on:
        statement = statement.where(KitLoan.status == "out", KitLoan.ends_on < f.overdue_on)
    if f.start:
        statement = statement.where(KitLoan.ends_on >= f.start)
    if f.end:
        statement = statement.where(KitLoan.starts_on <= f.end)
    if f.ends_by:
        statement = statement.where(KitLoan.ends_on <= f.ends_by)
    if f.order not in LOAN_ORDERS:
        raise ValidationError(
            "ordre inconnu (" + ", ".join(LOAN_ORDERS) + ")",
            field="orderBy",
        )
    return statement.order_by(*LOAN_ORDERS[f.order])


# --- availability ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date
    status: str = ""
    loan_id: uuid.UUID | None = None

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass
class Calendar:
    kit: Kit
    busy: list[Period] = field(default_factory=list)
    free: list[Period] = field(default_factory=list)

    @property
    def free_days(self) -> int:
        return sum(p.days for p in self.free)


async def availability(
    session: AsyncSession,
    caller: Caller,
    *,
    start: dt.date,
    end: dt.date,
    kit_ids: Sequence[uuid.UUID] | None = None,
) -> list[Calendar]:
    """Per kit, over [start, end] (both included): the loans holding days, and the free
    periods between them. Two statements whatever the number of kits and loans."""
    caller.require(READ)
    if end < start:
        raise ValidationError("la fin précède le début", field="end")
    if (end - start).days >= MAX_CALENDAR_DAYS:
        raise ValidationError(f"{MAX_CALENDAR_DAYS} jours au plus", field="end")
    kits = select(Kit).where(Kit.status != "retired")
    if kit_ids is not None:
        kits = select(Kit).where(Kit.id.in_(list(kit_ids)))
    calendars = {
        k.id: Calendar(k)
        for k in (await session.execute(kits.order_by(Kit.search_name, Kit.id))).scalars()
    }
    if not calendars:
        return []
    busy: dict[uuid.UUID, list[Period]] = defaultdict(list)
    rows = await session.execute(
        select(KitLoan.kit_id, KitLoan.starts_on, KitLoan.ends_on, KitLoan.status, KitLoan.id)
        .where(
            KitLoan.kit_id.in_(list(calendars)),
            KitLoan.status.in_(HOLDING),
            KitLoan.starts_on <= end,
            KitLoan.ends_on >= start,
        )
        .order_by(KitLoan.kit_id, KitLoan.starts_on)
    )
    for kit_id, starts_on, ends_on, status, loan_id in rows:
        busy[kit_id].append(Period(starts_on, ends_on, status, loan_id))
    one = dt.timedelta(days=1)
    for kit_id, calendar in calendars.items():
        calendar.busy = busy[kit_id]
        cursor = start
        for period in calendar.busy:
            if period.starts_on > cursor:
                calendar.free.append(Period(cursor, min(period.starts_on - one, end)))
            cursor = max(cursor, period.ends_on + one)
        if cursor <= end:
            calendar.free.append(Period(cursor, end))
    return list(calendars.values())


# --- reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KitCount:
    kit_id: uuid.UUID
    loans: int
    days: int


@dataclass(frozen=True)
class BorrowerCount:
    kind: str
    loans: int
    non_members: int


@dataclass(frozen=True)
class YearKm:
    year: int
    trips: int
    km: float


def _lent(start: dt.date, end: dt.date) -> Any:
    """Loans that left in [start, end[ (what the activity report counts)."""
    if end <= start:
        raise ValidationError("la fin doit suivre le début", field="end")
    return (
        KitLoan.departed_on.is_not(None),
        KitLoan.departed_on >= start,
        KitLoan.departed_on < end,
    )


async def loans_by_kit(
    session: AsyncSession, caller: Caller, *, start: dt.date, end: dt.date
) -> list[KitCount]:
    caller.require(READ)
    # Days are summed here: date arithmetic differs between SQLite and PostgreSQL, and a
    # pole lends a few hundred times a year.
    rows = await session.execute(
        select(KitLoan.kit_id, KitLoan.starts_on, KitLoan.ends_on).where(*_lent(start, end))
    )
    counts: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])
    for kit_id, starts_on, ends_on in rows:
        counts[kit_id][0] += 1
        counts[kit_id][1] += (ends_on - starts_on).days + 1
    return sorted(
        (KitCount(kit_id, n, days) for kit_id, (n, days) in counts.items()),
        key=lambda c: (-c.loans, str(c.kit_id)),
    )


async def loans_by_borrower_kind(
    session: AsyncSession, caller: Caller, *, start: dt.date, end: dt.date
) -> list[BorrowerCount]:
    caller.require(READ)
    rows = await session.execute(
        select(
            KitLoan.borrower_kind,
            func.count(),
            func.sum(case((KitLoan.member.is_(False), 1), else_=0)),
        )
        .where(*_lent(start, end))
        .group_by(KitLoan.borrower_kind)
    )
    return sorted(
        (BorrowerCount(kind, int(n), int(non or 0)) for kind, n, non in rows),
        key=lambda c: (-c.loans, c.kind),
    )


async def km_by_year(session: AsyncSession, caller: Caller) -> list[YearKm]:
    caller.require(READ)
    year = func.extract("year", KitTrip.happened_on)
    rows = await session.execute(
        select(year, func.count(), func.coalesce(func.sum(KitTrip.km), 0.0))
        .group_by(year)
        .order_by(year)
    )
    return [YearKm(int(y), int(n), round(float(km), 1)) for y, n, km in rows]
