"""The UDAF workshops' rules, for GraphQL and any later entry point: validate, then write.

Every check raises a coded error naming the GraphQL input field at fault
(``input.capacity``…), with a French message; the mutation turns it into a payload
error and the whole transaction is rolled back. Every write adds its audit event in
the same transaction, with field names only: parents are people, their names stay
out of the trail.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from core import sdk
from plugins.udaf_workshops.models import (
    Convention,
    Facilitator,
    Parent,
    Registration,
    Workshop,
)
from plugins.udaf_workshops.vocabulary import (
    TRANSITIONS,
    CancelReason,
    ConventionStatus,
    FacilitatorSide,
    RegistrationStatus,
    WorkshopStatus,
)

PLUGIN = "udaf_workshops"
MAX_FACILITATORS = 10
MAX_SEATS = 4
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIVE = (WorkshopStatus.PLANNED.value, WorkshopStatus.CONFIRMED.value)
REGISTERED = RegistrationStatus.REGISTERED.value
WAITING = RegistrationStatus.WAITING.value


# --- checks ----------------------------------------------------------------------------


def _text(value: str, column: Any, field: str, *, required: bool = True) -> str:
    return sdk.clean_text(value, column, field, required=required, one_line=True)


def _year(year: int, field: str) -> int:
    if not 2000 <= year <= 2100:
        raise sdk.ValidationError("année hors limites (2000 à 2100)", field=field)
    return year


def _email(value: str, field: str) -> str:
    value = value.strip()
    if value and (len(value) > 254 or not EMAIL.match(value)):
        raise sdk.ValidationError("adresse électronique invalide", field=field)
    return value


async def _by_id(
    session: AsyncSession, model: Any, row_id: uuid.UUID, field: str, what: str
) -> Any:
    # The scoped session adds the pole: another pole's id finds nothing, as a missing one.
    row = await session.scalar(select(model).where(model.id == row_id))
    if row is None:
        raise sdk.NotFoundError(f"{what} introuvable dans ce pôle", field=field)
    return row


def _audit(
    session: AsyncSession, actor: str, verb: str, kind: str, row: Any, fields: Iterable[str]
) -> None:
    """The audit line of a write: who, which action on which row, the fields changed
    (names only: parents' details never enter the trail)."""
    where = {"object_type": f"{PLUGIN}.{kind}", "object_id": str(row.id)}
    sdk.audit(session, actor=actor, action=f"{PLUGIN}.{verb}", fields=fields, **where)


# --- reading ---------------------------------------------------------------------------


def workshop_options() -> list[Any]:
    return [selectinload(Workshop.facilitators), selectinload(Workshop.convention)]


async def conventions(
    session: AsyncSession, *, year: int | None = None, ids: Sequence[uuid.UUID] | None = None
) -> list[Convention]:
    """Conventions, the most recent year first."""
    statement = select(Convention).order_by(Convention.year.desc(), Convention.id)
    if year is not None:
        statement = statement.where(Convention.year == year)
    if ids is not None:
        statement = statement.where(Convention.id.in_(ids))
    return list((await session.execute(statement)).scalars())


def workshops_query(*, convention_id: uuid.UUID | None = None, year: int | None = None) -> Any:
    statement = select(Workshop).options(*workshop_options())
    if convention_id is not None:
        statement = statement.where(Workshop.convention_id == convention_id)
    if year is not None:
        period = sdk.Period.year(year)
        statement = statement.where(Workshop.held_on >= period.start, Workshop.held_on < period.end)
    return statement.order_by(Workshop.held_on, Workshop.start_time, Workshop.id)


async def workshops(
    session: AsyncSession,
    *,
    convention_id: uuid.UUID | None = None,
    year: int | None = None,
    ids: Sequence[uuid.UUID] | None = None,
    convention_ids: Sequence[uuid.UUID] | None = None,
) -> list[Workshop]:
    statement = workshops_query(convention_id=convention_id, year=year)
    if convention_ids is not None:
        statement = statement.where(Workshop.convention_id.in_(list(convention_ids)))
    if ids is not None:
        statement = statement.where(Workshop.id.in_(ids))
    return list((await session.execute(statement)).scalars())


@dataclass(frozen=True)
class Seats:
    """Parents registered, waiting and present per workshop: what every workshop shows,
    in one grouped statement for a whole page."""

    registered: int = 0
    waiting: int = 0
    present: int = 0
    attendance_recorded: bool = False


async def seats(session: AsyncSession, workshop_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Seats]:
    if not workshop_ids:
        return {}
    rows = await session.execute(
        select(
            Registration.workshop_id,
            func.coalesce(
                func.sum(case((Registration.status == REGISTERED, Registration.seats))), 0
            ),
            func.coalesce(func.sum(case((Registration.status == WAITING, Registration.seats))), 0),
            func.coalesce(func.sum(Registration.present), 0),
            func.count(Registration.present),
        )
        .where(Registration.workshop_id.in_(list(workshop_ids)))
        .group_by(Registration.workshop_id)
    )
    return {w: Seats(int(r), int(wt), int(p), int(n) > 0) for w, r, wt, p, n in rows}


async def registrations(
    session: AsyncSession, workshop_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Registration]]:
    """The registrations of these workshops (with their light parent records), the
    registered first then the waiting list in arrival order: one statement per page."""
    found: dict[uuid.UUID, list[Registration]] = {w: [] for w in workshop_ids}
    if not workshop_ids:
        return found
    order = case(
        (Registration.status == REGISTERED, 0), (Registration.status == WAITING, 1), else_=2
    )
    rows = await session.execute(
        select(Registration)
        .options(selectinload(Registration.parent))
        .where(Registration.workshop_id.in_(list(workshop_ids)))
        .order_by(order, Registration.created_at, Registration.id)
    )
    for row in rows.scalars():
        found[row.workshop_id].append(row)
    return found


