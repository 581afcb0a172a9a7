"""Demo data: four SNU awareness days of the year at fictitious centres in the pole's
most populous communes — three held or to come, with three groups each, their
facilitators (members of the pole's team and a partner) and the kits of the pole's
catalogue they took, and one cancelled with its reason; the groups' attendance and —
for the days already past — the anonymous quiz with answers drawn at random (a fixed
seed, so every demo shows the same figures).

Works for any pole (communes come from the pole's département; the team, the partner
and the kits are the pole's own, through ``sdk.list_staff_members``, ``list_partners``
and ``list_kits``: whichever of them the pole lacks is left out). Idempotent: a session
is found by its centre and first day; its kits and its groups' facilitators are added
only when it has none, its quiz only when it has none.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from core import sdk
from plugins.snu_sessions import quiz
from plugins.snu_sessions.models import (
    Facilitator,
    Group,
    Material,
    QuizAnswer,
    QuizItem,
    QuizResponse,
    QuizWindow,
    Session,
)
from plugins.snu_sessions.vocabulary import CancelReason, ItemKind, Method, Objective, Phase, Status

YEAR = dt.date.today().year


@dataclass(frozen=True)
class DemoDay:
    centre: str
    month: int
    day: int
    # (name, size, present) of each group
    groups: tuple[tuple[str, int, int], ...]
    # Kits of the pole's catalogue taken along, by name (core's demo catalogue).
    kits: tuple[str, ...]
    # The group (by position) that a partner runs with the team.
    partner_group: int
    cancelled: tuple[CancelReason, str] | None = None


SESSIONS: tuple[DemoDay, ...] = (
    DemoDay(
        "Centre SNU du lycée des Glycines (fictif)",
        2,
        17,
        (("Maisonnée A", 34, 33), ("Maisonnée B", 33, 31), ("Maisonnée C", 32, 32)),
        ("Malle boccia et jeux adaptés", "Malle jeux coopératifs"),
        partner_group=1,
    ),
    DemoDay(
        "Centre SNU de la base de loisirs des Étangs (fictif)",
        4,
        14,
        (("Groupe 1", 36, 35), ("Groupe 2", 35, 35), ("Groupe 3", 30, 27)),
        ("Malle boccia et jeux adaptés", "Malle inclusion en accueil de loisirs"),
        partner_group=2,
    ),
    DemoDay(
        "Centre SNU du lycée des Peupliers (fictif)",
        6,
        23,
        (("Maisonnée 1", 32, 0), ("Maisonnée 2", 32, 0)),
        ("Malle boccia et jeux adaptés",),
        partner_group=0,
        cancelled=(
            CancelReason.SNU,
            "Séjour de juin déplacé par le service départemental du SNU (fictif).",
        ),
    ),
    DemoDay(
        "Centre SNU du domaine des Tilleuls (fictif)",
        11,
        24,
        (("Compagnie 1", 34, 0), ("Compagnie 2", 34, 0), ("Compagnie 3", 33, 0)),
        ("Malle boccia et jeux adaptés", "Malle des émotions", "Malle jeux coopératifs"),
        partner_group=0,
    ),
)
METHODS = [Method.QUIZ.value, Method.BOCCIA.value, Method.SIMULATION.value, Method.DEBATE.value]
OBJECTIVES = [o.value for o in Objective]
# Who runs the groups: the pole's « animateurs » and coordinators; any member of the
# team when the pole has neither.
FACILITATOR_ROLES = frozenset({"staff", "coordinator"})


@dataclass(frozen=True)
class Facilitators:
    team: list[uuid.UUID]
    partner: uuid.UUID | None
    kits: dict[str, uuid.UUID]


async def _facilitators(session: AsyncSession) -> Facilitators:
    team = await sdk.list_staff_members(session, roles=FACILITATOR_ROLES) or (
        await sdk.list_staff_members(session, roles=sdk.POLE_ROLES)
    )
    partners = await sdk.list_partners(session, kind="family_association", limit=1) or (
        await sdk.list_partners(session, limit=1)
    )
    kits = {k.name: k.id for k in await sdk.list_kits(session, limit=200)}
    return Facilitators([m.id for m in team], partners[0].id if partners else None, kits)


async def seed(tenant: sdk.Tenant, session: AsyncSession) -> None:
    communes = list(
        (
            await session.execute(
                select(sdk.Commune.insee_code)
                .where(sdk.Commune.departement_code == tenant.departement_code)
                .order_by(sdk.Commune.population.desc(), sdk.Commune.insee_code)
                .limit(len(SESSIONS))
            )
        ).scalars()
    )
    if not communes:
        return
    existing = {
        (s.centre, s.starts_on): s
        for s in (
            await session.execute(
                select(Session).options(
                    selectinload(Session.materials),
                    selectinload(Session.groups).selectinload(Group.facilitators),
                )
            )
        ).scalars()
    }
    who = await _facilitators(session)
    today = dt.date.today()
    for i, demo in enumerate(SESSIONS):
        starts_on = dt.date(YEAR, demo.month, demo.day)
        row = existing.get((demo.centre, starts_on))
        if row is None:
            row = Session(
                centre=demo.centre,
                commune_insee=communes[i % len(communes)],
                starts_on=starts_on,
                ends_on=starts_on,
                methods=METHODS,
                objectives=OBJECTIVES,
                notes="Journée en groupes tournants : quiz, boccia, mises en situation.",
            )
            if demo.cancelled is not None:
                reason, note = demo.cancelled
                row.status, row.cancel_reason, row.cancel_note = (
                    Status.CANCELLED.value,
                    reason.value,
                    note,
                )
            session.add(row)
            await session.flush()
            held = starts_on < today and demo.cancelled is None
            session.add_all(
                Group(session_id=row.id, name=name, size=size, present=present if held else None)
                for name, size, present in demo.groups
            )
            await session.flush()
            row = (
                await session.execute(
                    select(Session)
                    .where(Session.id == row.id)
                    .options(
                        selectinload(Session.materials),
                        selectinload(Session.groups).selectinload(Group.facilitators),
                    )
                    .execution_options(populate_existing=True)
                )
            ).scalar_one()
        _equip(session, row, demo, who)
        if demo.cancelled is None:
            await _quiz(session, row, sum(size for _, size, _ in demo.groups), seed=i)
    await session.flush()


def _equip(session: AsyncSession, row: Session, demo: DemoDay, who: Facilitators) -> None:
    """The kits the day took and who ran each group, where none are recorded yet."""
    if not row.materials:
        session.add_all(
            Material(session_id=row.id, kit_id=who.kits[name])
            for name in demo.kits
            if name in who.kits
        )
    for position, group in enumerate(sorted(row.groups, key=lambda g: g.name)):
        if group.facilitators:
            continue
        if who.team:
            session.add(
                Facilitator(group_id=group.id, staff_user_id=who.team[position % len(who.team)])
            )
        if position == demo.partner_group and who.partner is not None:
            session.add(Facilitator(group_id=group.id, partner_id=who.partner))


async def _quiz(session: AsyncSession, row: Session, room: int, *, seed: int) -> None:
    if row.link_code is not None:
        return
    day = dt.datetime.combine(row.starts_on, dt.time(8, 0), tzinfo=dt.UTC)
    await quiz.schedule(
        session,
        row.id,
        before=quiz.WindowInput(day, day + dt.timedelta(hours=2)),
        after=quiz.WindowInput(day + dt.timedelta(hours=7), day + dt.timedelta(hours=10)),
        cap=room + 10,
        actor="system:demo",
    )
    if row.starts_on >= dt.date.today():
        return
    items = list(
        (
            await session.execute(
                select(QuizItem).where(QuizItem.session_id == row.id).order_by(QuizItem.position)
            )
        ).scalars()
    )
    windows = {
        w.phase: w
        for w in (
            await session.execute(select(QuizWindow).where(QuizWindow.session_id == row.id))
        ).scalars()
    }
    draw = random.Random(f"snu-demo-{seed}")
    before_n, after_n, kept = room - 8, room - 14, room - 30
    codes = [quiz.new_code(quiz.PAIRING_CODE_LENGTH) for _ in range(kept)]
    for phase, n, right_rate, attitude in (
        (Phase.BEFORE, before_n, 0.42, 2.4),
        (Phase.AFTER, after_n, 0.71, 3.1),
    ):
        for k in range(n):
            response = QuizResponse(
                session_id=row.id, phase=phase.value, pairing_code=codes[k] if k < kept else None
            )
            session.add(response)
            await session.flush()
            session.add_all(
                QuizAnswer(
                    response_id=response.id,
                    item_id=item.id,
                    value=_answer(draw, item, right_rate, attitude),
                )
                for item in items
            )
        windows[phase.value].accepted = n
    windows[Phase.BEFORE.value].refused_full = 0
    windows[Phase.AFTER.value].refused_duplicate = 2
    await session.flush()


def _answer(draw: random.Random, item: QuizItem, right_rate: float, attitude: float) -> int:
    if item.kind == ItemKind.KNOWLEDGE.value:
        assert item.right_choice is not None
        if draw.random() < right_rate:
            return item.right_choice
        return draw.choice([c for c in range(len(item.choices)) if c != item.right_choice])
    score = min(4, max(1, round(draw.gauss(attitude, 0.8))))
    return 5 - score if item.reverse else score
