"""« Devenir intervenant·e handisitting »: the pole's public application form over HTTP,
without an account (plugins/handisitting/public.py, decision 204).

- an application sent from the form is a sitter at « Candidature reçue », by the
  candidate (not a staff member), that staff read in their list;
- bad input: the form comes back with what was typed and a message per field, nothing
  written; an address already known is refused without a second sitter;
- the honeypot field: answered like a success, nothing written;
- the limit of applications per client address and hour in the pole;
- a form posted from another site is refused;
- another pole's slug, a pole that did not enable the module, an unknown pole: 404.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import func, select

from plugins.handisitting import public
from plugins.handisitting.models import Sitter
from tests.plugins.handisitting.operations import data

STAFF_LIST = """{ handisitting { sitters(first: 50) { totalCount edges { node {
  firstName lastName status { value label } vetting { status { value } reason } } } } } }"""


def _form(**change: Any) -> dict[str, Any]:
    return {
        "prenom": "Inès",
        "nom": "Boulanger",
        "courriel": "ines.boulanger@exemple.invalid",
        "telephone": "06 12 34 56 78",
        "commune": "Arras",
        "distance": "15",
        "formation": "medico_social",
        "precisions": "2e année d'éducatrice spécialisée à l'IRTS d'Arras",
        "langues": "français, LSF",
        "competences": ["autism", "first_aid"],
        "consentement": "oui",
        public.HONEYPOT: "",
        **change,
    }


@pytest_asyncio.fixture
async def web(maillage_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=maillage_app, client=("203.0.113.7", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="https://maillage.test") as http:
        yield http


async def _pole(make_tenant: Any, enable_plugin: Any, *, enabled: bool = True) -> Any:
    tenant = await make_tenant("62")
    if enabled:
        await enable_plugin(tenant, "handisitting")
    return tenant


async def _staff_list(graphql: Any, make_actor: Any, tenant: Any) -> dict[str, Any]:
    result = await graphql.execute(STAFF_LIST, tenant=tenant, actor=make_actor("coordinator"))
    found: dict[str, Any] = data(result, "handisitting", "sitters")
    return found


def _value(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


async def test_a_student_applies_and_staff_find_her_application(
    make_tenant: Any, enable_plugin: Any, web: httpx.AsyncClient, graphql: Any, make_actor: Any
) -> None:
    pole = await _pole(make_tenant, enable_plugin)
    url = f"/p/{pole.slug}/handisitting/candidature"
    page = await web.get(url)
    assert page.status_code == 200 and "set-cookie" not in page.headers
    assert "Devenir intervenant·e handisitting" in page.text and 'lang="fr"' in page.text
    # The skills come from the pole's vocabulary; the notice says the pole's retention.
    assert 'value="autism"' in page.text and "Troubles du spectre de l&#x27;autisme" in page.text
    assert "24 mois après votre dernière garde" in page.text and "CNIL" in page.text

    sent = await web.post(url, data=_form())
    assert sent.status_code == 303 and sent.headers["location"] == f"{url}/envoyee"
    thanks = await web.get(sent.headers["location"])
    assert thanks.status_code == 200 and "Candidature envoyée" in thanks.text
    assert "extrait de casier judiciaire" in thanks.text and "PSC1" in thanks.text

    listed = await _staff_list(graphql, make_actor, pole)
    assert listed["totalCount"] == 1
    sitter = listed["edges"][0]["node"]
    assert (sitter["firstName"], sitter["lastName"]) == ("Inès", "Boulanger")
    assert sitter["status"] == {"value": "applied", "label": "Candidature reçue"}
    assert sitter["vetting"] == [{"status": {"value": "applied"}, "reason": public.ONLINE_REASON}]


async def test_bad_input_keeps_what_was_typed_and_writes_nothing(
    make_tenant: Any, enable_plugin: Any, web: httpx.AsyncClient, graphql: Any, make_actor: Any
) -> None:
    pole = await _pole(make_tenant, enable_plugin)
    url = f"/p/{pole.slug}/handisitting/candidature"
    bad = _form(
        prenom=" ",
        courriel="pas-une-adresse",
        commune="Ville qui n'existe pas",
        distance="loin",
        consentement="",
    )
    page = await web.post(url, data=bad)
    assert page.status_code == 400
    text = page.text
    assert "Votre candidature n'est pas encore envoyée" in text
    for field in ("prenom", "courriel", "commune", "distance", "consentement"):
        assert f'id="{field}-erreur"' in text, field  # next to the field
        assert f'<a href="#{field}">' in text, field  # and in the summary at the top
    assert "Adresse électronique invalide." in text
    assert "Aucune commune « Ville qui n&#x27;existe pas » dans le département" in text
    # What was typed is kept, the boxes stay ticked.
    assert _value(text, "nom") == "Boulanger"
    assert _value(text, "courriel") == "pas-une-adresse"
    assert _value(text, "distance") == "loin"
    assert re.search(r'value="autism" checked', text) and re.search(
        r'value="first_aid" checked', text
    )
    assert "2e année d&#x27;éducatrice spécialisée" in text
    assert '<option value="medico_social" selected>' in text
    assert (await _staff_list(graphql, make_actor, pole))["totalCount"] == 0

    # A name several communes share lists them; the right one is taken.
    several = await web.post(url, data=_form(commune="Saint-"))
    assert several.status_code == 400 and "Plusieurs communes correspondent" in several.text
    assert (await web.post(url, data=_form())).status_code == 303
    # The same address twice: refused, one sitter only.
    again = await web.post(url, data=_form(prenom="Autre"))
    assert (
        again.status_code == 409 and "Une candidature existe déjà avec cette adresse" in again.text
    )
    assert _value(again.text, "prenom") == "Autre"
    assert (await _staff_list(graphql, make_actor, pole))["totalCount"] == 1


async def test_the_honeypot_and_another_site_store_nothing(
    make_tenant: Any, enable_plugin: Any, web: httpx.AsyncClient, graphql: Any, make_actor: Any
) -> None:
    pole = await _pole(make_tenant, enable_plugin)
    url = f"/p/{pole.slug}/handisitting/candidature"
    robot = await web.post(url, data=_form(**{public.HONEYPOT: "https://spam.example"}))
    # Told nothing: the same answer as a success.
    assert robot.status_code == 303 and robot.headers["location"] == f"{url}/envoyee"
    forged = await web.post(
        url, data=_form(), headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://x.example"}
    )
    assert forged.status_code == 403 and "vient d&#x27;un autre site" in forged.text
    assert (await _staff_list(graphql, make_actor, pole))["totalCount"] == 0


async def test_applications_per_address_and_hour_are_limited_in_each_pole(
    make_tenant: Any,
    enable_plugin: Any,
    web: httpx.AsyncClient,
    maillage_app: Any,
    graphql: Any,
    make_actor: Any,
) -> None:
    pole = await _pole(make_tenant, enable_plugin)
    other = await _pole(make_tenant, enable_plugin)
    url = f"/p/{pole.slug}/handisitting/candidature"
    # A mistake is not an application: it uses nothing of the limit.
    assert (await web.post(url, data=_form(distance=""))).status_code == 400
    for n in range(public.APPLICATIONS_PER_HOUR):
        sent = await web.post(url, data=_form(courriel=f"etudiante{n}@exemple.invalid"))
        assert sent.status_code == 303, n
    over = await web.post(url, data=_form(courriel="une-de-trop@exemple.invalid"))
    assert over.status_code == 429
    assert "Trop de candidatures ont été envoyées depuis cette connexion" in over.text
    assert _value(over.text, "courriel") == "une-de-trop@exemple.invalid"
    listed = await _staff_list(graphql, make_actor, pole)
    assert listed["totalCount"] == public.APPLICATIONS_PER_HOUR
    # Another address in the same pole, and the same address in another pole, still apply.
    transport = httpx.ASGITransport(app=maillage_app, client=("198.51.100.4", 51000))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://maillage.test"
    ) as other_web:
        sent = await other_web.post(url, data=_form(courriel="ailleurs@exemple.invalid"))
        assert sent.status_code == 303
    sent = await web.post(
        f"/p/{other.slug}/handisitting/candidature", data=_form(courriel="x@exemple.invalid")
    )
    assert sent.status_code == 303
    # Under the other pole's address, the application is the other pole's.
    assert (await _staff_list(graphql, make_actor, other))["totalCount"] == 1
    assert (await _staff_list(graphql, make_actor, pole))["totalCount"] == (
        public.APPLICATIONS_PER_HOUR + 1
    )


async def test_unknown_or_disabled_poles_answer_404(
    make_tenant: Any, enable_plugin: Any, web: httpx.AsyncClient, maillage_db: Any
) -> None:
    off = await _pole(make_tenant, enable_plugin, enabled=False)
    for path in (
        f"/p/{off.slug}/handisitting/candidature",
        "/p/pas-un-pole-du-tout/handisitting/candidature",
    ):
        shown = await web.get(path)
        posted = await web.post(path, data=_form())
        assert shown.status_code == posted.status_code == 404, path
        assert "Page introuvable" in shown.text
    async with maillage_db.session(off.id) as session:
        assert await session.scalar(select(func.count()).select_from(Sitter)) == 0