async def family_registrations(session: AsyncSession, family_id: uuid.UUID) -> list[Registration]:
    """A family's registrations with their workshops, the most recent workshop first."""
    rows = await session.execute(
        select(Registration)
        .join(Registration.workshop)
        .options(
            selectinload(Registration.parent),
            selectinload(Registration.workshop).selectinload(Workshop.facilitators),
            selectinload(Registration.workshop).selectinload(Workshop.convention),
        )
        .where(Registration.family_id == family_id)
        .order_by(Workshop.held_on.desc(), Registration.id)
    )
    return list(rows.scalars())


async def parents(
    session: AsyncSession,
    *,
    unlinked_only: bool = False,
    ids: Sequence[uuid.UUID] | None = None,
) -> list[Parent]:
    statement = select(Parent).order_by(Parent.last_name, Parent.first_name, Parent.id)
    if ids is not None:
        statement = statement.where(Parent.id.in_(ids))
    if unlinked_only:
        statement = statement.where(Parent.family_id.is_(None))
    return list((await session.execute(statement)).scalars())


# --- the convention's outcome ----------------------------------------------------------


@dataclass
class Outcome:
    """Planned versus held for one convention, as the pole reports it to the UDAF and
    its funders: how many the convention planned, how many were held, cancelled (and
    why), still to come; parents registered and present."""

    convention: Convention
    planned: int
    scheduled: int = 0
    held: int = 0
    to_come: int = 0
    cancelled: dict[str, int] = field(default_factory=dict)
    parents_registered: int = 0
    parents_present: int = 0

    @property
    def cancelled_total(self) -> int:
        return sum(self.cancelled.values())

    @property
    def summary(self) -> str:
        """The sentence of the report: « 1 atelier maintenu sur les 5 prévus, faute de
        participants », the main reason of the cancellations after the count."""
        held = self.held
        if not self.scheduled:
            return f"aucun atelier daté sur les {self.planned} prévus"
        noun = "atelier maintenu" if held <= 1 else "ateliers maintenus"
        planned = "prévu" if self.planned == 1 else f"les {self.planned} prévus"
        text = f"{held} {noun} sur {planned}"
        if self.cancelled_total:
            main = max(self.cancelled.items(), key=lambda item: (item[1], item[0]))[0]
            text += f", {CancelReason(main).label.lower()}"
        if self.to_come:
            text += f" ; {self.to_come} encore à venir"
        return text

    @property
    def reasons(self) -> list[tuple[CancelReason, int]]:
        return [
            (reason, self.cancelled[reason.value])
            for reason in CancelReason
            if self.cancelled.get(reason.value)
        ]


