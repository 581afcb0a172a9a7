"""The report's screen of the web app: the sections through the named operation, the
downloads, the published copy, and the menu entry for the people who may read it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.access.actions import Actor
from core.api.pages import date_fr
from core.testing.client import GraphQLClient
from tests.api.conftest import TwoPoles
from tests.report.year import YEAR, enter_year


async def test_the_screen_shows_the_year_its_downloads_and_the_published_copy(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    await enter_year(client, two_poles.a)
    headers = await client.auth_headers(two_poles.a)
    page = await client.http.get(f"/rapport?annee={YEAR}", headers=headers)
    assert page.status_code == 200, page.text[-2000:]
    text = page.text
    assert f"<h1>Rapport d'activité {YEAR}</h1>" in text
    assert 'href="/rapport"' in text  # the menu entry
    for url in (f"/reports/activity/{YEAR}.pdf", f"/reports/activity/{YEAR}.xlsx"):
        assert f'href="{url}"' in text
    assert "Le réseau des référents handicap" in text and 'role="img"' in text
    assert '<th scope="row">Moins de 3 ans</th><td class="num">1</td>' in text
    published = await client.http.get(f"/rapport?annee={YEAR}&copie=publiee", headers=headers)
    assert '<th scope="row">Moins de 3 ans</th><td class="num">&lt; 5</td>' in published.text
    assert f'href="/reports/activity/{YEAR}.pdf?copie=publiee"' in published.text


async def test_who_may_not_read_the_report_gets_neither_the_screen_nor_the_entry(
    client: GraphQLClient, two_poles: TwoPoles, make_actor: Any
) -> None:
    outsider = Actor(subject="test:report-outsider", display_name="Bénévole", roles=frozenset())
    headers = await client.auth_headers(two_poles.a, outsider)
    page = await client.http.get("/rapport", headers=headers)
    assert page.status_code in {403, 404}
    home = await client.http.get("/", headers=await client.auth_headers(two_poles.a))
    assert 'href="/rapport"' in home.text


async def test_the_writing_screens_list_the_years_texts_and_funding_for_those_who_may_write(
    client: GraphQLClient, two_poles: TwoPoles, make_actor: Any
) -> None:
    await enter_year(client, two_poles.a)
    headers = await client.auth_headers(two_poles.a)
    report = await client.http.get(f"/rapport?annee={YEAR}", headers=headers)
    assert f'href="/rapport/textes?annee={YEAR}"' in report.text
    assert f'href="/rapport/financements?annee={YEAR}"' in report.text
    texts = await client.http.get(f"/rapport/textes?annee={YEAR}", headers=headers)
    assert texts.status_code == 200, texts.text[-2000:]
    # The year's « Perspectives » (written by the known year's administrator), the two
    # others still to write, each with its link.
    assert "<h3>Perspectives</h3>" in texts.text
    assert f"Écrite par Administratrice de test, le {date_fr(dt.date.today())}." in texts.text
    assert f"/rapport/textes/ecrire?annee={YEAR}&amp;type=news" in texts.text
    assert f"/rapport/textes/ecrire?annee={YEAR}&amp;type=stories" in texts.text
    funding = await client.http.get(f"/rapport/financements?annee={YEAR}", headers=headers)
    assert funding.status_code == 200, funding.text[-2000:]
    assert '<th scope="row">Caisse d\'allocations familiales</th>' in funding.text.replace(
        "&#39;", "'"
    )
    assert "45\u202f000,00 €" in funding.text
    # A staff member reads the report but writes none of it: neither links nor screens.
    staff = await client.auth_headers(two_poles.a, make_actor("staff"))
    report = await client.http.get(f"/rapport?annee={YEAR}", headers=staff)
    assert report.status_code == 200 and "/rapport/textes" not in report.text
    for path in ("/rapport/textes", "/rapport/textes/ecrire?type=news", "/rapport/financements"):
        refused = await client.http.get(f"{path}", headers=staff)
        assert refused.status_code in {403, 404}, path
