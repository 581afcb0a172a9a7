"""« Aujourd'hui » asks the API only for what it shows: the first ten of each card and
the totals. Its SQL statements stay the same as a pole's backlog grows (20 children's
casework, then 60 more unanswered requests and idle follow-ups), on SQLite and
PostgreSQL, through the real app as the signed-in coordinator."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import httpx
from sqlalchemy import select

from benchmarks.generator import GeneratedPole, generate
from benchmarks.lists import StatementCounter
from core.app.app import create_app
from core.auth.models import User
from core.domain.casework.models import FollowUp, Request
from core.domain.families.models import Child, Family
from core.tenancy.database import Database
from core.testing.accounts import access_token
from tests.api.conftest import settings_for
from tests.conftest import DbUrls

LONG_AGO = dt.date.today() - dt.timedelta(days=200)


async def more_backlog(db: Database, pole: GeneratedPole, size: int) -> None:
    """``size`` requests left without answer and ``size`` follow-ups without activity."""
    async with db.session(pole.tenant.id) as session:
        commune = (await session.execute(select(Family.commune_insee).limit(1))).scalar_one()
        family = Family(
            name="Famille Arriéré (fictif)", search_name="famille arriere", commune_insee=commune
        )
        session.add(family)
        await session.flush()
        for i in range(size):
            session.add(
                Request(
                    received_on=LONG_AGO - dt.timedelta(days=i),
                    channel="phone",
                    requester_kind="family",
                    requester_name=f"Demandeur {i} (fictif)",
                    subjects=["mdph"],
                    status="new",
                )
            )
            child = Child(
                family_id=family.id,
                first_name=f"Enfant{i}",
                birth_date=dt.date(2023, 1, 1),
                commune_insee=commune,
            )
            session.add(child)
            await session.flush()
            session.add(FollowUp(child_id=child.id, opened_on=LONG_AGO, status="open"))
        await session.commit()


def card_count(html: str, heading: str) -> int:
    found = re.search(heading + r' <span class="count">\(([\d\u202f]+)\)', html)
    assert found, heading
    return int(found.group(1).replace("\u202f", ""))


async def test_the_home_page_costs_the_same_statements_whatever_the_backlog(
    db: Database, db_urls: DbUrls
) -> None:
    (pole,) = await generate(db, poles=1, children=20, prefix=f"home-{uuid.uuid4().hex[:8]}")
    app = create_app(settings_for(db_urls), db)
    async with db.reference_session() as session:
        coordinator = (
            await session.execute(select(User).where(User.id == pole.coordinator_id))
        ).scalar_one()
    token = await access_token(app.state.auth, coordinator, pole.tenant)
    headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": pole.tenant.slug}
    measured, pages = [], []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        for size in (0, 60):
            await more_backlog(db, pole, size)
            assert (await client.get("/", headers=headers)).status_code == 200  # warm-up
            with StatementCounter(db) as counter:
                answer = await client.get("/", headers=headers)
            assert answer.status_code == 200
            measured.append(counter.count)
            pages.append(answer.text)
    assert measured[0] == measured[1], measured
    before, after = pages
    waiting = "Demandes en attente de réponse"
    idle = "Suivis sans activité récente"
    assert card_count(after, waiting) == card_count(before, waiting) + 60
    assert card_count(after, idle) == card_count(before, idle) + 60
    # Ten of each, and the link to the whole list.
    assert after.count("Demandeur ") <= 20  # the waiting card and the reminders card
    assert "/demandes?statut=en-attente" in after
    assert "/rappels?type=follow_up_idle" in after
