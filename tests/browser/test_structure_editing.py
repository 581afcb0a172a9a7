"""Keeping a structure's record in Chromium, against the demo server: the coordinator
corrects a crèche (a mistyped number of places given back next to its field, the
rest of the form kept), adds a contact person (a nameless one refused), corrects
her address (a mistyped one kept and flagged), then removes her after a
confirmation step. axe-core on every page, and the correction form at 390 px."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_web_app import COORDINATOR, serious_violations, signed_in
from tests.live import LiveServer


@pytest.fixture
def structure_keeper(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def test_a_creche_and_its_contacts_are_kept_from_its_page(
    structure_keeper: Page, browser: Browser, live: LiveServer
) -> None:
    page = structure_keeper
    name = f"Crèche Les Corrections {uuid.uuid4().hex[:6]}"
    page.goto(f"{live.base_url}/annuaire/structures/nouvelle")
    page.fill("#name", name)
    page.select_option("#kind", label="EAJE (crèche, multi-accueil)")
    page.fill("#commune", "Riom")
    page.fill("#ageMaxMonths", "48")
    page.get_by_role("button", name="Ajouter la structure").click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("main")).to_contain_text("à 48 mois")
    structure_url = page.url.split("?")[0]

    page.get_by_role("link", name="Corriger la fiche").click()
    expect(page.locator("h1")).to_have_text(f"Corriger la fiche de {name}")
    expect(page.locator("#commune")).to_have_value("Riom")
    expect(page.locator("#ageMaxMonths")).to_have_value("48")
    accessible(page)
    page.fill("#capacity", "vingt")
    page.fill("#phone", "04 73 00 00 01")
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#capacity-error")).to_be_visible()
    expect(page.locator("#capacity")).to_have_value("vingt")
    expect(page.locator("#phone")).to_have_value("04 73 00 00 01")
    accessible(page)
    page.fill("#capacity", "30")
    page.fill("#ageMaxMonths", "72")
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.get_by_role("status")).to_have_text("La fiche est corrigée.")
    assert page.url.split("?")[0] == structure_url
    main = page.locator("main")
    expect(main).to_contain_text("30")
    expect(main).to_contain_text("à 72 mois")
    expect(main).to_contain_text("04 73 00 00 01")
    expect(main).to_contain_text("Riom")

    page.get_by_role("link", name="Ajouter un contact").click()
    accessible(page)
    page.fill("#function", "Directrice")
    page.get_by_role("button", name="Ajouter le contact").click()
    expect(page.locator("#lastName-error")).to_contain_text("Un nom ou un prénom")
    expect(page.locator("#function")).to_have_value("Directrice")
    accessible(page)
    page.fill("#firstName", "Nadia")
    page.fill("#lastName", "Essai")
    page.get_by_role("button", name="Ajouter le contact").click()
    expect(page.get_by_role("status")).to_have_text("Le contact est ajouté.")
    expect(main).to_contain_text("Nadia Essai (Directrice)")
    accessible(page)

    page.get_by_role("link", name="Corriger le contact Nadia Essai").click()
    expect(page.locator("#firstName")).to_have_value("Nadia")
    page.fill("#email", "nadia.essai-sans-arobase")
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.locator("#email-error")).to_contain_text("Adresse électronique invalide")
    expect(page.locator("#email")).to_have_value("nadia.essai-sans-arobase")
    page.fill("#email", "nadia.essai@creche.example")
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.get_by_role("status")).to_have_text("Le contact est corrigé.")
    expect(main).to_contain_text("nadia.essai@creche.example")

    page.get_by_role("link", name="Retirer le contact Nadia Essai").click()
    expect(page.locator(".warning")).to_contain_text("ne sera plus un contact de " + name)
    accessible(page)
    page.get_by_role("button", name="Retirer le contact").click()
    expect(page.get_by_role("status")).to_have_text("Le contact est retiré.")
    expect(main).to_contain_text("Aucun contact enregistré.")

    narrow = signed_in(browser, live, COORDINATOR, viewport={"width": 390, "height": 844})
    try:
        narrow.goto(structure_url)
        narrow.get_by_role("link", name="Corriger la fiche").click()
        width = narrow.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the correction form is {width} px wide"
    finally:
        narrow.context.close()


def test_a_staff_member_without_the_right_sees_no_correction_link(
    browser: Browser, live: LiveServer
) -> None:
    """The partner structure's role reads no directory: the correction pages answer
    403 (the engine's gate), as the API would."""
    page = signed_in(browser, live, "partner-structure@puy-de-dome.maillage.example")
    try:
        answer = page.goto(f"{live.base_url}/annuaire/structures/corriger?id=x")
        assert answer is not None and answer.status == 403
        expect(page.get_by_role("link", name=re.compile("Corriger la fiche"))).to_have_count(0)
    finally:
        page.context.close()
