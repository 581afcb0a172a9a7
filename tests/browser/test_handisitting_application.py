"""« Devenir intervenant·e handisitting » in Chromium (decision 204): the Pas-de-Calais
coordinator copies the link shown on the staff screen; a student opens it on a 390 px
phone without an account, makes a mistake (the form comes back with what she typed, the
summary at the top and the message next to each field), applies, reads what happens next;
the coordinator finds her application in the list, « Candidature reçue », and its
history says it came from the online form. axe-core on every page."""

from __future__ import annotations

import random

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_handisitting_pages import NAV, accessible
from tests.browser.test_web_app import OTHER_POLE, signed_in
from tests.live import LiveServer

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LINK_TEXT = "Lien à diffuser aux candidat·e·s"


def public_link(page: Page) -> str:
    """The link staff share, as the staff screen shows it."""
    page.get_by_role("navigation", name=NAV).get_by_role("link", name="Handisitting").click()
    expect(page.locator("h1")).to_have_text("Intervenant·es de garde à domicile")
    link = page.locator("p", has_text=LINK_TEXT).get_by_role("link")
    url = link.inner_text()
    assert url.endswith("/p/pas-de-calais/handisitting/candidature"), url
    return url


def apply_on_phone(browser: Browser, url: str, first: str, last: str) -> None:
    """A student applies on her phone, a mistake first."""
    context = browser.new_context(locale="fr-FR", bypass_csp=True, **PHONE)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        phone.goto(url)
        expect(phone.locator("h1")).to_have_text("Devenir intervenant·e handisitting")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        accessible(phone)
        phone.get_by_label("Prénom").fill(first)
        phone.locator("#nom").fill(last)
        phone.get_by_label("Adresse électronique").fill(
            f"{first.lower()}.{last.lower()}@exemple.invalid"
        )
        phone.get_by_label("Téléphone").fill("06 12 34 56 78")
        phone.get_by_label("Commune où vous habitez").fill("Béthune")
        phone.get_by_label("Distance que vous acceptez de parcourir (km)").fill("loin")
        phone.get_by_label("Études ou expérience").select_option(label="Études médico-sociales")
        phone.get_by_label("Vos études ou votre expérience, en quelques mots").fill(
            "3e année d'éducatrice spécialisée"
        )
        phone.get_by_label("Langues parlées").fill("français, LSF")
        phone.get_by_label("Troubles du spectre de l'autisme").check()
        phone.get_by_role("button", name="Envoyer ma candidature").tap()

        # Refused: the consent box and the distance, named at the top and by the field.
        summary = phone.get_by_role("alert")
        expect(summary).to_contain_text("Votre candidature n'est pas encore envoyée")
        expect(summary.get_by_role("link")).to_have_count(2)
        expect(phone.locator("#distance-erreur")).to_contain_text("de 0 à 200")
        expect(phone.locator("#consentement-erreur")).to_contain_text("Cochez la case")
        expect(phone.get_by_label("Commune où vous habitez")).to_have_value("Béthune")
        expect(phone.get_by_label("Troubles du spectre de l'autisme")).to_be_checked()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        accessible(phone)

        summary.get_by_role("link").first.tap()
        phone.get_by_label("Distance que vous acceptez de parcourir (km)").fill("20")
        phone.get_by_label("J'ai lu comment le pôle utilise mes données").check()
        phone.get_by_role("button", name="Envoyer ma candidature").tap()
        expect(phone.locator("h1")).to_have_text("Candidature envoyée")
        expect(phone.get_by_role("status")).to_contain_text("Votre candidature est envoyée")
        expect(phone.locator("main")).to_contain_text("extrait de casier judiciaire")
        accessible(phone)
    finally:
        context.close()


def test_a_student_applies_on_the_public_page_and_the_coordinator_sees_it(
    browser: Browser, live: LiveServer
) -> None:
    staff = signed_in(browser, live, OTHER_POLE)
    try:
        url = public_link(staff)
        accessible(staff)
        last = f"Essai{random.randrange(100, 100000)}"
        apply_on_phone(browser, url, "Maëlle", last)

        staff.reload()
        row = staff.get_by_role("row", name=f"Maëlle {last}")
        expect(row).to_contain_text("Candidature reçue")
        expect(row).to_contain_text("Béthune")
        row.get_by_role("link", name=f"Maëlle {last}").click()
        expect(staff.locator("h1")).to_have_text(f"Maëlle {last}")
        expect(staff.locator("ol.timeline")).to_contain_text("formulaire en ligne")
        accessible(staff)
    finally:
        staff.context.close()
