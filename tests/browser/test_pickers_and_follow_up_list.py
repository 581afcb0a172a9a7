"""The pickers and the follow-ups list in Chromium, against the demo server.

Recording a request, the coordinator types the requester and the description, then
searches the family by name in the form's own search field (Enter, no JavaScript):
the list narrows to that family, what she typed is still there, and the request is
saved with the family. Then, at 390 px wide, she finds the child's follow-up in
« Suivis » (the navigation) by the child's name and « mes suivis »; axe-core finds no
serious or critical violation on these pages, and nothing is wider than the screen."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_web_app import COORDINATOR, serious_violations, signed_in
from tests.live import LiveServer

NAV = "Navigation principale"


def accessible(page: Page) -> None:
    assert serious_violations(page) == [], page.url


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide"


def test_a_family_found_by_its_name_in_the_request_form(browser: Browser, live: LiveServer) -> None:
    page = signed_in(browser, live, COORDINATOR)
    try:
        page.goto(f"{live.base_url}/demandes/nouvelle")
        requester = f"Mme Recherche {uuid.uuid4().hex[:6]}"
        page.fill("#requesterName", requester)
        page.select_option("#requesterKind", label="Famille")
        page.select_option("#channel", label="Téléphone")
        page.get_by_label("Recherche d'un mode d'accueil").check()
        page.fill("#description", "Tapé avant de chercher la famille.")
        page.fill("#famille", "durand")
        with page.expect_navigation():
            page.locator("#famille").press("Enter")
        # Nothing saved: the same form, the list narrowed, her input kept.
        expect(page.locator("h1")).to_have_text("Enregistrer une demande")
        expect(page.locator("#requesterName")).to_have_value(requester)
        expect(page.locator("#description")).to_have_value("Tapé avant de chercher la famille.")
        expect(page.get_by_label("Recherche d'un mode d'accueil")).to_be_checked()
        expect(page.locator("#famille")).to_have_value("durand")
        families = page.locator("#familyId option")
        expect(families).to_have_text(["— Aucune famille —", "Famille Durand"])
        expect(page.locator("#famille-hint")).to_have_text("1 famille pour « durand ».")
        accessible(page)
        page.select_option("#familyId", label="Famille Durand")
        page.get_by_role("button", name="Enregistrer la demande").click()
        page.wait_for_url(re.compile(r"/demandes\?ok=recorded$"))
        page.get_by_role("link", name=requester).click()
        expect(page.get_by_role("link", name="Voir le dossier de la famille")).to_be_visible()
    finally:
        page.context.close()


def test_a_follow_up_found_in_the_list_at_390_pixels(browser: Browser, live: LiveServer) -> None:
    page = signed_in(browser, live, COORDINATOR, viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{live.base_url}/")
        page.get_by_role("navigation", name=NAV).get_by_role("link", name="Suivis").click()
        expect(page.locator("h1")).to_have_text("Suivis")
        expect(page.locator("caption")).to_contain_text("suivi")
        accessible(page)
        fits(page)
        # The family of the first follow-up listed (the demo's are drawn at random).
        family = page.locator("tbody tr").first.locator("span.muted").last.inner_text()
        page.select_option("#statut", label="Tous")
        page.fill("#recherche", family)
        page.get_by_role("button", name="Filtrer").click()
        rows = page.locator("tbody tr")
        expect(rows.first).to_contain_text(family)
        for text in rows.all_inner_texts():
            assert family in text, text
        accessible(page)
        fits(page)
        child = page.locator("tbody tr a").first
        name = child.inner_text()
        page.select_option("#referent", label="Mes suivis")
        page.get_by_role("button", name="Filtrer").click()
        expect(page.locator("#referent")).to_have_value("moi")
        expect(page.locator("#recherche")).to_have_value(family)
        page.go_back()
        page.locator("tbody tr a", has_text=name).first.click()
        expect(page.locator("h1")).to_have_text(f"Suivi de {name}")
    finally:
        page.context.close()
