"""The family and structure pickers of the forms, for a pole of any size: the family
chosen from its file is always the one in the form (it used to fall back to « Aucune
famille » past the first hundred), a search narrows the list and keeps what the person
typed in the other fields, and the kit reservation's borrower may be a family or a
gestionnaire. Through the real app, as the signed-in coordinator."""

from __future__ import annotations

import datetime as dt
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


async def test_a_search_narrows_the_list_and_keeps_what_was_typed(crowded: Pole) -> None:
    typed = {
        "requesterName": "Mme Recherche",
        "requesterKind": "family",
        "receivedOn": "2026-03-02",
        "channel": "phone",
        "subjects": "place_search",
        "description": "Une description tapée avant de chercher.",
        "familyId": "",
        "structureId": crowded.last_structure,
        "famille": "zzz derniere",
        "famille-liste": "",
    }
    # The « Chercher » button of the family picker: nothing is saved.
    before = await crowded.client.get("/demandes", params={"statut": "new"})
    page = await crowded.client.post("/demandes/nouvelle", data={**typed, "chercher": "famille"})
    assert page.status_code == 200
    assert options(page.text, "familyId") == ["— Aucune famille —", "Famille Zzz Dernière (fictif)"]
    assert "1 famille pour « zzz derniere »." in page.text
    assert 'value="Mme Recherche"' in page.text
    assert "Une description tapée avant de chercher." in page.text
    assert chosen(page.text, "structureId") == crowded.last_structure
    assert chosen(page.text, "requesterKind") == "family"
    after = await crowded.client.get("/demandes", params={"statut": "new"})
    assert after.text.count("Mme Recherche") == before.text.count("Mme Recherche") == 0
    # Enter in the search field presses the form's first button (« Enregistrer »): a
    # search typed but not yet shown is a search too.
    page = await crowded.client.post(
        "/demandes/nouvelle", data={**typed, "famille": "zzz 12", "famille-liste": "zzz derniere"}
    )
    assert page.status_code == 200
    assert len(options(page.text, "familyId")) == 1 + 12  # 012, 112, 120…129
    # Once chosen in the narrowed list, the request is saved with the family.
    saved = await crowded.client.post(
        "/demandes/nouvelle",
        data={**typed, "familyId": crowded.last_family, "famille-liste": "zzz derniere"},
    )
    assert saved.status_code == 303, saved.text
    listed = await crowded.client.get("/demandes", params={"statut": "new"})
    link = re.search(r'<a href="(/demandes/[^"]+)">Mme Recherche</a>', listed.text)
    assert link
    detail = await crowded.client.get(link.group(1))
    assert "Voir le dossier de la famille" in detail.text
    assert crowded.last_family in detail.text


async def test_the_pickers_of_every_form_keep_a_choice_past_the_first_hundred(
    crowded: Pole,
) -> None:
    adhesion = await crowded.client.get(
        "/adhesions/nouvelle", params={"familyId": crowded.last_family}
    )
    assert chosen(adhesion.text, "familyId") == crowded.last_family
    kits = await crowded.client.get(
        "/malles/reserver", params={"structureId": crowded.last_structure}
    )
    assert chosen(kits.text, "structureId") == crowded.last_structure
    # Any other id (another kind, garbage) is no choice.
    odd = await crowded.client.get(
        "/adhesions/nouvelle", params={"familyId": crowded.last_structure}
    )
    assert chosen(odd.text, "familyId") is None


async def api(client: httpx.AsyncClient, query: str, **variables: object) -> dict:
    answer = (await client.post("/graphql", json={"query": query, "variables": variables})).json()
    assert "errors" not in answer, answer
    return answer["data"]


