"""The referent_charters plugin's screens in Chromium, contributed through the page
hooks as an integrator would: the Puy-de-Dôme pole (which enabled the plugin) records
a training session, registers a referent from it, records her signature of the
charter and her presence at a meeting, and sees who is behind; the Pas-de-Calais pole
(which did not) has no « Référents » entry and gets 404 on its pages. axe-core on
every page."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from core.sdk import date_fr
from tests.browser.test_web_app import COORDINATOR, OTHER_POLE, serious_violations, signed_in
from tests.live import LiveServer

NAV = "Navigation principale"


@pytest.fixture
def coordinator(browser: Browser, live: LiveServer) -> Iterator[Page]:
    page = signed_in(browser, live, COORDINATOR)
    yield page
    page.context.close()


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def test_a_referent_is_trained_registered_signed_and_present(
    coordinator: Page, live: LiveServer
) -> None:
    page = coordinator
    today = dt.date.today()
    number = random.randrange(100, 1000)
    page.get_by_role("navigation", name=NAV).get_by_role("link", name="Référents").click()
    expect(page.locator("h1")).to_have_text("Référents Pôle Ressources")
    accessible(page)

    tabs = page.get_by_role("navigation", name="Référents Pôle Ressources")
    tabs.get_by_role("link", name="Sessions de formation").click()
    accessible(page)
    page.fill("#number", str(number))
    page.fill("#startOn", today.isoformat())
    page.get_by_role("button", name="Enregistrer la session").click()
    expect(page.locator("#endOn-error")).to_contain_text("Indiquez une date")
    expect(page.locator("#number")).to_have_value(str(number))
    accessible(page)
    page.fill("#endOn", (today + dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Enregistrer la session").click()
    expect(page.get_by_role("status")).to_have_text("La session de formation est enregistrée.")
    expect(page.locator("tbody")).to_contain_text(f"{number}e session")
    # Corrected afterwards: held on three separate days, not consecutive ones.
    page.get_by_role("link", name=f"Corriger la {number}e session").click()
    expect(page.locator("h1")).to_have_text(f"Corriger la {number}e session")
    expect(page.locator("#endOn")).to_have_value((today + dt.timedelta(days=2)).isoformat())
    accessible(page)
    days = [today - dt.timedelta(days=n) for n in (14, 7, 0)]
    page.fill("#startOn", "")
    page.fill("#endOn", "")
    for index, day in enumerate(days, start=1):
        page.fill(f"#day{index}", day.isoformat())
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.get_by_role("status")).to_have_text("La session de formation est corrigée.")
    corrected = page.get_by_role("row", name=re.compile(f"{number}e session"))
    expect(corrected.locator("td").nth(3)).to_have_text(", ".join(date_fr(d) for d in days))

    tabs.get_by_role("link", name="Référents", exact=True).click()
    page.get_by_role("link", name="Inscrire un·e référent·e").click()
    accessible(page)
    last = f"Essai{number}"
    page.fill("#firstName", "Nadia")
    page.fill("#lastName", last)
    page.select_option("#job", label="Éducateur·rice de jeunes enfants (EJE)")
    page.select_option("#structureKind", label="Établissement d'accueil du jeune enfant (EAJE)")
    page.fill("#structureName", "Crèche Les Petits Volcans")
    page.fill("#commune", "Riom")
    option = page.locator("#trainingSessionId option", has_text=f"{number}e session")
    page.select_option("#trainingSessionId", value=option.get_attribute("value"))
    page.get_by_role("button", name="Inscrire").click()
    expect(page.get_by_role("status")).to_have_text("Le ou la référent·e est inscrit·e.")
    row = page.get_by_role("row", name=re.compile(f"Nadia {last}"))
    expect(row).to_contain_text("non signée")

    tabs.get_by_role("link", name="Charte et signatures").click()
    expect(page.locator("h2").first).to_contain_text("(en vigueur)")
    accessible(page)
    page.select_option("#referentId", label=f"Nadia {last}")
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.get_by_role("status")).to_have_text("La signature est enregistrée.")
    tabs.get_by_role("link", name="Référents", exact=True).click()
    expect(row).to_contain_text("contreseings attendus")

    tabs.get_by_role("link", name="Rencontres").click()
    accessible(page)
    title = f"Journée thématique {number}"
    page.select_option("#kind", index=1)
    page.fill("#title", title)
    page.get_by_role("button", name="Enregistrer la rencontre").click()
    expect(page.get_by_role("status")).to_have_text("La rencontre est enregistrée.")
    meeting = page.locator("section", has_text=title)
    meeting.locator("summary").click()
    meeting.get_by_label(f"Nadia {last}").check()
    meeting.get_by_role("button", name=re.compile("^Enregistrer la présence")).click()
    expect(page.get_by_role("status")).to_have_text("La feuille de présence est enregistrée.")
    expect(page.locator("section", has_text=title)).to_contain_text("1 présent·e")
    accessible(page)

    tabs.get_by_role("link", name="Qui est en retard").click()
    expect(page.locator("h1")).to_contain_text("Qui est en retard")
    accessible(page)


def test_a_pole_without_the_plugin_has_no_entry_and_no_page(
    browser: Browser, live: LiveServer
) -> None:
    other = signed_in(browser, live, OTHER_POLE)
    try:
        nav = other.get_by_role("navigation", name=NAV)
        expect(nav.get_by_role("link", name="Aujourd'hui")).to_be_visible()
        assert "Référents" not in nav.get_by_role("link").all_inner_texts()
        for path in ("/referents", "/referents/charte", "/referents/inscrire"):
            answer = other.goto(f"{live.base_url}{path}")
            assert answer is not None and answer.status == 404, path
            expect(other.locator("h1")).to_have_text("Page introuvable")
    finally:
        other.context.close()
