"""The family and structure pickers of the forms, for a pole of any size: the family
chosen from its file is always the one in the form (it used to fall back to « Aucune
famille » past the first hundred), a search narrows the list and keeps what the person
typed in the other fields, and the kit reservation's borrower may be a family or a
gestionnaire. Through the real app, as the signed-in coordinator."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest_asyncio
from sqlalchemy import select
from strawberry import relay

from benchmarks.generator import GeneratedPole, generate
from core.app.app import create_app
from core.auth.models import User
from core.domain.families.models import Family
from core.domain.structures.models import Structure
from core.tenancy.database import Database
from core.territory.names import normalize_name
from core.testing.accounts import access_token
from tests.api.conftest import settings_for
from tests.conftest import DbUrls

# More than the hundred the pickers used to list, named to sort after the others.
EXTRA = 130


@dataclass
class Pole:
    client: httpx.AsyncClient
    pole: GeneratedPole
    last_family: str  # node id of « Famille Zzz Dernière », past the first hundred
    last_structure: str


async def _crowd(db: Database, pole: GeneratedPole) -> tuple[str, str]:
    async with db.session(pole.tenant.id) as session:
        commune = (await session.execute(select(Family.commune_insee).limit(1))).scalar_one()
        families = [
            Family(
                name=f"Famille Zzz {i:03d} (fictif)",
                search_name=normalize_name(f"Famille Zzz {i:03d} (fictif)"),
                commune_insee=commune,
            )
            for i in range(EXTRA)
        ]
        last = Family(
            name="Famille Zzz Dernière (fictif)",
            search_name=normalize_name("Famille Zzz Dernière (fictif)"),
            commune_insee=commune,
        )
        structure = (await session.execute(select(Structure).limit(1))).scalar_one()
        structures = [
            Structure(
                name=f"Zzz Crèche {i:03d}",
                search_name=normalize_name(f"Zzz Crèche {i:03d}"),
                kind=structure.kind,
                commune_insee=structure.commune_insee,
            )
            for i in range(EXTRA)
        ]
        last_structure = Structure(
            name="Zzz Crèche Dernière",
            search_name=normalize_name("Zzz Crèche Dernière"),
            kind=structure.kind,
            commune_insee=structure.commune_insee,
        )
        session.add_all([*families, last, *structures, last_structure])
        await session.commit()
        return (
            relay.to_base64("Family", str(last.id)),
            relay.to_base64("Structure", str(last_structure.id)),
        )


@pytest_asyncio.fixture
async def crowded(db: Database, db_urls: DbUrls) -> AsyncIterator[Pole]:
    (pole,) = await generate(db, poles=1, children=20, prefix=f"pick-{uuid.uuid4().hex[:8]}")
    last_family, last_structure = await _crowd(db, pole)
    app = create_app(settings_for(db_urls), db)
    async with db.reference_session() as session:
        coordinator = (
            await session.execute(select(User).where(User.id == pole.coordinator_id))
        ).scalar_one()
    token = await access_token(app.state.auth, coordinator, pole.tenant)
    headers = {"authorization": f"Bearer {token}", "x-maillage-tenant": pole.tenant.slug}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers
    ) as client:
        yield Pole(client, pole, last_family, last_structure)


def chosen(html: str, select_id: str) -> str | None:
    """The value of the selected option of ``<select id=select_id>``."""
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
    assert block, select_id
    found = re.search(r'<option value="([^"]*)"[^>]*\bselected\b', block.group(0))
    return found.group(1) if found else None


def options(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
    assert block, select_id
    return re.findall(r"<option [^>]*>([^<]*)</option>", block.group(0))


async def test_a_family_past_the_first_hundred_stays_chosen_in_the_request_form(
    crowded: Pole,
) -> None:
    page = await crowded.client.get("/demandes/nouvelle", params={"familyId": crowded.last_family})
    assert page.status_code == 200
    assert chosen(page.text, "familyId") == crowded.last_family
    assert "Famille Zzz Dernière (fictif)" in options(page.text, "familyId")