async def test_a_kit_is_reserved_for_a_family_or_a_gestionnaire(crowded: Pole) -> None:
    await api(
        crowded.client,
        "mutation($input: KitInput!) { createKit(input: $input) { errors { message } } }",
        input={"name": "Malle des tests", "theme": "sensory", "components": [{"name": "Balle"}]},
    )
    await api(
        crowded.client,
        "mutation($input: CreateOrganisationInput!) {"
        " createOrganisation(input: $input) { errors { message } } }",
        input={"name": "Commune des tests", "kind": "commune", "communeInsee": "63113"},
    )
    form = await crowded.client.get("/malles/reserver", params={"familyId": crowded.last_family})
    assert 'id="borrowerKind-famille" name="borrowerKind" value="famille" checked' in form.text
    kit = options(form.text, "kitId")
    assert len(kit) > 1
    kit_id = re.findall(
        r'<option value="([^"]+)"',
        re.search(r'<select id="kitId".*?</select>', form.text, re.S).group(0),
    )[0]
    organisation = re.findall(
        r'<option value="([^"]+)"',
        re.search(r'<select id="organisationId".*?</select>', form.text, re.S).group(0),
    )
    assert organisation, "the generated pole has gestionnaires"
    soon = dt.date.today() + dt.timedelta(days=30)
    later = soon + dt.timedelta(days=30)
    base = {"kitId": kit_id, "startsOn": soon.isoformat(), "notes": ""}
    # The family chosen but « gestionnaire » ticked: the gestionnaire is asked for.
    refused = await crowded.client.post(
        "/malles/reserver",
        data={**base, "borrowerKind": "gestionnaire", "familyId": crowded.last_family},
    )
    assert refused.status_code == 400
    assert 'id="organisationId-error"' in refused.text
    assert "Choisissez le gestionnaire qui emprunte la malle." in refused.text
    reserved = await crowded.client.post(
        "/malles/reserver",
        data={
            **base,
            "borrowerKind": "famille",
            "familyId": crowded.last_family,
            "structureId": crowded.last_structure,  # left chosen: not the borrower
        },
    )
    assert reserved.status_code == 303, reserved.text
    loan = await crowded.client.get(reserved.headers["location"])
    assert "Famille Zzz Dernière (fictif)" in loan.text
    for_organisation = await crowded.client.post(
        "/malles/reserver",
        data={
            **{**base, "startsOn": later.isoformat()},
            "borrowerKind": "gestionnaire",
            "organisationId": organisation[0],
        },
    )
    assert for_organisation.status_code == 303, for_organisation.text


async def test_opening_a_follow_up_keeps_the_requests_structure_past_the_first_hundred(
    crowded: Pole,
) -> None:
    data = await api(
        crowded.client,
        "{ families(first: 50) { edges { node { id children { id } } } } }",
    )
    family = next(e["node"]["id"] for e in data["families"]["edges"] if e["node"]["children"])
    saved = await crowded.client.post(
        "/demandes/nouvelle",
        data={
            "requesterName": "M. Structure lointaine",
            "requesterKind": "family",
            "receivedOn": dt.date.today().isoformat(),
            "channel": "phone",
            "subjects": "place_search",
            "familyId": family,
            "structureId": crowded.last_structure,
        },
    )
    assert saved.status_code == 303, saved.text
    listed = await crowded.client.get("/demandes", params={"statut": "new"})
    link = re.search(r'<a href="/demandes/([^"]+)">M. Structure lointaine</a>', listed.text)
    assert link
    form = await crowded.client.get("/suivis/nouveau", params={"demande": link.group(1)})
    assert form.status_code == 200
    box = re.search(
        rf'<input type="checkbox"[^>]*value="{re.escape(crowded.last_structure)}"[^>]*>', form.text
    )
    assert box and "checked" in box.group(0)
    # A search keeps it ticked and lists only what matches beside it.
    searched = await crowded.client.post(
        f"/suivis/nouveau?demande={link.group(1)}",
        data={
            "structureIds": crowded.last_structure,
            "structure": "zzz creche 00",
            "chercher": "structure",
            "openedOn": "2026-01-05",
        },
    )
    assert searched.status_code == 200
    labels = re.findall(r'<label for="structureIds-\d+">([^<]*)</label>', searched.text)
    assert labels[0].startswith("Zzz Crèche Dernière")
    assert len(labels) == 1 + 11  # 000…009 and 100
    assert 'value="2026-01-05"' in searched.text