async def outcomes(
    session: AsyncSession, *, year: int | None = None, ids: Sequence[uuid.UUID] | None = None
) -> list[Outcome]:
    """Each convention's outcome: three grouped statements, however many workshops."""
    found = await conventions(session, year=year, ids=ids)
    result = {c.id: Outcome(c, c.workshops_planned) for c in found}
    if not result:
        return []
    by_status = await session.execute(
        select(Workshop.convention_id, Workshop.status, Workshop.cancel_reason, func.count())
        .where(Workshop.convention_id.in_(list(result)))
        .group_by(Workshop.convention_id, Workshop.status, Workshop.cancel_reason)
    )
    for convention_id, status, reason, n in by_status:
        outcome = result[convention_id]
        outcome.scheduled += int(n)
        if status == WorkshopStatus.HELD.value:
            outcome.held += int(n)
        elif status == WorkshopStatus.CANCELLED.value:
            outcome.cancelled[reason] = outcome.cancelled.get(reason, 0) + int(n)
        else:
            outcome.to_come += int(n)
    people = await session.execute(
        select(
            Workshop.convention_id,
            func.coalesce(
                func.sum(case((Registration.status == REGISTERED, Registration.seats))), 0
            ),
            func.coalesce(func.sum(Registration.present), 0),
        )
        .join(Registration.workshop)
        .where(Workshop.convention_id.in_(list(result)))
        .group_by(Workshop.convention_id)
    )
    for convention_id, registered, present in people:
        result[convention_id].parents_registered = int(registered)
        result[convention_id].parents_present = int(present)
    return list(result.values())


@dataclass(frozen=True)
class BelowMinimum:
    workshop: Workshop
    registered: int
    days_left: int


async def below_minimum(session: AsyncSession, *, today: dt.date, days: int) -> list[BelowMinimum]:
    """The minimum rule: workshops still to hold within ``days`` days whose parents
    registered are fewer than their minimum. The staff decide; nothing is cancelled
    automatically."""
    rows = list(
        (
            await session.execute(
                workshops_query().where(
                    Workshop.status.in_(LIVE),
                    Workshop.held_on >= today,
                    Workshop.held_on <= today + dt.timedelta(days=days),
                )
            )
        ).scalars()
    )
    counts = await seats(session, [w.id for w in rows])
    found = []
    for row in rows:
        registered = counts.get(row.id, Seats()).registered
        if registered < row.minimum_participants:
            found.append(BelowMinimum(row, registered, (row.held_on - today).days))
    return found


async def reminders_due(session: AsyncSession, *, today: dt.date, days: int) -> list[Workshop]:
    """Confirmed workshops within ``days`` days whose registered parents (or families)
    with an address have not been reminded yet: the home page proposes to send it."""
    waiting = (
        select(Registration.workshop_id)
        .outerjoin(Registration.parent)
        .where(
            Registration.status == REGISTERED,
            Registration.reminded_on.is_(None),
            (Registration.email != "") | (Parent.email != ""),
        )
    )
    statement = workshops_query().where(
        Workshop.status == WorkshopStatus.CONFIRMED.value,
        Workshop.held_on >= today,
        Workshop.held_on <= today + dt.timedelta(days=days),
        Workshop.id.in_(waiting),
    )
    return list((await session.execute(statement)).scalars())


# --- conventions -----------------------------------------------------------------------


