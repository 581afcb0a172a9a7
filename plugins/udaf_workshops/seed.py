"""Demo data: a real year of the UDAF convention — five workshops planned across the
département, one held, four cancelled for lack of participants — with the families
and parents who registered, who came, and what they answered to the needs
questionnaire sent after the held workshop (fictitious answers, a seeded generator).

Works for any pole with a family association among its partners (the UDAF is one) and
communes in its département. Idempotent: the convention is looked up by partner and
year, a workshop by its date and theme, a registration by workshop and family or
parent; only what is missing is added; core never sends the questionnaire twice about
the same registration, and only a sending just made is answered.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.udaf_workshops import needs
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
# The held workshop (a popular theme): families registered, the last of them did not come.
HELD_FAMILIES = 14
HELD_CAPACITY = 15
# Came but left no address: the questionnaire cannot be mailed to it.
NO_ADDRESS = 3
# The questionnaire leaves the day after the held workshop; one family never answers.
SENT_AT = dt.time(9)
NEVER_ANSWERS = 1
DEMO_SENDER = "demo:udaf_workshops"
# What the families ask for (weights of the seeded draw): the children are 0–6, school
# and the childcare place come first.
THEME_WEIGHTS = {
    "sleep": 3,
    "food": 2,
    "communication": 5,
    "play": 3,
    "separation": 4,
    "siblings": 3,
    "mdph": 4,
    "school": 6,
}
TIME_WEIGHTS = {"weekday_morning": 2, "weekday_evening": 3, "saturday_morning": 6}
SUGGESTIONS = (
    "(fictif) Un atelier avec les papas, le samedi.",
    "(fictif) Pouvoir venir avec le petit frère, qui n'est pas gardé.",
    "(fictif) Plus de temps pour les questions à la fin.",
    "(fictif) Un atelier sur les vacances et les changements de rythme.",
)
# Fictitious parents not yet known to the pole (registered to the cancelled workshops).
PARENTS = (
    ("Aurélie", "Combronde", "aurelie.combronde@exemple.example", ""),
    ("Karim", "Sauxillanges", "", "00 00 00 00 01"),
)


@sdk.hookimpl
async def maillage_seed(tenant: sdk.Tenant, session: AsyncSession) -> None:
    await sdk.install_questionnaire(session, needs.NEEDS)
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
    families = await sdk.list_families(session, limit=HELD_FAMILIES + len(WORKSHOPS))
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
                capacity=HELD_CAPACITY if held else 10,
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
        if held:
            await _needs_answers(tenant, session, row)


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
    """The held workshop: fourteen families, all but the last came (a couple counts
    two), all but one left an address. A cancelled one: two registrations, below the
    minimum of five."""
    registered = RegistrationStatus.REGISTERED.value
    if held:
        last = min(HELD_FAMILIES, len(families)) - 1
        for i, family in enumerate(families[:HELD_FAMILIES]):
            seats = 2 if i == 0 else 1
            session.add(
                Registration(
                    workshop_id=row.id,
                    family_id=family.id,
                    seats=seats,
                    status=registered,
                    present=0 if i == last else seats,
                    email="" if i == NO_ADDRESS else f"famille-{i + 1}@exemple.example",
                )
            )
        await session.flush()
        return
    index = WORKSHOPS.index(next(w for w in WORKSHOPS if w[0] == row.held_on))
    if families:
        family = families[(index + HELD_FAMILIES) % len(families)]
        session.add(Registration(workshop_id=row.id, family_id=family.id, status=registered))
    parent = parents[index % len(parents)]
    session.add(Registration(workshop_id=row.id, parent_id=parent.id, status=registered))


def _draw(rng: random.Random, weights: dict[str, int], most: int) -> list[str]:
    """A few values drawn by weight, without repetition, in the questionnaire's order."""
    pool = dict(weights)
    picked: set[str] = set()
    for _ in range(rng.randint(1, most)):
        value = rng.choices(list(pool), list(pool.values()))[0]
        picked.add(value)
        del pool[value]
    return [v for v in weights if v in picked]


def _answers(rng: random.Random) -> dict[str, list[str]]:
    answers = {
        needs.THEMES: _draw(rng, THEME_WEIGHTS, 3),
        needs.TIMES: _draw(rng, TIME_WEIGHTS, 2),
        needs.PLACE: [
            rng.choices(["own_commune", "nearby_town", "main_town", "anywhere"], [5, 3, 1, 2])[0]
        ],
        needs.FORMAT: [rng.choice(["talk_group", "professional", "parent_child"])],
        needs.CHILDCARE: ["yes" if rng.random() < 0.4 else "no"],
        needs.USEFULNESS: [str(rng.choices([1, 2, 3, 4], [1, 1, 4, 6])[0])],
    }
    if rng.random() < 0.4:
        answers["suggestion"] = [rng.choice(SUGGESTIONS)]
    return answers


async def _needs_answers(tenant: sdk.Tenant, session: AsyncSession, row: Workshop) -> None:
    """The needs questionnaire, sent the day after the held workshop to each family
    that came and left an address, answered within three weeks by all but one."""
    await sdk.install_questionnaire(session, needs.NEEDS)
    came = list(
        (
            await session.execute(
                select(Registration)
                .where(
                    Registration.workshop_id == row.id,
                    Registration.present > 0,
                    Registration.email != "",
                )
                .order_by(Registration.created_at, Registration.id)
            )
        ).scalars()
    )
    rng = random.Random(f"maillage-demo-udaf-needs-{tenant.slug}")
    sent_at = dt.datetime.combine(row.held_on + dt.timedelta(days=1), SENT_AT, tzinfo=dt.UTC)
    for index, registration in enumerate(came):
        answers = _answers(rng)
        delay = dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 10))
        sent = await sdk.send_questionnaire(
            session,
            tenant,
            key=needs.NEEDS.key,
            subject_kind=needs.SUBJECT,
            subject_id=registration.id,
            sent_by=DEMO_SENDER,
            now=sent_at,
        )
        if sent is None or index >= len(came) - NEVER_ANSWERS:
            continue
        await sdk.answer_questionnaire(
            session, sent.token, answers, actor=DEMO_SENDER, now=sent_at + delay
        )
