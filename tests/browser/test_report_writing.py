"""The team writes its part of a year's report in Chromium, against the demo server: from
the report, « Rédiger les textes », « Nouveautés » previewed then saved, a free section
refused without its title (the text kept) then saved, both printed in the report with their
author and date on the list; « Saisir les financements »: an amount mistyped and a funder
entered twice come back next to their field with what was typed, a line corrected and
removed. A year the demo leaves empty (2022), emptied again at the end; axe-core on each
state, and the three screens at 390 px. A staff member gets no link to them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from core.api.pages import date_fr
from tests.browser.test_web_app import COORDINATOR, STAFF, serious_violations, signed_in
from tests.live import LiveServer

YEAR = 2022
FUNDER = "Mutualité sociale agricole"


@pytest.fixture
def writer(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    # Whatever a failed run left: the year is the demo's empty one again.
    page.goto(f"{live.base_url}/rapport/textes?annee={YEAR}")
    while page.get_by_role("link", name=re.compile("^Modifier")).count():
        page.get_by_role("link", name=re.compile("^Modifier")).first.click()
        page.get_by_role("button", name=re.compile("^Supprimer")).click()
        expect(page.get_by_role("status")).to_have_text("La section est supprimée.")
    page.goto(f"{live.base_url}/rapport/financements?annee={YEAR}")
    while page.get_by_role("button", name=re.compile("^Retirer")).count():
        page.get_by_role("button", name=re.compile("^Retirer")).first.click()
        expect(page.get_by_role("status")).to_have_text("La ligne de financement est retirée.")
    page.context.close()


def test_the_coordinator_writes_the_years_texts_and_funding(writer: Page, live: LiveServer) -> None:
    page = writer
    page.goto(f"{live.base_url}/rapport?annee={YEAR}")
    page.get_by_role("link", name=f"Rédiger les textes du rapport {YEAR}").click()
    expect(page.locator("h1")).to_have_text(f"Textes du rapport {YEAR}")
    expect(page.get_by_text(f"Pas encore écrite pour {YEAR}.")).to_have_count(3)
    assert serious_violations(page) == [], page.url

    # « Nouveautés »: previewed as the report will print it, not yet saved, then saved.
    page.get_by_role("link", name="Écrire « Nouveautés de l'année »").click()
    expect(page.locator("h1")).to_have_text("Écrire « Nouveautés de l'année »")
    expect(page.get_by_text("Écrit en Markdown")).to_be_visible()
    body = "Une **permanence** à Thiers.\n\n- un atelier parents\n- une malle <script>x</script>"
    page.get_by_label("Texte").fill(body)
    page.get_by_role("button", name="Prévisualiser").click()
    preview = page.get_by_role("region", name="Aperçu (pas encore enregistré)")
    expect(preview.locator("strong")).to_have_text("permanence")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview.locator("script")).to_have_count(0)
    expect(page.get_by_label("Texte")).to_have_value(body)
    assert serious_violations(page) == [], "the preview"
    page.get_by_role("button", name="Enregistrer la section").click()
    expect(page.get_by_role("status")).to_have_text("La section est enregistrée.")
    today = date_fr(dt.date.today())
    expect(page.get_by_text(re.compile(f"^Écrite par .+, le {today}\\.$"))).to_have_count(1)

    # A free section without its title: the API's message next to the field, text kept.
    page.get_by_role("link", name="Ajouter une section libre").click()
    page.get_by_label("Texte").fill("Avec la CAF, un guide pour les familles.")
    page.get_by_role("button", name="Enregistrer la section").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#title-error")).to_contain_text("titre")
    expect(page.get_by_label("Texte")).to_have_value("Avec la CAF, un guide pour les familles.")
    assert serious_violations(page) == [], "the form with its error"
    page.get_by_label(re.compile("^Titre de la section")).fill("Un partenariat avec la CAF")
    page.get_by_role("button", name="Enregistrer la section").click()
    expect(page.get_by_role("status")).to_have_text("La section est enregistrée.")
    expect(page.get_by_role("heading", name="Un partenariat avec la CAF")).to_be_visible()
    expect(page.get_by_text(re.compile(f"^Écrite par .+, le {today}\\.$"))).to_have_count(2)

    # Both are in the year's report.
    page.get_by_role("link", name=f"rapport d'activité {YEAR}").click()
    expect(page.locator("main")).to_contain_text("Une permanence à Thiers.")
    expect(page.get_by_role("heading", name="Un partenariat avec la CAF")).to_be_visible()

    # Funding: a mistyped amount, then a funder entered twice, each next to its field.
    page.get_by_role("link", name=f"Saisir les financements {YEAR}").click()
    expect(page.locator("h1")).to_have_text(f"Financements {YEAR}")
    assert serious_violations(page) == [], page.url
    page.get_by_label(re.compile("^Financeur")).fill(FUNDER)
    page.get_by_label(re.compile("^Montant en euros")).fill("beaucoup")
    page.get_by_role("button", name="Ajouter le financement").click()
    expect(page.locator("#amount-error")).to_contain_text("Nombre non reconnu")
    expect(page.get_by_label(re.compile("^Financeur"))).to_have_value(FUNDER)
    assert serious_violations(page) == [], "the funding form with its error"
    page.get_by_label(re.compile("^Montant en euros")).fill("12500,50")
    page.get_by_role("button", name="Ajouter le financement").click()
    expect(page.get_by_role("status")).to_have_text("La ligne de financement est enregistrée.")
    funding = page.get_by_role("table", name=f"Financements {YEAR}")
    expect(funding.get_by_role("row", name=re.compile(FUNDER))).to_contain_text("12\u202f500,50 €")
    page.get_by_label(re.compile("^Financeur")).fill(FUNDER)
    page.get_by_label(re.compile("^Montant en euros")).fill("100")
    page.get_by_role("button", name="Ajouter le financement").click()
    expect(page.locator("#funder-error")).to_contain_text("a déjà une ligne de ce type")
    expect(page.get_by_label(re.compile("^Montant en euros"))).to_have_value("100")

    # Corrected, then removed.
    page.get_by_role("link", name=f"Corriger la ligne {FUNDER}").click()
    expect(page.get_by_label(re.compile("^Montant en euros"))).to_have_value("12500,50")
    page.get_by_label(re.compile("^Montant en euros")).fill("13000")
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.get_by_role("status")).to_have_text("La ligne de financement est enregistrée.")
    expect(funding.get_by_role("row", name=re.compile(FUNDER))).to_contain_text("13\u202f000,00 €")
    expect(funding.locator("tfoot")).to_contain_text("13\u202f000,00 €")
    page.get_by_role("button", name=f"Retirer la ligne {FUNDER}").click()
    expect(page.get_by_role("status")).to_have_text("La ligne de financement est retirée.")
    expect(funding).to_contain_text(f"Aucun financement saisi pour {YEAR}.")


def test_the_writing_screens_fit_390_pixels_and_staff_get_no_link(
    browser: Browser, live: LiveServer
) -> None:
    page = signed_in(browser, live, COORDINATOR, viewport={"width": 390, "height": 844})
    try:
        for path in (
            "/rapport/textes?annee=2025",
            "/rapport/textes/ecrire?annee=2025&type=outlook",
            "/rapport/financements?annee=2025",
        ):
            page.goto(f"{live.base_url}{path}")
            expect(page.locator("h1")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide"
            assert serious_violations(page) == [], path
    finally:
        page.context.close()
    staff = signed_in(browser, live, STAFF)
    try:
        staff.goto(f"{live.base_url}/rapport?annee=2025")
        expect(staff.locator("h1")).to_have_text("Rapport d'activité 2025")
        expect(staff.get_by_role("link", name=re.compile("^Rédiger les textes"))).to_have_count(0)
        staff.goto(f"{live.base_url}/rapport/financements?annee=2025")
        expect(staff.get_by_role("button", name="Ajouter le financement")).to_have_count(0)
    finally:
        staff.context.close()