async def record_convention(
    session: AsyncSession,
    *,
    convention_id: uuid.UUID | None,
    partner_id: str,
    year: int,
    workshops_planned: int,
    territory: str,
    funder: str,
    funding_amount: decimal.Decimal | None,
    status: ConventionStatus,
    notes: str,
    actor: str,
) -> Convention:
    """Record a convention, or correct one (``convention_id``)."""
    partner = await sdk.find_partner(session, partner_id, field="input.partnerId")
    _year(year, "input.year")
    if not 1 <= workshops_planned <= 100:
        raise sdk.ValidationError(
            "nombre d'ateliers prévus entre 1 et 100", field="input.workshopsPlanned"
        )
    territory = _text(territory, Convention.territory, "input.territory")
    funder = _text(funder, Convention.funder, "input.funder", required=False)
    notes = sdk.clean_text(notes, Convention.notes, "input.notes", required=False)
    if funding_amount is not None and not 0 <= funding_amount < 10_000_000:
        raise sdk.ValidationError("montant hors limites", field="input.fundingAmount")
    row = None
    if convention_id is not None:
        row = await _by_id(session, Convention, convention_id, "input.id", "convention")
    duplicate = await session.scalar(
        select(Convention.id).where(Convention.partner_id == partner.id, Convention.year == year)
    )
    if duplicate is not None and (row is None or duplicate != row.id):
        raise sdk.ConflictError(
            f"une convention {year} avec {partner.name} existe déjà", field="input.year"
        )
    if row is not None:
        live = await session.scalar(
            select(func.count()).where(
                Workshop.convention_id == row.id,
                Workshop.status != WorkshopStatus.CANCELLED.value,
            )
        )
        if int(live or 0) > workshops_planned:
            raise sdk.ConflictError(
                f"{live} ateliers sont déjà planifiés ou tenus : la convention ne peut pas "
                "en prévoir moins",
                field="input.workshopsPlanned",
            )
        if year != row.year and await session.scalar(
            select(func.count()).where(Workshop.convention_id == row.id)
        ):
            raise sdk.ConflictError(
                "la convention a déjà des ateliers : son année ne change plus", field="input.year"
            )
    else:
        row = Convention()
        session.add(row)
    row.partner_id = partner.id
    row.year = year
    row.workshops_planned = workshops_planned
    row.territory = territory
    row.funder = funder
    row.funding_amount = funding_amount
    row.status = status.value
    row.notes = notes
    await session.flush()
    _audit(
        session,
        actor,
        "record_convention",
        "convention",
        row,
        [
            "partner_id",
            "year",
            "workshops_planned",
            "territory",
            "funder",
            "funding_amount",
            "status",
            "notes",
        ],
    )
    return row


# --- workshops -------------------------------------------------------------------------


async def plan_workshop(
    session: AsyncSession,
    *,
    convention_id: uuid.UUID,
    held_on: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    commune_insee: str,
    place: str,
    theme: str,
    capacity: int,
    minimum_participants: int,
    staff_facilitators: Sequence[str],
    udaf_facilitators: Sequence[str],
    departement_code: str,
    actor: str,
) -> Workshop:
    convention = await _by_id(
        session, Convention, convention_id, "input.conventionId", "convention"
    )
    if convention.status == ConventionStatus.CLOSED.value:
        raise sdk.ConflictError(
            "la convention est close : elle ne reçoit plus d'ateliers", field="input.conventionId"
        )
    if held_on.year != convention.year:
        raise sdk.ValidationError(
            f"la date doit tomber en {convention.year}, l'année de la convention",
            field="input.heldOn",
        )
    if end_time <= start_time:
        raise sdk.ValidationError("la fin doit suivre le début", field="input.endTime")
    commune = await sdk.find_commune(session, commune_insee, field="input.communeInsee")
    # The convention covers the pole's département.
    if commune.departement_code != departement_code:
        raise sdk.ValidationError(
            f"la commune {commune.name} n'est pas dans le département du pôle ({departement_code})",
            field="input.communeInsee",
        )
    place = _text(place, Workshop.place, "input.place", required=False)
    theme = _text(theme, Workshop.theme, "input.theme")
    if not 1 <= capacity <= 100:
        raise sdk.ValidationError("capacité entre 1 et 100 parents", field="input.capacity")
    if not 1 <= minimum_participants <= capacity:
        raise sdk.ValidationError(
            "le minimum de participants va de 1 à la capacité",
            field="input.minimumParticipants",
        )
    if len(staff_facilitators) + len(udaf_facilitators) > MAX_FACILITATORS:
        raise sdk.ValidationError(
            f"{MAX_FACILITATORS} animateur·rices au plus", field="input.udafFacilitators"
        )
    live = await session.scalar(
        select(func.count()).where(
            Workshop.convention_id == convention.id,
            Workshop.status != WorkshopStatus.CANCELLED.value,
        )
    )
    if int(live or 0) >= convention.workshops_planned:
        raise sdk.ConflictError(
            f"la convention prévoit {convention.workshops_planned} ateliers et tous sont "
            "planifiés : annulez-en un ou modifiez la convention",
            field="input.conventionId",
        )
    row = Workshop(
        convention_id=convention.id,
        held_on=held_on,
        start_time=start_time,
        end_time=end_time,
        commune_insee=commune.id,
        place=place,
        theme=theme,
        capacity=capacity,
        minimum_participants=minimum_participants,
        status=WorkshopStatus.PLANNED.value,
        facilitators=[],
    )
    seen: set[uuid.UUID] = set()
    for i, staff_id in enumerate(staff_facilitators):
        member = await sdk.find_staff_member(
            session, staff_id, field=f"input.staffFacilitatorIds.{i}"
        )
        if member.id in seen:
            continue
        seen.add(member.id)
        row.facilitators.append(
            Facilitator(
                side=FacilitatorSide.POLE.value,
                staff_member_id=member.id,
                name=member.display_name[:200],
            )
        )
    names: set[str] = set()
    for i, name in enumerate(udaf_facilitators):
        clean = _text(name, Facilitator.name, f"input.udafFacilitators.{i}")
        if clean not in names:
            names.add(clean)
            row.facilitators.append(Facilitator(side=FacilitatorSide.UDAF.value, name=clean))
    session.add(row)
    await session.flush()
    _audit(
        session,
        actor,
        "plan_workshop",
        "workshop",
        row,
        [
            "convention_id",
            "held_on",
            "start_time",
            "end_time",
            "commune_insee",
            "place",
            "theme",
            "capacity",
            "minimum_participants",
            "facilitators",
        ],
    )
    return row


