"""The national network in Chromium, against the demo server: each demo pole's
administrator prepares the pole's 2025 release, reads which cells are hidden and why,
and submits it (Pas-de-Calais first abandons a draft of the wrong period); the
network's coordinator approves both; the network compares the two poles with the
dozen poles imported from other installs, per 10,000 inhabitants, small counts shown
as hidden with their reason, totals marked incomplete. axe-core on every page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_sign_in import sign_in
from tests.browser.test_web_app import serious_violations, signed_in
from tests.live import LiveServer

POLE_ADMIN = "pole-admin@puy-de-dome.maillage.example"
OTHER_POLE_ADMIN = "pole-admin@pas-de-calais.maillage.example"
NETWORK_COORDINATOR = "network-coordinator@puy-de-dome.maillage.example"


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def network_person(browser: Browser, live: LiveServer, email: str) -> Page:
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, live, email)
    page.wait_for_load_state()
    return page


def test_a_pole_submits_the_network_approves_and_compares(
    browser: Browser, live: LiveServer
) -> None:
    pole = signed_in(browser, live, POLE_ADMIN)
    pole.get_by_role("navigation").get_by_role("link", name="Publication au réseau").click()
    expect(pole.locator("h1")).to_have_text("Publication au réseau national")
    accessible(pole)
    # The pole declares its territory: an unknown commune is refused, what was typed kept.
    pole.get_by_role("link", name="territoire du pôle pour le réseau").click()
    expect(pole.locator("#population-actuelle")).to_contain_text("département 63")
    pole.fill("#communes", "63113 99999")
    pole.get_by_role("button", name="Enregistrer le territoire").click()
    expect(pole.locator("#communes-error")).to_contain_text("Commune inconnue : 99999")
    expect(pole.locator("#communes")).to_have_value("63113 99999")
    accessible(pole)
    pole.fill("#communes", "63113")
    pole.fill("#epci", "246300701")
    pole.get_by_role("button", name="Enregistrer le territoire").click()
    expect(pole.get_by_role("status")).to_contain_text("Le territoire est enregistré")
    expect(pole.locator("#population-actuelle")).to_contain_text(
        "territoire déclaré : 1 commune et 1 EPCI"
    )
    pole.get_by_role("link", name="Retour à la publication au réseau").click()
    pole.fill("#periode", "2025-T3")
    pole.get_by_role("button", name="Calculer l'aperçu").click()
    expect(pole.locator("#periode-error")).to_be_visible()
    expect(pole.locator("#periode")).to_have_value("2025-T3")
    accessible(pole)
    pole.fill("#periode", "2025")
    pole.get_by_role("button", name="Calculer l'aperçu").click()
    expect(pole.get_by_role("status")).to_contain_text("calculée et protégée")
    expect(pole.get_by_role("heading", name=re.compile("^2025, version 1"))).to_be_visible()
    accessible(pole)
    pole.get_by_role("button", name=re.compile("^Soumettre au réseau")).click()
    expect(pole.get_by_role("status")).to_have_text("La publication est soumise au réseau.")
    pole.context.close()

    # Pas-de-Calais: a draft of the first half-year, abandoned, then the whole year.
    other = signed_in(browser, live, OTHER_POLE_ADMIN)
    other.goto(f"{live.base_url}/pole/reseau")
    expect(other.locator("#raison-hint")).to_contain_text("envoyée au réseau")
    other.fill("#periode", "2025-S1")
    other.get_by_role("button", name="Calculer l'aperçu").click()
    expect(other.get_by_role("heading", name=re.compile("^2025-S1, version 1"))).to_be_visible()
    other.get_by_role("button", name=re.compile("^Abandonner cette version")).click()
    expect(other.get_by_role("status")).to_contain_text("abandonnée")
    expect(other.get_by_role("heading", name=re.compile("^2025-S1"))).to_have_count(0)
    other.fill("#periode", "2025")
    other.get_by_role("button", name="Calculer l'aperçu").click()
    expect(other.get_by_role("heading", name=re.compile("^2025, version 1"))).to_be_visible()
    accessible(other)
    other.get_by_role("button", name=re.compile("^Soumettre au réseau")).click()
    expect(other.get_by_role("status")).to_have_text("La publication est soumise au réseau.")
    other.context.close()

    network = network_person(browser, live, NETWORK_COORDINATOR)
    network.goto(f"{live.base_url}/reseau/publications")
    expect(network.locator("h1")).to_have_text("Publications des pôles")
    accessible(network)
    for name in ("Puy-de-Dôme", "Pas-de-Calais"):
        network.get_by_role(
            "button", name=re.compile(f"^Approuver la publication 2025 de .*{name}")
        ).click()
        expect(network.get_by_role("status")).to_contain_text("publiée et verrouillée")
    expect(network.get_by_role("button", name=re.compile("^Approuver"))).to_have_count(0)

    network.get_by_role("navigation").get_by_role("link", name="Réseau : comparer").click()
    network.select_option("#chiffre", "casework.children_followed")
    network.fill("#depuis", "2024")
    network.fill("#jusqu_a", "2025")
    network.fill("#case", "age_bracket=0-2")
    network.get_by_role("button", name="Comparer").click()
    table = network.get_by_role("table")
    expect(table).to_contain_text("Pôle ressources handicap du Nord (fictif)")
    expect(table).to_contain_text("Puy-de-Dôme")
    expect(table).to_contain_text("Pas-de-Calais")
    # Both demo poles and the dozen imported ones, each with its 2025.
    expect(table.locator("tbody tr")).to_have_count(14)
    expect(table).to_contain_text("Masquée : secret statistique (seuil de 11 personnes)")
    expect(table).to_contain_text("(incomplet)")
    # The chart of the last year is an image with its title; the table stays beside it.
    bars = network.get_by_role(
        "img", name=re.compile(r"^casework\.children_followed \[age_bracket=0-2\], .* : 2025, pour")
    )
    expect(bars).to_be_visible()
    accessible(network)
    with network.expect_download() as download:
        network.get_by_role("link", name="Télécharger le tableau (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    with network.expect_download() as download:
        network.get_by_role("link", name="Télécharger le tableau (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = [[c.value for c in r] for r in book[book.sheetnames[0]].iter_rows()]
    hidden = [r for r in rows if r[7] == "masquée : secret statistique (seuil de 11 personnes)"]
    assert hidden and all(r[3] is None for r in hidden)
    totals = [[c.value for c in r] for r in book[book.sheetnames[1]].iter_rows()]
    assert any(str(r[5] or "").startswith("incomplet") for r in totals)

    # The pole and the poles of the closest population: a peer group, drawn over the years.
    own = network.locator("#pairs_de option", has_text="Puy-de-Dôme").get_attribute("value")
    network.select_option("#pairs_de", own)
    network.fill("#pairs", "4")
    network.get_by_role("button", name="Comparer").click()
    expect(network.locator("#groupe-de-pairs")).to_contain_text("Groupe de pairs de")
    expect(network.get_by_role("table").locator("tbody tr")).to_have_count(5)
    expect(network.get_by_role("img", name=re.compile("évolution 2024–2025"))).to_be_visible()
    accessible(network)

    # The yearly synthesis, the printable page of the PDF.
    network.get_by_role("link", name="Synthèse annuelle 2025 (page à imprimer)").click()
    expect(network.locator("h1")).to_contain_text("Synthèse annuelle 2025")
    expect(network.locator("main")).to_contain_text("Masquée : secret statistique")
    accessible(network)
    network.context.close()
