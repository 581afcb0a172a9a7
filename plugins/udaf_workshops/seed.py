"""Demo data: a real year of the UDAF convention — five workshops planned across the
département, one held, four cancelled for lack of participants — with the families
and parents who registered, and who came.

Works for any pole with a family association among its partners (the UDAF is one) and
communes in its département. Idempotent: the convention is looked up by partner and
year, a workshop by its date and theme, a registration by workshop and family or
parent; only what is missing is added.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.udaf_workshops.models import Convention, Facilitator, Parent, Registration, Workshop
from plugins.udaf_workshops.vocabulary import (
    CancelReason,
    ConventionStatus,
    FacilitatorSide,
    RegistrationStatus,
    WorkshopStatus,
)

YEAR = 2025
# (date, theme, index of the commune among the most populous, held?)
WORKSHOPS: tuple[tuple[dt.date, str, int, bool], ...] = (
    (dt.date(2025, 3, 15), "Annonce du handicap : comment en parler en famille", 0, False),
    (dt.date(2025, 5, 17), "Le sommeil du jeune enfant à besoins particuliers", 1, True),
    (dt.date(2025, 6, 21), "Fratrie : trouver sa place", 2, False),
    (dt.date(2025, 10, 11), "Premiers pas vers la crèche et l'école", 3, False),
    (dt.date(2025, 11, 22), "Prendre soin de soi quand on est parent aidant", 4, False),
)
UDAF_FACILITATORS = ("Hélène Marcadier (UDAF, fictive)", "Youssef Benali (UDAF, fictif)")
# Fictitious parents not yet known to the pole (registered to the cancelled workshops).
PARENTS = (
    ("Aurélie", "Combronde", "aurelie.combronde@exemple.example", ""),
    ("Karim", "Sauxillanges", "", "00 00 00 00 01"),
)


@sdk.hookimpl
async def maillage_seed(tenant: sdk.Tenant, session: AsyncSession) -> None:
    partners = await sdk.list_partners(session, kind="family_association", limit=1)
    communes = list(
        (
            await session.execute(
                select(sdk.Commune.insee_code)
                .where(sdk.Commune.departement_code == tenant.departement_code)
                .order_by(sdk.Commune.population.desc(), sdk.Commune.insee_code)
                .limit(len(WORKSHOPS))
            )
        ).scalars()
    )
    if not partners or not communes:
        return
    convention = await session.scalar(
        select(Convention).where(Convention.partner_id == partners[0].id, Convention.year == YEAR)
    )
    if convention is None:
        convention = Convention(
            partner_id=partners[0].id,
            year=YEAR,
            workshops_planned=len(WORKSHOPS),
            territory="Tout le département, un atelier par bassin de vie",
            funder="CAF (REAAP) et Département",
            funding_amount=None,
            status=ConventionStatus.CLOSED.value,
            notes="Bilan rendu à l'UDAF et aux financeurs en janvier.",
        )
        session.add(convention)
        await session.flush()
    existing = {
        (w.held_on, w.theme): w
        for w in (
            await session.execute(select(Workshop).where(Workshop.convention_id == convention.id))
        ).scalars()
    }
    families = await sdk.list_families(session, limit=8)
    parents = await _parents(session)
    for held_on, theme, commune_index, held in WORKSHOPS:
        row = existing.get((held_on, theme))
        if row is None:
            row = Workshop(
                convention_id=convention.id,
                held_on=held_on,
                start_time=dt.time(9, 30),
                end_time=dt.time(11, 30),
                commune_insee=communes[commune_index % len(communes)],
                place="Maison des associations",
                theme=theme,
                capacity=10,
                minimum_participants=5,
                status=WorkshopStatus.HELD.value if held else WorkshopStatus.CANCELLED.value,
                cancel_reason=None if held else CancelReason.TOO_FEW.value,
                cancelled_on=None if held else held_on - dt.timedelta(days=10),
                facilitators=[
                    Facilitator(side=FacilitatorSide.UDAF.value, name=name)
                    for name in UDAF_FACILITATORS
                ],
            )
            session.add(row)
            await session.flush()
            await _registrations(session, row, held, families, parents)


async def _parents(session: AsyncSession) -> list[Parent]:
    found = {
        (p.first_name, p.last_name): p for p in (await session.execute(select(Parent))).scalars()
    }
    rows = []
    for first, last, email, phone in PARENTS:
        row = found.get((first, last))
        if row is None:
            row = Parent(
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
                consent_on=dt.date(YEAR, 2, 1),
            )
            session.add(row)
        rows.append(row)
    await session.flush()
    return rows


async def _registrations(
    session: AsyncSession,
    row: Workshop,
    held: bool,
    families: list[sdk.FamilyView],
    parents: list[Parent],
) -> None:
    """The held workshop: six families, all but one came (a couple counts two). A
    cancelled one: two registrations, below the minimum of five."""
    registered = RegistrationStatus.REGISTERED.value
    if held:
        for i, family in enumerate(families[:6]):
            seats = 2 if i == 0 else 1
            session.add(
                Registration(
                    workshop_id=row.id,
                    family_id=family.id,
                    seats=seats,
                    status=registered,
                    present=0 if i == 5 else seats,
                )
            )
        return
    index = WORKSHOPS.index(next(w for w in WORKSHOPS if w[0] == row.held_on))
    if families:
        family = families[(index + 6) % len(families)]
        session.add(Registration(workshop_id=row.id, family_id=family.id, status=registered))
    parent = parents[index % len(parents)]
    session.add(Registration(workshop_id=row.id, parent_id=parent.id, status=registered))