async def workshop_with_context(session: AsyncSession, workshop_id: uuid.UUID) -> Workshop:
    """A workshop just written, read afresh with its facilitators and convention."""
    statement = workshops_query().where(Workshop.id == workshop_id)
    found = await session.execute(statement.execution_options(populate_existing=True))
    return found.scalar_one()


@dataclass(frozen=True)
class Notice:
    """A mail to one registered parent (a cancellation, a reminder)."""

    to: str
    subject: str
    body: str


def _when(row: Workshop) -> str:
    return (
        f"le {sdk.date_fr(row.held_on)} de {row.start_time.strftime('%H h %M')} "
        f"à {row.end_time.strftime('%H h %M')}"
    )


async def change_status(
    session: AsyncSession,
    *,
    workshop_id: uuid.UUID,
    to: WorkshopStatus,
    reason: CancelReason | None,
    note: str,
    today: dt.date,
    pole_name: str,
    actor: str,
) -> tuple[Workshop, list[Notice]]:
    """Move a workshop along planned → confirmed → held, or cancel it with a reason.
    Cancelling returns the mails telling the registered parents (and the waiting
    list); the caller queues them in the same transaction."""
    row = await session.scalar(
        select(Workshop)
        .options(*workshop_options())
        .where(Workshop.id == workshop_id)
        .with_for_update()
    )
    if row is None:
        raise sdk.NotFoundError("atelier introuvable dans ce pôle", field="input.workshopId")
    current = WorkshopStatus(row.status)
    if to not in TRANSITIONS[current]:
        allowed = ", ".join(s.label.lower() for s in TRANSITIONS[current]) or "aucun"
        raise sdk.ConflictError(
            f"un atelier {current.label.lower()} ne peut pas passer à « {to.label} » "
            f"(possible : {allowed})",
            field="input.status",
        )
    if reason is not None and to is not WorkshopStatus.CANCELLED:
        raise sdk.ValidationError("une raison ne se donne qu'à l'annulation", field="input.reason")
    counts = (await seats(session, [row.id])).get(row.id, Seats())
    notices: list[Notice] = []
    if to is WorkshopStatus.CONFIRMED and counts.registered < row.minimum_participants:
        raise sdk.ConflictError(
            f"{counts.registered} parent(s) inscrit(s) pour un minimum de "
            f"{row.minimum_participants} : l'atelier ne peut pas être confirmé",
            field="input.status",
        )
    if to is WorkshopStatus.HELD and row.held_on > today:
        raise sdk.ConflictError(
            "l'atelier n'a pas encore eu lieu : il sera marqué maintenu le jour venu",
            field="input.status",
        )
    if to is WorkshopStatus.CANCELLED:
        if reason is None:
            raise sdk.ValidationError("donnez la raison de l'annulation", field="input.reason")
        note = sdk.clean_text(note, Workshop.cancel_note, "input.note", required=False)
        if reason is CancelReason.OTHER and not note:
            raise sdk.ValidationError("précisez la raison de l'annulation", field="input.note")
        # Status and reason together: the table's check wants both or neither.
        row.status = to.value
        row.cancel_reason = reason.value
        row.cancel_note = note
        row.cancelled_on = today
        notices = await _cancellation_notices(session, row, reason, pole_name)
    row.status = to.value
    await session.flush()
    _audit(
        session,
        actor,
        "change_status",
        "workshop",
        row,
        ["status"] + (["cancel_reason", "cancel_note"] if to is WorkshopStatus.CANCELLED else []),
    )
    return row, notices


