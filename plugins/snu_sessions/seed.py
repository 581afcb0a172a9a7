"""Demo data: three SNU awareness days of the year at fictitious centres in the pole's
most populous communes, three groups each with their attendance, and — for the days
already past — the anonymous quiz with answers drawn at random (a fixed seed, so every
demo shows the same figures).

Works for any pole (communes come from the pole's département). Idempotent: a session
is found by its centre and first day, and its quiz is added only when it has none.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sdk
from plugins.snu_sessions import quiz
from plugins.snu_sessions.models import (
    Group,
    QuizAnswer,
    QuizItem,
    QuizResponse,
    QuizWindow,
    Session,
)
from plugins.snu_sessions.vocabulary import ItemKind, Method, Objective, Phase

YEAR = dt.date.today().year
# (centre, month, day, groups with their sizes and how many came)
SESSIONS: tuple[tuple[str, int, int, tuple[tuple[str, int, int], ...]], ...] = (
    (
        "Centre SNU du lycée des Glycines (fictif)",
        2,
        17,
        (("Maisonnée A", 34, 33), ("Maisonnée B", 33, 31), ("Maisonnée C", 32, 32)),
    ),
    (
        "Centre SNU de la base de loisirs des Étangs (fictif)",
        4,
        14,
        (("Groupe 1", 36, 35), ("Groupe 2", 35, 35), ("Groupe 3", 30, 27)),
    ),
    (
        "Centre SNU du domaine des Tilleuls (fictif)",
        11,
        24,
        (("Compagnie 1", 34, 0), ("Compagnie 2", 34, 0), ("Compagnie 3", 33, 0)),
    ),
)
METHODS = [Method.QUIZ.value, Method.BOCCIA.value, Method.SIMULATION.value, Method.DEBATE.value]
OBJECTIVES = [o.value for o in Objective]


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
        (s.centre, s.starts_on): s for s in (await session.execute(select(Session))).scalars()
    }
    today = dt.date.today()
    for i, (centre, month, day, groups) in enumerate(SESSIONS):
        starts_on = dt.date(YEAR, month, day)
        row = existing.get((centre, starts_on))
        if row is None:
            row = Session(
                centre=centre,
                commune_insee=communes[i % len(communes)],
                starts_on=starts_on,
                ends_on=starts_on,
                methods=METHODS,
                objectives=OBJECTIVES,
                notes="Journée en trois groupes tournants : quiz, boccia, mises en situation.",
            )
            session.add(row)
            await session.flush()
            past = starts_on < today
            session.add_all(
                Group(session_id=row.id, name=name, size=size, present=present if past else None)
                for name, size, present in groups
            )
            await session.flush()
        await _quiz(session, row, sum(size for _, size, _ in groups), seed=i)
    await session.flush()


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
