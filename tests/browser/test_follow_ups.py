"""The follow-up and reception plan screens in Chromium, against the demo server: from
a family's request the coordinator opens the child's follow-up, notes an observation
at the crèche (after a mistake the form gives back with her input kept), writes the
reception plan (an empty one refused next to its field), and opens its print page;
axe-core finds no serious or critical violation on any of these pages."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from core.sdk import date_fr
from tests.browser.test_web_app import COORDINATOR, serious_violations, signed_in
from tests.live import LiveServer


@pytest.fixture
def coordinator(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def a_family_request(page: Page, live: LiveServer, family: str) -> str:
    """Records a request for ``family`` through the request form; its page's URL."""
    page.goto(f"{live.base_url}/demandes/nouvelle")
    name = f"Mme {family} {uuid.uuid4().hex[:6]}"
    page.fill("#requesterName", name)
    page.select_option("#requesterKind", label="Famille")
    page.select_option("#channel", label="Téléphone")
    page.get_by_label("Recherche d'un mode d'accueil").check()
    page.select_option("#familyId", label=f"Famille {family}")
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_url(re.compile(r"/demandes\?ok=recorded$"))
    page.get_by_role("link", name=name).click()
    return page.url


def test_from_a_request_to_the_printed_reception_plan(coordinator: Page, live: LiveServer) -> None:
    page = coordinator
    a_family_request(page, live, "Durand")

    # « Ouvrir un suivi »: the family's child, the referent (herself by default), the
    # crèche where the child will be received.
    page.get_by_role("link", name="Ouvrir un suivi").click()
    expect(page.locator("h1")).to_have_text("Ouvrir un suivi")
    accessible(page)
    zoé = page.locator("#childId option", has_text="Zoé").get_attribute("value")
    page.select_option("#childId", value=zoé)
    crèche = page.locator("#structureIds label", has_text=re.compile("^Crèche")).first
    crèche_name = crèche.inner_text().split(" (")[0]
    crèche.click()
    page.get_by_role("button", name="Ouvrir le suivi").click()
    expect(page.get_by_role("status")).to_have_text("Le suivi est ouvert.")
    expect(page.locator("h1")).to_have_text("Suivi de Zoé")
    expect(page.locator("main")).to_contain_text(crèche_name)
    follow_up_url = page.url
    accessible(page)

    # « Noter une intervention », with a duration mistyped: the error next to the
    # field and in the summary, the notes kept.
    page.get_by_role("link", name="Noter une intervention").click()
    page.select_option("#kind", label="Observation sur site")
    page.fill("#durationMinutes", "une heure et demie")
    page.select_option(
        "#structureId",
        value=page.locator("#structureId option", has_text=crèche_name).first.get_attribute(
            "value"
        ),
    )
    notes = "Zoé joue seule près des coussins ; se bouche les oreilles au repas."
    page.fill("#notes", notes)
    page.get_by_role("button", name="Noter l'intervention").click()
    expect(page).to_have_title(re.compile("^Erreur : "))
    expect(page.locator("#durationMinutes-error")).to_contain_text("nombre entier de minutes")
    expect(page.locator("#durationMinutes")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary")).to_contain_text("nombre entier de minutes")
    expect(page.locator("#notes")).to_have_value(notes)
    expect(page.locator("#durationMinutes")).to_have_value("une heure et demie")
    accessible(page)
    page.fill("#durationMinutes", "90")
    page.fill("#recommendations", "Un coin calme avec un casque anti-bruit au repas.")
    page.get_by_role("button", name="Noter l'intervention").click()
    expect(page.get_by_role("status")).to_have_text("L'intervention est notée.")
    timeline = page.locator("ol.timeline > li").first
    expect(timeline).to_contain_text("Observation")
    expect(timeline).to_contain_text(crèche_name)
    expect(timeline).to_contain_text("90 min")
    expect(timeline).to_contain_text("casque anti-bruit")

    # The reception plan: an empty one is refused on its first section.
    page.get_by_role("link", name="Écrire un projet d'accueil").click()
    expect(page.locator("#structureId option:checked")).to_contain_text(crèche_name)
    page.fill("#reviewDate", "2099-01-15")
    page.get_by_role("button", name="Enregistrer le projet").click()
    expect(page.locator("#needs-error")).to_contain_text("le projet est vide".capitalize())
    expect(page.locator("#reviewDate")).to_have_value("2099-01-15")
    accessible(page)
    page.fill("#needs", "Un environnement sonore calme ; des repères visuels.")
    page.fill("#adaptations", "Repas au petit groupe, casque anti-bruit disponible.")
    # Established before it was typed: the plan keeps its own date.
    expect(page.locator("#writtenOn")).to_have_value(dt.date.today().isoformat())
    established = dt.date.today() - dt.timedelta(days=40)
    page.fill("#writtenOn", established.isoformat())
    page.get_by_role("button", name="Enregistrer le projet").click()
    expect(page.get_by_role("status")).to_have_text("Le projet d'accueil est enregistré.")
    expect(page.locator("main")).to_contain_text("Version 1")
    expect(page.locator("main")).to_contain_text(f"établie le {date_fr(established)}")
    expect(page.locator("main")).to_contain_text("15 janvier 2099")
    accessible(page)

    # A second version starts from the first; both stay readable.
    page.get_by_role("link", name="Écrire une nouvelle version").click()
    expect(page.locator("#needs")).to_have_value(
        "Un environnement sonore calme ; des repères visuels."
    )
    page.fill("#equipment", "Casque anti-bruit, pictogrammes.")
    page.get_by_role("button", name="Enregistrer le projet").click()
    expect(page.locator("summary", has_text="Version 2")).to_be_visible()
    expect(page.locator("summary", has_text="Version 1")).to_be_visible()

    # The Durand family consented to the sharing (demo): the API lets it through.
    page.get_by_role("button", name="Partager avec la structure").click()
    expect(page.get_by_role("status")).to_have_text(
        "Le projet d'accueil est partagé avec la structure."
    )
    expect(page.locator("main")).to_contain_text("Partagé avec l'équipe de la structure")

    # « Imprimer »: the existing document route.
    with page.expect_navigation():
        page.get_by_role("link", name="Imprimer").click()
    assert re.search(r"/reports/reception-plans/[^/]+\.html$", page.url)
    expect(page.locator("body")).to_contain_text("casque anti-bruit")

    # Back on the follow-up: the plan is listed.
    page.goto(follow_up_url)
    expect(page.locator("main")).to_contain_text(f"Projet d'accueil à {crèche_name}")


def test_an_idle_follow_up_from_the_home_page_is_closed_with_an_outcome(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    idle = page.locator("#sans-activite").locator("xpath=..").get_by_role("link").first
    idle.click()
    expect(page.locator("h1")).to_contain_text("Suivi de")
    expect(page.locator("main")).to_contain_text("En cours")
    page.get_by_role("link", name="Clore le suivi").click()
    page.get_by_role("button", name="Clore le suivi").click()
    expect(page.locator("#outcome-error")).to_be_visible()
    expect(page.locator("#outcome")).to_have_attribute("aria-invalid", "true")
    accessible(page)
    page.select_option("#outcome", label="Accueil adapté dans la structure")
    page.fill("#outcomeNotes", "Accueil adapté en place.")
    page.get_by_role("button", name="Clore le suivi").click()
    expect(page.get_by_role("status")).to_have_text("Le suivi est clos.")
    expect(page.locator("main")).to_contain_text("Accueil adapté dans la structure")
    expect(page.get_by_role("link", name="Noter une intervention")).to_have_count(0)