async def _addresses(
    session: AsyncSession, row: Workshop, statuses: Sequence[str]
) -> list[tuple[Registration, str]]:
    found = (await registrations(session, [row.id]))[row.id]
    out = []
    for registration in found:
        if registration.status not in statuses:
            continue
        address = registration.email or (registration.parent.email if registration.parent else "")
        if address:
            out.append((registration, address))
    return out


async def _cancellation_notices(
    session: AsyncSession, row: Workshop, reason: CancelReason, pole_name: str
) -> list[Notice]:
    body = (
        "Bonjour,\n\n"
        f"L'atelier de soutien à la parentalité « {row.theme} » prévu {_when(row)} "
        f"est annulé ({reason.label.lower()}).\n\n"
        "Nous vous tiendrons informé·e des prochains ateliers organisés avec l'UDAF.\n\n"
        f"{pole_name}"
    )
    subject = f"Atelier annulé : {row.theme}"[:200]
    return [
        Notice(address, subject, body)
        for _, address in await _addresses(session, row, (REGISTERED, WAITING))
    ]


async def reminders(
    session: AsyncSession, *, workshop_id: uuid.UUID, today: dt.date, pole_name: str, actor: str
) -> tuple[Workshop, list[Notice]]:
    """The reminder mails of a confirmed workshop still to come, to the registered
    parents not reminded yet (sending twice reminds nobody twice)."""
    row = await session.scalar(
        select(Workshop).options(*workshop_options()).where(Workshop.id == workshop_id)
    )
    if row is None:
        raise sdk.NotFoundError("atelier introuvable dans ce pôle", field="workshopId")
    if row.status != WorkshopStatus.CONFIRMED.value or row.held_on < today:
        raise sdk.ConflictError(
            "on rappelle un atelier confirmé, avant sa date", field="workshopId"
        )
    place = f"{row.place}, " if row.place else ""
    commune = await sdk.find_commune(session, row.commune_insee, field="workshopId")
    body = (
        "Bonjour,\n\n"
        f"Nous vous rappelons l'atelier de soutien à la parentalité « {row.theme} », "
        f"{_when(row)}, {place}{commune.name}.\n\n"
        "En cas d'empêchement, merci de nous prévenir pour libérer votre place.\n\n"
        f"{pole_name}"
    )
    notices = []
    for registration, address in await _addresses(session, row, (REGISTERED,)):
        if registration.reminded_on is None:
            registration.reminded_on = today
            notices.append(Notice(address, f"Rappel : atelier « {row.theme} »"[:200], body))
    await session.flush()
    _audit(session, actor, "send_reminders", "workshop", row, ["reminded_on"])
    return row, notices


# --- registrations ---------------------------------------------------------------------


@dataclass(frozen=True)
class NewParent:
    first_name: str
    last_name: str
    email: str
    phone: str
    commune_insee: str | None
    consent: bool


