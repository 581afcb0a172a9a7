"""The directory screens (« Annuaire ») in Chromium, against the demo server: the
coordinator finds a structure, adds a crèche, adds it again (refused as a probable
duplicate next to its name, then confirmed), merges the two records from « Doublons à
fusionner », and adds a gestionnaire (a mistyped SIREN given back next to its field)
and a partner. axe-core finds nothing serious on any of these pages, at 390 px too."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_web_app import COORDINATOR, OTHER_POLE, serious_violations, signed_in
from tests.live import LiveServer


@pytest.fixture
def coordinator(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def _add_creche(page: Page, name: str) -> None:
    page.fill("#name", name)
    page.select_option("#kind", label="EAJE (crèche, multi-accueil)")
    page.fill("#commune", "Thiers")
    page.fill("#capacity", "24")
    page.get_by_role("button", name="Ajouter la structure").click()


def test_a_creche_added_twice_is_merged_from_the_duplicates(
    coordinator: Page, browser: Browser, live: LiveServer
) -> None:
    page = coordinator
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Annuaire"
    ).click()
    expect(page.locator("h1")).to_have_text("Structures d'accueil")
    accessible(page)
    page.fill("#recherche", "bout'chous")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("tbody")).to_contain_text("Les Bout'chous")

    name = f"Crèche Les Essais {uuid.uuid4().hex[:6]}"
    page.get_by_role("link", name="Ajouter une structure").click()
    accessible(page)
    _add_creche(page, name)
    expect(page.get_by_role("status")).to_have_text("La structure est ajoutée à l'annuaire.")
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("main")).to_contain_text("Thiers")
    accessible(page)
    structure_url = page.url.split("?")[0]

    # The same crèche again: a probable duplicate, refused next to its name, kept.
    page.goto(f"{live.base_url}/annuaire/structures/nouvelle")
    _add_creche(page, name)
    expect(page).to_have_title(re.compile("^Erreur : "))
    expect(page.locator("#name-error")).to_contain_text("existe déjà")
    expect(page.locator("#commune")).to_have_value("Thiers")
    accessible(page)
    page.get_by_label(re.compile("c'est une autre structure")).check()
    page.get_by_role("button", name="Ajouter la structure").click()
    expect(page.get_by_role("status")).to_have_text("La structure est ajoutée à l'annuaire.")

    # « Doublons à fusionner »: the two records, the first one kept.
    page.get_by_role("link", name="Doublons à fusionner").click()
    accessible(page)
    group = page.locator("form", has_text=name)
    expect(group.get_by_role("radio")).to_have_count(2)
    group.get_by_role("button", name="Fusionner ces 2 fiches").click()
    expect(page.get_by_role("status")).to_have_text("Les fiches sont fusionnées.")
    expect(page.locator("h1")).to_have_text(name)
    page.goto(f"{live.base_url}/annuaire?recherche={name}")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.goto(f"{live.base_url}/annuaire/doublons")
    expect(page.locator("form", has_text=name)).to_have_count(0)

    # Another pole's coordinator: the structure's page is not found.
    other = signed_in(browser, live, OTHER_POLE)
    try:
        answer = other.goto(structure_url)
        assert answer is not None and answer.status == 404
        expect(other.locator("main")).not_to_contain_text(name)
    finally:
        other.context.close()


def test_a_gestionnaire_and_a_partner_are_added_and_found(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    tag = uuid.uuid4().hex[:6]
    page.goto(f"{live.base_url}/annuaire")
    page.get_by_role("link", name="Gestionnaires").click()
    expect(page.locator("h1")).to_have_text("Gestionnaires")
    accessible(page)
    page.get_by_role("link", name="Ajouter un gestionnaire").click()
    organisation = f"Association Petits Pas {tag}"
    page.fill("#name", organisation)
    page.select_option("#kind", label="Association")
    page.fill("#commune", "Riom")
    page.fill("#siren", "1234")
    page.get_by_role("button", name="Ajouter le gestionnaire").click()
    expect(page.locator("#siren-error")).to_contain_text("9 chiffres")
    expect(page.locator("#name")).to_have_value(organisation)
    accessible(page)
    page.fill("#siren", "")
    page.get_by_role("button", name="Ajouter le gestionnaire").click()
    expect(page.get_by_role("status")).to_have_text("Le gestionnaire est ajouté à l'annuaire.")
    page.fill("#recherche", f"petits pas {tag}")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Riom")

    page.get_by_role("link", name="Partenaires").click()
    expect(page.locator("h1")).to_have_text("Partenaires")
    accessible(page)
    page.get_by_role("link", name="Ajouter un partenaire").click()
    partner = f"CAMSP des Volcans {tag}"
    page.fill("#name", partner)
    page.select_option("#kind", index=1)
    page.fill("#phone", "04 73 00 00 00")
    page.get_by_role("button", name="Ajouter le partenaire").click()
    expect(page.get_by_role("status")).to_have_text("Le partenaire est ajouté à l'annuaire.")
    page.fill("#recherche", partner)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("tbody")).to_contain_text("04 73 00 00 00")
    accessible(page)


def test_the_directory_at_390_pixels(browser: Browser, live: LiveServer) -> None:
    page = signed_in(browser, live, COORDINATOR, viewport={"width": 390, "height": 844})
    try:
        for path in ("/annuaire", "/annuaire/structures/nouvelle", "/annuaire/doublons"):
            page.goto(f"{live.base_url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide"
            assert serious_violations(page) == [], path
    finally:
        page.context.close()
