"""/suivis, the list that finds a follow-up: by status, referent (« mes suivis ») and
the child's or the family's name, 50 a page; its SQL statements stay the same as the
pole's follow-ups grow. A request turned into a follow-up links to it, and the
family's file lists its children's follow-ups. The requests, families, sessions, events, adhesions,
structures, partners, reminders and loans lists page the same way, to their last item, their
filters kept (several values of one included). Through the real app, as the signed-in
coordinator, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest_asyncio
from sqlalchemy import select
from strawberry import relay

from benchmarks.generator import GeneratedPole, generate
from benchmarks.lists import StatementCounter
from core.app.app import create_app
from core.auth.models import User
from core.domain.adhesions.models import Adhesion
from core.domain.casework.models import FollowUp, Request
from core.domain.families.models import Child, Family
from core.domain.kits.models import Kit, KitLoan
from core.domain.outreach.models import AwarenessSession, OutreachEvent
from core.domain.structures.models import Partner, Structure
from core.tenancy.database import Database
from core.territory.names import normalize_name
from core.testing.accounts import access_token
from tests.api.conftest import settings_for
from tests.conftest import DbUrls


@dataclass
class Pole:
    client: httpx.AsyncClient
    pole: GeneratedPole
    db: Database


@pytest_asyncio.fixture
async def pole(db: Database, db_urls: DbUrls) -> AsyncIterator[Pole]:
    (generated,) = await generate(db, poles=1, children=20, prefix=f"suivis-{uuid.uuid4().hex[:8]}")
    app = create_app(settings_for(db_urls), db)
    async with db.reference_session() as session:
        coordinator = (
            await session.execute(select(User).where(User.id == generated.coordinator_id))
        ).scalar_one()
    token = await access_token(app.state.auth, coordinator, generated.tenant)
    headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": generated.tenant.slug}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers
    ) as client:
        yield Pole(client, generated, db)


async def more_follow_ups(
    pole: Pole, size: int, name: str, referent: uuid.UUID | None = None
) -> tuple[uuid.UUID, uuid.UUID]:
    """``size`` open follow-ups of the children of a new family ``name`` (the children
    « Éloïse0 »…); the family's id and the last follow-up's request."""
    async with pole.db.session(pole.pole.tenant.id) as session:
        commune = (await session.execute(select(Family.commune_insee).limit(1))).scalar_one()
        family = Family(name=name, search_name=normalize_name(name), commune_insee=commune)
        session.add(family)
        await session.flush()
        request = Request(
            received_on=dt.date(2026, 1, 5),
            channel="phone",
            requester_kind="family",
            requester_name=f"Demandeur {name}",
            subjects=["place_search"],
            status="follow_up",
            family_id=family.id,
        )
        session.add(request)
        await session.flush()
        for i in range(size):
            child = Child(
                family_id=family.id,
                first_name=f"Éloïse{i}",
                birth_date=dt.date(2023, 1, 1),
                commune_insee=commune,
            )
            session.add(child)
            await session.flush()
            session.add(
                FollowUp(
                    child_id=child.id,
                    opened_on=dt.date(2026, 1, 6),
                    status="open",
                    referent_user_id=referent,
                    request_id=request.id if i == size - 1 else None,
                )
            )
        await session.commit()
        return family.id, request.id


def count(page: str) -> int:
    found = re.search(r"<caption>([\d\u202f]+) suivi", page)
    assert found, page
    return int(found.group(1).replace("\u202f", ""))


async def test_the_list_costs_the_same_statements_whatever_the_follow_ups(pole: Pole) -> None:
    measured, totals = [], []
    for size in (0, 70):
        if size:
            await more_follow_ups(pole, size, f"Famille Nombreuse {size} (fictif)")
        assert (await pole.client.get("/suivis?statut=tous")).status_code == 200  # warm-up
        with StatementCounter(pole.db) as counter:
            page = await pole.client.get("/suivis?statut=tous")
        assert page.status_code == 200
        measured.append(counter.count)
        totals.append(count(page.text))
    assert measured[0] == measured[1], measured
    assert totals[1] == totals[0] + 70
    # 50 a page, and the next page keeps the filters.
    page = await pole.client.get("/suivis?statut=tous")
    assert page.text.count('<a href="/suivis/') == 50
    following = re.search(r'<a href="(/suivis\?[^"]+)">Suivis suivants</a>', page.text)
    assert following, page.text
    second = await pole.client.get(html.unescape(following.group(1)))
    assert "statut=tous" in html.unescape(following.group(1))
    assert second.text.count('<a href="/suivis/') == min(50, totals[1] - 50)


async def test_the_list_finds_by_name_status_and_referent(pole: Pole) -> None:
    family_id, request_id = await more_follow_ups(
        pole, 2, "Famille Trouvée (fictif)", referent=pole.pole.coordinator_id
    )
    await more_follow_ups(pole, 1, "Famille Autre (fictif)")
    by_family = await pole.client.get("/suivis", params={"recherche": "trouvee"})
    assert count(by_family.text) == 2
    assert "Famille Trouvée (fictif)" in by_family.text
    by_child = await pole.client.get("/suivis", params={"recherche": "Éloïse1 trouvée"})
    assert count(by_child.text) == 1
    assert ">Éloïse1</a>" in by_child.text
    closed = await pole.client.get("/suivis", params={"statut": "clos", "recherche": "trouvee"})
    assert count(closed.text) == 0
    assert "Aucun suivi ne correspond à ces critères." in closed.text
    mine = await pole.client.get("/suivis", params={"referent": "moi", "statut": "tous"})
    assert count(mine.text) >= 2
    assert "Famille Autre (fictif)" not in mine.text
    # The request turned into a follow-up links to it; the family's file lists both.
    request = await pole.client.get(f"/demandes/{relay.to_base64('Request', str(request_id))}")
    link = re.search(r'<a href="(/suivis/[^"]+)">Voir le suivi de Éloïse1</a>', request.text)
    assert link, request.text
    assert (await pole.client.get(link.group(1))).status_code == 200
    file = await pole.client.get(f"/familles/{relay.to_base64('Family', str(family_id))}")
    assert "Suivis des enfants" in file.text
    assert file.text.count("Suivi ouvert le 6 janvier 2026") == 2
    # In the navigation, for those who may read follow-ups.
    assert '<a href="/suivis"' in file.text


async def test_requests_and_families_are_listed_a_page_at_a_time_to_the_last(pole: Pole) -> None:
    # /demandes showed the 100 most recent and nothing past them; /familles the first 50.
    # Every list now pages the same way (core.api.pages.Pager), its filters kept.
    async with pole.db.session(pole.pole.tenant.id) as session:
        commune = (await session.execute(select(Family.commune_insee).limit(1))).scalar_one()
        for i in range(120):
            name = f"Famille Paginée {i:03d} (fictif)"
            family = Family(name=name, search_name=normalize_name(name), commune_insee=commune)
            session.add(family)
            await session.flush()
            held = dt.date(2025, 1, 1) + dt.timedelta(days=i)
            session.add(
                Adhesion(
                    year=2025,
                    category="family",
                    family_id=family.id,
                    joined_on=held,
                    amount_cents=1000,
                    recorded_by="test",
                )
            )
            session.add(
                AwarenessSession(
                    kind="territorial",
                    audience="mixed",
                    commune_insee=commune,
                    held_on=held,
                    half_days=1,
                    participants_count=1000 + i,
                )
            )
            session.add(
                OutreachEvent(
                    kind="forum", commune_insee=commune, held_on=held, title=f"Forum paginé {i:03d}"
                )
            )
            session.add(
                Structure(
                    name=f"Crèche Paginée {i:03d}",
                    search_name=f"creche paginee {i:03d}",
                    kind="eaje",
                    commune_insee=commune,
                )
            )
            session.add(
                Partner(
                    name=f"Partenaire Paginé {i:03d}",
                    search_name=f"partenaire pagine {i:03d}",
                    kind="camsp",
                    commune_insee=commune,
                )
            )
            # Each kit out since a day of 2025 and due back that day: late, on /prets.
            kit = Kit(
                name=f"Malle Paginée {i:03d}", search_name=f"malle paginee {i:03d}", theme="sensory"
            )
            borrower = Structure(
                name=f"Crèche Empruntrice {i:03d}",
                search_name=f"creche empruntrice {i:03d}",
                kind="eaje",
                commune_insee=commune,
            )
            session.add_all([kit, borrower])
            await session.flush()
            session.add(
                KitLoan(
                    kit_id=kit.id,
                    starts_on=held,
                    ends_on=held,
                    structure_id=borrower.id,
                    borrower_kind="eaje",
                    status="out",
                    departed_on=held,
                )
            )
            session.add(
                Request(
                    received_on=dt.date(2025, 1, 1) + dt.timedelta(days=i),
                    channel="phone",
                    requester_kind="family",
                    requester_name=f"Demandeur paginé {i:03d}",
                    subjects=["place_search"],
                )
            )
        await session.commit()

    async def walk(first: str, link_text: str, pattern: str) -> list[str]:
        seen: list[str] = []
        url: str | None = first
        while url:
            page = await pole.client.get(url)
            assert page.status_code == 200
            seen += re.findall(pattern, page.text)
            following = re.search(rf'<a href="([^"]+)">{link_text}</a>', page.text)
            if url != first:
                assert ">Première page</a>" in page.text
            if following:  # the next page keeps the filters, each of their values
                asked = parse_qs(urlsplit(first).query)
                kept = parse_qs(urlsplit(html.unescape(following.group(1))).query)
                assert {name: kept.get(name) for name in asked} == asked, following.group(1)
            url = html.unescape(following.group(1)) if following else None
        return seen

    received = await walk("/demandes?du=2025-01-01&au=2025-12-31", "Demandes suivantes",
                          r"Demandeur paginé (\d{3})")  # fmt: skip
    assert sorted(received) == [f"{i:03d}" for i in range(120)]
    assert received[0] == "119"  # the most recent first, over three pages
    families = await walk("/familles?recherche=paginee", "Familles suivantes",
                          r"Famille Paginée (\d{3})")  # fmt: skip
    assert sorted(families) == [f"{i:03d}" for i in range(120)]
    sessions = await walk("/sensibilisations?annee=2025", "Sensibilisations suivantes",
                          r">1\u202f?(\d{3})<")  # fmt: skip
    assert sorted(sessions) == [f"{i:03d}" for i in range(120)]
    events = await walk("/evenements?annee=2025", "Événements suivants", r"Forum paginé (\d{3})")
    assert sorted(events) == [f"{i:03d}" for i in range(120)]
    adhesions = await walk("/adhesions?annee=2025", "Adhésions suivantes",
                           r"Famille Paginée (\d{3})")  # fmt: skip
    assert sorted(set(adhesions)) == [f"{i:03d}" for i in range(120)]
    structures = await walk("/annuaire?recherche=paginee", "Structures suivantes",
                            r"Crèche Paginée (\d{3})")  # fmt: skip
    assert sorted(structures) == [f"{i:03d}" for i in range(120)]
    partners = await walk("/annuaire/partenaires?recherche=pagine", "Partenaires suivants",
                          r"Partenaire Paginé (\d{3})")  # fmt: skip
    assert sorted(partners) == [f"{i:03d}" for i in range(120)]
    # The reminders of two kinds (the requests above, unanswered since 2025), oldest first.
    reminder = r">Demande du [\d/]+ \(Demandeur paginé (\d{3})\) sans réponse</a>"
    reminders = await walk(
        "/rappels?type=request_unanswered&type=follow_up_idle", "Rappels suivants", reminder
    )
    assert reminders == [f"{i:03d}" for i in range(120)]
    late = await walk("/prets?liste=retards", "Prêts suivants", r">Malle Paginée (\d{3})<")
    assert late == [f"{i:03d}" for i in range(120)]