async def register(
    session: AsyncSession,
    *,
    workshop_id: uuid.UUID,
    family_id: str | None,
    parent_id: uuid.UUID | None,
    new_parent: NewParent | None,
    seats_wanted: int,
    email: str,
    today: dt.date,
    actor: str,
) -> Registration:
    """Register a family of the pole, a parent already recorded, or a new parent (a
    light record with contact and consent). Over capacity, the registration goes on
    the waiting list."""
    row = await session.scalar(select(Workshop).where(Workshop.id == workshop_id).with_for_update())
    if row is None:
        raise sdk.NotFoundError("atelier introuvable dans ce pôle", field="input.workshopId")
    if row.status not in LIVE:
        raise sdk.ConflictError(
            f"l'atelier est {WorkshopStatus(row.status).label.lower()} : il ne prend plus "
            "d'inscriptions",
            field="input.workshopId",
        )
    if row.held_on < today:
        raise sdk.ConflictError("l'atelier est passé", field="input.workshopId")
    if sum(x is not None for x in (family_id, parent_id, new_parent)) != 1:
        raise sdk.ValidationError(
            "inscrivez une famille du pôle ou un parent (un seul des deux)",
            field="input.familyId",
        )
    if not 1 <= seats_wanted <= MAX_SEATS:
        raise sdk.ValidationError(
            f"de 1 à {MAX_SEATS} parents par inscription", field="input.seats"
        )
    email = _email(email, "input.email")
    registration = Registration(workshop_id=row.id, seats=seats_wanted, email=email)
    if family_id is not None:
        family = await sdk.find_family(session, family_id, field="input.familyId")
        registration.family_id = family.id
        same = Registration.family_id == family.id
    elif parent_id is not None:
        parent = await _by_id(session, Parent, parent_id, "input.parentId", "parent")
        registration.parent_id = parent.id
        same = Registration.parent_id == parent.id
    else:
        assert new_parent is not None
        parent = await _new_parent(session, new_parent, today)
        registration.parent_id = parent.id
        same = Registration.parent_id == parent.id
    already = await session.scalar(
        select(Registration.id).where(
            Registration.workshop_id == row.id,
            same,
            Registration.status != RegistrationStatus.WITHDRAWN.value,
        )
    )
    if already is not None:
        raise sdk.ConflictError(
            "déjà inscrit·e à cet atelier",
            field="input.familyId" if family_id is not None else "input.parentId",
        )
    taken = (await seats(session, [row.id])).get(row.id, Seats())
    fits = taken.waiting == 0 and taken.registered + seats_wanted <= row.capacity
    registration.status = REGISTERED if fits else WAITING
    session.add(registration)
    await session.flush()
    _audit(
        session,
        actor,
        "register",
        "registration",
        registration,
        ["workshop_id", "family_id", "parent_id", "seats", "email", "status"],
    )
    return registration


async def _new_parent(session: AsyncSession, given: NewParent, today: dt.date) -> Parent:
    first = _text(given.first_name, Parent.first_name, "input.parent.firstName")
    last = _text(given.last_name, Parent.last_name, "input.parent.lastName")
    email = _email(given.email, "input.parent.email")
    phone = _text(given.phone, Parent.phone, "input.parent.phone", required=False)
    if not email and not phone:
        raise sdk.ValidationError(
            "une adresse électronique ou un téléphone pour joindre le parent",
            field="input.parent.email",
        )
    if not given.consent:
        raise sdk.ValidationError(
            "le parent doit accepter que le pôle garde ses coordonnées pour les ateliers",
            field="input.parent.consent",
        )
    commune = None
    if given.commune_insee:
        commune = (
            await sdk.find_commune(session, given.commune_insee, field="input.parent.communeInsee")
        ).id
    parent = Parent(
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        commune_insee=commune,
        consent_on=today,
    )
    session.add(parent)
    await session.flush()
    return parent


async def withdraw(
    session: AsyncSession, *, registration_id: uuid.UUID, actor: str
) -> Registration:
    """Withdraw a registration; the waiting list moves up in arrival order as far as
    the freed seats allow."""
    registration = await _by_id(
        session, Registration, registration_id, "registrationId", "inscription"
    )
    row = await session.scalar(
        select(Workshop).where(Workshop.id == registration.workshop_id).with_for_update()
    )
    assert row is not None
    if row.status not in LIVE:
        raise sdk.ConflictError(
            "l'atelier est tenu ou annulé : les inscriptions ne changent plus",
            field="registrationId",
        )
    if registration.status == RegistrationStatus.WITHDRAWN.value:
        raise sdk.ConflictError("inscription déjà retirée", field="registrationId")
    registration.status = RegistrationStatus.WITHDRAWN.value
    await session.flush()
    taken = (await seats(session, [row.id])).get(row.id, Seats()).registered
    waiting = [r for r in (await registrations(session, [row.id]))[row.id] if r.status == WAITING]
    for candidate in waiting:
        if taken + candidate.seats > row.capacity:
            break
        candidate.status = REGISTERED
        taken += candidate.seats
        _audit(session, actor, "promote", "registration", candidate, ["status"])
    await session.flush()
    _audit(session, actor, "withdraw", "registration", registration, ["status"])
    return registration


