"""Keeping a family's file in Chromium, against the demo server: a new family gets a
guardian (after a mistake given back next to its field), a consent given then
withdrawn, a child (a mistyped birth date kept and flagged) later corrected, and a
corrected address; then its personal data page: the export opens, and the erasure
asks for a confirmation before anonymising the file. A staff member keeps the file
but sees no link to the personal data page. axe-core on every page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_web_app import COORDINATOR, STAFF, serious_violations, signed_in
from tests.live import LiveServer


@pytest.fixture
def coordinator(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def a_new_family(page: Page, live: LiveServer) -> str:
    name = f"Famille Dossier {uuid.uuid4().hex[:6]}"
    page.goto(f"{live.base_url}/familles/nouvelle")
    page.fill("#name", name)
    page.fill("#commune", "Issoire")
    page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(page.locator("h1")).to_have_text(name)
    return name


def test_a_family_file_is_kept_from_its_page(
    coordinator: Page, browser: Browser, live: LiveServer
) -> None:
    page = coordinator
    name = a_new_family(page, live)
    file_url = page.url.split("?")[0]
    main = page.locator("main")

    page.get_by_role("link", name="Ajouter un représentant").click()
    accessible(page)
    page.fill("#firstName", "Camille")
    page.fill("#lastName", "Dossier")
    page.fill("#phone", "06 12 34 56 78")
    page.get_by_role("button", name="Ajouter le représentant").click()
    expect(page.locator("#relationship-error")).to_be_visible()
    expect(page.locator("#phone")).to_have_value("06 12 34 56 78")
    accessible(page)
    page.select_option("#relationship", label="Mère")
    page.get_by_role("button", name="Ajouter le représentant").click()
    expect(page.get_by_role("status")).to_have_text("Le représentant légal est ajouté.")
    expect(main).to_contain_text("Camille Dossier (Mère) — 06 12 34 56 78")

    page.get_by_role("link", name="Enregistrer un consentement").click()
    accessible(page)
    page.select_option(
        "#purpose", label="Partage du projet d'accueil avec l'équipe de la structure"
    )
    page.fill("#givenBy", "Camille Dossier")
    page.get_by_role("button", name="Enregistrer le consentement").click()
    expect(page.get_by_role("status")).to_have_text("Le consentement est enregistré.")
    row = page.get_by_role("row", name=re.compile("Partage du projet d'accueil"))
    expect(row).to_contain_text("Actif")
    row.get_by_role("link", name=re.compile("^Retirer")).click()
    accessible(page)
    page.fill("#by", "Camille Dossier")
    page.get_by_role("button", name="Retirer le consentement").click()
    expect(page.get_by_role("status")).to_have_text("Le consentement est retiré.")
    expect(row).to_contain_text("Retiré le")

    page.get_by_role("link", name="Ajouter un enfant").click()
    page.fill("#firstName", "Timéo")
    page.fill("#birthDate", "2024-02-30")  # no such day: refused before the API
    page.get_by_label("Troubles du spectre de l'autisme").check()
    page.get_by_role("button", name="Ajouter l'enfant").click()
    expect(page.locator("#birthDate-error")).to_be_visible()
    expect(page.locator("#firstName")).to_have_value("Timéo")
    expect(page.get_by_label("Troubles du spectre de l'autisme")).to_be_checked()
    accessible(page)
    page.fill("#birthDate", "2024-02-20")
    page.get_by_role("button", name="Ajouter l'enfant").click()
    expect(page.get_by_role("status")).to_have_text("L'enfant est ajouté au dossier.")
    expect(main).to_contain_text("20 février 2024")

    page.get_by_role("link", name="Corriger le dossier de Timéo").click()
    expect(page.locator("#firstName")).to_have_value("Timéo")
    expect(page.get_by_label("Troubles du spectre de l'autisme")).to_be_checked()
    page.fill("#needs", "Besoin d'un temps calme après le repas.")
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.get_by_role("status")).to_have_text("Le dossier de l'enfant est corrigé.")
    expect(main).to_contain_text("Besoin d'un temps calme après le repas.")

    page.get_by_role("link", name="Corriger le dossier", exact=True).click()
    accessible(page)
    expect(page.locator("#commune")).to_have_value("Issoire")
    page.fill("#address", "3 rue des Volcans")
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.get_by_role("status")).to_have_text("Le dossier de la famille est corrigé.")
    expect(main).to_contain_text("3 rue des Volcans")
    accessible(page)

    # A staff member keeps the file, but the personal data page is not hers.
    staff = signed_in(browser, live, STAFF)
    try:
        staff.goto(file_url)
        expect(staff.get_by_role("link", name="Ajouter un enfant")).to_be_visible()
        expect(staff.get_by_role("link", name=re.compile("^Données personnelles"))).to_have_count(0)
    finally:
        staff.context.close()

    # The personal data: the export, then the erasure after its confirmation.
    page.get_by_role("link", name=re.compile("^Données personnelles")).click()
    accessible(page)
    data_url = page.url
    with page.expect_navigation():
        page.get_by_role("link", name="Ouvrir l'export (à imprimer)").click()
    expect(page.locator("body")).to_contain_text(name)
    expect(page.locator("body")).to_contain_text("Timéo")
    page.goto(data_url)
    page.get_by_role("button", name="Effacer les données…").click()
    expect(page.locator("#requester-error")).to_be_visible()
    accessible(page)
    page.select_option("#requester", label="Un représentant légal")
    page.get_by_role("button", name="Effacer les données…").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirmez l'effacement")
    accessible(page)
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.get_by_role("status")).to_have_text("Les données de la famille sont effacées.")
    expect(main).to_contain_text("Les données de ce dossier ont été effacées")
    expect(main).not_to_contain_text("Timéo")
    expect(page.get_by_role("link", name="Ajouter un enfant")).to_have_count(0)