@dataclass(frozen=True)
class AttendanceLine:
    registration_id: uuid.UUID
    present: int


async def record_attendance(
    session: AsyncSession,
    *,
    workshop_id: uuid.UUID,
    lines: Sequence[AttendanceLine],
    actor: str,
) -> Workshop:
    """Record who came to a held workshop: per registration, the parents present (no
    more than registered). Lines replace what was recorded for those registrations."""
    row = await session.scalar(
        select(Workshop).options(*workshop_options()).where(Workshop.id == workshop_id)
    )
    if row is None:
        raise sdk.NotFoundError("atelier introuvable dans ce pôle", field="input.workshopId")
    if row.status != WorkshopStatus.HELD.value:
        raise sdk.ConflictError(
            "la présence se note sur un atelier maintenu (passez-le d'abord à « maintenu »)",
            field="input.workshopId",
        )
    found = {r.id: r for r in (await registrations(session, [row.id]))[row.id]}
    for i, line in enumerate(lines):
        registration = found.get(line.registration_id)
        if registration is None:
            raise sdk.NotFoundError(
                "inscription introuvable pour cet atelier",
                field=f"input.lines.{i}.registrationId",
            )
        if line.present < 0:
            raise sdk.ValidationError(
                "nombre de présents négatif", field=f"input.lines.{i}.present"
            )
        if line.present and registration.status != REGISTERED:
            raise sdk.ValidationError(
                "seuls les parents inscrits (pas la liste d'attente) sont notés présents",
                field=f"input.lines.{i}.present",
            )
        if line.present > registration.seats:
            raise sdk.ValidationError(
                f"{line.present} présents pour {registration.seats} inscrit(s) : pas plus de "
                "présents que d'inscrits",
                field=f"input.lines.{i}.present",
            )
        registration.present = line.present
    await session.flush()
    _audit(session, actor, "record_attendance", "workshop", row, ["present"])
    return row


# --- parents not yet known to the pole -------------------------------------------------


async def link_parent(
    session: AsyncSession, *, parent_id: uuid.UUID, family_id: str, actor: str
) -> Parent:
    """The parent became a family of the pole: the light record points at it (and is
    then exported and erased with the family)."""
    parent = await _by_id(session, Parent, parent_id, "parentId", "parent")
    family = await sdk.find_family(session, family_id, field="familyId")
    parent.family_id = family.id
    # Its registrations become the family's: exported and erased with its file.
    for registration in (
        await session.execute(select(Registration).where(Registration.parent_id == parent.id))
    ).scalars():
        registration.parent_id = None
        registration.family_id = family.id
        registration.email = registration.email or parent.email
    await session.flush()
    _audit(session, actor, "link_parent", "parent", parent, ["family_id"])
    return parent


async def erase_parent(session: AsyncSession, *, parent_id: uuid.UUID, actor: str) -> int:
    """Erase a light record on the parent's request (or when consent is withdrawn),
    with its registrations; the deletions feed notes both. Counts already reported
    stay in the workshops' totals only as far as the attendance rows remain: they go
    with the parent."""
    parent = await _by_id(session, Parent, parent_id, "parentId", "parent")
    ids = list(
        (
            await session.execute(
                select(Registration.id).where(Registration.parent_id == parent.id)
            )
        ).scalars()
    )
    for registration in (
        await session.execute(select(Registration).where(Registration.id.in_(ids)))
    ).scalars():
        await session.delete(registration)
    await session.delete(parent)
    sdk.record_deletions(session, "UdafWorkshopsRegistration", ids)
    sdk.record_deletions(session, "UdafWorkshopsParent", [parent.id])
    await session.flush()
    _audit(session, actor, "erase_parent", "parent", parent, ["*"])
    return len(ids)
